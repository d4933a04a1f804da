import { buildSelectionMilp, meetsBudgets, objectiveValue, relaxedCost, relaxedDecomposition, yalpsSolver } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allChoices,
  branchBlock,
  budgetCase,
  budgetCaseOf,
  budgetsWithin,
  chainCase,
  relaxedBruteForce,
  stackedFrom,
} from './random-stacked.js';

/*
 * The whole-graph relaxation (critical path, each class's load over its
 * instances, link occupancy) against its brute force over every selection:
 * the monolithic MILP, and the decomposition by blocks (isomorphic blocks
 * reduced once, interchangeable parallel branches folded), with and without
 * budgets.
 */

describe('the relaxation MILP (yalps): a lower bound for the whole-graph search', () => {
  for (const objective of ['latency', 'energy'] as const) {
    it(`equals the relaxation's brute force for ${objective}, with and without budgets (property)`, async () => {
      await fc.assert(
        fc.asyncProperty(budgetCase, async ({ c, lat, en, which }) => {
          const sg = stackedFrom(c);
          const costs = [...allChoices(sg)].map((ch) => relaxedCost(sg, ch));
          const constraints = budgetsWithin(costs, which, lat, en);
          const ok = costs.filter((x) => meetsBudgets(constraints, x));
          const milp = buildSelectionMilp(sg, objective, constraints);
          const r = await yalpsSolver.solve(milp.problem, { timeLimitS: 30 });
          if (ok.length === 0) {
            expect(r.status).toBe('infeasible');
            return;
          }
          expect(r.status).toBe('optimal');
          const best = Math.min(...ok.map((x) => objectiveValue(x, objective)));
          // the solver's objective carries its tolerance; the decoded selection is priced exactly
          expect(Math.abs(milp.toSI(r.objective as number) - best)).toBeLessThanOrEqual(1e-6 * best);
          expect(objectiveValue(relaxedCost(sg, milp.decode(r.values as number[])), objective)).toBeCloseTo(best, 6);
        }),
        { numRuns: 120 },
      );
    });
  }
});

const branchCase = branchBlock(false);

describe('the relaxation by blocks: folding interchangeable parallel branches', () => {
  for (const objective of ['latency', 'energy'] as const) {
    it(`equals the relaxation's brute force for ${objective} (property)`, async () => {
      let folded = 0;
      await fc.assert(
        fc.asyncProperty(branchCase, async ({ c }) => {
          const sg = stackedFrom(c);
          const best = relaxedBruteForce(sg, objective);
          // a block limit of 3 forces the branches' block to be folded (the tail block has at most 2 selections)
          const d = await relaxedDecomposition(sg, objective, {}, () => yalpsSolver, { blockLimit: 3 });
          if (typeof d === 'string') return;
          folded++;
          const value = objectiveValue(relaxedCost(sg, d.choice), objective);
          if (d.proven) expect(value).toBeCloseTo(best, 6);
          else expect(value).toBeGreaterThanOrEqual(best - 1e-9);
        }),
        { numRuns: 200 },
      );
      expect(folded).toBeGreaterThan(100);
    });
  }
});

describe('the relaxation by blocks on chains of blocks', () => {
  for (const objective of ['latency', 'energy', { latencyWeight: 1, energyWeight: 2 }] as const) {
    it(`equals the relaxation's brute force for ${JSON.stringify(objective)}, with and without budgets, isomorphic blocks reused or not; optimal where proven (property)`, async () => {
      let solved = 0;
      let proven = 0;
      await fc.assert(
        fc.asyncProperty(budgetCaseOf(chainCase), async ({ c, lat, en, which }) => {
          const sg = stackedFrom(c);
          const costs = [...allChoices(sg)].map((ch) => relaxedCost(sg, ch));
          const constraints = budgetsWithin(costs, which, lat, en);
          const ok = costs.filter((x) => meetsBudgets(constraints, x));
          for (const reuse of [true, false]) {
            const d = await relaxedDecomposition(sg, objective, constraints, () => yalpsSolver, { reuse });
            if (typeof d === 'string') {
              // the master bounds the critical path from below, so under a budget it may pass a selection that misses it
              expect(d).toMatch(/^(the decomposed master is infeasible|the decomposed selection misses a budget the master met)/);
              // infeasible is a proof: no selection meets the budgets
              if (d === 'the decomposed master is infeasible') expect(ok).toHaveLength(0);
              continue;
            }
            solved++;
            const best = Math.min(...ok.map((x) => objectiveValue(x, objective)));
            // the selection priced exactly: the relaxation's own cost, meeting the budgets, at the optimum when proven
            expect(d.cost).toEqual(relaxedCost(sg, d.choice));
            expect(meetsBudgets(constraints, d.cost)).toBe(true);
            // the bound never exceeds the optimum; proven means the selection meets it
            expect(d.bound as number).toBeLessThanOrEqual(best + 1e-6 * Math.max(best, 1));
            if (d.proven) {
              proven++;
              expect(objectiveValue(d.cost, objective)).toBeCloseTo(best, 6);
              expect(Math.abs((d.bound as number) - best)).toBeLessThanOrEqual(1e-6 * Math.max(best, 1));
            } else expect(objectiveValue(d.cost, objective)).toBeGreaterThanOrEqual(best * (1 - 1e-9));
            expect(d.solver).toBe('yalps');
          }
        }),
        { numRuns: 30, seed: 18 },
      );
      expect(solved).toBeGreaterThan(20);
      expect(proven).toBeGreaterThan(solved / 2);
    });
  }
});
