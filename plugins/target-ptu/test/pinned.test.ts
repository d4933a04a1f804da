import { linearOp, type OpNode, opArithmetic, type ParamValues, type Realization, resolveParams } from '@lightcode/cost-model';
import ptu, {
  bufferPlan,
  converterEnergies,
  detectorSampleJ,
  fullLoadDynamicPowerW,
  insertionLossDb,
  latencyParts,
  minBufferBytes,
  modulatorSymbolJ,
  photonicWork,
  ptuStaticPowerW,
  staticPowerBreakdown,
  validatePtu,
} from '@lightcode/target-ptu';
import { describe, expect, it } from 'vitest';

/*
 * Every parameter that changes a PTU latency, pinned by its closed form and
 * the direction of the change: cores, wavelengths, clock, crossbar size,
 * converter rates, memory bandwidth, reload time and conversion delay; and
 * the energy figures each scale their own component and nothing else.
 */

const resolve = (preset: string, over: Readonly<Record<string, unknown>> = {}) =>
  resolveParams('ptu', ptu.params, ptu.presets, preset, over, ptu.validate);

function realize(op: OpNode, p: ParamValues): Realization {
  const [r] = ptu.realize(op, opArithmetic(op), p);
  if (!r) throw new Error('no realization');
  return r;
}

/** A study unit: dot-product-serial at 9.7 GHz, 20 wavelengths, converters and memory unlimited, 10 ns conversion each way. */
const study = (over: Readonly<Record<string, unknown>> = {}) => resolve('lightcode-2025', over);
/** A crossbar that only computes: converters and memory unlimited, no conversion delay, no buffer. */
const crossbar = (over: Readonly<Record<string, unknown>> = {}) =>
  resolve('device-2025', {
    converterThroughput: 'unlimited',
    memoryBandwidthBps: 0,
    conversionLatencyS: 0,
    sramBytes: 0,
    precision: 'ignore',
    ...over,
  });

const ceil = Math.ceil;

describe('dot-product-serial latency (the study): ceil(ceil(B M N / L) / cores) x K / clock + 2 x conversion delay', () => {
  const closed = (b: number, m: number, k: number, n: number, l: number, cores: number, clock: number, delay = 10e-9) =>
    (ceil(ceil((b * m * n) / l) / cores) * k) / clock + 2 * delay;

  it('at the study preset, on shapes of every size', () => {
    for (const [m, k, n] of [
      [1, 768, 768],
      [7, 100, 33],
      [128, 768, 3072],
      [1024, 4096, 11008],
    ] as const) {
      expect(realize(linearOp(m, k, n, 'fp32'), study()).latencyS).toBeCloseTo(closed(1, m, k, n, 20, 1, 9.7e9), 15);
    }
  });

  it('cores divide the dot products: 4 cores take a quarter of the cycles, 3 cores the ceiling of a third', () => {
    const op = linearOp(160, 512, 64, 'fp32'); // 10240 outputs, 512 dot-product groups of 20
    const one = realize(op, study()).latencyS - 20e-9;
    expect(one).toBeCloseTo((512 * 512) / 9.7e9, 15);
    expect(realize(op, study({ cores: 4 })).latencyS - 20e-9).toBeCloseTo(one / 4, 15);
    expect(realize(op, study({ cores: 3 })).latencyS - 20e-9).toBeCloseTo((ceil(512 / 3) * 512) / 9.7e9, 15);
    expect(realize(op, study({ cores: 1024 })).latencyS - 20e-9).toBeCloseTo(512 / 9.7e9, 15);
  });

  it('wavelengths carry dot products in parallel: twice the wavelengths, half the cycles', () => {
    const op = linearOp(160, 512, 64, 'fp32');
    const l20 = realize(op, study()).latencyS - 20e-9;
    expect(realize(op, study({ wavelengths: 40 })).latencyS - 20e-9).toBeCloseTo(l20 / 2, 15);
    expect(realize(op, study({ wavelengths: 1 })).latencyS - 20e-9).toBeCloseTo(l20 * 20, 15);
    expect(realize(op, study({ wavelengths: 30 })).latencyS - 20e-9).toBeCloseTo((ceil(10240 / 30) * 512) / 9.7e9, 15);
  });

  it('the clock sets the cycle time; the conversion delay is paid in and out', () => {
    const op = linearOp(64, 256, 64, 'fp32');
    const base = realize(op, study()).latencyS - 20e-9;
    expect(realize(op, study({ clockHz: 19.4e9 })).latencyS - 20e-9).toBeCloseTo(base / 2, 15);
    expect(realize(op, study({ conversionLatencyS: 0 })).latencyS).toBeCloseTo(base, 15);
    expect(realize(op, study({ conversionLatencyS: 1e-6 })).latencyS).toBeCloseTo(base + 2e-6, 15);
  });

  it('batched products (batch x heads) are one realization of B parts, each B x the work of one', () => {
    const one = linearOp(32, 64, 40, 'fp32', 'x', 1);
    const eight = linearOp(32, 64, 40, 'fp32', 'x', 8);
    const r = realize(eight, study());
    expect(r.parts).toBe(8);
    expect(r.latencyS).toBeCloseTo(closed(8, 32, 64, 40, 20, 1, 9.7e9), 15);
    expect(r.latencyS - 20e-9).toBeCloseTo(8 * (realize(one, study()).latencyS - 20e-9), 15);
  });
});

describe('crossbar latency: B x ceil(tiles / cores) x ceil(M / L) cycles, tiles = ceil(K/R) x ceil(N/C)', () => {
  const cycles = (b: number, m: number, k: number, n: number, r: number, c: number, l: number, cores: number) =>
    b * ceil((ceil(k / r) * ceil(n / c)) / cores) * ceil(m / l);

  it('at device-2025 sizes (12 x 12 tiles, 12 wavelengths, 5 GHz) on several shapes', () => {
    for (const [m, k, n] of [
      [1, 4096, 4096],
      [13, 100, 250],
      [512, 768, 768],
    ] as const) {
      const w = photonicWork({ batch: 1, m, k, n }, crossbar());
      expect(w.cycles).toBe(cycles(1, m, k, n, 12, 12, 12, 1));
      expect(realize(linearOp(m, k, n, 'fp16'), crossbar()).latencyS).toBeCloseTo(w.cycles / 5e9, 15);
    }
  });

  it('cores share the tiles: 2 cores halve the time, 5 cores take the ceiling of a fifth of the tiles', () => {
    const op = linearOp(120, 240, 240, 'fp16'); // 20 x 20 = 400 tiles, 10 row blocks
    const one = realize(op, crossbar()).latencyS;
    expect(one).toBeCloseTo((400 * 10) / 5e9, 15);
    expect(realize(op, crossbar({ cores: 2 })).latencyS).toBeCloseTo(one / 2, 15);
    expect(realize(op, crossbar({ cores: 3 })).latencyS).toBeCloseTo((ceil(400 / 3) * 10) / 5e9, 15);
    expect(realize(op, crossbar({ cores: 1000 })).latencyS).toBeCloseTo(10 / 5e9, 15);
  });

  it('wavelengths carry rows of X: twice the wavelengths, half the row blocks', () => {
    const op = linearOp(120, 240, 240, 'fp16');
    expect(realize(op, crossbar({ wavelengths: 24 })).latencyS).toBeCloseTo((400 * 5) / 5e9, 15);
    expect(realize(op, crossbar({ wavelengths: 1 })).latencyS).toBeCloseTo((400 * 120) / 5e9, 15);
  });

  it('a larger crossbar holds more of W: 24 x 24 tiles, a quarter of the tiles', () => {
    const op = linearOp(120, 240, 240, 'fp16');
    expect(realize(op, crossbar({ crossbarRows: 24, crossbarCols: 24 })).latencyS).toBeCloseTo((100 * 10) / 5e9, 15);
    expect(realize(op, crossbar({ crossbarRows: 24 })).latencyS).toBeCloseTo((200 * 10) / 5e9, 15);
  });

  it('the clock sets the cycle time', () => {
    const op = linearOp(120, 240, 240, 'fp16');
    expect(realize(op, crossbar({ clockHz: 10e9 })).latencyS).toBeCloseTo((400 * 10) / 10e9, 15);
  });
});

describe('what else bounds a crossbar: converters, memory, reloads', () => {
  const op = linearOp(120, 240, 240, 'fp16');
  const d = { batch: 1, m: 120, k: 240, n: 240 };

  it('limited converters: max(DAC samples / (rate x DACs x cores), ADC samples / (rate x ADCs x cores)) when slower than the array', () => {
    const p = crossbar({ converterThroughput: 'limited', dacsPerCore: 1, adcsPerCore: 1 });
    const w = photonicWork(d, p);
    const expected = Math.max(w.streamedDac / 14e9, w.adc / 10e9);
    expect(expected).toBeGreaterThan(w.cycles / 5e9);
    expect(realize(op, p).latencyS).toBeCloseTo(expected, 15);
    // more cores, DACs or faster converters: proportionally faster
    const four = crossbar({ converterThroughput: 'limited', dacsPerCore: 1, adcsPerCore: 1, cores: 4 });
    expect(realize(op, four).latencyS).toBeCloseTo(Math.max(photonicWork(d, four).streamedDac / 14e9, w.adc / 10e9) / 4, 15);
    const fast = crossbar({ converterThroughput: 'limited', dacsPerCore: 1, adcsPerCore: 1, dacSampleRateHz: 28e9, adcSampleRateHz: 20e9 });
    expect(realize(op, fast).latencyS).toBeCloseTo(expected / 2, 15);
    // unlimited converters: the array alone
    expect(realize(op, crossbar()).latencyS).toBeCloseTo(w.cycles / 5e9, 15);
  });

  it('memory feed: bytes / memoryBandwidthBps when slower than the array; twice the bandwidth, half the time', () => {
    const a = opArithmetic(op);
    const bytes = a.bytesRead + a.bytesWritten;
    const p = crossbar({ memoryBandwidthBps: 1e9 });
    expect(bytes / 1e9).toBeGreaterThan((400 * 10) / 5e9);
    expect(realize(op, p).latencyS).toBeCloseTo(bytes / 1e9, 15);
    expect(realize(op, crossbar({ memoryBandwidthBps: 2e9 })).latencyS).toBeCloseTo(bytes / 2e9, 15);
    // fast enough: the array bounds it again
    expect(realize(op, crossbar({ memoryBandwidthBps: 1e15 })).latencyS).toBeCloseTo((400 * 10) / 5e9, 15);
  });

  it('held weights: reloads in series x weightReloadTimeS add to the streaming time; cores split the reloads', () => {
    const held = (over: Readonly<Record<string, unknown>> = {}) =>
      crossbar({ weightEncoding: 'thermal', weightReloadTimeS: 1e-6, ...over });
    expect(realize(op, held()).latencyS).toBeCloseTo((400 * 10) / 5e9 + 400 * 1e-6, 12);
    expect(realize(op, held({ cores: 4 })).latencyS).toBeCloseTo((100 * 10) / 5e9 + 100 * 1e-6, 12);
    expect(realize(op, held({ weightReloadTimeS: 2e-6 })).latencyS).toBeCloseTo((400 * 10) / 5e9 + 400 * 2e-6, 12);
  });
});

describe('energy: each figure scales its own component, and nothing scales with cores but static power', () => {
  const op = linearOp(64, 256, 128, 'fp32');
  const a = opArithmetic(op);

  it('the study: MACs x macEnergyJ, DAC x dacEnergyJ + ADC x adcEnergyJ (once per number), numbers x memoryEnergyPerNumberJ', () => {
    const r = realize(op, study());
    expect(r.energy.compute).toBeCloseTo(a.macs * 0.04e-12, 20);
    expect(r.energy.conversion).toBeCloseTo((64 * 256 + 256 * 128) * 3.18e-12 + 64 * 128 * 1.6e-12, 20);
    expect(r.energy.memory).toBeCloseTo((64 * 256 + 256 * 128 + 64 * 128) * 160e-12, 18);
  });

  it('doubling one figure doubles its component and leaves the others and the latency as they were', () => {
    const base = realize(op, study());
    const cases: [string, number, keyof Realization['energy']][] = [
      ['macEnergyJ', 0.08e-12, 'compute'],
      ['memoryEnergyPerNumberJ', 320e-12, 'memory'],
    ];
    for (const [name, value, kind] of cases) {
      const r = realize(op, study({ [name]: value }));
      expect(r.energy[kind], name).toBeCloseTo(2 * (base.energy[kind] ?? 0), 20);
      for (const other of Object.keys(base.energy) as (keyof Realization['energy'])[]) {
        if (other !== kind) expect(r.energy[other], `${name} leaves ${other}`).toBe(base.energy[other]);
      }
      expect(r.latencyS).toBe(base.latencyS);
    }
    const dac = realize(op, study({ dacEnergyJ: 2 * 3.18e-12 }));
    expect((dac.energy.conversion ?? 0) - (base.energy.conversion ?? 0)).toBeCloseTo((64 * 256 + 256 * 128) * 3.18e-12, 20);
    const adc = realize(op, study({ adcEnergyJ: 2 * 1.6e-12 }));
    expect((adc.energy.conversion ?? 0) - (base.energy.conversion ?? 0)).toBeCloseTo(64 * 128 * 1.6e-12, 20);
    const perByte = realize(op, study({ memoryEnergyPerByteJ: 1e-12 }));
    expect((perByte.energy.memory ?? 0) - (base.energy.memory ?? 0)).toBeCloseTo((a.bytesRead + a.bytesWritten) * 1e-12, 20);
  });

  it('cores and wavelengths change the time, not the dynamic energy', () => {
    const base = realize(op, study());
    for (const over of [{ cores: 8 }, { wavelengths: 40 }, { clockHz: 20e9 }]) {
      const r = realize(op, study(over));
      expect(r.energy, JSON.stringify(over)).toEqual(base.energy);
      expect(r.latencyS, JSON.stringify(over)).toBeLessThan(base.latencyS);
    }
  });

  it('static power grows with cores: laser per wavelength x L x cores / wall-plug, and rings x cores x tuning power', () => {
    const p = study({ laserPowerPerWavelengthW: 1e-3, ringsPerCore: 10, cores: 3, wavelengths: 20 });
    const s = staticPowerBreakdown(p);
    expect(s.laserW).toBeCloseTo((1e-3 * 20 * 3) / 0.2, 15);
    expect(s.tuningW).toBeCloseTo(10 * 3 * 1.375e-3, 15);
    expect(ptuStaticPowerW(p)).toBeCloseTo(s.laserW + s.tuningW + s.otherW, 15);
    const six = staticPowerBreakdown(study({ laserPowerPerWavelengthW: 1e-3, ringsPerCore: 10, cores: 6, wavelengths: 20 }));
    expect(six.laserW).toBeCloseTo(2 * s.laserW, 15);
    expect(six.tuningW).toBeCloseTo(2 * s.tuningW, 15);
    expect(ptuStaticPowerW(study({ staticPowerW: 5 }))).toBe(5);
  });
});

describe('presets at shapes the other tests do not use', () => {
  it('lightcode-2025 on a GPT-2 decode step (1 x 768 x 2304): 116 groups of 20 dot products of 768', () => {
    const r = realize(linearOp(1, 768, 2304, 'fp32'), study());
    expect(r.latencyS).toBeCloseTo((ceil(2304 / 20) * 768) / 9.7e9 + 20e-9, 15);
  });

  it('device-2025 on a Llama decode GEMV (1 x 4096 x 11008, 4-bit numbers): one row uses 1 of 12 wavelengths, so the array bounds it', () => {
    const p = resolve('device-2025');
    const op = linearOp(1, 4096, 11008, 'int4');
    const a = opArithmetic(op);
    const w = photonicWork({ batch: 1, m: 1, k: 4096, n: 11008 }, p);
    expect(w.plan.schedule).toBe('resident');
    const arrayS = (ceil(4096 / 12) * ceil(11008 / 12)) / 5e9;
    const memoryS = (a.bytesRead + a.bytesWritten) / 1e12;
    const converterS = Math.max(w.streamedDac / (14e9 * 288), w.adc / (10e9 * 144));
    expect(arrayS).toBeGreaterThan(Math.max(memoryS, converterS));
    expect(realize(op, p).latencyS).toBeCloseTo(arrayS + 2 * Number(p.conversionLatencyS), 15);
    // twelve rows of the same weights cost the same cycles: the wavelengths fill up
    expect(photonicWork({ batch: 1, m: 12, k: 4096, n: 11008 }, p).cycles).toBe(w.cycles);
  });

  it('lightmatter-2025 runs 4 cores: a 4096^3 fp32-free product takes a quarter of the one-core cycles', () => {
    const p = resolve('lightmatter-2025', { precision: 'ignore', converterThroughput: 'unlimited', memoryBandwidthBps: 0 });
    const one = resolve('lightmatter-2025', { precision: 'ignore', converterThroughput: 'unlimited', memoryBandwidthBps: 0, cores: 1 });
    const d = { batch: 1, m: 4096, k: 4096, n: 4096 };
    expect(photonicWork(d, one).cycles).toBe(4 * photonicWork(d, p).cycles);
  });
});

describe('device energies per event, each pinned', () => {
  const op = linearOp(24, 48, 36, 'fp16');
  const perCycle = (over: Readonly<Record<string, unknown>> = {}) => crossbar({ conversionCounting: 'per-cycle', ...over });

  it('a modulated symbol costs modulatorEnergyJ + modulatorPowerW / clock; a detected sample (photodetector + TIA power) / clock', () => {
    const p = perCycle({ modulatorEnergyJ: 2e-13, modulatorPowerW: 1e-3, photodetectorPowerW: 2e-3, tiaPowerW: 3e-3 });
    expect(modulatorSymbolJ(p)).toBeCloseTo(2e-13 + 1e-3 / 5e9, 25);
    expect(detectorSampleJ(p)).toBeCloseTo((2e-3 + 3e-3) / 5e9, 25);
    const w = photonicWork({ batch: 1, m: 24, k: 48, n: 36 }, p);
    const r = realize(op, p);
    expect(r.energy.modulation).toBeCloseTo(w.modulated * (2e-13 + 1e-3 / 5e9), 22);
    expect(r.energy.detection).toBeCloseTo(w.detected * (5e-3 / 5e9), 22);
    // twice the clock halves the power terms' share per event
    expect(modulatorSymbolJ(perCycle({ modulatorEnergyJ: 0, modulatorPowerW: 1e-3, clockHz: 10e9 }))).toBeCloseTo(1e-3 / 10e9, 25);
  });

  it('converters: DAC x [2^b/(b+1)] / [2^b0/(b0+1)] (SimPhony) or x [2^b/b] / [2^b0/b0] (LT); SAR ADC x b/b0, flash x (2^b - 1)/(2^b0 - 1)', () => {
    const at = (over: Readonly<Record<string, unknown>>) =>
      converterEnergies(study({ dacEnergyJ: 1e-12, adcEnergyJ: 1e-12, converterRefBits: 8, ...over }));
    expect(at({ bits: 4 }).dacJ).toBeCloseTo((1e-12 * (16 / 5)) / (256 / 9), 25);
    expect(at({ bits: 4, dacScaling: 'lightening-transformer' }).dacJ).toBeCloseTo((1e-12 * (16 / 4)) / (256 / 8), 25);
    expect(at({ bits: 4 }).adcJ).toBeCloseTo(1e-12 * (4 / 8), 25);
    expect(at({ bits: 4, adcArchitecture: 'flash' }).adcJ).toBeCloseTo(1e-12 * (15 / 255), 25);
    expect(at({ bits: 8 })).toEqual({ dacJ: 1e-12, adcJ: 1e-12 });
  });

  it('the buffer: each on-chip access of bits / 8 bytes costs sramEnergyPerByteJ, and only that figure moves it', () => {
    const p = perCycle({ sramBytes: 1 << 20, sramEnergyPerByteJ: 1e-12, bits: 8 });
    const base = realize(op, p);
    const twice = realize(op, perCycle({ sramBytes: 1 << 20, sramEnergyPerByteJ: 2e-12, bits: 8 }));
    expect(base.energy.buffer).toBeGreaterThan(0);
    expect(twice.energy.buffer).toBeCloseTo(2 * (base.energy.buffer ?? 0), 22);
    expect(twice.energy.compute).toBe(base.energy.compute);
    expect(twice.latencyS).toBe(base.latencyS);
    // accesses: inputs per column tile, weights per tile load, partial sums (2 x ADC - outputs), the memory traffic
    const w = photonicWork({ batch: 1, m: 24, k: 48, n: 36 }, p);
    const a = opArithmetic(op);
    const accesses = 24 * 48 * 3 + 48 * 36 + (2 * w.adc - 24 * 36) + (a.bytesRead + a.bytesWritten) / 2;
    expect(base.energy.buffer).toBeCloseTo(accesses * 1 * 1e-12, 20);
  });

  it('full-load dynamic power: per core and cycle, (inputs + weights) x (DAC + symbol) + outputs x (ADC + detector) + MACs x e_MAC', () => {
    const p = perCycle({ macEnergyJ: 1e-15, cores: 3 });
    const { dacJ, adcJ } = converterEnergies(p);
    const l = 12;
    const perCore = (l * 12 + 12 * 12) * (dacJ + modulatorSymbolJ(p)) + l * 12 * (adcJ + detectorSampleJ(p)) + l * 12 * 12 * 1e-15;
    expect(fullLoadDynamicPowerW(p)).toBeCloseTo(perCore * 5e9 * 3, 12);
    // held weights need no DAC samples per cycle
    const held = perCycle({ macEnergyJ: 1e-15, cores: 3, weightEncoding: 'thermal' });
    const heldCore = l * 12 * (dacJ + modulatorSymbolJ(held)) + l * 12 * (adcJ + detectorSampleJ(held)) + l * 12 * 12 * 1e-15;
    expect(fullLoadDynamicPowerW(held)).toBeCloseTo(heldCore * 5e9 * 3, 12);
  });
});

describe('latency parts say what bounds a product', () => {
  const w = photonicWork({ batch: 1, m: 120, k: 240, n: 240 }, crossbar());

  it('compute, converters or memory: the largest of the three streams, reloads and conversion delays added', () => {
    const compute = latencyParts(w, 0, crossbar({ conversionLatencyS: 1e-9 }));
    expect(compute).toMatchObject({
      bound: 'compute',
      computeS: (400 * 10) / 5e9,
      converterS: 0,
      memoryS: 0,
      reloadS: 0,
      conversionDelayS: 2e-9,
    });
    expect(compute.latencyS).toBeCloseTo((400 * 10) / 5e9 + 2e-9, 18);
    const conv = latencyParts(w, 0, crossbar({ converterThroughput: 'limited', dacsPerCore: 1, adcsPerCore: 1 }));
    expect(conv.bound).toBe('converters');
    expect(conv.latencyS).toBe(conv.converterS);
    const mem = latencyParts(w, 1e9, crossbar({ memoryBandwidthBps: 1e9 }));
    expect(mem).toMatchObject({ bound: 'memory', memoryS: 1 });
    expect(mem.latencyS).toBe(1);
  });
});

describe('buffer plans and their limits', () => {
  it('the smallest buffer: one tile, an L-row input block and its partial sums (crossbar); 3 numbers per wavelength (dot-product-serial)', () => {
    expect(minBufferBytes(crossbar({ bits: 8 }))).toBe(12 * 12 + 12 * 12 + 12 * 12);
    expect(minBufferBytes(crossbar({ bits: 8, wavelengths: 4, crossbarCols: 16 }))).toBe(12 * 16 + 4 * 12 + 4 * 16);
    expect(minBufferBytes(study({ bits: 16 }))).toBe(3 * 20 * 2);
  });

  it('a buffer below that is refused naming the minimum; 0 (not modelled) and the minimum itself are fine', () => {
    // resolved without the target's validate, which is what is tested here
    const raw = (preset: string, over: Readonly<Record<string, unknown>>) => resolveParams('ptu', ptu.params, ptu.presets, preset, over);
    const xbar = (sramBytes: number) => raw('device-2025', { bits: 8, sramBytes });
    const min = minBufferBytes(xbar(0));
    expect(validatePtu(xbar(min - 1))).toBe(
      `parameter 'sramBytes' must be 0 (not modelled) or >= ${min} B: one 12 x 12 tile with a 12-row input block and its partial sums at 8 bit (got ${min - 1})`,
    );
    expect(validatePtu(xbar(min))).toBeNull();
    expect(validatePtu(xbar(0))).toBeNull();
    expect(validatePtu(raw('lightcode-2025', { sramBytes: 10 }))).toMatch(/one element of each operand and one output per wavelength/);
    expect(() => resolve('device-2025', { bits: 8, sramBytes: min - 1 })).toThrow(/must be 0 \(not modelled\) or >= 432 B/);
  });

  it('dot-product-serial with no line to spare: every MAC fetches both operands, extra = B (2 M N K - M K - K N)', () => {
    const p = study({ bits: 8, sramBytes: 3 * 20 });
    const plan = bufferPlan({ batch: 2, m: 8, k: 64, n: 8 }, p);
    expect(plan).toMatchObject({ schedule: 'no-reuse', extraNumbers: 2 * (2 * 8 * 8 * 64 - 8 * 64 - 64 * 8), spilledNumbers: 0 });
  });

  it('insertion loss counts ceil(log2(max(L, C))) splitter levels on a crossbar, none on dot-product-serial', () => {
    const base = (over: Readonly<Record<string, unknown>>) =>
      insertionLossDb(crossbar({ splitterLossDb: 1, modulatorLossDb: 0, wdmLossDb: 0, phaseShifterLossDb: 0, couplerLossDb: 0, ...over }));
    expect(base({ wavelengths: 4, crossbarCols: 16 })).toBe(4 + 1);
    expect(base({ wavelengths: 16, crossbarCols: 4 })).toBe(4 + 1);
    expect(base({ wavelengths: 12, crossbarCols: 12 })).toBe(4 + 1);
    expect(insertionLossDb(study({ splitterLossDb: 1, modulatorLossDb: 0, wdmLossDb: 0, phaseShifterLossDb: 0, couplerLossDb: 0 }))).toBe(
      1,
    );
  });
});

describe('buffer plans at their boundaries', () => {
  // 8-bit numbers: one byte each on chip; a 12 x 12 crossbar with 12 wavelengths
  const xbar = (sramBytes: number, over: Readonly<Record<string, unknown>> = {}) =>
    resolveParams('ptu', ptu.params, ptu.presets, 'device-2025', { bits: 8, sramBytes, precision: 'ignore', ...over });
  const d = { batch: 1, m: 24, k: 240, n: 36 };

  it('resident exactly when all M rows of X fit beside one tile: S = R C + M (K + C)', () => {
    const fits = 144 + 24 * (240 + 12);
    expect(bufferPlan(d, xbar(fits)).schedule).toBe('resident');
    expect(bufferPlan(d, xbar(fits - 1)).schedule).not.toBe('resident');
  });

  it('held weights stream X past each tile; partial sums spill exactly when M x C of them, an input block and a tile do not fit', () => {
    const noSpill = 24 * 12 + 12 * 12 + 144;
    const held = (s: number) => bufferPlan(d, xbar(s, { weightEncoding: 'thermal' }));
    expect(held(noSpill)).toMatchObject({
      schedule: 'stream-inputs',
      loadsPerTile: 1,
      spilledNumbers: 0,
      extraNumbers: 24 * 240 * (3 - 1),
    });
    expect(held(noSpill - 1)).toMatchObject({ schedule: 'stream-inputs', spilledNumbers: 2 * 24 * 36 * (20 - 1) });
    expect(held(noSpill - 1).extraNumbers).toBe(24 * 240 * 2 + 2 * 24 * 36 * 19);
  });

  it('electro-optic weights take the cheaper of row blocks (W once per block) and streaming (X once per column tile)', () => {
    // rowsFit = floor((S - 144) / 252): 12 rows per block, 2 blocks, W read once more: 240 x 36 extra, less than X twice more
    const s = 144 + 12 * 252;
    expect(bufferPlan(d, xbar(s))).toMatchObject({ schedule: 'row-blocked', rowsPerBlock: 12, loadsPerTile: 2, extraNumbers: 240 * 36 });
    // fewer rows than one wavelength block: stream
    expect(bufferPlan(d, xbar(144 + 11 * 252)).schedule).toBe('stream-inputs');
    // where W is the larger operand, streaming X wins
    const wide = { batch: 1, m: 24, k: 240, n: 12 * 400 };
    expect(bufferPlan(wide, xbar(144 + 12 * 252)).schedule).toBe('row-blocked');
    // one row tile (K = R, nothing to spill) and many rows: X read once more is cheaper than W a hundred times
    const tall = { batch: 1, m: 1200, k: 12, n: 24 };
    const plan = bufferPlan(tall, xbar(144 + 12 * 36));
    expect(plan.schedule).toBe('stream-inputs');
    expect(plan.extraNumbers).toBe(1200 * 12 * (2 - 1));
  });

  it('dot-product-serial: resident when one operand (and a line) fits; else lines = floor(S / K) - 1, and no reuse below one line', () => {
    const dps = (sramBytes: number) => resolveParams('ptu', ptu.params, ptu.presets, 'lightcode-2025', { bits: 8, sramBytes });
    const e = { batch: 2, m: 10, k: 100, n: 30 };
    expect(bufferPlan(e, dps(10 * 100 + 100)).schedule).toBe('resident');
    expect(bufferPlan(e, dps(30 * 100 + 100)).schedule).toBe('resident');
    const three = bufferPlan(e, dps(10 * 100 + 99));
    expect(three).toMatchObject({ schedule: 'row-blocked', rowsPerBlock: 9 });
    expect(three.extraNumbers).toBe(2 * Math.min(100 * 30 * (Math.ceil(10 / 9) - 1), 10 * 100 * (Math.ceil(30 / 9) - 1)));
    expect(bufferPlan(e, dps(200))).toMatchObject({ schedule: 'row-blocked', rowsPerBlock: 1 });
    expect(bufferPlan(e, dps(199)).schedule).toBe('no-reuse');
  });

  it('dot-product-serial: resident also when only W (K N) and a line fit; the cheaper stream is X once per block of W columns', () => {
    const dps = (sramBytes: number) => resolveParams('ptu', ptu.params, ptu.presets, 'lightcode-2025', { bits: 8, sramBytes });
    // X (30 x 100) is the larger operand: W (100 x 10) and a line of 100 fit in 1100 bytes, X does not
    const tall = { batch: 1, m: 30, k: 100, n: 10 };
    expect(bufferPlan(tall, dps(10 * 100 + 100)).schedule).toBe('resident');
    expect(bufferPlan(tall, dps(10 * 100 + 99)).schedule).toBe('row-blocked');
    // 600 bytes: 5 lines; W re-read per 5 rows of X: 1000 x 5, or X re-read per 5 columns of W: 3000 x 1
    const plan = bufferPlan(tall, dps(600));
    expect(plan).toMatchObject({ schedule: 'row-blocked', rowsPerBlock: 5, extraNumbers: 30 * 100 * (Math.ceil(10 / 5) - 1) });
    expect(plan.extraNumbers).toBeLessThan(100 * 10 * (Math.ceil(30 / 5) - 1));
  });

  it('electro-optic crossbar: one row per block at one wavelength when that is cheaper; a tie goes to row blocks', () => {
    // a 2 x 2 crossbar, one wavelength, 8 bit
    const tiny = (sramBytes: number) => xbar(sramBytes, { crossbarRows: 2, crossbarCols: 2, wavelengths: 1 });
    // K = 4, N = 4, M = 3 in 10 bytes: rowsFit = floor((10 - 4) / (4 + 2)) = 1; streaming re-reads X once (12) and
    // spills 2 M N (ceil(K/R) - 1) = 24 partial sums, 36 in all; row blocks read W twice more, 32
    expect(bufferPlan({ batch: 1, m: 3, k: 4, n: 4 }, tiny(10))).toMatchObject({
      schedule: 'row-blocked',
      rowsPerBlock: 1,
      loadsPerTile: 3,
      extraNumbers: 4 * 4 * 2,
      spilledNumbers: 0,
    });
    // K = 2, N = 6, M = 3 in 12 bytes: 2 rows per block, W once more (12) against X twice more (12), nothing spilled
    expect(bufferPlan({ batch: 1, m: 3, k: 2, n: 6 }, tiny(12))).toMatchObject({
      schedule: 'row-blocked',
      rowsPerBlock: 2,
      loadsPerTile: 2,
      extraNumbers: 2 * 6,
    });
  });
});

describe('declared domains and presets', () => {
  it('every integer parameter refuses a fraction; every parameter allowed to be 0 takes it', () => {
    for (const [name, spec] of Object.entries(ptu.params)) {
      if (spec.integer) expect(() => resolve('lightcode-2025', { [name]: 2.5 }), name).toThrow(new RegExp(name));
      if (spec.allowZero) expect(resolveParams('ptu', ptu.params, ptu.presets, 'lightcode-2025', { [name]: 0 })[name], name).toBe(0);
    }
    expect(
      Object.entries(ptu.params)
        .filter(([, s]) => s.integer)
        .map(([n]) => n),
    ).toEqual(
      expect.arrayContaining([
        'cores',
        'wavelengths',
        'crossbarRows',
        'crossbarCols',
        'bits',
        'dacsPerCore',
        'adcsPerCore',
        'ringsPerCore',
      ]),
    );
  });

  it('mrr-thermal-2025 is device-2025 with thermally held weights: 4 us reloads, 144 rings per core at 1.375 mW', () => {
    const p = resolve('mrr-thermal-2025');
    expect([p.weightEncoding, p.weightReloadTimeS, p.weightReloadEnergyJ, p.ringsPerCore, p.tuningPowerPerRingW]).toEqual([
      'thermal',
      4e-6,
      0,
      144,
      1.375e-3,
    ]);
    expect(staticPowerBreakdown(p).tuningW).toBeCloseTo(144 * Number(p.cores) * 1.375e-3, 15);
    expect(ptu.dtypes).toEqual(['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4']);
    expect(ptu.opKinds).toEqual(['linear', 'matmul']);
  });

  it('per-cycle dot-product-serial modulates both operands for every MAC: 2 B M N K symbols', () => {
    const p = study({ conversionCounting: 'per-cycle', modulatorEnergyJ: 1e-15 });
    const w = photonicWork({ batch: 1, m: 4, k: 8, n: 5 }, p);
    expect([w.modulated, w.streamedDac, w.dac, w.adc, w.detected]).toEqual([2 * 160, 2 * 160, 2 * 160, 20, 160]);
    expect(realize(linearOp(4, 8, 5, 'fp32'), p).energy.modulation).toBeCloseTo(2 * 160 * 1e-15, 28);
  });
});

describe('declarations', () => {
  it('every parameter says what it is, in which unit, and cites a source that is no local path; so does every preset', () => {
    for (const [name, s] of Object.entries(ptu.params)) {
      expect(s.description.length, name).toBeGreaterThan(8);
      expect(s.source.length, name).toBeGreaterThan(8);
      expect(s.source, name).not.toMatch(/(^|\s)(\/[\w.-]+\/|\.\.?\/|[A-Z]:\\)/);
      expect(s.unit, name).not.toBe('');
    }
    for (const [name, p] of Object.entries(ptu.presets)) {
      expect(p.description.length, name).toBeGreaterThan(8);
      expect(p.source.length, name).toBeGreaterThan(8);
    }
    expect(ptu.presets[ptu.defaultPreset]).toBeDefined();
  });
});
