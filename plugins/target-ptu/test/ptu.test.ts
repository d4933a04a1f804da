import {
  linearOp,
  type OpNode,
  opArithmetic,
  type ParamValues,
  type Realization,
  resolveParams,
  resolveSystem,
  UserError,
} from '@lightcode/cost-model';
import ptu, {
  bufferPlan,
  converterEnergies,
  fullLoadDynamicPowerW,
  insertionLossDb,
  LIGHTMATTER_ELECTRONICS_W,
  linkBudgetLaserW,
  minBufferBytes,
  photonicWork,
  ptuStaticPowerW,
  slicing,
  staticPowerBreakdown,
} from '@lightcode/target-ptu';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const resolve = (preset: string, over: Readonly<Record<string, unknown>> = {}) =>
  resolveParams('ptu', ptu.params, ptu.presets, preset, over, ptu.validate);
const study = resolve('lightcode-2025');
const device = resolve('device-2025');
const thermal = resolve('mrr-thermal-2025');
const lightmatter = resolve('lightmatter-2025');

function linear(m: number, k: number, n: number, dtype: 'fp32' | 'fp16' | 'int8' | 'int4' = 'fp32'): OpNode {
  return linearOp(m, k, n, dtype);
}

function realize(op: OpNode, p: ParamValues): Realization {
  const [r] = ptu.realize(op, opArithmetic(op), p);
  if (!r) throw new Error('no realization');
  return r;
}

const total = (r: Realization) => Object.values(r.energy).reduce((s, v) => s + v, 0);
/** Energy of an op with the unit's static power over its latency: what it costs to run it alone. */
const withStatic = (r: Realization, p: ParamValues) => total(r) + ptuStaticPowerW(p) * r.latencyS;
/** Joules per MAC of the named components. */
function perMac(r: Realization, macs: number, ...names: string[]): number {
  return (r.components ?? []).filter((c) => names.includes(c.name)).reduce((s, c) => s + c.energyJ, 0) / macs;
}

describe("the study's PTU (lightcode-2025), as published", () => {
  it("reproduces the study's matmul cost: cycles = ceil(ceil(outputs/20)/1) x K at 9.7 GHz, 0.04 pJ/MAC", () => {
    const op = linear(1024, 768, 768);
    const r = realize(op, study);
    const cycles = Math.ceil(Math.ceil((1024 * 768) / 20) / 1) * 768; // 30,199,296
    expect(cycles).toBe(30_199_296);
    expect(r.latencyS).toBeCloseTo(cycles / 9.7e9 + 2 * 10e-9, 15);
    expect(r.energy.compute).toBeCloseTo(1024 * 768 * 768 * 0.04e-12, 18);
    // every input number crosses a DAC once (3.18 pJ), every output an ADC once (1.6 pJ)
    expect(r.energy.conversion).toBeCloseTo((1024 * 768 + 768 * 768) * 3.18e-12 + 1024 * 768 * 1.6e-12, 15);
    expect(Object.keys(r.energy).sort()).toEqual(['compute', 'conversion', 'memory']);
  });

  it('once-per-number counting: DAC = B (M K + K N), ADC = B M N, on either dataflow', () => {
    for (const dataflow of ['dot-product-serial', 'crossbar']) {
      const w = photonicWork({ batch: 2, m: 10, k: 24, n: 36 }, { ...study, dataflow });
      expect(w.dac).toBe(2 * (10 * 24 + 24 * 36));
      expect(w.adc).toBe(2 * 10 * 36);
    }
  });

  it('states its counting, buffer, laser and bandwidth choices as the study’s, with their reasons', () => {
    const preset = ptu.presets['lightcode-2025'];
    expect(preset?.values).toEqual({
      conversionCounting: 'once-per-number',
      weightEncoding: 'electro-optic',
      laserModel: 'per-wavelength',
      sramBytes: 0,
      memoryBandwidthBps: 0,
      precision: 'ignore',
    });
    for (const name of Object.keys(preset?.values ?? {})) expect(preset?.sources?.[name]).toMatch(/the study .*RyanTomich\/LightCode/);
    expect(ptu.params.conversionCounting?.description).toMatch(/once-per-number \(the study's counting\)/);
  });

  it('scales converter energy with bits by the SimPhony laws', () => {
    const four = converterEnergies({ ...study, bits: 4 });
    // DAC: [2^4/5] / [2^8/9] = 3.2 / 28.444; SAR ADC: 4/8
    expect(four.dacJ).toBeCloseTo(3.18e-12 * (16 / 5 / (256 / 9)), 24);
    expect(four.adcJ).toBeCloseTo(1.6e-12 * 0.5, 24);
    expect(converterEnergies({ ...study, bits: 4, adcArchitecture: 'flash' }).adcJ).toBeCloseTo(1.6e-12 * (15 / 255), 24);
    expect(converterEnergies(study)).toEqual({ dacJ: 3.18e-12, adcJ: 1.6e-12 });
  });

  it("scales DAC energy by Lightening-Transformer's law: x [2^b/b] / [2^b0/b0]", () => {
    expect(converterEnergies({ ...study, bits: 4, dacScaling: 'lightening-transformer' }).dacJ).toBeCloseTo(
      3.18e-12 * (16 / 4 / (256 / 8)),
      24,
    );
  });

  it('lets converter sample rates cap throughput when limited', () => {
    const op = linear(1, 4096, 4096);
    const p = { ...study, converterThroughput: 'limited', dacSampleRateHz: 1e9, dacsPerCore: 1, adcSampleRateHz: 1e9, adcsPerCore: 1 };
    const dac = 4096 + 4096 * 4096; // input row and weights, each once
    expect(realize(op, p).latencyS).toBeCloseTo(dac / 1e9 + 2 * 10e-9, 12);
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
          const a = realize(linear(m, k, n), p);
          const b = realize(linear(m + 1, k, n), p);
          expect(Number.isFinite(a.latencyS) && a.latencyS > 0).toBe(true);
          expect(b.latencyS).toBeGreaterThanOrEqual(a.latencyS);
          expect(total(b)).toBeGreaterThan(total(a));
        },
      ),
    );
  });

  it('runs linear algebra only', () => {
    expect([...ptu.opKinds].sort()).toEqual(['linear', 'matmul']);
  });
});

describe('conversions as the dataflow needs them (per-cycle)', () => {
  const d = { batch: 2, m: 10, k: 24, n: 36 };
  const perCycle = { ...study, conversionCounting: 'per-cycle' };

  it('dot-product-serial holds nothing: DAC = 2 B M N K, ADC = B M N, detector samples = B M N K', () => {
    const w = photonicWork(d, perCycle);
    expect(w.dac).toBe(2 * 2 * 10 * 36 * 24);
    expect(w.adc).toBe(2 * 10 * 36);
    expect(w.detected).toBe(2 * 10 * 36 * 24);
  });

  it('crossbar, electro-optic weights: DAC = B (M K ceil(N/C) + K N ceil(M/L)), ADC = B M N ceil(K/R)', () => {
    const w = photonicWork(d, { ...perCycle, dataflow: 'crossbar', wavelengths: 4 });
    // 2 row tiles x 3 column tiles; inputs re-modulated per column tile, weights every cycle (ceil(10/4) = 3 row blocks)
    expect(w.dac).toBe(2 * (10 * 24 * 3 + 24 * 36 * 3));
    expect(w.weightDac).toBe(2 * 24 * 36 * 3);
    expect(w.adc).toBe(2 * 10 * 36 * 2);
    expect(w.modulated).toBe(w.dac);
    expect(w.cycles).toBe(2 * 6 * 3);
  });

  it('crossbar, held weights: DAC = B (M K ceil(N/C) + K N loads per tile), the weights set once per tile load', () => {
    const w = photonicWork({ batch: 1, m: 10, k: 24, n: 36 }, { ...perCycle, dataflow: 'crossbar', weightEncoding: 'thermal' });
    expect(w.dac).toBe(24 * 36 + 10 * 24 * 3);
    expect(w.adc).toBe(10 * 36 * 2);
    expect(w.modulated).toBe(10 * 24 * 3); // only inputs are modulated; weights drive heaters
    expect(w.cycles).toBe(6 * Math.ceil(10 / 20));
  });

  it('device-2025 sizes its converters as the dataflow needs: (H + W) x wavelengths = 288 DACs, H x W = 144 ADCs per core', () => {
    expect(device.dacsPerCore).toBe((12 + 12) * 12);
    expect(device.adcsPerCore).toBe(12 * 12);
    // one full cycle on one core: 288 DAC samples, 144 ADC samples
    const w = photonicWork({ batch: 1, m: 12, k: 12, n: 12 }, device);
    expect([w.cycles, w.dac, w.adc]).toEqual([1, 288, 144]);
  });
});

describe('weight loading', () => {
  it('tile loads = B ceil(K/R) ceil(N/C); one core loads B ceil(tiles/cores) in series, each at weightReloadTimeS', () => {
    const p = { ...thermal, cores: 4 };
    const w = photonicWork({ batch: 2, m: 100, k: 100, n: 50 }, p);
    const tiles = Math.ceil(100 / 12) * Math.ceil(50 / 12); // 9 x 5
    expect(w.tileLoads).toBe(2 * tiles);
    expect(w.reloadsInSeries).toBe(2 * Math.ceil(tiles / 4));
    const op = linearOp(100, 100, 50, 'int4', 'l', 2); // 4-bit work: one pass on the 4-bit core
    const r = realize(op, p);
    const noReload = realize(op, { ...p, weightReloadTimeS: 0 });
    expect(r.latencyS - noReload.latencyS).toBeCloseTo(2 * Math.ceil(tiles / 4) * 4e-6, 15);
  });

  it('reuses a tile across every row that streams through it: the loads do not grow with M', () => {
    expect(photonicWork({ batch: 1, m: 1, k: 4096, n: 4096 }, thermal).tileLoads).toBe(342 * 342);
    expect(photonicWork({ batch: 1, m: 2048, k: 4096, n: 4096 }, thermal).tileLoads).toBe(342 * 342);
  });

  it("charges weightReloadEnergyJ per tile load (energy kind 'other', component 'weight load')", () => {
    const r = realize(linear(24, 24, 24, 'int4'), { ...thermal, weightReloadEnergyJ: 1e-9 });
    expect(r.energy.other).toBeCloseTo(4 * 1e-9, 20);
    expect(r.components?.find((c) => c.name === 'weight load')?.energyJ).toBeCloseTo(4 * 1e-9, 20);
  });

  it('electro-optic weights never reload', () => {
    const w = photonicWork({ batch: 1, m: 2048, k: 4096, n: 4096 }, device);
    expect([w.tileLoads, w.reloadsInSeries]).toEqual([0, 0]);
  });
});

describe('laser power budget', () => {
  it('insertion loss = modulator + 2 WDM rings + splitter x ceil(log2(max(L, C))) + splitter + phase shifter + coupler', () => {
    expect(insertionLossDb(device)).toBeCloseTo(1.2 + 2 * 0.93 + 0.1 * 4 + 0.1 + 0.33 + 0.33, 12);
  });

  it('P = 10^((sensitivity + loss + 10 log10(L C)) / 10) mW / wall-plug x 2^bits: 96 mW at 4 bit, 1.54 W at 8 bit for 12 x 12', () => {
    const dbm = -25 + 4.22 + 10 * Math.log10(144);
    expect(linkBudgetLaserW(device)).toBeCloseTo(((10 ** (dbm / 10) * 1e-3) / 0.2) * 16, 12);
    // Lightening-Transformer's laser model, photonic_crossbar.py cal_laser_power
    expect(linkBudgetLaserW(device)).toBeCloseTo(0.0963, 4);
    expect(linkBudgetLaserW({ ...device, bits: 8 })).toBeCloseTo(1.54, 3);
    expect(staticPowerBreakdown({ ...device, cores: 3 }).laserW).toBeCloseTo(3 * linkBudgetLaserW(device), 12);
  });

  it('per-wavelength model: P = power per wavelength x wavelengths x cores / wall-plug, plus ring tuning, as static power', () => {
    expect(ptuStaticPowerW(study)).toBe(0);
    const p = { ...study, laserPowerPerWavelengthW: 1.27e-3, ringsPerCore: 144, cores: 2 };
    expect(ptuStaticPowerW(p)).toBeCloseTo((1.27e-3 * 20 * 2) / 0.2 + 144 * 2 * 1.375e-3, 12);
  });
});

describe('buffer and memory', () => {
  it('sramBytes 0: every operand is read once and the output written once', () => {
    const op = linear(2048, 4096, 4096, 'fp16');
    expect(bufferPlan({ batch: 1, m: 2048, k: 4096, n: 4096 }, { ...device, sramBytes: 0 }).schedule).toBe('resident');
    const r = realize(op, { ...device, sramBytes: 0 });
    const a = opArithmetic(op);
    expect(r.energy.memory).toBeCloseTo((a.bytesRead + a.bytesWritten) * 31.2e-12, 15);
  });

  it('memory energy is 62.4 pJ per 16-bit word on device-2025', () => {
    const op = linear(12, 12, 12, 'fp16'); // fits: 3 x 144 words
    expect(realize(op, device).energy.memory).toBeCloseTo(3 * 144 * 62.4e-12, 20);
    expect(realize(linear(12, 12, 12, 'fp32'), device).energy.memory).toBeCloseTo(3 * 144 * 2 * 62.4e-12, 20);
  });

  it('stream-inputs: a held tile is loaded once and X re-read per column tile, extra = B M K (ceil(N/C) - 1)', () => {
    // 8-bit on chip; one 12 x 12 tile with a 20-row input block and its partial sums needs 144 + 240 + 240 B
    const p = { ...study, dataflow: 'crossbar', sramBytes: 700 };
    expect(minBufferBytes(p)).toBe(624);
    const mem = (o: OpNode, q: ParamValues) => realize(o, q).energy.memory ?? 0;
    // X = 10 x 20 = 200 B fits beside the tile; 10 x 80 = 800 B does not
    expect(mem(linear(10, 20, 30), p)).toBeCloseTo(mem(linear(10, 20, 30), { ...p, sramBytes: 0 }), 20);
    const big = linear(10, 80, 30);
    // ceil(30 / 12) = 3 passes: 2 extra reads of 800 numbers at 160 pJ
    expect(mem(big, p) - mem(big, { ...p, sramBytes: 0 })).toBeCloseTo(2 * 800 * 160e-12, 20);
  });

  it('spills partial sums that do not fit: extra 2 B M N (ceil(K/R) - 1)', () => {
    const p = { ...thermal, sramBytes: 4096 };
    const d = { batch: 1, m: 1000, k: 24, n: 24 };
    // 1000 x 12 partial sums at 4 bit = 6000 B > 4096: spilled once per extra row tile
    const plan = bufferPlan(d, p);
    expect(plan.schedule).toBe('stream-inputs');
    expect(plan.spilledNumbers).toBe(2 * 1000 * 24 * (2 - 1));
    expect(plan.extraNumbers).toBe(1000 * 24 * (2 - 1) + 2 * 1000 * 24);
  });

  it('row-blocked (electro-optic): L floor(rowsFit / L) rows per block, W read once per block, extra = B K N (blocks - 1)', () => {
    const d = { batch: 1, m: 2048, k: 4096, n: 4096 };
    const plan = bufferPlan(d, device);
    const rowsFit = Math.floor((2 * 2 ** 20 - 0.5 * 144) / (0.5 * (4096 + 12)));
    const rows = Math.floor(rowsFit / 12) * 12;
    expect(plan.schedule).toBe('row-blocked');
    expect(plan.rowsPerBlock).toBe(rows);
    expect(plan.extraNumbers).toBe(4096 * 4096 * (Math.ceil(2048 / rows) - 1));
  });

  it('dot-product-serial holds lines of one operand and streams the other: extra = min(K N (ceil(M/lines) - 1), M K (ceil(N/lines) - 1))', () => {
    const p = { ...study, sramBytes: 5 * 100 }; // 8 bit: 5 lines of K = 100, one streams
    const plan = bufferPlan({ batch: 1, m: 30, k: 100, n: 50 }, p);
    expect(plan.extraNumbers).toBe(Math.min(100 * 50 * (Math.ceil(30 / 4) - 1), 30 * 100 * (Math.ceil(50 / 4) - 1)));
  });

  it('an op whose operands cannot stream fast enough is memory-bound: latency = bytes / memoryBandwidthBps + conversion delay', () => {
    const op = linear(1, 4096, 4096, 'fp16'); // one token: 33.6 MB of weights for 16.8 M MACs
    const r = realize(op, { ...device, precision: 'ignore' }); // one pass, whatever the format
    const a = opArithmetic(op);
    expect(r.latencyS).toBeCloseTo((a.bytesRead + a.bytesWritten) / 1e12 + 2 * 10e-9, 12);
    expect(r.latencyS).toBeGreaterThan(photonicWork({ batch: 1, m: 1, k: 4096, n: 4096 }, device).cycles / 5e9);
  });
});

describe("Lightening-Transformer's crossbar (device-2025)", () => {
  // Lightening-Transformer's figures are for 4-bit operands: one pass on its 4-bit core
  const op = linear(1200, 1200, 1200, 'int4');
  const macs = 1200 ** 3;

  it('runs a 12 x 12 crossbar at 5 GHz x 12 wavelengths: 4096^3 takes ceil(4096/12)^2 tiles x ceil(4096/12) cycles', () => {
    const big = linear(4096, 4096, 4096, 'int4');
    const cycles = Math.ceil(4096 / 12) ** 2 * Math.ceil(4096 / 12);
    // converters keep up: 288 DACs x 14 GS/s and 144 ADCs x 10 GS/s against 288 and 144 samples per 0.2 ns cycle
    expect(realize(big, device).latencyS).toBeCloseTo(cycles / 5e9 + 2 * 10e-9, 12);
  });

  it('reproduces its 4-bit breakdown, 0.309 pJ/MAC = laser 0.011 + DAC 0.074 + modulators 0.093 + ADC 0.062 + detectors and TIAs 0.068, each within 5 %', () => {
    const r = realize(op, device);
    const parts: [string, number][] = [
      ['laser', 0.011e-12],
      ['DAC', 0.074e-12],
      ['modulator', 0.093e-12],
      ['ADC', 0.062e-12],
      ['photodetector and TIA', 0.068e-12],
    ];
    for (const [name, figure] of parts) expect(Math.abs(perMac(r, macs, name) / figure - 1), name).toBeLessThan(0.05);
    const core = perMac(r, macs, ...parts.map(([n]) => n));
    expect(Math.abs(core / 0.309e-12 - 1)).toBeLessThan(0.05);
  });

  it('reproduces its 8-bit total, 1.06 pJ/MAC, within 10 %', () => {
    const r = realize(linear(1200, 1200, 1200, 'int8'), resolve('device-2025', { bits: 8 }));
    const core = perMac(r, macs, 'laser', 'DAC', 'modulator', 'ADC', 'photodetector and TIA');
    expect(Math.abs(core / 1.06e-12 - 1)).toBeLessThan(0.1);
  });

  it("full-load core power is Lightening-Transformer's cal_core_power: 2.669 W = 96 mW laser + 643 mW DACs + 806 mW modulators + 533 mW ADCs + 590 mW detectors", () => {
    expect(fullLoadDynamicPowerW(device) + linkBudgetLaserW(device)).toBeCloseTo(0.0963 + 0.6429 + 0.8064 + 0.5328 + 0.5904, 3);
  });
});

describe("a unit sized like Lightmatter's processor (lightmatter-2025)", () => {
  // the published figures are for work its analog path resolves in one pass: 8-bit numbers on its 8-bit path
  const op = linear(2048, 4096, 4096, 'int8');
  const macs = 2048 * 4096 * 4096;

  it('runs 4 x 128 x 128 MACs per 2 ns cycle: 65.5 TOPS at 2 operations per MAC', () => {
    const peak = 4 * 128 * 128 * 500e6;
    expect((2 * peak) / 1e12).toBeCloseTo(65.5, 1);
    expect(macs / realize(op, lightmatter).latencyS / peak).toBeGreaterThan(0.99);
  });

  it('lands within 2x of its measured 2.4 pJ/MAC; device physics alone (no electronics) is a lower bound below it', () => {
    const r = realize(op, lightmatter);
    const all = withStatic(r, lightmatter) / macs;
    expect(all / 2.4e-12).toBeGreaterThan(0.5);
    expect(all / 2.4e-12).toBeLessThan(2);
    const devicesOnly = (withStatic(r, lightmatter) - LIGHTMATTER_ELECTRONICS_W * r.latencyS) / macs;
    expect(devicesOnly).toBeLessThan(2.4e-12);
    expect(LIGHTMATTER_ELECTRONICS_W).toBeCloseTo(78 - fullLoadDynamicPowerW({ ...lightmatter, staticPowerW: 0 }), 9);
  });

  it('its laser budget asks for optical power within 2x of the published 1.6 W', () => {
    const optical = staticPowerBreakdown(lightmatter).laserW * (lightmatter.wallPlugEfficiency as number);
    expect(optical / 1.6).toBeGreaterThan(0.5);
    expect(optical / 1.6).toBeLessThan(2);
  });
});

const PRESETS = ['lightcode-2025', 'device-2025', 'mrr-thermal-2025', 'lightmatter-2025'] as const;
const shape = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  m: fc.integer({ min: 1, max: 3000 }),
  k: fc.integer({ min: 1, max: 3000 }),
  n: fc.integer({ min: 1, max: 3000 }),
});
const op = (s: { batch: number; m: number; k: number; n: number }, dtype: 'fp16' | 'fp32' = 'fp16') =>
  linearOp(s.m, s.k, s.n, dtype, 'l', s.batch);

describe('component breakdown', () => {
  it('sums exactly to the realization’s energy, kind by kind; static components are static power over the latency (property)', () => {
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom(...PRESETS),
        fc.constantFrom('fp16', 'fp32') as fc.Arbitrary<'fp16' | 'fp32'>,
        (s, preset, dtype) => {
          const p = resolve(preset);
          const r = realize(op(s, dtype), p);
          const byKind: Record<string, number> = {};
          let staticJ = 0;
          for (const c of r.components ?? []) {
            if (c.kind === 'static') staticJ += c.energyJ;
            else byKind[c.kind] = (byKind[c.kind] ?? 0) + c.energyJ;
          }
          for (const [kind, j] of Object.entries(byKind)) expect((r.energy as Record<string, number>)[kind] ?? 0, kind).toBe(j);
          for (const kind of Object.keys(r.energy)) expect(byKind[kind], kind).toBeDefined();
          expect(staticJ).toBeCloseTo(ptuStaticPowerW(p) * r.latencyS, 12);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('physics is monotone (property)', () => {
  const DEVICE_PRESETS = ['device-2025', 'mrr-thermal-2025', 'lightmatter-2025'] as const;
  const never = (cheaper: Realization, dearer: Realization, p: ParamValues, q: ParamValues) => {
    expect(withStatic(dearer, q)).toBeGreaterThanOrEqual(withStatic(cheaper, p) * (1 - 1e-12));
    expect(dearer.latencyS).toBeGreaterThanOrEqual(cheaper.latencyS * (1 - 1e-12));
  };

  it('a smaller buffer never makes an op cheaper', () => {
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom(...DEVICE_PRESETS),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (s, preset, a, b) => {
          const p = resolve(preset);
          const lo = minBufferBytes(p);
          const size = (x: number) => Math.ceil(lo + x * x * 8 * 2 ** 20);
          const [small, large] = [size(Math.min(a, b)), size(Math.max(a, b))];
          const ps = { ...p, sramBytes: small };
          const pl = { ...p, sramBytes: large };
          never(realize(op(s), pl), realize(op(s), ps), pl, ps);
          // 0: not modelled, every operand read once: the cheapest of all
          never(realize(op(s), { ...p, sramBytes: 0 }), realize(op(s), pl), { ...p, sramBytes: 0 }, pl);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a lossier crossbar never makes an op cheaper', () => {
    const losses = ['modulatorLossDb', 'wdmLossDb', 'splitterLossDb', 'phaseShifterLossDb', 'couplerLossDb'] as const;
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom(...DEVICE_PRESETS),
        fc.constantFrom(...losses),
        fc.double({ min: 0, max: 10, noNaN: true }),
        (s, preset, loss, extra) => {
          const p = resolve(preset);
          const q = { ...p, [loss]: (p[loss] as number) + extra };
          never(realize(op(s), p), realize(op(s), q), p, q);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('more bits per pass never make a product cheaper when it takes one pass at either (precision ignored)', () => {
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom(...DEVICE_PRESETS),
        fc.integer({ min: 1, max: 15 }),
        fc.constantFrom('sar', 'flash'),
        fc.constantFrom('simphony', 'lightening-transformer'),
        (s, preset, bits, adcArchitecture, dacScaling) => {
          const base = { ...resolve(preset), adcArchitecture, dacScaling, precision: 'ignore' };
          const p = { ...base, bits };
          const q = { ...base, bits: bits + 1 };
          never(realize(op(s), p), realize(op(s), q), p, q);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('precision: bit-slicing (a PTU resolves `bits` per pass)', () => {
  const ceil = Math.ceil;
  // significant bits: int4 4, int8 8, fp8 E4M3 1 + 4, bf16 1 + 8, fp16 1 + 11, fp32 1 + 24
  const BITS = { int4: 4, int8: 8, fp8: 5, bf16: 9, fp16: 12, fp32: 25 } as const;
  type Fmt = keyof typeof BITS;
  const product = (x: Fmt, w: Fmt, m = 10, k = 24, n = 36, batch = 1): OpNode => {
    const op = linearOp(m, k, n, x, 'l', batch);
    return { ...op, weights: [{ shape: [k, n], dtype: w }] };
  };

  it('passes = ceil(b_x / bits) x ceil(b_w / bits), each operand at its own format', () => {
    for (const x of Object.keys(BITS) as Fmt[]) {
      for (const w of Object.keys(BITS) as Fmt[]) {
        for (const bits of [1, 3, 4, 8, 12, 16]) {
          const sl = slicing(product(x, w), { ...device, bits });
          expect([sl.inputSlices, sl.weightSlices, sl.passes], `${x} x ${w} at ${bits} bit`).toEqual([
            ceil(BITS[x] / bits),
            ceil(BITS[w] / bits),
            ceil(BITS[x] / bits) * ceil(BITS[w] / bits),
          ]);
        }
      }
    }
    // fp16 on the 4-bit device-2025: 3 x 3 = 9 passes; int4 weights under fp16 activations: 3 x 1
    expect(slicing(product('fp16', 'fp16'), device).passes).toBe(9);
    expect(slicing(product('fp16', 'int4'), device).passes).toBe(3);
    expect(slicing(product('fp8', 'fp8'), device).passes).toBe(4);
    expect(slicing(product('fp16', 'fp16'), lightmatter).passes).toBe(4);
    // a matmul's second operand is its second input (keys and values)
    const qk: OpNode = {
      ...linearOp(1, 128, 64, 'fp16', 'qk'),
      kind: 'matmul',
      weights: [],
      inputs: [
        { shape: [1, 1, 128], dtype: 'fp16' },
        { shape: [1, 128, 64], dtype: 'fp8' },
      ],
    };
    expect(slicing(qk, device).passes).toBe(3 * 2);
  });

  it("the study's preset ignores precision: one pass, whatever the format", () => {
    expect(study.precision).toBe('ignore');
    expect(ptu.presets['lightcode-2025']?.sources?.precision).toMatch(/the study ignores precision/);
    expect(slicing(product('fp32', 'fp32'), { ...study, bits: 4 }).passes).toBe(1);
    expect(realize(product('fp16', 'fp16'), study)).toEqual(realize(product('fp16', 'fp16'), { ...study, precision: 'ignore' }));
  });

  it('once-per-number: DAC = s_x B M K + s_w B K N, ADC = P B M N, cycles and MACs x P', () => {
    const p = { ...study, bits: 4, precision: 'bit-slice' };
    const [B, M, K, N] = [2, 10, 24, 36];
    const op = product('fp16', 'int8', M, K, N, B); // s_x = 3, s_w = 2, P = 6
    const r = realize(op, p);
    const one = realize(op, { ...p, precision: 'ignore' });
    const { dacJ, adcJ } = converterEnergies(p);
    expect(r.energy.conversion).toBeCloseTo((3 * B * M * K + 2 * B * K * N) * dacJ + 6 * B * M * N * adcJ, 20);
    expect(r.energy.compute).toBeCloseTo(6 * B * M * K * N * 0.04e-12, 24);
    const cycles = ceil(ceil((B * M * N) / 20) / 1) * K;
    expect(r.latencyS).toBeCloseTo((6 * cycles) / 9.7e9 + 2 * 10e-9, 15);
    // memory: the numbers as stored, read once, whatever the slicing
    expect(r.energy.memory).toBe(one.energy.memory);
  });

  it('per-cycle crossbar, electro-optic: every pass re-modulates both operands, DAC = P B (M K ceil(N/C) + K N ceil(M/L)), ADC = P B M N ceil(K/R)', () => {
    const [B, M, K, N] = [1, 30, 40, 50];
    const op = product('fp16', 'fp16', M, K, N, B);
    const r = realize(op, device); // 12 x 12 crossbar, 12 wavelengths, 4 bit: P = 9
    const { dacJ, adcJ } = converterEnergies(device);
    const dac = 9 * B * (M * K * ceil(N / 12) + K * N * ceil(M / 12));
    const adc = 9 * B * M * N * ceil(K / 12);
    const sum = (name: string) => (r.components ?? []).find((c) => c.name === name)?.energyJ ?? 0;
    expect(sum('DAC')).toBeCloseTo(dac * dacJ, 20);
    expect(sum('ADC')).toBeCloseTo(adc * adcJ, 20);
    expect(r.components?.find((c) => c.name === 'DAC')?.detail).toMatch(/in 9 passes \(3 x 3 slices of 12- and 12-bit numbers\)/);
  });

  it('held weights: each weight slice is set once per tile load (tile loads x s_w), inputs re-modulated every pass', () => {
    const d = { batch: 1, m: 10, k: 24, n: 36 };
    const op = product('fp16', 'int8', d.m, d.k, d.n); // s_x = 3, s_w = 2 on 4 bits
    const one = photonicWork(d, thermal);
    const r = realize(op, thermal);
    const tiles = ceil(24 / 12) * ceil(36 / 12);
    const { dacJ } = converterEnergies(thermal);
    const inputDac = 6 * (10 * 24 * ceil(36 / 12));
    const weightDac = 2 * 24 * 36;
    expect(r.components?.find((c) => c.name === 'DAC')?.energyJ).toBeCloseTo((inputDac + weightDac) * dacJ, 20);
    expect(one.tileLoads).toBe(tiles);
    // two weight slices: twice the reloads in series, 4 us each
    const ignore = realize(op, { ...thermal, precision: 'ignore' });
    expect(r.latencyS - ignore.latencyS).toBeGreaterThanOrEqual(tiles * 4e-6 * (2 - 1) - 1e-15);
  });

  it('exclude: the unit declines a product that needs more than one pass', () => {
    const p = { ...device, precision: 'exclude' };
    expect(ptu.realize(product('fp16', 'fp16'), opArithmetic(product('fp16', 'fp16')), p)).toEqual([]);
    expect(ptu.realize(product('int4', 'int4'), opArithmetic(product('int4', 'int4')), p)).toHaveLength(1);
  });

  it('a 4-bit PTU is never cheaper per MAC on fp16 work than on 4-bit work (property)', () => {
    fc.assert(
      fc.property(
        shape,
        fc.constantFrom('device-2025', 'mrr-thermal-2025', 'lightmatter-2025'),
        fc.constantFrom('bit-slice', 'exclude'),
        (sh, preset, precision) => {
          const p = resolve(preset, { bits: 4, precision });
          const macs = sh.batch * sh.m * sh.k * sh.n;
          const four = realize(op(sh, 'int4' as 'fp16'), p);
          const half = ptu.realize(op(sh), opArithmetic(op(sh)), p)[0];
          if (half) {
            expect(withStatic(half, p) / macs).toBeGreaterThanOrEqual((withStatic(four, p) / macs) * (1 - 1e-12));
            expect(half.latencyS).toBeGreaterThanOrEqual(four.latencyS * (1 - 1e-12));
          } else expect(precision).toBe('exclude'); // declined: never cheaper
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('physically impossible values', () => {
  const system = (params: Record<string, number | string>, preset = 'device-2025') => ({
    id: 'bad',
    devices: [{ id: 'ptu', target: 'ptu', preset, count: 1, params }],
  });
  const targets = new Map([['ptu', ptu]]);

  it.each([
    [{ wallPlugEfficiency: 1.5 }, "parameter 'wallPlugEfficiency' must be > 0 and <= 1 (got 1.5)"],
    [{ modulatorLossDb: -1 }, "parameter 'modulatorLossDb' must be >= 0 dB (got -1)"],
    [{ detectorSensitivityDbm: 50 }, "parameter 'detectorSensitivityDbm' must be >= -100 and <= 30 dBm (got 50)"],
    [{ bits: 32 }, "parameter 'bits' must be > 0 and <= 16 (got 32)"],
    [
      { sramBytes: 100 },
      "parameter 'sramBytes' must be 0 (not modelled) or >= 216 B: one 12 x 12 tile with a 12-row input block and its partial sums at 4 bit (got 100)",
    ],
  ])('%j: one line naming the parameter and its valid range', (params, message) => {
    const run = () => resolveSystem(system(params), targets, 'sys.json');
    expect(run).toThrow(UserError);
    expect(run).toThrow(`sys.json: devices[0] ('ptu'): target 'ptu': ${message}`);
  });

  it('refuses held weights on a dataflow that holds nothing', () => {
    expect(() => resolveSystem(system({ conversionCounting: 'per-cycle', weightEncoding: 'thermal' }, 'lightcode-2025'), targets)).toThrow(
      /parameter 'weightEncoding' must be 'electro-optic' with dataflow 'dot-product-serial'/,
    );
  });

  it('every built-in preset resolves', () => {
    for (const name of Object.keys(ptu.presets)) expect(() => resolve(name)).not.toThrow();
  });
});

describe('sources', () => {
  it.each(PRESETS.filter((p) => p !== 'lightcode-2025'))('%s: every value it sets cites its own source, not the study', (name) => {
    const preset = ptu.presets[name];
    for (const param of Object.keys(preset?.values ?? {})) {
      const source = preset?.sources?.[param] ?? '';
      expect(source.length, param).toBeGreaterThan(10);
      expect(source, param).not.toMatch(/^LightCode study/);
    }
  });
});
