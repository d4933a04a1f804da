import { type OpNode, opArithmetic, resolveParams, tensor } from '@lightcode/cost-model';
import cpu from '@lightcode/target-cpu';
import { describe, expect, it } from 'vitest';

const study = resolveParams('cpu', cpu.params, cpu.presets, 'lightcode-2025');

describe('CPU target, lightcode-2025 preset', () => {
  it("matmul follows the study's fit t = 6.8457e-11 s x MACs + 8.2583e-7 s, 0.1 pJ/MAC", () => {
    const op: OpNode = {
      id: '0',
      name: 'l',
      kind: 'linear',
      layer: 0,
      attrs: {},
      inputs: [tensor([1, 64, 128], 'fp32')],
      outputs: [tensor([1, 64, 32], 'fp32')],
      weights: [tensor([128, 32], 'fp32')],
    };
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
