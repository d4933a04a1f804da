import { brokenFusion, type StackedGraph } from '@lightcode/cost-model';
import {
  buildSelectionMilp,
  type Objective,
  objectiveValue,
  relaxedCost,
  relaxedDecomposition,
  solveWithYalps,
  yalpsSolver,
} from '@lightcode/optimizer';
import highs, { solveWithHighs, toLpFormat } from '@lightcode/solver-highs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allChoices, type RandomCase, randomCase, stackedFrom } from '../../../packages/optimizer/test/random-stacked.js';

/** The least relaxed objective (relaxedCost: critical path, loads, link occupancy) over every selection. */
function relaxedBruteForce(sg: StackedGraph, objective: Objective): number {
  let best = Number.POSITIVE_INFINITY;
  for (const choice of allChoices(sg)) best = Math.min(best, objectiveValue(relaxedCost(sg, choice), objective));
  return best;
}

/**
 * A random case made a chain (op i feeds op i + 1) with at most two other
 * edges, so it cuts into biconnected blocks the decomposition can use.
 */
const chainCase: fc.Arbitrary<RandomCase> = randomCase.chain((c) =>
  fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: c.n - 1, maxLength: c.n - 1 }).map((bytes) => ({
    ...c,
    edges: [...c.edges.slice(0, 2), ...bytes.map((b, i) => [i, i + 1, b] as const)],
  })),
);

/** Equal to a relative 1e-6 (the solvers' feasibility tolerance in model units near 1). */
function expectRelClose(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-6 * Math.max(Math.abs(expected), 1e-12));
}

describe('HiGHS solver plugin', () => {
  it('writes CPLEX LP format with ranged rows split and bounds', () => {
    const lp = toLpFormat({
      sense: 'minimize',
      variables: [
        { name: 'a', type: 'binary', cost: 2 },
        { name: 'b', type: 'continuous', lower: 0, upper: 4, cost: -1.5 },
        { name: 'c', type: 'integer' },
      ],
      rows: [
        {
          terms: [
            [0, 1],
            [1, -1],
          ],
          lower: 1,
          upper: 3,
        },
        { terms: [[2, 1]], lower: 2, upper: 2 },
      ],
    });
    expect(lp).toBe(
      [
        'Minimize',
        ' obj: 2 v0 - 1.5 v1',
        'Subject To',
        ' r0l: 1 v0 - 1 v1 >= 1',
        ' r0u: 1 v0 - 1 v1 <= 3',
        ' r1: 1 v2 = 2',
        'Bounds',
        ' 0 <= v1 <= 4',
        ' v2 >= 0',
        'Binary',
        ' v0',
        'General',
        ' v2',
        'End',
        '',
      ].join('\n'),
    );
  });

  it('agrees with yalps on a small MILP and reports infeasibility', async () => {
    const p = {
      sense: 'minimize' as const,
      variables: [
        { name: 'x', type: 'binary' as const, cost: 3 },
        { name: 'y', type: 'binary' as const, cost: 2 },
        { name: 'z', type: 'continuous' as const, cost: 1 },
      ],
      rows: [
        {
          terms: [
            [0, 1],
            [1, 1],
          ] as [number, number][],
          lower: 1,
        },
        {
          terms: [
            [2, 1],
            [1, -1],
          ] as [number, number][],
          lower: 0.5,
        },
      ],
    };
    const [h, y] = [await solveWithHighs(p), solveWithYalps(p)];
    expect(h.status).toBe('optimal');
    expect(h.objective).toBeCloseTo(y.objective as number, 9);
    expect(
      (
        await solveWithHighs({
          ...p,
          rows: [
            ...p.rows,
            {
              terms: [
                [0, 1],
                [1, 1],
              ],
              upper: 0,
            },
          ],
        })
      ).status,
    ).toBe('infeasible');
  });

  it('solves the relaxation MILP to the brute-force relaxed optimum, as yalps does (property)', async () => {
    // the solvers now serve the relaxation (a lower bound on every schedule) and the budgeted chain
    // master: buildSelectionMilp minimizes relaxedCost exactly, so both solvers must reach the least
    // relaxedCost over every selection, and decode a selection that attains it
    await fc.assert(
      fc.asyncProperty(randomCase, fc.constantFrom('latency' as const, 'energy' as const), async (c, objective) => {
        const sg = stackedFrom(c);
        const best = relaxedBruteForce(sg, objective);
        const milp = buildSelectionMilp(sg, objective);
        const [y, h] = [solveWithYalps(milp.problem), await solveWithHighs(milp.problem)];
        for (const r of [y, h]) {
          expect(r.status).toBe('optimal');
          expectRelClose(milp.toSI(r.objective as number), best);
          const choice = milp.decode(r.values as number[]);
          expect(brokenFusion(sg.candidates, choice)).toBeUndefined();
          expectRelClose(objectiveValue(relaxedCost(sg, choice), objective), best);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives the block decomposition of the relaxation a valid bound with either solver, met when it says proven (property)', async () => {
    // the block master is itself a relaxation of relaxedCost (side blocks add no critical path), so
    // its optimum is a lower bound on the relaxed optimum; the assembled selection is returned only
    // when its relaxedCost meets that bound, which can depend on how a solver breaks ties
    let solved = 0;
    await fc.assert(
      fc.asyncProperty(chainCase, fc.constantFrom('latency' as const, 'energy' as const), async (c, objective) => {
        const sg = stackedFrom(c);
        const best = relaxedBruteForce(sg, objective);
        const results = await Promise.all([
          relaxedDecomposition(sg, objective, {}, () => yalpsSolver),
          relaxedDecomposition(sg, objective, {}, () => highs),
        ]);
        results.forEach((r, k) => {
          if (typeof r === 'string') return;
          solved++;
          expect(r.solver).toBe(k === 0 ? 'yalps' : 'highs');
          expect(r.proven).toBe(true);
          expect(r.bound as number).toBeLessThanOrEqual(best * (1 + 1e-9) + 1e-12);
          expectRelClose(objectiveValue(relaxedCost(sg, r.choice), objective), best);
          expectRelClose(objectiveValue(r.cost, objective), best);
        });
      }),
      { numRuns: 60, seed: 18 },
    );
    // most chains cut into blocks: the property is not vacuous (a fixed seed: over random seeds the count dipped to 40)
    expect(solved).toBeGreaterThan(40);
  });
});
