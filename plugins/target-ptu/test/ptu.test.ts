import { linearOp, type OpNode, opArithmetic, resolveParams } from '@lightcode/cost-model';
import ptu, { converterEnergies, photonicWork, ptuStaticPowerW } from '@lightcode/target-ptu';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const study = resolveParams('ptu', ptu.params, ptu.presets, 'lightcode-2025');

function linear(m: number, k: number, n: number): OpNode {
  return linearOp(m, k, n, 'fp32');
}

describe('PTU target, device-2025 preset', () => {
  const device = resolveParams('ptu', ptu.params, ptu.presets, 'device-2025');

  it('runs a 12 x 12 crossbar at 5 GHz x 12 wavelengths: 4096^3 takes ceil(4096/12)^2 tiles x ceil(4096/12) cycles', () => {
    const op = linear(4096, 4096, 4096);
    const [r] = ptu.realize(op, opArithmetic(op), device);
    const tiles = Math.ceil(4096 / 12) ** 2;
    const cycles = tiles * Math.ceil(4096 / 12);
    // converters keep up: 144 DACs x 14 GS/s and 144 ADCs x 10 GS/s against 144 samples each per 0.2 ns cycle
    expect(r?.latencyS).toBeCloseTo(cycles / 5e9 + 2 * 10e-9, 12);
  });

  it('lands on the published 0.31 pJ/MAC (4-bit crossbar incl. converters and laser), plus thermal tuning', () => {
    const op = linear(4096, 4096, 4096);
    const [r] = ptu.realize(op, opArithmetic(op), device);
    const macs = 4096 ** 3;
    const laser = (12 * 1.27e-3) / 0.2;
    const tuning = 144 * 1.375e-3;
    expect(ptuStaticPowerW(device)).toBeCloseTo(laser + tuning, 12);
    const latency = r?.latencyS ?? 0;
    const perMac = ((r?.energy.compute ?? 0) + (r?.energy.conversion ?? 0) + laser * latency) / macs;
    expect(perMac / 0.31e-12).toBeGreaterThan(0.97);
    expect(perMac / 0.31e-12).toBeLessThan(1.03);
    expect((tuning * latency) / macs).toBeCloseTo(0.0229e-12, 15);
  });
});

describe('PTU target', () => {
  it("reproduces the study's matmul cost: cycles = ceil(ceil(outputs/20)/1) x K at 9.7 GHz, 0.04 pJ/MAC", () => {
    const op = linear(1024, 768, 768);
    const [r] = ptu.realize(op, opArithmetic(op), study);
    const cycles = Math.ceil(Math.ceil((1024 * 768) / 20) / 1) * 768; // 30,199,296
    expect(cycles).toBe(30_199_296);
    expect(r?.latencyS).toBeCloseTo(cycles / 9.7e9 + 2 * 10e-9, 15);
    expect(r?.energy.compute).toBeCloseTo(1024 * 768 * 768 * 0.04e-12, 18);
    // every input number crosses a DAC once (3.18 pJ), every output an ADC once (1.6 pJ)
    expect(r?.energy.conversion).toBeCloseTo((1024 * 768 + 768 * 768) * 3.18e-12 + 1024 * 768 * 1.6e-12, 15);
  });

  it('crossbar dataflow pays extra DAC and ADC passes for tiling', () => {
    const p = { ...study, dataflow: 'crossbar', crossbarRows: 12, crossbarCols: 12 };
    const w = photonicWork({ batch: 1, m: 10, k: 24, n: 36 }, p);
    // 2 row tiles x 3 column tiles; inputs re-stream per column tile; partial sums leave per row tile
    expect(w.dac).toBe(24 * 36 + 10 * 24 * 3);
    expect(w.adc).toBe(10 * 36 * 2);
    expect(w.cycles).toBe(6 * Math.ceil(10 / 20));
  });

  it('costs are finite, positive and monotone in problem size (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 512 }),
        fc.integer({ min: 1, max: 512 }),
        fc.constantFrom('dot-product-serial', 'crossbar'),
        (m, k, n, dataflow) => {
          const p = { ...study, dataflow };
          const cost = (mm: number) => {
            const op = linear(mm, k, n);
            const [r] = ptu.realize(op, opArithmetic(op), p);
            if (!r) throw new Error('no realization');
            return r;
          };
          const a = cost(m);
          const b = cost(m + 1);
          const total = (r: typeof a) => Object.values(r.energy).reduce((s, v) => s + v, 0);
          expect(Number.isFinite(a.latencyS) && a.latencyS > 0).toBe(true);
          expect(b.latencyS).toBeGreaterThanOrEqual(a.latencyS);
          expect(total(b)).toBeGreaterThan(total(a));
        },
      ),
    );
  });

  it('scales converter energy with bits by the SimPhony laws', () => {
    const four = converterEnergies({ ...study, bits: 4 });
    // DAC: [2^4/5] / [2^8/9] = 3.2 / 28.444; SAR ADC: 4/8
    expect(four.dacJ).toBeCloseTo(3.18e-12 * (16 / 5 / (256 / 9)), 24);
    expect(four.adcJ).toBeCloseTo(1.6e-12 * 0.5, 24);
    expect(converterEnergies({ ...study, bits: 4, adcArchitecture: 'flash' }).adcJ).toBeCloseTo(1.6e-12 * (15 / 255), 24);
    expect(converterEnergies(study)).toEqual({ dacJ: 3.18e-12, adcJ: 1.6e-12 });
  });

  it('lets converter sample rates cap throughput when limited', () => {
    const op = linear(1, 4096, 4096);
    const p = { ...study, converterThroughput: 'limited', dacSampleRateHz: 1e9, dacsPerCore: 1, adcSampleRateHz: 1e9, adcsPerCore: 1 };
    const [r] = ptu.realize(op, opArithmetic(op), p);
    const dac = 4096 + 4096 * 4096; // input row and weights, each once
    expect(r?.latencyS).toBeCloseTo(dac / 1e9 + 2 * 10e-9, 12);
  });

  it('charges laser power through the wall-plug efficiency and ring tuning as static power', () => {
    expect(ptuStaticPowerW(study)).toBe(0);
    const p = { ...study, laserPowerPerWavelengthW: 1.27e-3, ringsPerCore: 144, cores: 2 };
    expect(ptuStaticPowerW(p)).toBeCloseTo((1.27e-3 * 20 * 2) / 0.2 + 144 * 2 * 1.375e-3, 12);
  });

  it('re-reads a crossbar input that does not fit in SRAM on every column-tile pass', () => {
    const p = { ...study, dataflow: 'crossbar', sramBytes: 1000 };
    const op = linear(10, 20, 30); // fp32 input 10 x 20 = 800 B fits, a 10 x 40 one (1600 B) does not
    const big = linear(10, 40, 30);
    const mem = (o: OpNode, q: typeof p) => ptu.realize(o, opArithmetic(o), q)[0]?.energy.memory ?? 0;
    expect(mem(op, p)).toBeCloseTo(mem(op, { ...p, sramBytes: 0 }), 20);
    // ceil(30 / 12) = 3 passes: 2 extra reads of 400 numbers at 160 pJ
    expect(mem(big, p) - mem(big, { ...p, sramBytes: 0 })).toBeCloseTo(2 * 400 * 160e-12, 20);
  });

  it('runs linear algebra only', () => {
    expect([...ptu.opKinds].sort()).toEqual(['linear', 'matmul']);
  });
});
