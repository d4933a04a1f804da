import { defineSolver, type MilpResult, UserError } from '@lightcode/cost-model';
import { evaluateSelection, meetsBudgets, objectiveValue, optimize } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allChoices, bruteForceBest, budgetCase, budgetsWithin, randomCase, stackedFrom, trueOptimum } from './random-stacked.js';

describe('selection and scheduling on random DAGs, forced off enumeration', () => {
  for (const objective of ['latency', 'energy'] as const) {
    it(`never beats brute force over selections, meets the budgets, and is optimal only when no schedule is better, for ${objective} (property)`, async () => {
      await fc.assert(
        fc.asyncProperty(budgetCase, async ({ c, lat, en, which }) => {
          const sg = stackedFrom(c);
          const costs = [...allChoices(sg)].map((ch) => evaluateSelection(sg, ch));
          const constraints = budgetsWithin(costs, which, lat, en);
          const ok = costs.filter((x) => meetsBudgets(constraints, x));
          const run = optimize(sg, { objective, constraints, exhaustiveLimit: 0 });
          if (ok.length === 0) {
            await expect(run).rejects.toThrow(UserError);
            return;
          }
          const best = Math.min(...ok.map((x) => objectiveValue(x, objective)));
          const answer = await run.catch((e: unknown) => e);
          // the whole-graph search is not exhaustive: it may fail to find a selection within tight budgets, and says so
          if (answer instanceof UserError) {
            expect(answer.message).toMatch(/no selection meeting the budgets was found/);
            return;
          }
          if (!(answer && typeof answer === 'object' && 'selection' in answer)) throw answer;
          const r = answer as Awaited<typeof run>;
          expect(meetsBudgets(constraints, r.selection)).toBe(true);
          expect(r.selection.objectiveValue).toBeGreaterThanOrEqual(best * (1 - 1e-9));
          if (r.method === 'decomposition') expect(r.selection.objectiveValue).toBeCloseTo(best, 6);
          const truth = which === 'none' ? trueOptimum(sg, objective) : undefined;
          if (truth !== undefined && r.selection.bound !== undefined) expect(r.selection.bound).toBeLessThanOrEqual(truth * (1 + 1e-6));
          if (truth !== undefined && r.selection.status === 'optimal')
            expect(r.selection.objectiveValue).toBeLessThanOrEqual(truth * (1 + 1e-5));
        }),
        { numRuns: 120 },
      );
    });
  }

  it('minimizes a weighted sum of latency and energy, segmented or not; optimal only when proven (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        randomCase,
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0.01, max: 3, noNaN: true }),
        async (c, a, b) => {
          const sg = stackedFrom(c);
          const objective = { latencyWeight: a, energyWeight: b };
          const best = bruteForceBest(sg, objective);
          const truth = trueOptimum(sg, objective);
          for (const decompose of [false, true]) {
            const r = await optimize(sg, { objective, exhaustiveLimit: 0, decompose });
            expect(r.selection.objectiveValue).toBeGreaterThanOrEqual(best * (1 - 1e-9));
            if (r.method === 'decomposition') expect(r.selection.objectiveValue).toBeCloseTo(best, 6);
            if (truth !== undefined && r.selection.status === 'optimal')
              expect(r.selection.objectiveValue).toBeLessThanOrEqual(truth * (1 + 1e-5));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('edge cases of selection', () => {
  it('says how far an infeasible latency budget is from the best achievable', async () => {
    const sg = stackedFrom({
      n: 2,
      edges: [[0, 1, 10]],
      cands: [
        [
          [0, 4, 1],
          [1, 2, 5],
        ],
        [[0, 3, 3]],
      ],
      counts: [1, 1],
      staticW: [0, 0],
      link: [1, 1, 1],
    });
    await expect(optimize(sg, { objective: 'energy', constraints: { latencyBudgetS: 1 } })).rejects.toThrow(
      /infeasible: latency budget 1\.000 s is below the best achievable latency 6\.010 s/,
    );
  });

  it('takes a fused realization whole, and drops it everywhere when a rule removes one member', async () => {
    const sg = stackedFrom({
      n: 3,
      edges: [
        [0, 1, 10],
        [1, 2, 10],
      ],
      cands: [[[0, 4, 4]], [[0, 4, 4]], [[0, 4, 4]]],
      counts: [1, 1],
      staticW: [0, 0],
      link: [0, 1, 0],
      fused: [0, 3, 1, 5, 5],
    });
    const fused = await optimize(sg, { objective: 'latency', exhaustiveLimit: 0 });
    expect([...fused.selection.choice.values()]).toEqual([1, 1, 1]);
    expect(fused.selection.latencyS).toBe(5);
    const split = await optimize(sg, { objective: 'latency', constraints: { excludes: [{ glob: 'op2', device: 'd1' }] } });
    for (const list of split.stacked.candidates.values()) expect(list.map((x) => x.algorithm)).toEqual(['a']);
    expect(split.selection.latencyS).toBe(12);
  });

  it('applies pins and excludes, and names bad rules', async () => {
    const sg = stackedFrom({
      n: 2,
      edges: [],
      cands: [
        [
          [0, 4, 1],
          [1, 2, 5],
        ],
        [
          [0, 3, 3],
          [1, 1, 1],
        ],
      ],
      counts: [1, 1],
      staticW: [0, 0],
      link: [1, 1, 1],
    });
    const pinned = await optimize(sg, { objective: 'latency', constraints: { pins: [{ glob: 'op*', device: 'd0' }] } });
    expect(
      [...pinned.selection.choice.keys()].map((id) => pinned.stacked.candidates.get(id)?.[pinned.selection.choice.get(id) ?? 0]?.device),
    ).toEqual(['d0', 'd0']);
    const excluded = await optimize(sg, { objective: 'latency', constraints: { excludes: [{ glob: 'op1', device: 'd1' }] } });
    expect(excluded.stacked.candidates.get('o1')?.map((x) => x.device)).toEqual(['d0']);
    await expect(optimize(sg, { objective: 'latency', constraints: { pins: [{ glob: 'nothing*', device: 'd0' }] } })).rejects.toThrow(
      /--pin nothing\*=d0: no op name matches/,
    );
    await expect(optimize(sg, { objective: 'latency', constraints: { pins: [{ glob: 'op0', device: 'tpu' }] } })).rejects.toThrow(
      /the system has no device 'tpu' \(devices: d0, d1\)/,
    );
    await expect(
      optimize(sg, {
        objective: 'latency',
        constraints: { pins: [{ glob: 'op0', device: 'd0' }], excludes: [{ glob: 'op0', device: 'd0' }] },
      }),
    ).rejects.toThrow(/op 'op0' has no device left after --pin\/--exclude \(it can run on: d0, d1\)/);
  });

  it('returns the best feasible selection with its gap when the solver times out', async () => {
    const sg = stackedFrom({
      n: 3,
      edges: [
        [0, 1, 10],
        [1, 2, 10],
      ],
      cands: [
        [
          [0, 4, 1],
          [1, 2, 5],
        ],
        [
          [0, 3, 3],
          [1, 1, 1],
        ],
        [
          [0, 1, 1],
          [1, 1, 2],
        ],
      ],
      counts: [1, 1],
      staticW: [0, 0],
      link: [1, 1, 1],
    });
    const stub = (r: (n: number) => MilpResult) =>
      defineSolver({ id: 'stub', name: 'stub', description: 'test', solve: (p) => r(p.variables.length) });
    const first = (n: number) => Array.from({ length: n }, (_, j) => (j < 2 || (j >= 2 && j < 6 && j % 2 === 0) ? 1 : 0));
    const timedOut = await optimize(sg, {
      objective: 'latency',
      exhaustiveLimit: 0,
      decompose: false,
      solver: stub((n) => ({ status: 'timeout', values: first(n), bound: 0.5 })),
    });
    // the relaxation stopped early: its dual bound still bounds the search's schedule from below
    expect(timedOut.method).toBe('search');
    expect(timedOut.note).toMatch(/above the relaxation's lower bound/);
    expect(timedOut.selection.bound).toBeLessThan(timedOut.selection.objectiveValue);
    expect(timedOut.gap).toBeGreaterThan(0);
    expect(timedOut.selection.status).toBe('feasible');
    // a segmented master with a budget goes to the solver; stopped early, its incumbent stands with the bound it has
    const masterStopped = await optimize(sg, {
      objective: 'latency',
      exhaustiveLimit: 0,
      constraints: { energyBudgetJ: 100 },
      solver: stub((n) => ({ status: 'timeout', values: Array.from({ length: n }, (_, j) => (j % 2 === 0 ? 1 : 0)), bound: 0 })),
    });
    // its incumbent, or a baseline that beats it
    expect(['decomposition', 'baseline']).toContain(masterStopped.method);
    expect(masterStopped.selection.status).toBe('feasible');
    expect(masterStopped.selection.bound).toBe(0);
    const nothing = await optimize(sg, {
      objective: 'latency',
      exhaustiveLimit: 0,
      decompose: false,
      solver: stub(() => ({ status: 'timeout' })),
    });
    expect(nothing.selection.bound).toBeUndefined();
    expect(nothing.gap).toBeUndefined();
    expect(nothing.note).toMatch(/without a lower bound/);
    await expect(
      optimize(sg, {
        objective: 'latency',
        exhaustiveLimit: 0,
        decompose: false,
        solver: stub(() => {
          throw new Error('wasm trap');
        }),
      }),
    ).rejects.toThrow(/plugin 'stub': solve\(\) failed: wasm trap/);
    // an answer that is not a number is the plugin's fault, and named
    await expect(
      optimize(sg, {
        objective: 'latency',
        exhaustiveLimit: 0,
        decompose: false,
        solver: stub((n) => ({ status: 'optimal', values: Array.from({ length: n }, () => Number.NaN), objective: 1 })),
      }),
    ).rejects.toThrow(/plugin 'stub': solve\(\) answered NaN, not a finite number/);
  });
});
