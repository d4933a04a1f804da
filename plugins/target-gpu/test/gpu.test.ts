import { linearOp, type OpNode, opArithmetic, resolveParams, tensor } from '@lightcode/cost-model';
import gpu, { attentionPairs, fusedAttention, type GpuParams, gemmEfficiency, peakFlops } from '@lightcode/target-gpu';
import { describe, expect, it } from 'vitest';
import { attentionChain } from './fixtures.js';

const a100 = resolveParams('gpu', gpu.params, gpu.presets, 'a100') as GpuParams;

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
    const h100 = resolveParams('gpu', gpu.params, gpu.presets, 'h100') as GpuParams;
    expect([h100.peakFlopsFp16, h100.bandwidthBps]).toEqual([989e12, 3350e9]);
  });
});

describe('GPU precisions: peaks per format, weights and KV cache at their widths', () => {
  const h100 = resolveParams('gpu', gpu.params, gpu.presets, 'h100') as GpuParams;
  const withWeights = (op: OpNode, dtype: 'int4' | 'int8' | 'fp8'): OpNode => ({
    ...op,
    weights: op.weights.map((w) => ({ ...w, dtype })),
  });

  it('an fp8 GEMM runs at the fp8 dense peak (H100 1,979 TFLOP/s) and costs energyPerFlopJ x 989/1979 per FLOP', () => {
    const op = linearOp(4096, 4096, 4096, 'fp8', 'fp8');
    const a = opArithmetic(op);
    const [r] = gpu.realize(op, a, h100);
    const eff = (0.72 * 4096) / (4096 + 64);
    const compute = (2 * 4096 ** 3) / (1979e12 * eff);
    const memory = (3 * 4096 * 4096) / (0.8 * 3350e9); // one byte per number
    expect(r?.latencyS).toBeCloseTo(Math.max(compute, memory) + 3e-6, 12);
    expect(r?.energy.compute).toBeCloseTo(a.flops * h100.energyPerFlopJ * (989e12 / 1979e12), 15);
    expect(peakFlops(h100, 'fp8') / peakFlops(h100, 'fp16')).toBeCloseTo(1979 / 989, 12);
  });

  it('weight-only int4 and int8: a decode GEMV reads K N / 2 or K N weight bytes and computes at the fp16 peak', () => {
    const op = linearOp(1, 4096, 11008, 'fp16', 'up');
    for (const [dtype, perWeight] of [
      ['int4', 0.5],
      ['int8', 1],
      ['fp8', 1],
    ] as const) {
      const q = withWeights(op, dtype);
      const a = opArithmetic(q);
      expect(a.bytesRead + a.bytesWritten).toBe(2 * 4096 + perWeight * 4096 * 11008 + 2 * 11008);
      const [r] = gpu.realize(q, a, h100);
      const compute = (2 * 4096 * 11008) / (989e12 * ((0.72 * 1) / (1 + 64)));
      const memory = (2 * 4096 + perWeight * 4096 * 11008 + 2 * 11008) / (0.8 * 3350e9);
      expect(r?.latencyS, dtype).toBeCloseTo(Math.max(compute, memory) + 3e-6, 12);
      expect(r?.energy.compute, dtype).toBeCloseTo(a.flops * h100.energyPerFlopJ, 15);
    }
  });

  it('an A100 has no fp8 tensor cores: it holds fp8 and int4 but computes in neither, and declines an fp8 GEMM', () => {
    expect(gpu.formats?.(a100)).toEqual({
      compute: ['fp32', 'fp16', 'bf16', 'int8'],
      storage: ['fp32', 'fp16', 'bf16', 'int8', 'fp8', 'int4'],
    });
    expect(gpu.formats?.(h100).compute).toContain('fp8');
    const op = linearOp(64, 64, 64, 'fp8');
    expect(gpu.realize(op, opArithmetic(op), a100)).toEqual([]);
  });

  it('h200 and b200 presets carry their datasheet figures (dense = half the sparsity figure)', () => {
    const h200 = resolveParams('gpu', gpu.params, gpu.presets, 'h200');
    const b200 = resolveParams('gpu', gpu.params, gpu.presets, 'b200');
    expect([h200.peakFlopsFp16, h200.peakFlopsFp8, h200.peakOpsInt8, h200.peakFlopsFp32, h200.bandwidthBps]).toEqual([
      989e12, 1979e12, 1979e12, 67e12, 4.8e12,
    ]);
    expect([b200.peakFlopsFp16, b200.peakFlopsFp8, b200.peakOpsInt8, b200.peakFlopsFp32, b200.bandwidthBps]).toEqual([
      2.25e15, 4.5e15, 4.5e15, 75e12, 7.7e12,
    ]);
    expect(b200.energyPerFlopJ).toBeCloseTo((1000 - 100) / (0.7 * 2.25e15), 24);
    expect(gpu.presets.h200?.source).toMatch(/H200 .*datasheet.*141 GB HBM3e at 4\.8 TB\/s/);
    expect(gpu.presets.b200?.source).toMatch(/HGX B200 datasheet.*7\.7 TB\/s/);
  });
});
