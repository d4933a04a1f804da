import {
  linearOp,
  type OpKind,
  type OpNode,
  opArithmetic,
  type ParamValues,
  type Realization,
  resolveParams,
  tensor,
} from '@lightcode/cost-model';
import cpu, { CYCLES_PER_ELEMENT, cpuPeakFlops } from '@lightcode/target-cpu';
import { describe, expect, it } from 'vitest';

/*
 * Every parameter that changes a CPU cost, pinned by its closed form and the
 * direction of the change, in both models: the study's measured fit and
 * cycle counts, and the roofline (compute-bound GEMMs, memory-bound GEMVs and
 * elementwise ops).
 */

const resolve = (preset: string, over: Readonly<Record<string, unknown>> = {}) =>
  resolveParams('cpu', cpu.params, cpu.presets, preset, over);
function realize(op: OpNode, p: ParamValues): Realization {
  const [r] = cpu.realize(op, opArithmetic(op), p);
  if (!r) throw new Error('no realization');
  return r;
}
const unary = (kind: OpKind, shape: number[], dtype: 'fp32' | 'fp16' = 'fp32'): OpNode => {
  const t = tensor(shape, dtype);
  return { id: kind, name: kind, kind, layer: 0, attrs: {}, inputs: [t], outputs: [t], weights: [] };
};

describe('study-fit (lightcode-2025): matmul t = slope x MACs + intercept, other ops cycles / (clock x cores)', () => {
  const p = resolve('lightcode-2025');

  it('matmul at shapes beyond the fit: t = 6.8457e-11 MACs + 8.2583e-7; energy 0.1 pJ/MAC and 160 pJ per number moved', () => {
    for (const [m, k, n] of [
      [1, 768, 50257],
      [1024, 1024, 4096],
      [3, 5, 7],
    ] as const) {
      const r = realize(linearOp(m, k, n, 'fp32'), p);
      expect(r.latencyS).toBeCloseTo(6.8457e-11 * m * k * n + 8.2583e-7, 15);
      expect(r.energy.compute).toBeCloseTo(m * k * n * 0.1e-12, 20);
      expect(r.energy.memory).toBeCloseTo((m * k + k * n + m * n) * 160e-12, 18);
    }
  });

  it('the fit ignores cores and clock; its slope and intercept each move it alone', () => {
    const op = linearOp(64, 256, 128, 'fp32');
    const base = realize(op, p).latencyS;
    expect(realize(op, resolve('lightcode-2025', { cores: 8, clockHz: 1e9 })).latencyS).toBe(base);
    expect(realize(op, resolve('lightcode-2025', { matmulSecondsPerMac: 2 * 6.8457e-11 })).latencyS - base).toBeCloseTo(
      6.8457e-11 * 64 * 256 * 128,
      15,
    );
    expect(realize(op, resolve('lightcode-2025', { matmulFixedS: 0 })).latencyS).toBeCloseTo(base - 8.2583e-7, 15);
  });

  it('cycles per element: 6 for softmax, 4 for GELU and SiLU, 1 otherwise', () => {
    expect(CYCLES_PER_ELEMENT).toEqual({ softmax: 6, gelu: 4, silu: 4 });
    for (const [kind, cycles] of [
      ['softmax', 6],
      ['gelu', 4],
      ['silu', 4],
      ['add', 1],
      ['layernorm', 1],
    ] as const) {
      const r = realize(unary(kind, [3, 1000]), p);
      expect(r.latencyS, kind).toBeCloseTo((cycles * 3000) / 3.208e9, 18);
      expect(r.energy.compute, kind).toBeCloseTo(cycles * 3000 * 1e-12, 20);
    }
  });

  it('cores and clock divide the cycles: 4 cores a quarter, twice the clock half; energy per cycle scales compute energy only', () => {
    const op = unary('gelu', [2, 500]);
    const base = realize(op, p);
    expect(realize(op, resolve('lightcode-2025', { cores: 4 })).latencyS).toBeCloseTo(base.latencyS / 4, 18);
    expect(realize(op, resolve('lightcode-2025', { clockHz: 2 * 3.208e9 })).latencyS).toBeCloseTo(base.latencyS / 2, 18);
    const e = realize(op, resolve('lightcode-2025', { energyPerCycleJ: 3e-12 }));
    expect(e.energy.compute).toBeCloseTo(3 * (base.energy.compute ?? 0), 20);
    expect(e.energy.memory).toBe(base.energy.memory);
    expect(realize(op, resolve('lightcode-2025', { cores: 4 })).energy).toEqual(base.energy);
  });

  it('a KV write counts the elements it is given, not the cache it writes into', () => {
    const input = tensor([1, 12, 1, 64], 'fp32');
    const cache = tensor([1, 12, 1024, 64], 'fp32');
    const op: OpNode = { id: 'kv', name: 'kv', kind: 'kv_write', layer: 0, attrs: {}, inputs: [input], outputs: [cache], weights: [] };
    expect(realize(op, p).latencyS).toBeCloseTo((12 * 64) / 3.208e9, 18);
  });

  it('memory energy is per number moved, whatever its width: fp16 costs as many numbers as fp32', () => {
    const e32 = realize(unary('add', [4, 256], 'fp32'), p).energy.memory;
    const e16 = realize(unary('add', [4, 256], 'fp16'), p).energy.memory;
    expect(e16).toBe(e32);
    expect(realize(unary('add', [4, 256]), resolve('lightcode-2025', { memoryEnergyPerNumberJ: 320e-12 })).energy.memory).toBeCloseTo(
      2 * (e32 ?? 0),
      20,
    );
  });

  it('has no static power unless set', () => {
    expect(cpu.staticPowerW(p)).toBe(0);
    expect(cpu.staticPowerW(resolve('lightcode-2025', { staticPowerW: 12 }))).toBe(12);
  });
});

describe('roofline (xeon-8380): peak = cores x clock x lanes x FMA units x 2', () => {
  const xeon = (over: Readonly<Record<string, unknown>> = {}) => resolve('xeon-8380', over);
  const peak = 40 * 2.3e9 * 16 * 2 * 2;

  it('each factor of the peak scales it linearly; int8 runs int8Speedup times faster, fp16 at the fp32 rate', () => {
    expect(cpuPeakFlops(xeon())).toBe(peak);
    for (const f of [{ cores: 80 }, { clockHz: 4.6e9 }, { simdLanes: 32 }, { fmaUnits: 4 }]) {
      expect(cpuPeakFlops(xeon(f)), JSON.stringify(f)).toBeCloseTo(2 * peak, 0);
    }
    expect(cpuPeakFlops(xeon(), 'int8')).toBe(4 * peak);
    expect(cpuPeakFlops(xeon({ int8Speedup: 2 }), 'int8')).toBe(2 * peak);
    expect(cpuPeakFlops(xeon(), 'fp16')).toBe(peak);
  });

  it('a prefill GEMM is compute bound: 2MKN / (peak x gemmEfficiency) + opOverheadS; more cores, less time', () => {
    const op = linearOp(2048, 4096, 4096, 'fp32');
    const flops = 2 * 2048 * 4096 * 4096;
    const r = realize(op, xeon());
    expect(r.latencyS).toBeCloseTo(flops / (peak * 0.7) + 2e-6, 12);
    expect(realize(op, xeon({ cores: 20 })).latencyS - 2e-6).toBeCloseTo(2 * (r.latencyS - 2e-6), 12);
    expect(realize(op, xeon({ gemmEfficiency: 0.35 })).latencyS - 2e-6).toBeCloseTo(2 * (r.latencyS - 2e-6), 12);
    // neither bandwidth nor the elementwise efficiency matters
    expect(realize(op, xeon({ bandwidthBps: 409.6e9, elementwiseEfficiency: 0.01 })).latencyS).toBe(r.latencyS);
    expect(realize(linearOp(2048, 4096, 4096, 'int8'), xeon()).latencyS).toBeCloseTo(flops / (4 * peak * 0.7) + 2e-6, 12);
  });

  it('a decode GEMV is memory bound: bytes / (bandwidth x efficiency) + opOverheadS; more cores do not help', () => {
    const op = linearOp(1, 4096, 4096, 'fp32');
    const bytes = 4 * (4096 + 4096 * 4096 + 4096);
    const r = realize(op, xeon());
    expect(r.latencyS).toBeCloseTo(bytes / (204.8e9 * 0.8) + 2e-6, 12);
    expect(realize(op, xeon({ cores: 80 })).latencyS).toBe(r.latencyS);
    expect(realize(op, xeon({ bandwidthBps: 409.6e9 })).latencyS - 2e-6).toBeCloseTo((r.latencyS - 2e-6) / 2, 12);
    expect(realize(op, xeon({ bandwidthEfficiency: 0.4 })).latencyS - 2e-6).toBeCloseTo(2 * (r.latencyS - 2e-6), 12);
  });

  it('elementwise ops run at peak x elementwiseEfficiency when compute bound (softmax on a tiny bandwidth-rich core)', () => {
    const op = unary('softmax', [64, 4096]);
    const a = opArithmetic(op);
    const p = xeon({ cores: 1, bandwidthBps: 1e15 });
    expect(realize(op, p).latencyS).toBeCloseTo(a.flops / (2.3e9 * 16 * 2 * 2 * 0.25) + 2e-6, 12);
    expect(realize(op, xeon({ cores: 1, bandwidthBps: 1e15, elementwiseEfficiency: 0.5 })).latencyS - 2e-6).toBeCloseTo(
      (realize(op, p).latencyS - 2e-6) / 2,
      12,
    );
  });

  it('opOverheadS adds to every op', () => {
    for (const op of [linearOp(1, 64, 64, 'fp32'), unary('add', [8, 8])]) {
      expect(realize(op, xeon({ opOverheadS: 1e-3 })).latencyS - realize(op, xeon({ opOverheadS: 0 })).latencyS).toBeCloseTo(1e-3, 15);
    }
  });

  it('energy: FLOPs x energyPerFlopJ and bytes x energyPerByteJ, each scaling alone', () => {
    const op = linearOp(256, 512, 512, 'fp32');
    const a = opArithmetic(op);
    const r = realize(op, xeon());
    expect(r.energy.compute).toBeCloseTo(a.flops * (270 / peak), 15);
    expect(r.energy.memory).toBeCloseTo((a.bytesRead + a.bytesWritten) * 40e-12, 18);
    const f = realize(op, xeon({ energyPerFlopJ: 1e-12 }));
    expect(f.energy.compute).toBeCloseTo(a.flops * 1e-12, 18);
    expect(f.energy.memory).toBe(r.energy.memory);
    const b = realize(op, xeon({ energyPerByteJ: 80e-12 }));
    expect(b.energy.memory).toBeCloseTo(2 * (r.energy.memory ?? 0), 18);
    expect(b.energy.compute).toBe(r.energy.compute);
  });

  it('xeon-8380-tdp: the roofline of xeon-8380 with 270 W static and 2.3 pJ/FLOP, at a decode shape', () => {
    const tdp = resolve('xeon-8380-tdp');
    const op = linearOp(1, 4096, 11008, 'fp32');
    expect(realize(op, tdp).latencyS).toBe(realize(op, xeon()).latencyS);
    expect(realize(op, tdp).energy.compute).toBeCloseTo(2 * 4096 * 11008 * 2.3e-12, 15);
    expect(cpu.staticPowerW(tdp)).toBe(270);
    expect(cpu.staticPowerW(xeon())).toBe(0);
  });
});

describe('what each model calls its kernels, and which ops count as products', () => {
  it('a batched matmul is priced as a product (the fit, or the GEMM roofline), not per element', () => {
    const a = tensor([2, 4, 8, 16], 'fp32');
    const b = tensor([2, 4, 16, 32], 'fp32');
    const mm: OpNode = {
      id: 'mm',
      name: 'mm',
      kind: 'matmul',
      layer: 0,
      attrs: {},
      inputs: [a, b],
      outputs: [tensor([2, 4, 8, 32], 'fp32')],
      weights: [],
    };
    const macs = 8 * 8 * 16 * 32;
    const study = realize(mm, resolve('lightcode-2025'));
    expect(study.algorithm).toBe('linear-fit');
    expect(study.latencyS).toBeCloseTo(6.8457e-11 * macs + 8.2583e-7, 15);
    const roof = realize(mm, resolve('xeon-8380'));
    expect(roof.algorithm).toBe('simd-gemm');
    expect(roof.latencyS).toBeGreaterThanOrEqual((2 * macs) / (40 * 2.3e9 * 16 * 2 * 2 * 0.7) + 2e-6);
    expect(realize(linearOp(8, 16, 32, 'fp32'), resolve('lightcode-2025')).algorithm).toBe('linear-fit');
    expect(realize(unary('add', [4]), resolve('lightcode-2025')).algorithm).toBe('scalar-loop');
    expect(realize(unary('add', [4]), resolve('xeon-8380')).algorithm).toBe('simd-loop');
  });

  it('cycles count the outputs an op writes, not its inputs (an add of two tensors writes one)', () => {
    const t = tensor([10, 10], 'fp32');
    const add: OpNode = { id: 'a', name: 'a', kind: 'add', layer: 0, attrs: {}, inputs: [t, t], outputs: [t], weights: [] };
    expect(realize(add, resolve('lightcode-2025')).latencyS).toBeCloseTo(100 / 3.208e9, 18);
  });

  it('runs fp32, fp16, bf16 and int8, and holds int4 weights too', () => {
    expect(cpu.dtypes).toEqual(['fp32', 'fp16', 'bf16', 'int8']);
    expect(cpu.formats?.(resolve('lightcode-2025'))).toEqual({
      compute: ['fp32', 'fp16', 'bf16', 'int8'],
      storage: ['fp32', 'fp16', 'bf16', 'int8', 'int4'],
    });
  });

  it('counts are integers; idle power, memory energy and overheads may be 0', () => {
    for (const name of ['cores', 'simdLanes', 'fmaUnits']) {
      expect(() => resolve('xeon-8380', { [name]: 2.5 }), name).toThrow(new RegExp(name));
    }
    for (const name of ['staticPowerW', 'memoryEnergyPerNumberJ', 'matmulFixedS', 'opOverheadS', 'energyPerByteJ']) {
      expect(resolve('xeon-8380', { [name]: 0 })[name], name).toBe(0);
    }
  });

  it('xeon-8380-tdp cites the TDP for its static power and Horowitz for its energy per FLOP', () => {
    const sources = cpu.presets['xeon-8380-tdp']?.sources ?? {};
    expect(sources.staticPowerW).toMatch(/TDP 270 W/);
    expect(sources.energyPerFlopJ).toMatch(/Horowitz, ISSCC 2014/);
  });
});

describe('declarations', () => {
  it('every parameter says what it is, in which unit, and cites a source that is no local path; so does every preset', () => {
    for (const [name, s] of Object.entries(cpu.params)) {
      expect(s.description.length, name).toBeGreaterThan(8);
      expect(s.source.length, name).toBeGreaterThan(8);
      expect(s.source, name).not.toMatch(/(^|\s)(\/[\w.-]+\/|\.\.?\/|[A-Z]:\\)/);
      expect(s.unit, name).not.toBe('');
    }
    for (const [name, p] of Object.entries(cpu.presets)) {
      expect(p.description.length, name).toBeGreaterThan(8);
      expect(p.source.length, name).toBeGreaterThan(8);
    }
    expect(cpu.presets[cpu.defaultPreset]).toBeDefined();
  });
});
