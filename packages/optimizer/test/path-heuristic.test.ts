import { brokenFusion } from '@lightcode/ir';
import { baselines, evaluateSelection, objectiveValue, studyPathSelect } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bruteForceBest, randomCase, stackedFrom } from './random-stacked.js';

describe("the study's path heuristic (baseline)", () => {
  it('is optimal on a chain with one instance per class and no static power, where path sums are the objective (property)', () => {
    fc.assert(
      fc.property(randomCase, fc.constantFrom('latency', 'energy') as fc.Arbitrary<'latency' | 'energy'>, (c, metric) => {
        const chain = {
          ...c,
          edges: Array.from({ length: c.n - 1 }, (_, i) => [i, i + 1, 100] as const),
          counts: [1, 1] as const,
          staticW: [0, 0] as const,
          fused: null,
        };
        const sg = stackedFrom(chain);
        const best = bruteForceBest(sg, metric);
        expect(objectiveValue(evaluateSelection(sg, studyPathSelect(sg, metric)), metric)).toBeCloseTo(best, 9);
      }),
      { numRuns: 150 },
    );
  });

  it('returns a whole selection on any graph, never better than the optimum (property)', () => {
    fc.assert(
      fc.property(randomCase, fc.constantFrom('latency', 'energy') as fc.Arbitrary<'latency' | 'energy'>, (c, metric) => {
        const sg = stackedFrom(c);
        const choice = studyPathSelect(sg, metric);
        expect(choice.size).toBe(c.n);
        expect(brokenFusion(sg.candidates, choice)).toBeUndefined();
        const best = bruteForceBest(sg, metric);
        expect(objectiveValue(evaluateSelection(sg, choice), metric)).toBeGreaterThanOrEqual(best - 1e-9);
      }),
      { numRuns: 150 },
    );
  });

  it('a later path through a merge picks the cheapest candidate given the ops already fixed', () => {
    // 0 -> 1 -> 3 and 0 -> 2 -> 3; op 2 costs 9 on d0 and 4 on d1, the link is free
    const sg = stackedFrom({
      n: 4,
      edges: [
        [0, 1, 1],
        [1, 3, 1],
        [0, 2, 1],
        [2, 3, 1],
      ],
      cands: [
        [[0, 1, 1]],
        [[0, 1, 1]],
        [
          [0, 9, 9],
          [1, 4, 4],
        ],
        [[0, 1, 1]],
      ],
      counts: [1, 1],
      staticW: [0, 0],
      link: [0, 1, 0],
    });
    for (const metric of ['latency', 'energy'] as const) expect(studyPathSelect(sg, metric).get('o2')).toBe(1);
  });

  it('is listed among the baselines', () => {
    const sg = stackedFrom({
      n: 2,
      edges: [[0, 1, 10]],
      cands: [
        [[0, 1, 1]],
        [
          [0, 2, 2],
          [1, 1, 1],
        ],
      ],
      counts: [1, 1],
      staticW: [0, 0],
      link: [1, 1, 1],
    });
    expect(baselines(sg).map((b) => b.name)).toContain('study-path-latency');
  });
});
