import { linearOp, type OpNode, opArithmetic, resolveParams, tensor } from '@lightcode/cost-model';
import gpu, { attentionPairs, fusedAttention, gemmEfficiency } from '@lightcode/target-gpu';
import { describe, expect, it } from 'vitest';
import { attentionChain } from './fixtures.js';

const a100 = resolveParams('gpu', gpu.params, gpu.presets, 'a100');

describe('GPU target', () => {
  it('counts causal query-key pairs: each query sees the keys up to its own position', () => {
    expect(attentionPairs(4, 4, true)).toBe(4 + 3 + 2 + 1);
    expect(attentionPairs(1, 9, true)).toBe(9);
    expect(attentionPairs(2, 5, true)).toBe(4 + 5);
    expect(attentionPairs(3, 5, false)).toBe(15);
  });

  it('prices fused causal attention: half the products, Q/K/V/O traffic only, eff(L) and 8 us', () => {
    const ops = attentionChain(32, 2048, 128);
    const [r] = fusedAttention(ops, ops.map(opArithmetic), a100);
    const pairs = (2048 * 2049) / 2;
    const L = Math.sqrt(2 * pairs);
    const eff = (0.53 * L) / (L + 1552);
    const compute = (4 * 32 * 128 * pairs) / (312e12 * eff);
    const memory = (4 * 32 * 2048 * 128 * 2) / (0.8 * 2039e9);
    expect(r?.algorithm).toBe('fused-causal-attention');
    expect(r?.latencyS).toBeCloseTo(Math.max(compute, memory) + 8e-6, 12);
    expect(r?.energy.memory).toBeCloseTo(4 * 32 * 2048 * 128 * 2 * 31.2e-12, 15);
    // fused beats the three unfused kernels at length: no S x S scores through HBM
    const unfused = ops.reduce((t, op) => t + (gpu.realize(op, opArithmetic(op), a100)[0]?.latencyS ?? 0), 0);
    expect(r?.latencyS).toBeLessThan(unfused);
  });

  it('prices a GEMM by roofline: max(FLOPs / (peak x eff(M)), bytes / (0.8 x BW)) + 3 us', () => {
    const op = linearOp(2048, 4096, 12288, 'fp16', 'qkv');
    const a = opArithmetic(op);
    const [r] = gpu.realize(op, a, a100);
    const eff = (0.72 * 2048) / (2048 + 64);
    expect(gemmEfficiency(2048, a100)).toBeCloseTo(eff, 12);
    const compute = (2 * 2048 * 4096 * 12288) / (312e12 * eff);
    const memory = (2 * (2048 * 4096 + 4096 * 12288 + 2048 * 12288)) / (0.8 * 2039e9);
    expect(r?.latencyS).toBeCloseTo(Math.max(compute, memory) + 3e-6, 12);
  });

  it('an elementwise op is memory bound plus the kernel overhead', () => {
    const t = tensor([1, 1024, 4096], 'fp16');
    const op: OpNode = { id: '0', name: 'add', kind: 'add', layer: 0, attrs: {}, inputs: [t, t], outputs: [t], weights: [] };
    const [r] = gpu.realize(op, opArithmetic(op), a100);
    expect(r?.latencyS).toBeCloseTo((3 * 2 * 1024 * 4096) / (0.8 * 2039e9) + 3e-6, 12);
  });

  it('the h100 preset uses datasheet peaks', () => {
    const h100 = resolveParams('gpu', gpu.params, gpu.presets, 'h100');
    expect([h100.peakFlopsFp16, h100.bandwidthBps]).toEqual([989e12, 3350e9]);
  });
});
