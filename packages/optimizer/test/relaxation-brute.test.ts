import { buildSelectionMilp, meetsBudgets, objectiveValue, relaxedCost, relaxedDecomposition, yalpsSolver } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allChoices,
  budgetCase,
  budgetsWithin,
  type Cand,
  chainCase,
  type RandomCase,
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

/**
 * One block of interchangeable parallel branches, as attention split per head
 * is: a source feeds a producer, which feeds h identical branches (chains of
 * 1-2 ops, maybe also fed by a shared second producer, as V feeds every head),
 * which a consumer joins; a one-candidate tail makes a second block.
 */
const branchCase: fc.Arbitrary<RandomCase> = fc
  .record({
    heads: fc.integer({ min: 2, max: 4 }),
    chain: fc.array(
      fc.uniqueArray(
        fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 })),
        { minLength: 1, maxLength: 2, selector: (c) => c[0] },
      ),
      { minLength: 1, maxLength: 2 },
    ),
    producer: fc.uniqueArray(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })), {
      minLength: 1,
      maxLength: 2,
      selector: (c) => c[0],
    }),
    shared: fc.option(
      fc.uniqueArray(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })), {
        minLength: 1,
        maxLength: 2,
        selector: (c) => c[0],
      }),
    ),
    joiner: fc.uniqueArray(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })), {
      minLength: 1,
      maxLength: 2,
      selector: (c) => c[0],
    }),
    bytes: fc.integer({ min: 1, max: 500 }),
    counts: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    staticW: fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })),
    link: fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 20 })),
  })
  .map(({ heads, chain, producer, shared, joiner, bytes, counts, staticW, link }) => {
    const cands: (readonly Cand[])[] = [[[0, 1, 1]], producer];
    const edges: [number, number, number][] = [[0, 1, bytes]];
    const sharedAt = shared ? cands.push(shared) - 1 : -1;
    if (shared) edges.push([0, sharedAt, bytes]);
    const lasts: number[] = [];
    for (let h = 0; h < heads; h++) {
      let prev = 1;
      for (const c of chain) {
        const at = cands.push(c) - 1;
        edges.push([prev, at, bytes]);
        prev = at;
      }
      if (shared) edges.push([sharedAt, prev, bytes]);
      lasts.push(prev);
    }
    const consumer = cands.push(joiner) - 1;
    for (const l of lasts) edges.push([l, consumer, bytes]);
    const tail = cands.push([[0, 1, 1]]) - 1;
    edges.push([consumer, tail, bytes]);
    return { n: cands.length, edges, cands, counts, staticW, link };
  });

describe('the relaxation by blocks: folding interchangeable parallel branches', () => {
  for (const objective of ['latency', 'energy'] as const) {
    it(`equals the relaxation's brute force for ${objective} (property)`, async () => {
      let folded = 0;
      await fc.assert(
        fc.asyncProperty(branchCase, async (c) => {
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
  const chainBudgets = fc.record({
    c: chainCase,
    lat: fc.double({ min: 0, max: 1.2, noNaN: true }),
    en: fc.double({ min: 0, max: 1.2, noNaN: true }),
    which: fc.constantFrom('none', 'latency', 'energy', 'both'),
  });
  for (const objective of ['latency', 'energy', { latencyWeight: 1, energyWeight: 2 }] as const) {
    it(`equals the relaxation's brute force for ${JSON.stringify(objective)}, with and without budgets, isomorphic blocks reused or not; optimal where proven (property)`, async () => {
      let solved = 0;
      let proven = 0;
      await fc.assert(
        fc.asyncProperty(chainBudgets, async ({ c, lat, en, which }) => {
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
