import { linearOp, type OpNode, opArithmetic, resolveParams, tensor } from '@lightcode/cost-model';
import gpu, { attentionPairs, fusedAttention, type GpuParams, gemmEfficiency } from '@lightcode/target-gpu';
import { describe, expect, it } from 'vitest';
import { attentionChain } from './fixtures.js';

/*
 * Every parameter that changes a GPU cost, pinned: the direction of the change
 * and its closed form, on memory-bound products (decode-shaped GEMVs, M = 1..8)
 * and compute-bound ones (prefill-shaped, M in the thousands), for every preset
 * at shapes other than the calibration's.
 */

const params = (preset: string, overrides: Record<string, unknown> = {}) =>
  resolveParams('gpu', gpu.params, gpu.presets, preset, overrides) as GpuParams;
const realize = (op: OpNode, p: GpuParams) => {
  const [r] = gpu.realize(op, opArithmetic(op), p);
  if (!r) throw new Error(`no realization of ${op.name}`);
  return r;
};
const bytesOf = { fp32: 4, fp16: 2, bf16: 2, fp8: 1, int8: 1 } as const;

/** The closed form of a dense GEMM Y[M x N] = X[M x K] W[K x N], all operands in one format. */
function gemmExpected(m: number, k: number, n: number, dtype: keyof typeof bytesOf, p: GpuParams) {
  const peak = { fp32: p.peakFlopsFp32, fp16: p.peakFlopsFp16, bf16: p.peakFlopsFp16, fp8: p.peakFlopsFp8, int8: p.peakOpsInt8 }[dtype];
  const flops = 2 * m * k * n;
  const bytes = bytesOf[dtype] * (m * k + k * n + m * n);
  const eff = (p.gemmEfficiencyMax * m) / (m + p.gemmHalfEfficiencyM);
  const computeS = flops / (peak * eff);
  const memoryS = bytes / (p.bandwidthBps * p.bandwidthEfficiency);
  const perFlop = dtype === 'fp8' || dtype === 'int8' ? (p.energyPerFlopJ * p.peakFlopsFp16) / peak : p.energyPerFlopJ;
  return {
    computeS,
    memoryS,
    latencyS: Math.max(computeS, memoryS) + p.kernelOverheadS,
    compute: flops * perFlop,
    memory: bytes * p.energyPerByteJ,
  };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('GEMM closed form on every preset, at shapes other than the calibration', () => {
  const shapes: [number, number, number][] = [
    [1, 5120, 5120],
    [3, 8192, 1024],
    [96, 2560, 10240],
    [777, 1000, 3000],
    [8192, 8192, 28672],
  ];
  for (const preset of Object.keys(gpu.presets)) {
    const p = params(preset);
    const dtypes = (['fp16', 'bf16', 'fp32', 'int8', 'fp8'] as const).filter((d) => d !== 'fp8' || p.peakFlopsFp8 > 0);
    it(`${preset}: latency = max(2MKN / (peak x eff(M)), bytes / (BW x 0.8)) + overhead; energy = FLOPs x e_flop + bytes x e_byte`, () => {
      for (const [m, k, n] of shapes) {
        for (const dtype of dtypes) {
          const r = realize(linearOp(m, k, n, dtype), p);
          const e = gemmExpected(m, k, n, dtype, p);
          expect(rel(r.latencyS, e.latencyS), `${preset} ${dtype} ${m}x${k}x${n} latency`).toBeLessThan(1e-12);
          expect(rel(r.energy.compute ?? 0, e.compute), `${dtype} compute energy`).toBeLessThan(1e-12);
          expect(rel(r.energy.memory ?? 0, e.memory), `${dtype} memory energy`).toBeLessThan(1e-12);
          expect(Object.keys(r.energy).sort()).toEqual(['compute', 'memory']);
        }
      }
    });
  }

  it('static power per preset: a100 50 W, h100 and h200 70 W, b200 100 W', () => {
    expect(Object.fromEntries(Object.keys(gpu.presets).map((k) => [k, gpu.staticPowerW(params(k))]))).toEqual({
      a100: 50,
      h100: 70,
      h200: 70,
      b200: 100,
    });
  });
});

describe('memory-bound: decode-shaped GEMMs (M = 1) read their weights once', () => {
  const p = params('h100');
  // Llama-2-7B decode: one token through the MLP up projection
  const op = linearOp(1, 4096, 11008, 'fp16');
  const weightBytes = 2 * 4096 * 11008;
  const bytes = 2 * 4096 + weightBytes + 2 * 11008;

  it('latency = (activations + weights + output) bytes / (bandwidth x efficiency) + overhead', () => {
    const r = realize(op, p);
    expect(r.latencyS).toBeCloseTo(bytes / (3350e9 * 0.8) + 3e-6, 15);
    // it is the weights that cost: the time is at least the weight read
    expect(r.latencyS - 3e-6).toBeGreaterThanOrEqual(weightBytes / (3350e9 * 0.8));
    // and well above the compute time at the M = 1 efficiency (0.72 / 65)
    expect(r.latencyS - 3e-6).toBeGreaterThan(3 * ((2 * 4096 * 11008) / (989e12 * gemmEfficiency(1, p))));
  });

  it('twice the bandwidth halves the time above the overhead; so does twice its efficiency', () => {
    const base = realize(op, p).latencyS - p.kernelOverheadS;
    expect(realize(op, params('h100', { bandwidthBps: 2 * 3350e9 })).latencyS - p.kernelOverheadS).toBeCloseTo(base / 2, 15);
    expect(realize(op, params('h100', { bandwidthEfficiency: 0.4 })).latencyS - p.kernelOverheadS).toBeCloseTo(base * 2, 15);
  });

  it('more compute does not help: peak, GEMM efficiency and its half point leave the time unchanged', () => {
    const base = realize(op, p).latencyS;
    for (const o of [{ peakFlopsFp16: 2 * 989e12 }, { gemmEfficiencyMax: 0.36 }, { gemmHalfEfficiencyM: 1 }, { peakFlopsFp32: 1e12 }]) {
      expect(realize(op, params('h100', o)).latencyS, JSON.stringify(o)).toBe(base);
    }
  });

  it('grows linearly with the batch of tokens while memory bound: M = 1..8 adds only activation bytes', () => {
    for (const m of [1, 2, 4, 8]) {
      const r = realize(linearOp(m, 4096, 11008, 'fp16'), p);
      expect(r.latencyS).toBeCloseTo((2 * (m * 4096 + 4096 * 11008 + m * 11008)) / (3350e9 * 0.8) + 3e-6, 15);
    }
  });

  it('narrower weights read fewer bytes: int8 weights of the same GEMV take about half the time', () => {
    const q: OpNode = { ...op, weights: op.weights.map((w) => ({ ...w, dtype: 'int8' as const })) };
    const r = realize(q, p);
    expect(r.latencyS).toBeCloseTo((2 * 4096 + 4096 * 11008 + 2 * 11008) / (3350e9 * 0.8) + 3e-6, 15);
    expect((r.latencyS - 3e-6) / (realize(op, p).latencyS - 3e-6)).toBeLessThan(0.51);
  });
});

describe('compute-bound: prefill-shaped GEMMs', () => {
  const p = params('a100');
  const op = linearOp(8192, 8192, 8192, 'fp16');
  const flops = 2 * 8192 ** 3;
  const eff = (0.72 * 8192) / (8192 + 64);

  it('latency = 2MKN / (peak x eff(M)) + overhead, above the memory time', () => {
    const r = realize(op, p);
    expect(r.latencyS).toBeCloseTo(flops / (312e12 * eff) + 3e-6, 12);
    expect(flops / (312e12 * eff)).toBeGreaterThan((2 * 3 * 8192 ** 2) / (2039e9 * 0.8));
  });

  it('twice the 16-bit peak halves the time above the overhead; the fp32 peak and the bandwidth do not matter', () => {
    const base = realize(op, p).latencyS - 3e-6;
    expect(realize(op, params('a100', { peakFlopsFp16: 624e12 })).latencyS - 3e-6).toBeCloseTo(base / 2, 12);
    expect(realize(op, params('a100', { peakFlopsFp32: 1e12 })).latencyS - 3e-6).toBe(base);
    expect(realize(op, params('a100', { bandwidthBps: 1e12 })).latencyS - 3e-6).toBe(base);
  });

  it('efficiency eff(M) = max x M / (M + halfM): twice the maximum halves the time, a larger half point slows small M most', () => {
    const base = realize(op, p).latencyS - 3e-6;
    expect(realize(op, params('a100', { gemmEfficiencyMax: 0.36 })).latencyS - 3e-6).toBeCloseTo(2 * base, 12);
    const slow = params('a100', { gemmHalfEfficiencyM: 640 });
    expect(gemmEfficiency(640, slow)).toBeCloseTo(0.36, 15);
    const mid = linearOp(640, 8192, 8192, 'fp16');
    expect(realize(mid, slow).latencyS - 3e-6).toBeCloseTo((2 * 640 * 8192 * 8192) / (312e12 * 0.36), 12);
    expect(realize(mid, slow).latencyS).toBeGreaterThan(realize(mid, p).latencyS);
  });

  it('each format computes at its own peak: fp32 at peakFlopsFp32, int8 at peakOpsInt8, fp8 at peakFlopsFp8 (h100)', () => {
    const m = 8192;
    const fp32 = realize(linearOp(m, m, m, 'fp32'), p).latencyS - 3e-6;
    expect(fp32).toBeCloseTo(flops / (19.5e12 * eff), 12);
    const int8 = realize(linearOp(m, m, m, 'int8'), p).latencyS - 3e-6;
    expect(int8).toBeCloseTo(flops / (624e12 * eff), 12);
    expect(realize(linearOp(m, m, m, 'int8'), params('a100', { peakOpsInt8: 1248e12 })).latencyS - 3e-6).toBeCloseTo(int8 / 2, 12);
    const h100 = params('h100');
    const fp8 = realize(linearOp(m, m, m, 'fp8'), h100).latencyS - 3e-6;
    expect(fp8).toBeCloseTo(flops / (1979e12 * eff), 12);
    expect(realize(linearOp(m, m, m, 'fp8'), params('h100', { peakFlopsFp8: 3958e12 })).latencyS - 3e-6).toBeCloseTo(fp8 / 2, 12);
  });
});

describe('fixed costs and energy figures', () => {
  const p = params('a100');
  const ops = [linearOp(1, 4096, 4096, 'fp16'), linearOp(4096, 4096, 4096, 'fp16')];
  const t = tensor([1, 512, 4096], 'fp16');
  const add: OpNode = { id: 'a', name: 'add', kind: 'add', layer: 0, attrs: {}, inputs: [t, t], outputs: [t], weights: [] };

  it('kernelOverheadS adds to every kernel, GEMM or elementwise', () => {
    for (const op of [...ops, add]) {
      const zero = realize(op, params('a100', { kernelOverheadS: 0 })).latencyS;
      expect(realize(op, params('a100', { kernelOverheadS: 1e-3 })).latencyS - zero).toBeCloseTo(1e-3, 15);
      expect(realize(op, p).latencyS - zero).toBeCloseTo(3e-6, 15);
    }
  });

  it('compute energy is FLOPs x energyPerFlopJ and scales with it alone; memory energy is bytes x energyPerByteJ', () => {
    for (const op of [...ops, add]) {
      const a = opArithmetic(op);
      const r = realize(op, p);
      expect(r.energy.compute).toBeCloseTo(a.flops * 1.6e-12, 18);
      expect(r.energy.memory).toBeCloseTo((a.bytesRead + a.bytesWritten) * 31.2e-12, 18);
      const flop2 = realize(op, params('a100', { energyPerFlopJ: 3.2e-12 }));
      expect(flop2.energy.compute).toBeCloseTo(2 * (r.energy.compute ?? 0), 18);
      expect(flop2.energy.memory).toBe(r.energy.memory);
      const byte2 = realize(op, params('a100', { energyPerByteJ: 62.4e-12 }));
      expect(byte2.energy.memory).toBeCloseTo(2 * (r.energy.memory ?? 0), 18);
      expect(byte2.energy.compute).toBe(r.energy.compute);
      // neither energy figure changes the time
      expect(flop2.latencyS).toBe(r.latencyS);
      expect(byte2.latencyS).toBe(r.latencyS);
    }
  });

  it('fp8 and int8 FLOPs cost energyPerFlopJ x peakFlopsFp16 / their peak: the same power at a higher rate', () => {
    const h100 = params('h100');
    const op = linearOp(256, 1024, 1024, 'int8');
    expect(realize(op, h100).energy.compute).toBeCloseTo(2 * 256 * 1024 * 1024 * h100.energyPerFlopJ * (989 / 1979), 18);
    const op8 = linearOp(256, 1024, 1024, 'fp8');
    expect(realize(op8, h100).energy.compute).toBeCloseTo(2 * 256 * 1024 * 1024 * h100.energyPerFlopJ * (989 / 1979), 18);
    expect(realize(linearOp(256, 1024, 1024, 'fp16'), h100).energy.compute).toBeCloseTo(2 * 256 * 1024 * 1024 * h100.energyPerFlopJ, 18);
  });

  it('elementwise ops run at the fp32 peak and the derated bandwidth: memory bound, so only bandwidth moves them', () => {
    const a = opArithmetic(add);
    const r = realize(add, p);
    expect(r.algorithm).toBe('elementwise');
    expect(r.latencyS).toBeCloseTo((a.bytesRead + a.bytesWritten) / (2039e9 * 0.8) + 3e-6, 15);
    expect(realize(add, params('a100', { peakFlopsFp16: 1e12 })).latencyS).toBe(r.latencyS);
    expect(realize(add, params('a100', { bandwidthBps: 4078e9 })).latencyS - 3e-6).toBeCloseTo((r.latencyS - 3e-6) / 2, 15);
    // compute bound only when the fp32 peak is tiny: then FLOPs / peakFlopsFp32
    const slow = params('a100', { peakFlopsFp32: 1e6 });
    expect(realize(add, slow).latencyS).toBeCloseTo(a.flops / 1e6 + 3e-6, 9);
  });
});

describe('fused attention: every parameter pinned', () => {
  const p = params('a100');
  const prefill = attentionChain(32, 1024, 128);
  const fused = (ops: OpNode[], q: GpuParams) => {
    const [r] = fusedAttention(ops, ops.map(opArithmetic), q);
    if (!r) throw new Error('not fused');
    return r;
  };
  const pairs = attentionPairs(1024, 1024, true);
  const flops = 4 * 32 * 128 * pairs;
  const bytes = 4 * 32 * 1024 * 128 * 2;

  it('prefill is compute bound: FLOPs / (peak x eff(L)) + attentionOverheadS, eff(L) = max L / (L + halfL)', () => {
    const L = Math.sqrt(2 * pairs);
    const eff = (0.53 * L) / (L + 1552);
    expect(fused(prefill, p).latencyS).toBeCloseTo(flops / (312e12 * eff) + 8e-6, 12);
    const base = fused(prefill, p).latencyS - 8e-6;
    expect(fused(prefill, params('a100', { attentionEfficiencyMax: 1.06 })).latencyS - 8e-6).toBeCloseTo(base / 2, 12);
    expect(fused(prefill, params('a100', { peakFlopsFp16: 624e12 })).latencyS - 8e-6).toBeCloseTo(base / 2, 12);
    // a smaller half point means higher efficiency at this length
    const sharper = fused(prefill, params('a100', { attentionHalfEfficiencyL: 100 })).latencyS - 8e-6;
    expect(sharper).toBeCloseTo(flops / (312e12 * ((0.53 * L) / (L + 100))), 12);
    expect(sharper).toBeLessThan(base);
    expect(fused(prefill, params('a100', { attentionOverheadS: 0 })).latencyS).toBeCloseTo(base, 15);
    // the GEMM overhead is not the attention kernel's
    expect(fused(prefill, params('a100', { kernelOverheadS: 1 })).latencyS).toBe(fused(prefill, p).latencyS);
  });

  it('energy: FLOPs x energyPerFlopJ and Q, K, V, O bytes x energyPerByteJ', () => {
    const r = fused(prefill, p);
    expect(r.energy.compute).toBeCloseTo(flops * 1.6e-12, 15);
    expect(r.energy.memory).toBeCloseTo(bytes * 31.2e-12, 15);
  });

  it('decode (one query over a 4096-token cache) is memory bound: K and V bytes over the bandwidth', () => {
    const t = (shape: number[]) => tensor(shape, 'fp16');
    const scores = t([1, 32, 1, 4096]);
    const base = { layer: 0, weights: [] };
    const ops: OpNode[] = [
      { ...base, id: 'qk', name: 'qk', kind: 'matmul', attrs: {}, inputs: [t([1, 32, 1, 128]), t([1, 32, 128, 4096])], outputs: [scores] },
      { ...base, id: 'sm', name: 'sm', kind: 'softmax', attrs: {}, inputs: [scores], outputs: [scores] },
      { ...base, id: 'av', name: 'av', kind: 'matmul', attrs: {}, inputs: [scores, t([1, 32, 4096, 128])], outputs: [t([1, 32, 1, 128])] },
    ];
    const kvBytes = 2 * (2 * 32 * 4096 * 128) + 2 * (2 * 32 * 128);
    expect(fused(ops, p).latencyS).toBeCloseTo(kvBytes / (2039e9 * 0.8) + 8e-6, 15);
    expect(fused(ops, params('a100', { bandwidthBps: 4078e9 })).latencyS - 8e-6).toBeCloseTo(kvBytes / (4078e9 * 0.8), 15);
  });
});

describe('products, attention variants and presets beyond the common shapes', () => {
  const p = params('a100');

  it('a batched matmul (batch x heads products) is a GEMM at eff(M) like a linear layer', () => {
    const a = tensor([2, 8, 512, 64], 'fp16');
    const b = tensor([2, 8, 64, 512], 'fp16');
    const mm: OpNode = {
      id: 'mm',
      name: 'mm',
      kind: 'matmul',
      layer: 0,
      attrs: {},
      inputs: [a, b],
      outputs: [tensor([2, 8, 512, 512], 'fp16')],
      weights: [],
    };
    const r = realize(mm, p);
    expect(r.algorithm).toBe('gemm');
    const flops = 2 * 16 * 512 * 64 * 512;
    const bytes = 2 * 16 * (512 * 64 + 64 * 512 + 512 * 512);
    expect(r.latencyS).toBeCloseTo(Math.max(flops / (312e12 * gemmEfficiency(512, p)), bytes / (2039e9 * 0.8)) + 3e-6, 15);
  });

  it('non-causal attention scores every pair, and a batch of sequences multiplies the work', () => {
    const t = (shape: number[]) => tensor(shape, 'fp16');
    const chain = (b: number, causal: boolean): OpNode[] => {
      const scores = t([b, 4, 256, 256]);
      const base = { layer: 0, weights: [] };
      return [
        {
          ...base,
          id: 'qk',
          name: 'qk',
          kind: 'matmul',
          attrs: { causalMask: causal },
          inputs: [t([b, 4, 256, 64]), t([b, 4, 64, 256])],
          outputs: [scores],
        },
        { ...base, id: 'sm', name: 'sm', kind: 'softmax', attrs: {}, inputs: [scores], outputs: [scores] },
        { ...base, id: 'av', name: 'av', kind: 'matmul', attrs: {}, inputs: [scores, t([b, 4, 256, 64])], outputs: [t([b, 4, 256, 64])] },
      ];
    };
    const priced = (ops: OpNode[]) => {
      const [r] = fusedAttention(ops, ops.map(opArithmetic), p);
      if (!r) throw new Error('not fused');
      return r;
    };
    expect(priced(chain(1, false)).energy.compute).toBeCloseTo(4 * 4 * 64 * 256 * 256 * 1.6e-12, 18);
    expect(priced(chain(1, true)).energy.compute).toBeCloseTo(4 * 4 * 64 * ((256 * 257) / 2) * 1.6e-12, 18);
    expect(priced(chain(3, true)).energy.compute).toBeCloseTo(3 * (priced(chain(1, true)).energy.compute ?? 0), 18);
    expect(priced(chain(3, true)).energy.memory).toBeCloseTo(3 * (priced(chain(1, true)).energy.memory ?? 0), 18);
  });

  it('declines what it cannot fuse or compute: a chain without 4-d operands, fp8 attention on an A100', () => {
    const flat = [linearOp(4, 4, 4), linearOp(4, 4, 4), linearOp(4, 4, 4)];
    expect(fusedAttention(flat, flat.map(opArithmetic), p)).toEqual([]);
    const fp8 = attentionChain(2, 64, 32).map((o) => ({
      ...o,
      inputs: o.inputs.map((x) => ({ ...x, dtype: 'fp8' as const })),
      outputs: o.outputs.map((x) => ({ ...x, dtype: 'fp8' as const })),
    }));
    expect(fusedAttention(fp8, fp8.map(opArithmetic), p)).toEqual([]);
    expect(fusedAttention(fp8, fp8.map(opArithmetic), params('h100'))).toHaveLength(1);
  });

  it('fused attention on the other presets: h200 decode over 8192 cached tokens is K, V bytes / (4.8 TB/s x 0.8); h100 fp8 prefill at the fp8 peak and energy', () => {
    const fused = (ops: OpNode[], q: GpuParams) => {
      const [r] = fusedAttention(ops, ops.map(opArithmetic), q);
      if (!r) throw new Error('not fused');
      return r;
    };
    // one query, 32 heads sharing 8 key-value heads (GQA), 8192 keys of 128
    const t = (shape: number[]) => tensor(shape, 'fp16');
    const scores = t([1, 32, 1, 8192]);
    const base = { layer: 0, weights: [] };
    const decode: OpNode[] = [
      { ...base, id: 'qk', name: 'qk', kind: 'matmul', attrs: {}, inputs: [t([1, 32, 1, 128]), t([1, 8, 128, 8192])], outputs: [scores] },
      { ...base, id: 'sm', name: 'sm', kind: 'softmax', attrs: {}, inputs: [scores], outputs: [scores] },
      { ...base, id: 'av', name: 'av', kind: 'matmul', attrs: {}, inputs: [scores, t([1, 8, 8192, 128])], outputs: [t([1, 32, 1, 128])] },
    ];
    const bytes = 2 * (2 * 8 * 8192 * 128) + 2 * (2 * 32 * 128);
    const h200 = params('h200');
    const r = fused(decode, h200);
    expect(r.latencyS).toBeCloseTo(bytes / (4.8e12 * 0.8) + 8e-6, 15);
    expect(r.energy.memory).toBeCloseTo(bytes * 31.2e-12, 18);
    expect(r.energy.compute).toBeCloseTo(4 * 32 * 128 * 8192 * h200.energyPerFlopJ, 18);
    // the h100 is the same die with 3.35 TB/s: slower on a memory-bound kernel by the bandwidth ratio
    expect(fused(decode, params('h100')).latencyS - 8e-6).toBeCloseTo(((r.latencyS - 8e-6) * 4.8) / 3.35, 15);

    const h100 = params('h100');
    const fp8 = attentionChain(32, 4096, 128).map((o) => ({
      ...o,
      inputs: o.inputs.map((x) => ({ ...x, dtype: 'fp8' as const })),
      outputs: o.outputs.map((x) => ({ ...x, dtype: 'fp8' as const })),
    }));
    const pairs = attentionPairs(4096, 4096, true);
    const L = Math.sqrt(2 * pairs);
    const flops = 4 * 32 * 128 * pairs;
    const f = fused(fp8, h100);
    expect(f.latencyS).toBeCloseTo(flops / (1979e12 * ((0.53 * L) / (L + 1552))) + 8e-6, 12);
    expect(f.energy.compute).toBeCloseTo(flops * h100.energyPerFlopJ * (989e12 / 1979e12), 15);
    expect(f.energy.memory).toBeCloseTo(4 * 32 * 4096 * 128 * 31.2e-12, 15);
  });

  it('declines, without throwing, a chain missing an op, an operand or an output, or with a 3-d query or key', () => {
    const whole = attentionChain(2, 64, 32);
    const [qk, sm, av] = whole as [OpNode, OpNode, OpNode];
    // the guard looks at the ops alone (a fusion's arithmetic is its own)
    const arith = whole.map(opArithmetic);
    const declines = (ops: OpNode[], what: string) => expect(fusedAttention(ops, arith, p), what).toEqual([]);
    expect(fusedAttention(whole, whole.map(opArithmetic), p)).toHaveLength(1);
    declines([], 'no ops');
    declines([qk], 'QK^T alone');
    declines([qk, sm], 'no AV');
    declines([{ ...qk, inputs: [] }, sm, av], 'no query');
    declines([{ ...qk, inputs: [qk.inputs[0] as OpNode['inputs'][number]] }, sm, av], 'no key');
    declines([qk, sm, { ...av, inputs: [av.inputs[0] as OpNode['inputs'][number]] }], 'no value');
    declines([qk, sm, { ...av, outputs: [] }], 'no output');
    declines([{ ...qk, inputs: [tensor([2, 64, 32], 'fp16'), qk.inputs[1] as OpNode['inputs'][number]] }, sm, av], '3-d query');
    declines([{ ...qk, inputs: [qk.inputs[0] as OpNode['inputs'][number], tensor([2, 32, 64], 'fp16')] }, sm, av], '3-d key');
  });

  it('derived energy per FLOP: (TDP - idle) / (0.7 x 16-bit peak) for h100 and h200 (700 W, 70 W, 989 TFLOP/s)', () => {
    for (const preset of ['h100', 'h200']) {
      expect(params(preset).energyPerFlopJ, preset).toBeCloseTo((700 - 70) / (0.7 * 989e12), 24);
      const sources = gpu.presets[preset]?.sources ?? {};
      expect(sources.energyPerFlopJ, preset).toMatch(/700 W TDP - 70 W idle/);
      expect(sources.staticPowerW, preset).toMatch(/idle draw ~70 W/);
    }
    expect(gpu.presets.h100?.sources?.peakFlopsFp8).toMatch(/FP8 and INT8 Tensor Core 3,958 TFLOPS\/TOPS with sparsity, 1,979 dense/);
    expect(gpu.presets.h100?.sources?.peakFlopsFp32).toMatch(/67 TFLOP\/s fp32/);
    expect(gpu.presets.b200?.sources?.staticPowerW).toMatch(/~100 W/);
  });

  it('declares its dtypes, its one fusion (QK^T, softmax, AV), and that idle power may be 0', () => {
    expect(gpu.dtypes).toEqual(['fp32', 'fp16', 'bf16', 'fp8', 'int8']);
    expect(gpu.fusions?.map((f) => [f.id, f.chain])).toEqual([['causal-attention', ['matmul', 'softmax', 'matmul']]]);
    expect(gpu.staticPowerW(params('a100', { staticPowerW: 0 }))).toBe(0);
  });
});

describe('declarations', () => {
  it('every parameter says what it is, in which unit, and cites a source that is no local path; so does every preset', () => {
    for (const [name, s] of Object.entries(gpu.params)) {
      expect(s.description.length, name).toBeGreaterThan(8);
      expect(s.source.length, name).toBeGreaterThan(8);
      expect(s.source, name).not.toMatch(/(^|\s)(\/[\w.-]+\/|\.\.?\/|[A-Z]:\\)/);
      expect(s.unit, name).not.toBe('');
    }
    for (const [name, p] of Object.entries(gpu.presets)) {
      expect(p.description.length, name).toBeGreaterThan(8);
      expect(p.source.length, name).toBeGreaterThan(8);
    }
    expect(gpu.presets[gpu.defaultPreset]).toBeDefined();
  });
});
