import type { MilpResult, SolverPlugin } from '@lightcode/cost-model';
import { buildSelectionMilp, relaxedDecomposition, yalpsSolver } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { relaxationBound } from '../src/relaxation/bound.js';
import { handMade } from './hand-made.js';

/*
 * The whole-graph relaxation as a bound, on two ops (one block, so the MILP):
 * its optimum priced by hand, and what a solver that stops early or claims
 * infeasibility leaves of it.
 */

/** o0 (d0 3 s 5 J | d1 1 s 9 J) -1000 B (2 s)-> o1 (d0 4 s 2 J | d1 2 s 7 J), one instance each, no static power. */
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

const fake =
  (answer: MilpResult): (() => SolverPlugin) =>
  () => ({ kind: 'solver', id: 'fake', name: 'fake', description: '', solve: () => answer });

describe('relaxationBound', () => {
  it('latency: the relaxed optimum is d1 d1, path 1 + 2 = 3 s; energy: d0 d0, 5 + 2 = 7 J', async () => {
    const r = await relaxationBound(
      twoOps(),
      'latency',
      {},
      () => yalpsSolver,
      Number.POSITIVE_INFINITY,
      () => true,
    );
    expect(r.bound).toBeCloseTo(3, 6);
    expect([r.choice?.get('o0'), r.choice?.get('o1')]).toEqual([1, 1]);
    expect(r.note).toBeUndefined();
    const e = await relaxationBound(
      twoOps(),
      'energy',
      {},
      () => yalpsSolver,
      Number.POSITIVE_INFINITY,
      () => true,
    );
    expect(e.bound).toBeCloseTo(7, 6);
    expect([e.choice?.get('o0'), e.choice?.get('o1')]).toEqual([0, 0]);
  });

  it('no time left: no bound, and the note says so', async () => {
    expect(
      await relaxationBound(
        twoOps(),
        'latency',
        {},
        () => yalpsSolver,
        0,
        () => true,
      ),
    ).toEqual({
      note: 'no time was left for the relaxation',
    });
  });

  it('a solver stopped early: its dual bound in seconds, and a note naming it', async () => {
    const sg = twoOps();
    const m = buildSelectionMilp(sg, 'latency');
    // time unit: the largest latency, 4 s
    expect(m.timeUnit).toBe(4);
    const r = await relaxationBound(sg, 'latency', {}, fake({ status: 'timeout', bound: 0.5 }), Number.POSITIVE_INFINITY, () => true);
    expect(r).toEqual({ bound: 2, note: "the relaxation's solver 'fake' ended 'timeout', so the bound is weaker" });
  });

  it('an infeasibility claim stands only when no selection is known to meet the budgets', async () => {
    const claim = fake({ status: 'infeasible' });
    expect(await relaxationBound(twoOps(), 'latency', {}, claim, Number.POSITIVE_INFINITY, () => false)).toEqual({ infeasible: true });
    expect(await relaxationBound(twoOps(), 'latency', {}, claim, Number.POSITIVE_INFINITY, () => true)).toEqual({});
  });

  it('a budget nothing meets in the relaxation: infeasible (latency under 3 s)', async () => {
    const r = await relaxationBound(
      twoOps(),
      'energy',
      { latencyBudgetS: 2.5 },
      () => yalpsSolver,
      Number.POSITIVE_INFINITY,
      () => false,
    );
    expect(r.infeasible).toBe(true);
  });
});

/** o0 -> o1 as in twoOps (o0 on d0 2 instances), then o1 -1000 B-> o2 (d0 only, 1 s 1 J); static 1 W x 2 + 2 W = 4 W. */
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
// relaxed (path; energy + 4 W x path): d0 d0 d0 8 s, 8 + 32 = 40 J; d1 d1 d0 1 + 2 + 2 + 1 = 6 s, 18 + 24 = 42 J;
// d1 d0 d0 8 s, 13 + 32 = 45 J; d0 d1 d0 10 s, 15 + 40 = 55 J

describe('relaxationBound where the graph cuts into blocks', () => {
  it("latency: the blocks' optimum, d1 d1 d0 at 6 s, with its selection and no note", async () => {
    const r = await relaxationBound(
      chain3(),
      'latency',
      {},
      () => yalpsSolver,
      Number.POSITIVE_INFINITY,
      () => true,
    );
    expect(r.bound).toBeCloseTo(6, 6);
    expect([r.choice?.get('o0'), r.choice?.get('o1'), r.choice?.get('o2')]).toEqual([1, 1, 0]);
    expect(r.note).toBeUndefined();
    expect(r.infeasible).toBeUndefined();
  });

  it('energy within 5 s: the blocks cannot meet it, so no selection can', async () => {
    expect(
      await relaxationBound(
        chain3(),
        'energy',
        { latencyBudgetS: 5 },
        () => yalpsSolver,
        Number.POSITIVE_INFINITY,
        () => true,
      ),
    ).toEqual({
      infeasible: true,
    });
  });

  it('a solver that answers every problem without solving it: the blocks fail, the whole MILP is built and the note names how it ended', async () => {
    const r = await relaxationBound(chain3(), 'latency', {}, fake({ status: 'feasible' }), Number.POSITIVE_INFINITY, () => true);
    expect(r).toEqual({ note: "the relaxation's solver 'fake' ended 'feasible', so the bound is weaker" });
  });
});

describe('relaxedDecomposition by blocks', () => {
  it('latency: d1 d1 d0 at 6 s, proven, over 2 blocks of 2 classes', async () => {
    const r = await relaxedDecomposition(chain3(), 'latency', {}, () => yalpsSolver);
    if (typeof r === 'string') throw new Error(r);
    expect([r.choice.get('o0'), r.choice.get('o1'), r.choice.get('o2')]).toEqual([1, 1, 0]);
    expect(r.cost.latencyS).toBe(6);
    expect(r.bound).toBeCloseTo(6, 6);
    expect(r.proven).toBe(true);
    expect(r.solver).toBe('yalps');
    expect(r.stats).toMatchObject({ blocks: 2, classes: 2 });
  });

  it('energy: d0 d0 d0 at 40 J', async () => {
    const r = await relaxedDecomposition(chain3(), 'energy', {}, () => yalpsSolver);
    if (typeof r === 'string') throw new Error(r);
    expect(r.cost.energyJ).toBe(40);
    expect(r.bound).toBeCloseTo(40, 6);
    expect(r.proven).toBe(true);
  });

  it('energy within 7 s: d1 d1 d0 at 42 J; within 5 s: the master is infeasible', async () => {
    const r = await relaxedDecomposition(chain3(), 'energy', { latencyBudgetS: 7 }, () => yalpsSolver);
    if (typeof r === 'string') throw new Error(r);
    expect(r.cost.energyJ).toBe(42);
    expect(await relaxedDecomposition(chain3(), 'energy', { latencyBudgetS: 5 }, () => yalpsSolver)).toBe(
      'the decomposed master is infeasible',
    );
  });

  it('one block: says so; a master not solved: says how it ended', async () => {
    expect(await relaxedDecomposition(twoOps(), 'latency', {}, () => yalpsSolver)).toBe('the graph is one block');
    expect(await relaxedDecomposition(chain3(), 'latency', {}, fake({ status: 'feasible', values: [] }))).toBe(
      'the master problem was not solved (feasible)',
    );
  });

  it('four identical diamonds (first, two alike in the middle, last: 3 classes, counted): path 5 x 1 + 4 x 1 = 9 s, inner ops on d1', async () => {
    // m0 (d0 1) -> b, c (d0 2 | d1 1) -> m1 (d0 1) -> ... -> m4; no bytes, one instance each; d1 load 8, d0 load 5
    const inner = [
      [0, 2, 1],
      [1, 1, 1],
    ] as const;
    const ops: (readonly [number, number, number] | typeof inner)[] = [[0, 1, 1]];
    const edges: [number, number, number][] = [];
    for (let k = 0; k < 4; k++) {
      const m = ops.length - 1;
      ops.push(inner, inner, [0, 1, 1]);
      edges.push([m, m + 1, 0], [m, m + 2, 0], [m + 1, m + 3, 0], [m + 2, m + 3, 0]);
    }
    const sg = handMade(ops, edges, [1, 1]);
    const r = await relaxedDecomposition(sg, 'latency', {}, () => yalpsSolver);
    if (typeof r === 'string') throw new Error(r);
    expect(r.cost.latencyS).toBe(9);
    expect(r.bound).toBeCloseTo(9, 6);
    expect(r.proven).toBe(true);
    expect(r.stats).toMatchObject({ blocks: 4, classes: 3 });
    // every inner op on d1
    expect([...r.choice.entries()].filter(([, k]) => k === 1)).toHaveLength(8);
  });
});
