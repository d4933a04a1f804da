import { evaluateSelection, paretoFront } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allChoices, randomCase, stackedFrom } from './random-stacked.js';

describe('Pareto front', () => {
  it('holds only brute-force Pareto-optimal points, including both extremes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(randomCase, async (c) => {
        const sg = stackedFrom(c);
        const all = [...allChoices(sg)].map((ch) => evaluateSelection(sg, ch));
        const front = await paretoFront(sg, { points: 3 });
        const dominated = (p: { latencyS: number; energyJ: number }) =>
          all.some((q) => q.latencyS <= p.latencyS * (1 - 1e-9) && q.energyJ <= p.energyJ * (1 - 1e-9) + 1e-12) ||
          all.some((q) => q.latencyS <= p.latencyS + 1e-12 && q.energyJ < p.energyJ * (1 - 1e-9));
        for (const p of front) expect(dominated(p)).toBe(false);
        expect(front[0]?.latencyS).toBeCloseTo(Math.min(...all.map((q) => q.latencyS)), 9);
        expect(front[front.length - 1]?.energyJ).toBeCloseTo(Math.min(...all.map((q) => q.energyJ)), 9);
        for (let i = 1; i < front.length; i++) {
          expect(front[i]?.latencyS).toBeGreaterThan(front[i - 1]?.latencyS as number);
          expect(front[i]?.energyJ).toBeLessThan(front[i - 1]?.energyJ as number);
        }
      }),
      { numRuns: 80 },
    );
  });
});
