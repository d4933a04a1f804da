import {
  type EnergyComponent,
  formatQuantity,
  linearOp,
  type OpNode,
  opArithmetic,
  type ParamValues,
  resolveParams,
  tensor,
} from '@lightcode/cost-model';
import ptu, {
  converterEnergies,
  detectorsPerCore,
  energyByKind,
  photonicWork,
  ptuComponents,
  slicedWork,
  slicing,
} from '@lightcode/target-ptu';
import { describe, expect, it } from 'vitest';

/*
 * The energy breakdown a PTU realization reports: each component's name,
 * kind, closed form and the line that explains it (counts in k, M, G, T;
 * figures in pJ, W and s), the on-chip buffer traffic of every dataflow, and
 * the work of a bit-sliced product, field by field.
 */

const resolve = (preset: string, over: Readonly<Record<string, unknown>> = {}) =>
  resolveParams('ptu', ptu.params, ptu.presets, preset, over, ptu.validate);
/** A product of activations in `x` and weights in `w`. */
const product = (m: number, k: number, n: number, x: 'fp32' | 'fp16' | 'int8', w: 'fp32' | 'int8' | 'fp16' = x): OpNode => {
  const op = linearOp(m, k, n, x);
  return { ...op, weights: [{ shape: [k, n], dtype: w }] };
};
function components(op: OpNode, p: ParamValues) {
  return ptuComponents(op, opArithmetic(op), p);
}
const byName = (cs: readonly EnergyComponent[]) => Object.fromEntries(cs.map((c) => [c.name, c]));
/** A figure printed as the breakdown prints a value between 1e-3 and 1e6: four significant digits, no trailing zeros. */
const four = (x: number) => String(Number(x.toPrecision(4)));

describe('the components of a product, named, kinded and explained', () => {
  it("the study's unit on 4 x 1000 x 3000: every component with its count (k, M) and figure (pJ, W), in order", () => {
    const p = resolve('lightcode-2025');
    const { components: cs } = components(linearOp(4, 1000, 3000, 'fp32'), p);
    expect(cs.map((c) => [c.name, c.kind])).toEqual([
      ['MAC (other)', 'compute'],
      ['DAC', 'conversion'],
      ['ADC', 'conversion'],
      ['modulator', 'modulation'],
      ['photodetector and TIA', 'detection'],
      ['weight load', 'other'],
      ['buffer', 'buffer'],
      ['memory', 'memory'],
      ['laser', 'static'],
      ['ring tuning', 'static'],
      ['other static', 'static'],
    ]);
    // once per number: DAC 4 x 1000 + 1000 x 3000, ADC 4 x 3000; memory reads those and writes the outputs
    expect(cs.map((c) => c.detail)).toEqual([
      'per MAC 0.04 pJ x 12M MACs',
      'per sample 3.18 pJ at 8 bit x 3.004M samples (3M of weights)',
      'per sample 1.6 pJ at 8 bit x 12k samples',
      'per symbol 0 pJ x 3.004M symbols',
      'per output sample 0 pJ x 12k',
      'per tile load 0 pJ x 0',
      // buffer: 3.004M operand reads + 12k partial sums + 3.016M memory numbers, 1 byte each at 8 bit
      'per byte 0 pJ x 6.032M accesses of 1 B',
      "resident: 3.016M numbers, 0 s at the feed's bandwidth",
      "power 0 W over the op's latency",
      "power 0 W over the op's latency",
      "power 0 W over the op's latency",
    ]);
  });

  it('figures below 1e-3 or from 1e6 print at four significant digits (1e6 in scientific notation); exactly 1000 of a count is 1k', () => {
    const op = linearOp(10, 20, 100, 'fp32');
    const tiny = byName(components(op, resolve('lightcode-2025', { macEnergyJ: 1e-16, staticPowerW: 1e6 })).components);
    expect(tiny['MAC (other)']?.detail).toBe('per MAC 0.0001000 pJ x 20k MACs');
    expect(tiny['other static']?.detail).toBe("power 1.000e+6 W over the op's latency");
    expect(tiny.ADC?.detail).toBe('per sample 1.6 pJ at 8 bit x 1k samples');
    expect(tiny.DAC?.detail).toBe('per sample 3.18 pJ at 8 bit x 2.2k samples (2k of weights)');
    const milli = byName(components(op, resolve('lightcode-2025', { staticPowerW: 1e-3 })).components);
    expect(milli['other static']?.detail).toBe("power 0.001 W over the op's latency");
    const [alone] = ptu.realize(op, opArithmetic(op), resolve('lightcode-2025'));
    expect(milli['other static']?.energyJ).toBeCloseTo(1e-3 * (alone?.latencyS ?? Number.NaN), 20);
    // fewer than a thousand: the plain count
    const small = byName(components(linearOp(3, 5, 7, 'fp32'), resolve('lightcode-2025')).components);
    expect(small.ADC?.detail).toBe('per sample 1.6 pJ at 8 bit x 21 samples');
  });

  it('large products count in M, G and T: 65536 x 1024 x 65536 is 4.398T MACs, 4.295G outputs, 134.2M inputs', () => {
    const cs = byName(components(linearOp(65536, 1024, 65536, 'fp32'), resolve('lightcode-2025')).components);
    expect(cs['MAC (other)']?.detail).toBe('per MAC 0.04 pJ x 4.398T MACs');
    expect(cs.ADC?.detail).toBe('per sample 1.6 pJ at 8 bit x 4.295G samples');
    expect(cs.DAC?.detail).toBe('per sample 3.18 pJ at 8 bit x 134.2M samples (67.11M of weights)');
  });

  it('held weights, bit-slicing and a small buffer: passes, tile loads in series and their time, re-reads at the compute width', () => {
    // 12 x 12 crossbar, 12 wavelengths, 4 bit; fp16 activations 3 slices, int8 weights 2: 6 passes
    const p = resolve('mrr-thermal-2025', { weightReloadEnergyJ: 2e-6, sramBytes: 288 });
    const op = product(24, 240, 36, 'fp16', 'int8');
    const { components: list, latency, work } = components(op, p);
    const cs = byName(list);
    const passes = ' in 6 passes (3 x 2 slices of 12- and 8-bit numbers)';
    expect(cs['MAC (other)']?.detail).toBe(`per MAC 0 pJ x 1.244M MACs${passes}`);
    // inputs once per column tile (3) in every pass; weights once per tile load of each weight slice
    const inputDac = 24 * 240 * 3 * 6;
    const weightDac = 240 * 36 * 2;
    expect(work.dac).toBe(inputDac + weightDac);
    const { dacJ } = converterEnergies(p);
    expect(cs.DAC?.detail).toBe(`per sample ${four(dacJ * 1e12)} pJ at 4 bit x 121k samples (17.28k of weights)${passes}`);
    // 60 tiles, each loaded once per weight slice, one core: all 120 in series, 4 us each
    expect(cs['weight load']?.detail).toBe(`per tile load 2.000e+6 pJ x 120; 120 in series take ${formatQuantity(120 * 4e-6, 's')}`);
    expect(cs['weight load']?.energyJ).toBeCloseTo(120 * 2e-6, 18);
    expect(latency.reloadS).toBeCloseTo(120 * 4e-6, 15);
    // X streams past each held tile: read once more per extra column tile, 2 bytes a number (fp16) from memory
    const extra = 24 * 240 * 2;
    const numbers = 24 * 240 + 240 * 36 + 24 * 36 + extra;
    const bytes = 2 * 24 * 240 + 240 * 36 + 2 * 24 * 36 + 2 * extra;
    expect(cs.memory?.detail).toBe(
      `stream-inputs: 26.78k numbers (11.52k re-read or spilled), ${formatQuantity(bytes / 1e12, 's')} at the feed's bandwidth`,
    );
    expect(cs.memory?.energyJ).toBeCloseTo(bytes * 31.2e-12, 20);
    expect(numbers).toBe(26784);
    expect(latency.memoryS).toBeCloseTo(bytes / 1e12, 22);
    // buffer: operand reads + partial sums (each of 6 x 20 row-tile ADC samples read and written, less the first write) + memory numbers
    const accesses = inputDac + weightDac + (2 * 24 * 36 * 20 * 6 - 24 * 36) + numbers;
    expect(cs.buffer?.detail).toBe(`per byte 0.46 pJ x ${four(accesses / 1e3)}k accesses of 0.5 B`);
    expect(cs.buffer?.energyJ).toBeCloseTo(accesses * 0.5 * 0.46e-12, 20);
    // the laser and the rings, over the op's latency
    expect(cs.laser?.detail).toMatch(/^power 0\.\d+ W over the op's latency$/);
    expect(cs['ring tuning']?.detail).toBe(`power ${four(144 * 1.375e-3)} W over the op's latency`);
  });
});

describe('on-chip buffer traffic of every dataflow: (operand reads + partial sums + memory numbers) x bits / 8 x sramEnergyPerByteJ', () => {
  const buffer = (op: OpNode, p: ParamValues) => byName(components(op, p).components).buffer?.energyJ ?? Number.NaN;
  const op = product(24, 240, 36, 'int8');
  // 8 bit, one byte per access; tiles: 20 row tiles, 3 column tiles; 2 row blocks
  const xbar = (over: Readonly<Record<string, unknown>> = {}) =>
    resolve('device-2025', { bits: 8, precision: 'ignore', sramEnergyPerByteJ: 1e-12, ...over });
  // W read twice (two row blocks of 12 rows beside one tile): 240 x 36 extra numbers
  const rowBlocked = { sramBytes: 144 + 12 * 252 };
  const memory = 24 * 240 + 240 * 36 + 24 * 36 + 240 * 36;

  it('crossbar, per cycle: X once per column tile, W once per tile load (2 row blocks), partial sums read and written per row tile', () => {
    const reads = 24 * 240 * 3 + 240 * 36 * 2;
    const psums = 2 * 24 * 36 * 20 - 24 * 36;
    expect(buffer(op, xbar(rowBlocked))).toBeCloseTo((reads + psums + memory) * 1e-12, 20);
  });

  it('crossbar, once per number: X once, W once per tile load, each output written once', () => {
    const reads = 24 * 240 + 240 * 36 * 2;
    expect(buffer(op, xbar({ ...rowBlocked, conversionCounting: 'once-per-number' }))).toBeCloseTo((reads + 24 * 36 + memory) * 1e-12, 20);
  });

  it('dot-product-serial fetches what it converts: per cycle both operands of every MAC, once per number each number once', () => {
    const small = product(3, 5, 7, 'int8');
    const dps = (over: Readonly<Record<string, unknown>>) => resolve('lightcode-2025', { sramEnergyPerByteJ: 1e-12, ...over });
    const numbers = 15 + 35 + 21;
    expect(buffer(small, dps({ conversionCounting: 'per-cycle' }))).toBeCloseTo((2 * 3 * 5 * 7 + 21 + numbers) * 1e-12, 22);
    expect(buffer(small, dps({}))).toBeCloseTo((15 + 35 + 21 + numbers) * 1e-12, 22);
  });

  it('bit-sliced once per number: every slice read once, each partial sum of every pass read and written', () => {
    // 4 bit: fp16 activations 3 slices, int8 weights 2; 6 passes; half a byte per access
    const p = resolve('lightcode-2025', { bits: 4, precision: 'bit-slice', sramEnergyPerByteJ: 1e-12 });
    const sliced = product(3, 5, 7, 'fp16', 'int8');
    const reads = 15 * 3 + 35 * 2;
    const psums = 2 * 21 * 6 - 21;
    expect(buffer(sliced, p)).toBeCloseTo((reads + psums + 15 + 35 + 21) * 0.5 * 1e-12, 22);
  });
});

describe('the work of a bit-sliced product, field by field (6 passes: 3 slices of fp16 activations, 2 of int8 weights)', () => {
  const d = { batch: 1, m: 24, k: 240, n: 36 };
  const op = product(24, 240, 36, 'fp16', 'int8');
  const crossbar = (over: Readonly<Record<string, unknown>>) => resolve('device-2025', { sramBytes: 0, ...over });
  const sliced = (p: ParamValues) => slicedWork(photonicWork(d, p), slicing(op, p), p);
  // 20 x 3 = 60 tiles, 2 row blocks: 120 cycles a pass
  const inputs = 24 * 240 * 3;
  const outputs = 24 * 36 * 20;

  it('per cycle, electro-optic: every pass re-modulates inputs and weights; ADC samples and detections x 6', () => {
    const weights = 240 * 36 * 2;
    expect(sliced(crossbar({}))).toMatchObject({
      cycles: 120 * 6,
      dac: (inputs + weights) * 6,
      weightDac: weights * 6,
      streamedDac: (inputs + weights) * 6,
      modulated: (inputs + weights) * 6,
      adc: outputs * 6,
      detected: outputs * 6,
      tileLoads: 0,
      reloadsInSeries: 0,
    });
  });

  it('per cycle, held weights: inputs x 6, each weight slice set once per tile load (x 2), as are the loads', () => {
    const weights = 240 * 36;
    expect(sliced(crossbar({ weightEncoding: 'thermal', ringsPerCore: 144 }))).toMatchObject({
      cycles: 120 * 6,
      dac: inputs * 6 + weights * 2,
      weightDac: weights * 2,
      streamedDac: inputs * 6,
      modulated: inputs * 6,
      adc: outputs * 6,
      detected: outputs * 6,
      tileLoads: 60 * 2,
      reloadsInSeries: 60 * 2,
    });
  });

  it('once per number: every slice of every number converted once, inputs x 3 and weights x 2', () => {
    const x = 24 * 240;
    const w = 240 * 36;
    expect(sliced(crossbar({ conversionCounting: 'once-per-number' }))).toMatchObject({
      cycles: 120 * 6,
      dac: x * 3 + w * 2,
      weightDac: w * 2,
      streamedDac: x * 3 + w * 2,
      modulated: x * 3 + w * 2,
      adc: 24 * 36 * 6,
      detected: 24 * 36 * 6,
    });
  });
});

describe('energy by kind, slicing of odd ops, detectors', () => {
  it("keeps the study's three kinds even at 0, drops the others at 0, and leaves static power out", () => {
    const c = (kind: EnergyComponent['kind'], energyJ: number): EnergyComponent => ({ name: kind, kind, energyJ, detail: '' });
    expect(
      energyByKind([
        c('compute', 0),
        c('conversion', 0),
        c('memory', 0),
        c('modulation', 0),
        c('detection', 0),
        c('buffer', 0),
        c('other', 0),
        c('static', 5),
      ]),
    ).toEqual({ compute: 0, conversion: 0, memory: 0 });
    expect(energyByKind([c('conversion', 1), c('conversion', 2), c('buffer', 3), c('static', 4)])).toEqual({ conversion: 3, buffer: 3 });
  });

  it('a product without a first operand counts as fp32; one without its second takes the first’s format', () => {
    const p = resolve('device-2025');
    const out = tensor([4, 8], 'fp32');
    const bare: OpNode = { id: 'l', name: 'l', kind: 'linear', layer: 0, attrs: {}, inputs: [], outputs: [out], weights: [] };
    expect(slicing(bare, p)).toEqual({ inputBits: 25, weightBits: 25, inputSlices: 7, weightSlices: 7, passes: 49 });
    const half: OpNode = { ...bare, kind: 'matmul', inputs: [tensor([4, 8], 'fp16')] };
    expect(slicing(half, p)).toMatchObject({ inputBits: 12, weightBits: 12, passes: 9 });
  });

  it('detectors per core: L x C on a crossbar, one per wavelength on dot-product-serial', () => {
    expect(detectorsPerCore(resolve('lightcode-2025'))).toBe(20);
    expect(detectorsPerCore(resolve('lightcode-2025', { wavelengths: 7 }))).toBe(7);
    expect(detectorsPerCore(resolve('device-2025'))).toBe(144);
  });
});
