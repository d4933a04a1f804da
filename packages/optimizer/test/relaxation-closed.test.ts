import type { MilpResult, SolverPlugin } from '@lightcode/cost-model';
import { buildSelectionMilp, yalpsSolver } from '@lightcode/optimizer';
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
