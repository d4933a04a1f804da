import { baselines, optimize } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bruteForceBest, chainCase, type RandomCase, randomCase, stackedFrom } from './random-stacked.js';

/** Chains (solved by segments) and small random DAGs (enumerated), as the optimizer meets them. */
const anyCase = fc.oneof(chainCase, randomCase);

describe('invariants of the optimum', () => {
  it('the latency optimum is never slower than any baseline or than the energy optimum; the energy optimum never costs more energy than either (property)', async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, async (c) => {
        const sg = stackedFrom(c);
        const fast = await optimize(sg, { objective: 'latency' });
        const lean = await optimize(sg, { objective: 'energy' });
        expect(fast.selection.latencyS).toBeLessThanOrEqual(lean.selection.latencyS * (1 + 1e-12));
        expect(lean.selection.energyJ).toBeLessThanOrEqual(fast.selection.energyJ * (1 + 1e-12));
        for (const b of baselines(sg)) {
          if (!b.feasible) continue;
          expect(fast.selection.latencyS).toBeLessThanOrEqual(b.latencyS * (1 + 1e-12));
          expect(lean.selection.energyJ).toBeLessThanOrEqual(b.energyJ * (1 + 1e-12));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('another instance, or a faster link, never raises the latency optimum where both are proven (property)', async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, fc.nat(1), fc.boolean(), async (c, d, faster) => {
        const more: RandomCase = faster
          ? { ...c, link: [Math.floor(c.link[0] / 2), Math.max(1, Math.floor(c.link[1] / 2)), c.link[2]] }
          : { ...c, counts: c.counts.map((n, i) => (i === d ? n + 1 : n)) as [number, number] };
        const before = await optimize(stackedFrom(c), { objective: 'latency' });
        const after = await optimize(stackedFrom(more), { objective: 'latency' });
        fc.pre(before.selection.status === 'optimal' && after.selection.status === 'optimal');
        expect(after.selection.objectiveValue).toBeLessThanOrEqual(before.selection.objectiveValue * (1 + 1e-5));
      }),
      { numRuns: 200 },
    );
  });

  it("the bound never exceeds any selection's value, and the gap is (value - bound) / value (property)", async () => {
    await fc.assert(
      fc.asyncProperty(anyCase, fc.constantFrom('latency' as const, 'energy' as const), async (c, objective) => {
        const sg = stackedFrom(c);
        const r = await optimize(sg, { objective, exhaustiveLimit: 0 });
        const { bound, objectiveValue: value } = r.selection;
        if (bound === undefined) return expect(r.gap).toBeUndefined();
        // a lower bound holds for every selection, not only the one found (makeSelection refuses one above its own value)
        expect(bound).toBeLessThanOrEqual(bruteForceBest(sg, objective) * (1 + 1e-5));
        if (r.selection.status === 'optimal') expect(r.gap).toBe(0);
        else expect(r.gap).toBeCloseTo((value - bound) / value, 12);
      }),
      { numRuns: 200 },
    );
  });
});
