import type { MilpProblem, MilpResult, SolverPlugin } from '@lightcode/cost-model';
import type { Candidate, StackedGraph } from '@lightcode/ir';
import { type ChainLink, exhaustiveSelect, makeSelection, type SegmentPoint, solveChain, yalpsSolver } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { lexLess, localSearch, rank } from '../src/search/local-search.js';
import { handMade } from './hand-made.js';

/*
 * Local search and the chain master on cases solved by hand: which single
 * moves help, how a budget overrun ranks, and the cheapest agreeing chain of
 * segment points with and without budgets.
 */

describe('rank and lexLess', () => {
  it('rank: relative overrun of each budget, summed, then the objective', () => {
    const cost = { latencyS: 6, energyJ: 30 };
    expect(rank({}, cost, 'latency')).toEqual([0, 6]);
    expect(rank({ latencyBudgetS: 4 }, cost, 'energy')).toEqual([0.5, 30]);
    // (6 - 4) / 4 + (30 - 20) / 20
    expect(rank({ latencyBudgetS: 4, energyBudgetJ: 20 }, cost, 'latency')).toEqual([1, 6]);
    // at the budget: no overrun
    expect(rank({ latencyBudgetS: 6, energyBudgetJ: 30 }, cost, 'latency')).toEqual([0, 6]);
    // a budget of 0: divided by 1e-30, not by 0
    expect(rank({ latencyBudgetS: 0 }, { latencyS: 1e-30, energyJ: 0 }, 'latency')).toEqual([1, 1e-30]);
  });

  it('lexLess: first entries decide, the second breaks ties', () => {
    expect(lexLess([0, 5], [1, 0])).toBe(true);
    expect(lexLess([1, 0], [0, 5])).toBe(false);
    expect(lexLess([1, 2], [1, 3])).toBe(true);
    expect(lexLess([1, 3], [1, 3])).toBe(false);
    expect(lexLess([1, 4], [1, 3])).toBe(false);
  });
});

/** o0 (d0 3 s | d1 1 s) -1000 B (2 s)-> o1 (d0 4 s | d1 2 s), one instance each: d0 d0 7, d0 d1 7, d1 d0 7, d1 d1 3. */
function twoOps() {
  return handMade(
    [
      [
        [0, 3, 5],
        [1, 1, 9],
      ],
      [
        [0, 4, 2],
        [1, 2, 7],
      ],
    ],
    [[0, 1, 1000]],
    [1, 1],
  );
}

describe('localSearch: one op at a time', () => {
  it('from d0 d1 (7 s), moving o0 to d1 reaches 3 s', () => {
    const sg = twoOps();
    const start = makeSelection(
      sg,
      new Map([
        ['o0', 0],
        ['o1', 1],
      ]),
      'latency',
      'start',
    );
    const r = localSearch(sg, start, 'latency', {}, Number.POSITIVE_INFINITY);
    expect([r.choice.get('o0'), r.choice.get('o1'), r.latencyS, r.solver]).toEqual([1, 1, 3, 'local-search']);
  });

  it('from d0 d0 (7 s) no single move helps (each gives 7 s): it stays, a local optimum', () => {
    const sg = twoOps();
    const start = makeSelection(
      sg,
      new Map([
        ['o0', 0],
        ['o1', 0],
      ]),
      'latency',
      'start',
    );
    const r = localSearch(sg, start, 'latency', {}, Number.POSITIVE_INFINITY);
    expect(r).toBe(start);
  });

  it('past the deadline it returns the start untouched', () => {
    const sg = twoOps();
    const start = makeSelection(
      sg,
      new Map([
        ['o0', 0],
        ['o1', 1],
      ]),
      'latency',
      'start',
    );
    expect(localSearch(sg, start, 'latency', {}, 0)).toBe(start);
  });

  it('first towards the budget, then the objective: energy within 7 s from d1 d1 stays; within 2 s nothing helps', () => {
    const sg = twoOps();
    // energies: d0 d0 7 J, d1 d1 16 J, d0 d1 13 J, d1 d0 12 J; no static power
    const fromFast = makeSelection(
      sg,
      new Map([
        ['o0', 1],
        ['o1', 1],
      ]),
      'energy',
      'start',
    );
    // single moves: d0 d1 (7 s, 13 J) or d1 d0 (7 s, 12 J): d1 d0 first? both lower the energy; the search takes o0's move first
    // (13 J), then from d0 d1 moves o1 to d0: d0 d0 at 7 J
    const r = localSearch(sg, fromFast, 'energy', { latencyBudgetS: 7 }, Number.POSITIVE_INFINITY);
    expect([r.choice.get('o0'), r.choice.get('o1'), r.energyJ]).toEqual([0, 0, 7]);
    // over a 2 s budget every selection misses it; d1 d1 misses it least (3 s): kept
    expect(localSearch(sg, fromFast, 'energy', { latencyBudgetS: 2 }, Number.POSITIVE_INFINITY)).toBe(fromFast);
  });
});

const pt = (timeS: number, energyJ: number, picks: number[] = []): SegmentPoint => ({ timeS, energyJ, picks });

/** Two segments sharing one articulation op with candidates 0 and 1. */
function chain(): ChainLink[] {
  return [
    new Map([
      ['-1/0', [pt(5, 1, [0]), pt(6, 0.5, [0])]],
      ['-1/1', [pt(1, 10, [1])]],
    ]),
    new Map([
      ['0/-1', [pt(1, 1, [0])]],
      ['1/-1', [pt(3, 1, [1])]],
    ]),
  ];
}
// paths: via 0: (5, 1) + (1, 1) = 6 s 2 J, or (6, 0.5) + (1, 1) = 7 s 1.5 J; via 1: (1, 10) + (3, 1) = 4 s 11 J

describe('solveChain without budgets: shortest path over the shared ops', () => {
  const none = () => yalpsSolver;

  it('latency: via candidate 1, 1 + 3 = 4 s', async () => {
    const r = await solveChain(chain(), 'latency', 0, {}, none, 1);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect([r.value, r.bound, r.solved, r.solver]).toEqual([4, 4, true, 'shortest-path']);
    expect(r.points.map((p) => p.picks[0])).toEqual([1, 1]);
  });

  it('energy: via candidate 0 and its leaner point, 0.5 + 1 = 1.5 J; with 1 W static, 2 J + 6 s beats 1.5 J + 7 s', async () => {
    const r = await solveChain(chain(), 'energy', 0, {}, none, 1);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect(r.value).toBe(1.5);
    expect(r.points.map((p) => p.timeS)).toEqual([6, 1]);
    const s = await solveChain(chain(), 'energy', 1, {}, none, 1);
    if (!s || typeof s === 'string') throw new Error(String(s));
    expect(s.value).toBe(2 + 6);
    expect(s.points.map((p) => p.timeS)).toEqual([5, 1]);
    // 1 x latency + 1 x energy, no static: 8, 8.5, 15
    const w = await solveChain(chain(), { latencyWeight: 1, energyWeight: 1 }, 0, {}, none, 1);
    if (!w || typeof w === 'string') throw new Error(String(w));
    expect(w.value).toBe(8);
  });

  it('no agreeing pair of points: undefined', async () => {
    const broken: ChainLink[] = [new Map([['-1/0', [pt(1, 1)]]]), new Map([['1/-1', [pt(1, 1)]]])];
    expect(await solveChain(broken, 'latency', 0, {}, none, 1)).toBeUndefined();
  });
});

describe('solveChain with a budget: the MILP', () => {
  it('least latency within 1.5 J: 7 s (6 s takes 2 J); within 2 J: 6 s; within 1 J: none', async () => {
    const r = await solveChain(chain(), 'latency', 0, { energyBudgetJ: 1.5 }, () => yalpsSolver, 10);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect([r.value, r.solved, r.solver]).toEqual([7, true, 'yalps']);
    // the solver's objective, in units of 6 s, to its tolerance
    expect(r.bound).toBeCloseTo(7, 6);
    const two = await solveChain(chain(), 'latency', 0, { energyBudgetJ: 2 }, () => yalpsSolver, 10);
    expect(two && typeof two !== 'string' && two.value).toBe(6);
    expect(await solveChain(chain(), 'latency', 0, { energyBudgetJ: 1 }, () => yalpsSolver, 10)).toBeUndefined();
  });

  it('least energy within 4 s: candidate 1 at 11 J; within 3 s: none', async () => {
    const r = await solveChain(chain(), 'energy', 0, { latencyBudgetS: 4 }, () => yalpsSolver, 10);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect(r.value).toBe(11);
    expect(r.points.map((p) => p.picks[0])).toEqual([1, 1]);
    expect(await solveChain(chain(), 'energy', 0, { latencyBudgetS: 3 }, () => yalpsSolver, 10)).toBeUndefined();
  });

  it('the problem posed: one point per segment, agreement on each shared candidate, the budget in units of the largest time', async () => {
    let seen: MilpProblem | undefined;
    const spy: SolverPlugin = {
      kind: 'solver',
      id: 'spy',
      name: 'spy',
      description: '',
      solve: (p, o) => {
        seen = p;
        return yalpsSolver.solve(p, o);
      },
    };
    await solveChain(chain(), 'latency', 0, { latencyBudgetS: 12 }, () => spy, 10);
    expect(seen?.rows.map((r) => r.name)).toEqual(['one_0', 'one_1', 'agree_1_0', 'agree_1_1', 'latency_budget']);
    // largest point time 6 s: the budget of 12 s is 2 units
    expect(seen?.rows.at(-1)?.upper).toBe(2);
    expect(seen?.variables.map((v) => v.name)).toEqual(['z_0_-1_0_0', 'z_0_-1_0_1', 'z_0_-1_1_0', 'z_1_0_-1_0', 'z_1_1_-1_0']);
    expect(seen?.variables.every((v) => v.type === 'binary')).toBe(true);
  });

  const answering =
    (result: MilpResult): (() => SolverPlugin) =>
    () => ({
      kind: 'solver',
      id: 'fake',
      name: 'fake',
      description: '',
      solve: () => result,
    });

  it('stopped at the time limit: its values, not solved, the bound scaled back to seconds', async () => {
    // values pick z_0_-1_1_0 and z_1_1_-1_0 (4 s); bound 0.5 units of 6 s
    const r = await solveChain(
      chain(),
      'latency',
      0,
      { latencyBudgetS: 10 },
      answering({ status: 'timeout', values: [0, 0, 1, 0, 1], objective: 4 / 6, bound: 0.5 }),
      1,
    );
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect([r.value, r.solved, r.bound, r.solver]).toEqual([4, false, 3, 'fake']);
  });

  it('an answer that is neither optimal nor timed out, or has no values, is said to be unsolved', async () => {
    const feasible = await solveChain(
      chain(),
      'latency',
      0,
      { latencyBudgetS: 10 },
      answering({ status: 'feasible', values: [1, 0, 0, 1, 0] }),
      1,
    );
    expect(feasible).toBe('the master problem was not solved (feasible)');
    const empty = await solveChain(chain(), 'latency', 0, { latencyBudgetS: 10 }, answering({ status: 'optimal' }), 1);
    expect(empty).toBe('the master problem was not solved (optimal)');
  });
});

/** A fused realization of o0 and o1 on d1: o0 carries its latency and energy, o1 none. */
const fusedPart = (index: number, latencyS: number, energyJ: number): Candidate => ({
  device: 'd1',
  target: 't',
  algorithm: 'fused',
  latencyS,
  energy: {},
  energyJ,
  fusion: { id: 'f', index, size: 2 },
});

/** o0 (d0 3 s 3 J | d1 2 s 2 J | fused), o1 (d0 4 s 4 J | d1 2 s 2 J | fused); the fusion: 1 s, 20 J. */
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
  candidates.set('o0', [...(candidates.get('o0') ?? []), fusedPart(0, 1, 20)]);
  candidates.set('o1', [...(candidates.get('o1') ?? []), fusedPart(1, 0, 0)]);
  return { ...sg, candidates };
}

describe('localSearch with a fused realization', () => {
  const start = (sg: StackedGraph, a: number, b: number, objective: 'latency' | 'energy') =>
    makeSelection(
      sg,
      new Map([
        ['o0', a],
        ['o1', b],
      ]),
      objective,
      'start',
    );

  it('latency from d0 d0 (7 s): joining the fusion moves both ops, 1 s', () => {
    const sg = withFusion();
    const r = localSearch(sg, start(sg, 0, 0, 'latency'), 'latency', {}, Number.POSITIVE_INFINITY);
    expect([r.choice.get('o0'), r.choice.get('o1'), r.latencyS]).toEqual([2, 2, 1]);
  });

  it('energy from the fusion (20 J): leaving it sends the partner to its first unfused candidate, then on to d1 d1 at 4 J', () => {
    const sg = withFusion();
    const r = localSearch(sg, start(sg, 2, 2, 'energy'), 'energy', {}, Number.POSITIVE_INFINITY);
    expect([r.choice.get('o0'), r.choice.get('o1'), r.energyJ]).toEqual([1, 1, 4]);
  });

  it('a partner with no unfused candidate: no move leaves the fusion', () => {
    const base = withFusion();
    const candidates = new Map(base.candidates);
    candidates.set('o1', [fusedPart(1, 0, 0)]);
    const sg = { ...base, candidates };
    const s = makeSelection(
      sg,
      new Map([
        ['o0', 2],
        ['o1', 0],
      ]),
      'energy',
      'start',
    );
    expect(localSearch(sg, s, 'energy', {}, Number.POSITIVE_INFINITY)).toBe(s);
  });
});

describe('exhaustiveSelect skips selections that take a fusion in part', () => {
  it('energy: o0 on d1 with o1 in the fusion would be 2 J, but is not a selection; d1 d1 at 4 J is', () => {
    const r = exhaustiveSelect(withFusion(), 'energy');
    expect([r?.choice.get('o0'), r?.choice.get('o1'), r?.objectiveValue]).toEqual([1, 1, 4]);
    const l = exhaustiveSelect(withFusion(), 'latency');
    expect([l?.choice.get('o0'), l?.choice.get('o1'), l?.objectiveValue]).toEqual([2, 2, 1]);
  });
});

describe('solveChain details', () => {
  it('equal values at one exit: the first point is kept', async () => {
    const tie: ChainLink[] = [new Map([['-1/0', [pt(5, 1, [0]), pt(5, 2, [1])]]]), new Map([['0/-1', [pt(1, 1, [0])]]])];
    const r = await solveChain(tie, 'latency', 0, {}, () => yalpsSolver, 1);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect(r.points[0]?.picks).toEqual([0]);
  });

  it("a weighted objective under a loose budget: the MILP finds the shortest path's 1 x 6 s + 1 x 2 J = 8", async () => {
    const r = await solveChain(chain(), { latencyWeight: 1, energyWeight: 1 }, 0, { latencyBudgetS: 100 }, () => yalpsSolver, 10);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect(r.value).toBe(8);
    expect(r.points.map((p) => p.timeS)).toEqual([5, 1]);
  });

  it('an energy budget alone adds an energy row and no latency row', async () => {
    let seen: MilpProblem | undefined;
    const spy: SolverPlugin = {
      kind: 'solver',
      id: 'spy',
      name: 'spy',
      description: '',
      solve: (p, o) => {
        seen = p;
        return yalpsSolver.solve(p, o);
      },
    };
    await solveChain(chain(), 'latency', 0, { energyBudgetJ: 5 }, () => spy, 10);
    expect(seen?.rows.map((r) => r.name)).toEqual(['one_0', 'one_1', 'agree_1_0', 'agree_1_1', 'energy_budget']);
  });

  it('a timed-out answer without a bound gives no bound', async () => {
    const r = await solveChain(
      chain(),
      'latency',
      0,
      { latencyBudgetS: 10 },
      () => ({ kind: 'solver', id: 'fake', name: 'fake', description: '', solve: () => ({ status: 'timeout', values: [0, 0, 1, 0, 1] }) }),
      1,
    );
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect(r.value).toBe(4);
    expect('bound' in r).toBe(false);
  });
});
