import { linearOp, type OpNode, opArithmetic, resolveParams, type TargetPlugin, tensor } from '@lightcode/cost-model';
import cpu from '@lightcode/target-cpu';
import gpu from '@lightcode/target-gpu';
import ptu from '@lightcode/target-ptu';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const linear = (m: number, k: number, n: number): OpNode => linearOp(m, k, n);

function elementwise(kind: 'add' | 'softmax' | 'gelu', m: number, n: number): OpNode {
  const t = tensor([1, m, n], 'fp16');
  return { id: '0', name: kind, kind, layer: 0, attrs: {}, inputs: [t], outputs: [t], weights: [] };
}

const presets: [TargetPlugin, string][] = [gpu, cpu, ptu].flatMap((t) => Object.keys(t.presets).map((p): [TargetPlugin, string] => [t, p]));

describe('every built-in target and preset', () => {
  it.each(presets.map(([t, p]) => [t.id, p, t] as const))(
    '%s/%s: costs finite and positive, energy parts non-negative, monotone in size (property)',
    (_id, preset, target) => {
      const params = resolveParams(target.id, target.params, target.presets, preset);
      const price = (op: OpNode) => {
        if (!target.opKinds.includes(op.kind)) return undefined;
        const [r] = target.realize(op, opArithmetic(op), params);
        if (!r) throw new Error(`${target.id}/${preset} declined ${op.kind}`);
        expect(Number.isFinite(r.latencyS) && r.latencyS > 0).toBe(true);
        const parts = Object.values(r.energy);
        for (const e of parts) expect(Number.isFinite(e) && e >= 0).toBe(true);
        return { latencyS: r.latencyS, energyJ: parts.reduce((s, e) => s + e, 0) };
      };
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2048 }),
          fc.integer({ min: 1, max: 1024 }),
          fc.integer({ min: 1, max: 1024 }),
          fc.constantFrom('add', 'softmax', 'gelu') as fc.Arbitrary<'add' | 'softmax' | 'gelu'>,
          (m, k, n, kind) => {
            for (const [a, b] of [
              [price(linear(m, k, n)), price(linear(m + 1, k, n))],
              [price(elementwise(kind, m, n)), price(elementwise(kind, m + 1, n))],
            ]) {
              if (!a || !b) continue;
              expect(b.latencyS).toBeGreaterThanOrEqual(a.latencyS * (1 - 1e-12));
              expect(b.energyJ).toBeGreaterThan(a.energyJ);
            }
          },
        ),
        { numRuns: 60 },
      );
    },
  );
});
