import type { MilpProblem } from '@lightcode/cost-model';
import { UserError } from '@lightcode/ir';
import { EXHAUSTIVE_LIMIT, exhaustiveSelect, optimize, selectionSpace, yalpsSolver } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { handMade } from './hand-made.js';

/*
 * The optimizer's answers on hand-made cases small enough to price every
 * selection by hand: which one wins, its bound and status, the gap and note,
 * and the messages for budgets nothing meets.
 */

/** o0 (d0 3 s 5 J | d1 1 s 9 J) -1000 B-> o1 (d0 4 s 2 J | d1 2 s 7 J); d0: 2 instances of 1 W, d1: 1 of 3 W. */
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
    [2, 1],
    [1, 3],
  );
}
// by hand: (o0, o1) = d0 d0: 7 s, 7 J + 35 J = 42 J; d0 d1: 3 + 2 + 2 = 7 s, 13 J + 35 = 48 J;
// d1 d0: 1 + 2 + 4 = 7 s, 12 J + 35 = 47 J; d1 d1: 3 s, 16 J + 15 = 31 J

/** 7 independent 2 s ops on 2 instances: bound 7 (load / 2), every schedule 8. */
const sevenOps = () =>
  handMade(
    Array.from({ length: 7 }, () => [0, 2, 1] as const),
    [],
    [2],
  );

/** One op: fast and hungry on d0 (1 s, 10 J) or slow and lean on d1 (10 s, 1 J). */
const tradeOff = () =>
  handMade(
    [
      [
        [0, 1, 10],
        [1, 10, 1],
      ],
    ],
    [],
    [1, 1],
  );

describe('exhaustiveSelect', () => {
  it('the selection space is the product of the candidate counts', () => {
    expect(selectionSpace(twoOps())).toBe(4);
    expect(selectionSpace(sevenOps())).toBe(1);
    expect(EXHAUSTIVE_LIMIT).toBe(20_000);
  });

  it('finds d1 d1 (3 s; 31 J) for either metric, proven optimal by its own bound', () => {
    const sg = twoOps();
    const lat = exhaustiveSelect(sg, 'latency');
    expect([lat?.objectiveValue, lat?.status, lat?.bound, lat?.solver]).toEqual([3, 'optimal', 3, 'exhaustive']);
    expect([lat?.choice.get('o0'), lat?.choice.get('o1')]).toEqual([1, 1]);
    const en = exhaustiveSelect(sg, 'energy');
    expect([en?.objectiveValue, en?.status]).toEqual([31, 'optimal']);
  });

  it('only selections the filter accepts count, for the value and the bound; none accepted: undefined', () => {
    const sg = twoOps();
    // no d1 d1 (energy <= 31 excluded below 40? no: keep only latency >= 7): the best is then d0 d0 at 42 J
    const r = exhaustiveSelect(sg, 'energy', EXHAUSTIVE_LIMIT, (c) => c.latencyS >= 7);
    expect(r?.objectiveValue).toBe(42);
    expect([r?.choice.get('o0'), r?.choice.get('o1')]).toEqual([0, 0]);
    expect(exhaustiveSelect(sg, 'energy', EXHAUSTIVE_LIMIT, () => false)).toBeUndefined();
  });

  it('ties go to the first selection in odometer order', () => {
    const sg = handMade(
      [
        [
          [0, 2, 1],
          [1, 2, 1],
        ],
      ],
      [],
      [1, 1],
    );
    expect(exhaustiveSelect(sg, 'latency')?.choice.get('o0')).toBe(0);
  });

  it('over its limit it refuses, naming the space; at the limit it runs', () => {
    expect(() => exhaustiveSelect(twoOps(), 'latency', 3)).toThrow(
      new UserError('exhaustive search needs 4.00e+0 evaluations, over its limit of 3; use another solver'),
    );
    expect(exhaustiveSelect(twoOps(), 'latency', 4)?.objectiveValue).toBe(3);
  });

  it('where no schedule meets the bound: 8 s against the load bound 7 s, feasible with bound 7', () => {
    const r = exhaustiveSelect(sevenOps(), 'latency');
    expect([r?.objectiveValue, r?.bound, r?.status]).toEqual([8, 7, 'feasible']);
  });
});

describe('optimize', () => {
  it('a small space is enumerated: optimal, gap 0, no note, the baselines priced beside it', async () => {
    const sg = twoOps();
    const r = await optimize(sg, { objective: 'latency' });
    expect([r.method, r.selection.objectiveValue, r.selection.status, r.gap, r.note]).toEqual(['enumeration', 3, 'optimal', 0, undefined]);
    expect(r.stacked).toBe(sg);
    expect(r.baselines.map((b) => b.name)).toContain('all-d0');
    expect(r.solveTimeS).toBeGreaterThanOrEqual(0);
    expect('decomposition' in r).toBe(false);
  });

  it('a gap is (value - bound) / value = (8 - 7) / 8, named in the note', async () => {
    const r = await optimize(sevenOps(), { objective: 'latency' });
    expect(r.gap).toBeCloseTo(0.125, 12);
    expect(r.note).toBe('the schedule is 12.50 % above the proven lower bound');
    expect(r.selection.status).toBe('feasible');
  });

  it('past the time limit the note says so first', async () => {
    const r = await optimize(sevenOps(), { objective: 'latency', timeLimitS: 0 });
    expect(r.note).toBe('the 0 s time limit was reached; the schedule is 12.50 % above the proven lower bound');
  });

  it('a latency budget below the best latency: named with both values', async () => {
    const e = await optimize(twoOps(), { objective: 'energy', constraints: { latencyBudgetS: 2 } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toBe('infeasible: latency budget 2.000 s is below the best achievable latency 3.000 s');
  });

  it('an energy budget below the least energy: named with both values', async () => {
    const e = await optimize(twoOps(), { objective: 'latency', constraints: { energyBudgetJ: 20 } }).catch((x: unknown) => x);
    expect((e as Error).message).toBe('infeasible: energy budget 20.00 J is below the least achievable energy 31.00 J');
  });

  it('two budgets each reachable alone but not together', async () => {
    const e = await optimize(tradeOff(), { objective: 'latency', constraints: { latencyBudgetS: 5, energyBudgetJ: 5 } }).catch(
      (x: unknown) => x,
    );
    expect((e as Error).message).toBe('infeasible: the latency and energy budgets cannot both be met; loosen one');
    const ok = await optimize(tradeOff(), { objective: 'latency', constraints: { energyBudgetJ: 5 } });
    expect([ok.selection.latencyS, ok.selection.energyJ]).toEqual([10, 1]);
  });

  it('a pin restricts the candidates: the result indexes the restricted graph', async () => {
    const sg = twoOps();
    const r = await optimize(sg, { objective: 'latency', constraints: { pins: [{ glob: 'op1', device: 'd0' }] } });
    expect(r.stacked).not.toBe(sg);
    expect(r.stacked.candidates.get('o1')?.map((c) => c.device)).toEqual(['d0']);
    // o0 on d0 then o1 on d0: 7 s; o0 on d1: 1 + 2 + 4 = 7 s: the first found
    expect(r.selection.objectiveValue).toBe(7);
  });

  it('beyond enumeration, a chain of three ops is solved by segments: the same optimum, proven', async () => {
    // o0 -> o1 as in twoOps, then o1 -1000 B-> o2 (d0 only, 1 s 1 J); static 1 W x 2 + 2 W x 1 = 4 W
    // latency: d1 d1 d0 = 1 + 2 + 2 + 1 = 6 s (18 J + 24 = 42 J); energy: d0 d0 d0 = 8 s, 8 J + 32 = 40 J
    const chain = () =>
      handMade(
        [
          [
            [0, 3, 5],
            [1, 1, 9],
          ],
          [
            [0, 4, 2],
            [1, 2, 7],
          ],
          [0, 1, 1],
        ],
        [
          [0, 1, 1000],
          [1, 2, 1000],
        ],
        [2, 1],
        [1, 2],
      );
    const r = await optimize(chain(), { objective: 'latency', exhaustiveLimit: 0 });
    expect([r.method, r.selection.objectiveValue, r.selection.status, r.gap]).toEqual(['decomposition', 6, 'optimal', 0]);
    expect(r.decomposition).toMatchObject({ segments: 2, classes: 2, searched: 0 });
    const e = await optimize(chain(), { objective: 'energy', exhaustiveLimit: 0 });
    expect([e.method, e.selection.objectiveValue, e.selection.latencyS, e.selection.status]).toEqual(['decomposition', 40, 8, 'optimal']);
  });

  it('with decomposition off, the relaxation and local search: the same optimum, saying why segments were skipped', async () => {
    const r = await optimize(twoOps(), { objective: 'latency', exhaustiveLimit: 0, decompose: false });
    expect([r.method, r.selection.objectiveValue, r.selection.status]).toEqual(['search', 3, 'optimal']);
    expect(r.decomposition).toEqual({ skipped: 'decomposition turned off' });
  });

  it('a graph that does not cut into segments goes to the search, which says why', async () => {
    const r = await optimize(sevenOps(), { objective: 'latency', exhaustiveLimit: 0 });
    expect(r.method).toBe('search');
    expect(r.decomposition).toEqual({ skipped: expect.any(String) });
    expect(r.selection.objectiveValue).toBe(8);
    expect(r.note).toMatch(/^the best schedule found is 12\.50 % above the relaxation's lower bound/);
  });
});

/** o0 -> o1 as in twoOps, then o1 -1000 B-> o2 (d0 only): latency optimum 6 s, energy optimum 40 J (see above). */
const chain3 = () =>
  handMade(
    [
      [
        [0, 3, 5],
        [1, 1, 9],
      ],
      [
        [0, 4, 2],
        [1, 2, 7],
      ],
      [0, 1, 1],
    ],
    [
      [0, 1, 1000],
      [1, 2, 1000],
    ],
    [2, 1],
    [1, 2],
  );

/** A long dangling sink (100 s) beside a chain on one instance: every schedule takes all 110 s of work. */
const sinky = () =>
  handMade(
    [
      [0, 1, 1],
      [0, 2, 1],
      [0, 3, 1],
      [0, 100, 1],
      [0, 4, 1],
    ],
    [
      [0, 1, 0],
      [1, 2, 0],
      [0, 2, 0],
      [0, 3, 0],
      [1, 3, 0],
      [2, 4, 0],
    ],
    [1],
  );

describe('optimize: the paths beyond enumeration', () => {
  it('at the enumeration limit exactly, it enumerates', async () => {
    expect((await optimize(twoOps(), { objective: 'latency', exhaustiveLimit: 4 })).method).toBe('enumeration');
    expect((await optimize(twoOps(), { objective: 'latency', exhaustiveLimit: 3 })).method).toBe('search');
  });

  it('both budgets missed: both named, joined by a semicolon; a budget met exactly is not named', async () => {
    const both = await optimize(twoOps(), { objective: 'latency', constraints: { latencyBudgetS: 2, energyBudgetJ: 20 } }).catch(
      (x: unknown) => x,
    );
    expect((both as Error).message).toBe(
      'infeasible: latency budget 2.000 s is below the best achievable latency 3.000 s; energy budget 20.00 J is below the least achievable energy 31.00 J',
    );
    const one = await optimize(twoOps(), { objective: 'latency', constraints: { latencyBudgetS: 3, energyBudgetJ: 20 } }).catch(
      (x: unknown) => x,
    );
    expect((one as Error).message).toBe('infeasible: energy budget 20.00 J is below the least achievable energy 31.00 J');
  });

  it('by segments, a budget nothing meets is explained', async () => {
    const e = await optimize(chain3(), { objective: 'energy', exhaustiveLimit: 0, constraints: { latencyBudgetS: 2 } }).catch(
      (x: unknown) => x,
    );
    expect((e as Error).message).toBe('infeasible: latency budget 2.000 s is below the best achievable latency 6.000 s');
  });

  it('by the search, a budget the relaxation cannot meet is explained', async () => {
    const e = await optimize(twoOps(), { objective: 'energy', exhaustiveLimit: 0, constraints: { latencyBudgetS: 2 } }).catch(
      (x: unknown) => x,
    );
    expect((e as Error).message).toBe('infeasible: latency budget 2.000 s is below the best achievable latency 3.000 s');
  });

  it('a dangling sink under a budget: the segments bound 6 + 4 = 10 s, the relaxation 110 s proves the schedule; without it, a gap', async () => {
    const budget = { energyBudgetJ: 1e6 };
    const r = await optimize(sinky(), { objective: 'latency', exhaustiveLimit: 0, constraints: budget });
    expect([r.method, r.selection.objectiveValue, r.selection.status, r.gap]).toEqual(['decomposition', 110, 'optimal', 0]);
    const weak = await optimize(sinky(), { objective: 'latency', exhaustiveLimit: 0, constraints: budget, relaxation: false });
    // with a budget the chain master is a MILP: its bound to the solver's tolerance
    expect([weak.selection.objectiveValue, weak.selection.status]).toEqual([110, 'feasible']);
    expect(weak.selection.bound).toBeCloseTo(10, 6);
    expect(weak.gap).toBeCloseTo(100 / 110, 6);
    expect(weak.note).toBe('the schedule is 90.91 % above the proven lower bound');
  });

  it("the search starts from the relaxation's selection, and names it when no move improves it", async () => {
    const r = await optimize(twoOps(), { objective: 'latency', exhaustiveLimit: 0, decompose: false });
    expect(r.selection.solver).toBe('relaxation');
  });

  it('with no time left: the best baseline, no bound, and a note saying both', async () => {
    const t0 = performance.now();
    const r = await optimize(twoOps(), { objective: 'latency', exhaustiveLimit: 0, decompose: false, timeLimitS: 0 });
    const took = (performance.now() - t0) / 1000;
    expect(r.selection.solver).toBe('baseline');
    expect(r.selection.objectiveValue).toBe(3);
    expect(r.selection.status).toBe('feasible');
    expect('gap' in r).toBe(false);
    expect(r.note).toBe(
      'the 0 s time limit was reached; the best schedule found is without a lower bound (no time was left for the relaxation)',
    );
    expect(r.solveTimeS).toBeGreaterThanOrEqual(0);
    expect(r.solveTimeS).toBeLessThanOrEqual(took);
  });

  it('a solver given as a rule is asked per problem; a plugin is used as it is', async () => {
    const asked: MilpProblem[] = [];
    const r = await optimize(twoOps(), {
      objective: 'latency',
      exhaustiveLimit: 0,
      solver: (p) => {
        asked.push(p);
        return yalpsSolver;
      },
    });
    expect(asked.length).toBeGreaterThan(0);
    expect(r.selection.objectiveValue).toBe(3);
    const direct = await optimize(twoOps(), { objective: 'latency', exhaustiveLimit: 0, solver: yalpsSolver });
    expect(direct.selection.objectiveValue).toBe(3);
  });
});
