import type { MilpProblem } from '@lightcode/cost-model';
import type { Candidate, StackedGraph } from '@lightcode/ir';
import {
  assertWholeFusions,
  dropIncompleteFusions,
  globToRegExp,
  meetsBudgets,
  mendFusions,
  parseRule,
  restrictCandidates,
  solveWithYalps,
  toYalpsModel,
} from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { handMade } from './hand-made.js';

/*
 * Budgets, placement rules and fused realizations on hand-made candidate
 * lists, and the yalps adapter on MILPs solved by hand.
 */

describe('budgets', () => {
  it('met up to a relative 1e-12; an absent budget always holds', () => {
    expect(meetsBudgets({}, { latencyS: 1e9, energyJ: 1e9 })).toBe(true);
    expect(meetsBudgets({ latencyBudgetS: 2 }, { latencyS: 2, energyJ: 9 })).toBe(true);
    expect(meetsBudgets({ latencyBudgetS: 2 }, { latencyS: 2 * (1 + 0.5e-12), energyJ: 9 })).toBe(true);
    expect(meetsBudgets({ latencyBudgetS: 2 }, { latencyS: 2 * (1 + 1e-11), energyJ: 9 })).toBe(false);
    expect(meetsBudgets({ energyBudgetJ: 5 }, { latencyS: 9, energyJ: 5 })).toBe(true);
    expect(meetsBudgets({ energyBudgetJ: 5 }, { latencyS: 9, energyJ: 5 * (1 + 1e-11) })).toBe(false);
    expect(meetsBudgets({ latencyBudgetS: 2, energyBudgetJ: 5 }, { latencyS: 1, energyJ: 6 })).toBe(false);
    expect(meetsBudgets({ latencyBudgetS: 2, energyBudgetJ: 5 }, { latencyS: 3, energyJ: 4 })).toBe(false);
  });
});

describe('placement rules', () => {
  it('globs: * any run, ? one character, everything else literal', () => {
    const re = globToRegExp('h?.attn*');
    expect(re.test('h0.attn.c_attn')).toBe(true);
    expect(re.test('h0.attn')).toBe(true);
    expect(re.test('h10.attn')).toBe(false);
    expect(re.test('h0xattn')).toBe(false);
    expect(re.test('xh0.attn')).toBe(false);
    expect(globToRegExp('a+b(c)[d]{e}|^$\\').test('a+b(c)[d]{e}|^$\\')).toBe(true);
    expect(globToRegExp('a+b').test('aab')).toBe(false);
  });

  it('GLOB=DEVICE splits at the last =; a missing side is refused with the flag and the text', () => {
    expect(parseRule('*.mlp*=gpu', '--pin')).toEqual({ glob: '*.mlp*', device: 'gpu' });
    expect(parseRule('a=b=cpu', '--pin')).toEqual({ glob: 'a=b', device: 'cpu' });
    for (const bad of ['gpu', '=gpu', 'x=']) {
      expect(() => parseRule(bad, '--exclude')).toThrow(`--exclude takes GLOB=DEVICE, e.g. '*.attn.c_attn=ptu' (got '${bad}')`);
    }
  });

  /** op0 on d0 or d1, op1 on d0 or d1, op2 on d0 only. */
  const three = () =>
    handMade(
      [
        [
          [0, 1, 1],
          [1, 1, 1],
        ],
        [
          [0, 1, 1],
          [1, 1, 1],
        ],
        [0, 1, 1],
      ],
      [
        [0, 1, 0],
        [1, 2, 0],
      ],
      [1, 1],
    );
  const devices = (sg: StackedGraph) => [...sg.candidates.values()].map((l) => l.map((c) => c.device));

  it('no rules: the same Stacked Graph; a pin keeps the pinned device, an exclude drops one', () => {
    const sg = three();
    expect(restrictCandidates(sg, {})).toBe(sg);
    expect(devices(restrictCandidates(sg, { pins: [{ glob: 'op1', device: 'd1' }] }))).toEqual([['d0', 'd1'], ['d1'], ['d0']]);
    expect(devices(restrictCandidates(sg, { excludes: [{ glob: 'op0', device: 'd0' }] }))).toEqual([['d1'], ['d0', 'd1'], ['d0']]);
    expect(devices(restrictCandidates(sg, { excludes: [{ glob: 'op?', device: 'd1' }] }))).toEqual([['d0'], ['d0'], ['d0']]);
    const r = restrictCandidates(sg, { pins: [{ glob: 'op0', device: 'd0' }] });
    expect(r.transfer).toBe(sg.transfer);
    expect(r.route).toBe(sg.route);
    expect(r.graph).toBe(sg.graph);
  });

  it('a rule naming no device of the system, or matching no op, or leaving an op nothing, is refused', () => {
    const sg = three();
    expect(() => restrictCandidates(sg, { pins: [{ glob: 'op0', device: 'ptu' }] })).toThrow(
      "--pin op0=ptu: the system has no device 'ptu' (devices: d0, d1)",
    );
    expect(() => restrictCandidates(sg, { excludes: [{ glob: 'mlp*', device: 'd0' }] })).toThrow(
      "--exclude mlp*=d0: no op name matches 'mlp*'",
    );
    expect(() => restrictCandidates(sg, { pins: [{ glob: 'op2', device: 'd1' }] })).toThrow(
      "op 'op2' has no device left after --pin/--exclude (it can run on: d0)",
    );
    expect(() =>
      restrictCandidates(sg, {
        excludes: [
          { glob: 'op0', device: 'd0' },
          { glob: 'op0', device: 'd1' },
        ],
      }),
    ).toThrow("op 'op0' has no device left after --pin/--exclude (it can run on: d0, d1)");
    expect(() => restrictCandidates(sg, { excludes: [{ glob: '*', device: 'd0' }] })).toThrow(
      "op 'op2' has no device left after --pin/--exclude (it can run on: d0)",
    );
  });
});

const fused = (device: string, index: number, latencyS: number): Candidate => ({
  device,
  target: 't',
  algorithm: 'fused',
  latencyS,
  energy: {},
  energyJ: latencyS,
  fusion: { id: 'f', index, size: 2 },
});

/** op0 and op1 on d0 (3 s, 4 s) or d1 (2 s, 2 s), or fused on d1 (1 s for both: 1 + 0). */
function withFusion(): StackedGraph {
  const sg = handMade(
    [
      [
        [0, 3, 3],
        [1, 2, 2],
      ],
      [
        [0, 4, 4],
        [1, 2, 2],
      ],
    ],
    [[0, 1, 0]],
    [1, 1],
  );
  const candidates = new Map(sg.candidates);
  candidates.set('o0', [...(candidates.get('o0') ?? []), fused('d1', 0, 1)]);
  candidates.set('o1', [...(candidates.get('o1') ?? []), fused('d1', 1, 0)]);
  return { ...sg, candidates };
}

describe('fused realizations', () => {
  it('dropIncompleteFusions: both members present, kept; one lost, the other dropped too', () => {
    const sg = withFusion();
    expect(dropIncompleteFusions(sg.candidates).get('o0')?.length).toBe(3);
    const lost = new Map(sg.candidates);
    lost.set(
      'o1',
      (lost.get('o1') ?? []).filter((c) => !c.fusion),
    );
    const kept = dropIncompleteFusions(lost);
    expect(kept.get('o0')?.map((c) => c.algorithm)).toEqual(['a', 'a']);
    // an exclude of d1 on op1 alone removes the fused realization from op0 as well
    const r = restrictCandidates(sg, { excludes: [{ glob: 'op1', device: 'd1' }] });
    expect(r.candidates.get('o0')?.map((c) => [c.device, c.algorithm])).toEqual([
      ['d0', 'a'],
      ['d1', 'a'],
    ]);
  });

  it("mendFusions: half a fusion is completed when the fused scores (1 + 0) are at most the members' best unfused (2 + 2)", () => {
    const sg = withFusion();
    const half = new Map([
      ['o0', 2],
      ['o1', 0],
    ]);
    expect(mendFusions(sg, half, (c) => c.latencyS)).toEqual(
      new Map([
        ['o0', 2],
        ['o1', 2],
      ]),
    );
    // scored so the fusion costs more (10 per fused candidate): each member takes its best unfused (d1, 2)
    const dear = mendFusions(
      sg,
      new Map([
        ['o0', 0],
        ['o1', 2],
      ]),
      (c) => (c.fusion ? 10 : c.latencyS),
    );
    expect(dear).toEqual(
      new Map([
        ['o0', 1],
        ['o1', 1],
      ]),
    );
    // equal scores: the fusion is kept
    const tie = mendFusions(
      sg,
      new Map([
        ['o0', 2],
        ['o1', 1],
      ]),
      (c) => (c.fusion ? 2 : c.latencyS),
    );
    expect(tie.get('o1')).toBe(2);
    // whole or absent: unchanged
    const whole = new Map([
      ['o0', 0],
      ['o1', 1],
    ]);
    expect(mendFusions(sg, whole, (c) => c.latencyS)).toEqual(
      new Map([
        ['o0', 0],
        ['o1', 1],
      ]),
    );
  });

  it('mendFusions: the cheapest unfused candidate, the first on ties; a member with none keeps the fusion', () => {
    const sg = withFusion();
    // scores: d0 1, d1 5, fused 10: the members go to d0 (index 0)
    const byDevice = (c: Candidate) => (c.fusion ? 10 : c.device === 'd0' ? 1 : 5);
    expect(
      mendFusions(
        sg,
        new Map([
          ['o0', 2],
          ['o1', 1],
        ]),
        byDevice,
      ),
    ).toEqual(
      new Map([
        ['o0', 0],
        ['o1', 0],
      ]),
    );
    // equal scores for both unfused candidates: the first
    expect(
      mendFusions(
        sg,
        new Map([
          ['o0', 2],
          ['o1', 1],
        ]),
        (c) => (c.fusion ? 10 : 3),
      ),
    ).toEqual(
      new Map([
        ['o0', 0],
        ['o1', 0],
      ]),
    );
    // o1 only fused: however dear the fusion, it is taken whole
    const only: StackedGraph = { ...sg, candidates: new Map([...sg.candidates, ['o1', [fused('d1', 1, 0)]]]) };
    expect(
      mendFusions(
        only,
        new Map([
          ['o0', 0],
          ['o1', 0],
        ]),
        (c) => (c.fusion ? 100 : 1),
      ),
    ).toEqual(
      new Map([
        ['o0', 2],
        ['o1', 0],
      ]),
    );
  });

  it('assertWholeFusions names a fusion taken in part', () => {
    const sg = withFusion();
    expect(() =>
      assertWholeFusions(
        sg,
        new Map([
          ['o0', 2],
          ['o1', 0],
        ]),
      ),
    ).toThrow("selection takes fused realization 'f' for some of its ops only");
    expect(() =>
      assertWholeFusions(
        sg,
        new Map([
          ['o0', 2],
          ['o1', 2],
        ]),
      ),
    ).not.toThrow();
  });
});

describe('yalps', () => {
  // minimize 2x + 3y, x + y >= 1, x, y binary: x = 1, objective 2
  const cover: MilpProblem = {
    sense: 'minimize',
    variables: [
      { name: 'x', type: 'binary', cost: 2 },
      { name: 'y', type: 'binary', cost: 3 },
    ],
    rows: [
      {
        name: 'cover',
        terms: [
          [0, 1],
          [1, 1],
        ],
        lower: 1,
      },
    ],
  };

  it('the model: one constraint per row, bounds of non-binary variables as extra rows, binaries and integers named', () => {
    const m = toYalpsModel({
      sense: 'maximize',
      variables: [
        { name: 'a', type: 'binary', cost: 1 },
        { name: 'b', type: 'continuous', lower: 1, upper: 4 },
        { name: 'c', type: 'integer', upper: 7 },
        { name: 'd', type: 'continuous' },
      ],
      rows: [
        {
          name: 'r',
          terms: [
            [0, 1],
            [1, 2],
            [0, 3],
          ],
          lower: 0,
          upper: 5,
        },
        { name: 's', terms: [[3, 1]], upper: 9 },
      ],
    });
    expect(m.direction).toBe('maximize');
    expect(m.objective).toBe('obj');
    expect([...(m.constraints as Map<string, unknown>)]).toEqual([
      ['r0', { min: 0, max: 5 }],
      ['r1', { max: 9 }],
      ['b1', { min: 1, max: 4 }],
      ['b2', { max: 7 }],
    ]);
    const vars = new Map((m.variables as [number, Map<string, number>][]).map(([j, c]) => [j, [...c]]));
    expect(vars.get(0)).toEqual([
      ['r0', 4],
      ['obj', 1],
    ]);
    expect(vars.get(1)).toEqual([
      ['r0', 2],
      ['b1', 1],
    ]);
    expect(vars.get(2)).toEqual([['b2', 1]]);
    expect(vars.get(3)).toEqual([['r1', 1]]);
    expect([...(m.binaries as Set<number>)]).toEqual([0]);
    expect([...(m.integers as Set<number>)]).toEqual([2]);
  });

  it('solves a cover: x = 1, objective and bound 2, optimal', () => {
    expect(solveWithYalps(cover)).toEqual({ status: 'optimal', objective: 2, bound: 2, values: [1, 0] });
    expect(solveWithYalps(cover, { timeLimitS: 60 }).status).toBe('optimal');
  });

  it('infeasible (x + y >= 3 over binaries) and unbounded (maximize a free continuous variable)', () => {
    expect(
      solveWithYalps({
        ...cover,
        rows: [
          {
            name: 'cover',
            terms: [
              [0, 1],
              [1, 1],
            ],
            lower: 3,
          },
        ],
      }),
    ).toEqual({ status: 'infeasible' });
    expect(solveWithYalps({ sense: 'maximize', variables: [{ name: 'z', type: 'continuous', cost: 1 }], rows: [] })).toEqual({
      status: 'unbounded',
    });
  });
});
