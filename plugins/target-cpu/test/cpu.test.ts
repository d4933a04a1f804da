import { linearOp, type OpNode, opArithmetic, resolveParams, tensor } from '@lightcode/cost-model';
import cpu, { cpuPeakFlops } from '@lightcode/target-cpu';
import { describe, expect, it } from 'vitest';

const study = resolveParams('cpu', cpu.params, cpu.presets, 'lightcode-2025');

describe('CPU target, lightcode-2025 preset', () => {
  it("matmul follows the study's fit t = 6.8457e-11 s x MACs + 8.2583e-7 s, 0.1 pJ/MAC", () => {
    const op = linearOp(64, 128, 32, 'fp32');
    const [r] = cpu.realize(op, opArithmetic(op), study);
    const macs = 64 * 128 * 32;
    expect(r?.latencyS).toBeCloseTo(6.8457e-11 * macs + 8.2583e-7, 18);
    expect(r?.energy.compute).toBeCloseTo(macs * 0.1e-12, 20);
  });

  it('softmax costs 6 cycles per element at 3.208 GHz and 1 pJ per cycle', () => {
    const t = tensor([4, 100], 'fp32');
    const op: OpNode = { id: '0', name: 's', kind: 'softmax', layer: 0, attrs: {}, inputs: [t], outputs: [t], weights: [] };
    const [r] = cpu.realize(op, opArithmetic(op), study);
    expect(r?.latencyS).toBeCloseTo((6 * 400) / 3.208e9, 18);
    expect(r?.energy.compute).toBeCloseTo(6 * 400 * 1e-12, 20);
    expect(r?.energy.memory).toBeCloseTo(800 * 160e-12, 18); // 400 read + 400 written at the study's DRAM 160 pJ/number
  });
});

describe('CPU target, xeon-8380 roofline preset', () => {
  const xeon = resolveParams('cpu', cpu.params, cpu.presets, 'xeon-8380');

  it('peaks at 40 cores x 2.3 GHz x 16 lanes x 2 FMA x 2 = 5.89 TFLOP/s', () => {
    expect(cpuPeakFlops(xeon)).toBe(40 * 2.3e9 * 16 * 2 * 2);
  });

  it('prices a GEMM at max(FLOPs / (0.7 peak), bytes / (0.8 x 204.8 GB/s)) + 2 us, 45.8 pJ/FLOP', () => {
    const op = linearOp(512, 768, 3072, 'fp32');
    const [r] = cpu.realize(op, opArithmetic(op), xeon);
    const flops = 2 * 512 * 768 * 3072;
    const bytes = 4 * (512 * 768 + 768 * 3072 + 512 * 3072);
    expect(r?.algorithm).toBe('simd-gemm');
    expect(r?.latencyS).toBeCloseTo(Math.max(flops / (0.7 * 5.888e12), bytes / (0.8 * 204.8e9)) + 2e-6, 15);
    expect(r?.energy.compute).toBeCloseTo(flops * (270 / 5.888e12), 12);
    expect(r?.energy.memory).toBeCloseTo(bytes * 40e-12, 15);
  });

  it('an elementwise op is memory bound', () => {
    const t = tensor([1, 1024, 4096], 'fp32');
    const op: OpNode = { id: '0', name: 'add', kind: 'add', layer: 0, attrs: {}, inputs: [t, t], outputs: [t], weights: [] };
    const [r] = cpu.realize(op, opArithmetic(op), xeon);
    expect(r?.latencyS).toBeCloseTo((3 * 4 * 1024 * 4096) / (0.8 * 204.8e9) + 2e-6, 15);
  });
});

describe('CPU target, xeon-8380-tdp preset (a realistic baseline)', () => {
  const xeon = resolveParams('cpu', cpu.params, cpu.presets, 'xeon-8380-tdp');

  it('draws its 270 W TDP as static power and charges the arithmetic alone: 2.3 pJ/FLOP (4.6 pJ per fp32 FMA)', () => {
    expect(cpu.staticPowerW(xeon)).toBe(270);
    const op = linearOp(512, 768, 3072, 'fp32');
    const [r] = cpu.realize(op, opArithmetic(op), xeon);
    expect(r?.energy.compute).toBeCloseTo(2 * 512 * 768 * 3072 * 2.3e-12, 12);
    // busy at 0.7 of peak, static plus arithmetic is about the TDP
    expect(270 + 0.7 * cpuPeakFlops(xeon) * 2.3e-12).toBeLessThan(280);
  });
});
