import { linearOp, opArithmetic, resolveParams, type TargetPlugin } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * The CPU plugin's declarations pinned against the study's constants and the
 * Xeon Platinum 8380 datasheet. The plugin is imported inside each test, and
 * nothing is resolved while the file loads, so a declaration gone wrong (a
 * parameter without its default, a preset emptied, a contract field the SDK
 * refuses at load) fails an assertion here instead of stopping the file.
 */

const load = async (): Promise<TargetPlugin> => (await import('@lightcode/target-cpu')).default;
const loadPeak = async () => (await import('@lightcode/target-cpu')).cpuPeakFlops;

describe('CPU plugin declarations', () => {
  it('loads as the target "cpu", named CPU, describing both of its models', async () => {
    const cpu = await load();
    expect(cpu.kind).toBe('target');
    expect(cpu.id).toBe('cpu');
    expect(cpu.name).toBe('CPU');
    expect(cpu.description).toMatch(/study's measured matmul fit and per-element cycle counts/);
    expect(cpu.description).toMatch(/roofline from cores, SIMD width, clock and bandwidth/);
    expect(cpu.defaultPreset).toBe('lightcode-2025');
    expect(Object.keys(cpu.presets)).toEqual(['lightcode-2025', 'xeon-8380', 'xeon-8380-tdp']);
  });

  it("the study's constants: 3.208 GHz, 1 core, t = 6.8457e-11 s/MAC + 8.2583e-7 s, 0.1 pJ/MAC, 1 pJ/cycle, 160 pJ/number, no idle power", async () => {
    const { params } = await load();
    expect(params.model).toMatchObject({ unit: 'choice', default: 'study-fit', choices: ['study-fit', 'roofline'] });
    expect(params.clockHz).toMatchObject({ unit: 'Hz', default: 3.208e9 });
    expect(params.cores).toMatchObject({ unit: '1', default: 1, integer: true });
    expect(params.matmulSecondsPerMac).toMatchObject({ unit: 's', default: 6.8457e-11 });
    expect(params.matmulFixedS).toMatchObject({ unit: 's', default: 8.2583e-7, allowZero: true });
    expect(params.macEnergyJ).toMatchObject({ unit: 'J', default: 0.1e-12 });
    expect(params.energyPerCycleJ).toMatchObject({ unit: 'J', default: 1e-12 });
    expect(params.memoryEnergyPerNumberJ).toMatchObject({ unit: 'J', default: 160e-12, allowZero: true });
    expect(params.staticPowerW).toMatchObject({ unit: 'W', default: 0, allowZero: true });
    for (const name of ['model', 'clockHz', 'cores', 'matmulSecondsPerMac', 'matmulFixedS', 'macEnergyJ', 'energyPerCycleJ']) {
      expect(params[name]?.source, name).toMatch(/RyanTomich\/LightCode lightcode\/hardware\.py/);
    }
  });

  it('the roofline figures of the Xeon Platinum 8380: AVX-512 16 fp32 lanes, 2 FMA units, VNNI int8 x4, 8 x DDR4-3200 = 204.8 GB/s', async () => {
    const { params } = await load();
    expect(params.simdLanes).toMatchObject({ unit: '1', default: 512 / 32, integer: true });
    expect(params.fmaUnits).toMatchObject({ unit: '1', default: 2, integer: true });
    expect(params.int8Speedup).toMatchObject({ unit: '1', default: 32 / 8 });
    expect(params.int8Speedup?.source).toMatch(/VPDPBUSD multiplies and accumulates four 8-bit pairs per 32-bit lane/);
    // 8 channels x 3200 MT/s x 8 bytes per transfer
    expect(params.bandwidthBps).toMatchObject({ unit: 'B/s', default: 8 * 3200e6 * 8 });
    for (const name of ['simdLanes', 'fmaUnits', 'bandwidthBps']) {
      expect(params[name]?.source, name).toMatch(
        /Xeon Platinum 8380.*AVX-512 with 2 FMA units per core, 8 channels DDR4-3200 \(204\.8 GB\/s\)/,
      );
    }
    expect(params.bandwidthEfficiency).toMatchObject({ unit: '1', default: 0.8 });
    expect(params.gemmEfficiency).toMatchObject({ unit: '1', default: 0.7 });
    expect(params.elementwiseEfficiency).toMatchObject({ unit: '1', default: 0.25 });
    expect(params.opOverheadS).toMatchObject({ unit: 's', default: 2e-6, allowZero: true });
  });

  it('roofline energy: 270 W TDP over the 5.888 TFLOP/s fp32 peak = 45.8 pJ/FLOP; DRAM 160 pJ per 4-byte number = 40 pJ/B', async () => {
    const { params } = await load();
    expect(params.energyPerFlopJ).toMatchObject({ unit: 'J', default: 270 / 5.888e12 });
    expect(params.energyPerFlopJ?.default).toBeCloseTo(45.86e-12, 13);
    expect(params.energyPerFlopJ?.source).toMatch(/270 W TDP \/ 5\.89 TFLOP\/s fp32 peak = 45\.8 pJ\/FLOP/);
    expect(params.energyPerByteJ).toMatchObject({ unit: 'J', default: 160e-12 / 4, allowZero: true });
  });

  it('presets: the study as the defaults; xeon-8380 at 40 cores and 2.3 GHz base; xeon-8380-tdp adds 270 W and 4.6 pJ per FMA', async () => {
    const { presets } = await load();
    expect(presets['lightcode-2025']?.values).toEqual({});
    expect(presets['lightcode-2025']?.source).toMatch(/RyanTomich\/LightCode/);
    expect(presets['lightcode-2025']?.description).toMatch(/constants exactly as published/);
    expect(presets['xeon-8380']?.values).toEqual({ model: 'roofline', clockHz: 2.3e9, cores: 40 });
    expect(presets['xeon-8380-tdp']?.values).toMatchObject({ model: 'roofline', clockHz: 2.3e9, cores: 40, staticPowerW: 270 });
    expect(Object.keys(presets['xeon-8380-tdp']?.values ?? {}).sort()).toEqual([
      'clockHz',
      'cores',
      'energyPerFlopJ',
      'model',
      'staticPowerW',
    ]);
    expect(presets['xeon-8380-tdp']?.values.energyPerFlopJ).toBeCloseTo(4.6e-12 / 2, 24);
    expect(Object.keys(presets['xeon-8380-tdp']?.sources ?? {}).sort()).toEqual(['energyPerFlopJ', 'staticPowerW']);
  });

  it('the presets resolve to the datasheet peak and price an op only once loaded: nothing is resolved at import', async () => {
    const cpu = await load();
    const cpuPeakFlops = await loadPeak();
    const xeon = resolveParams('cpu', cpu.params, cpu.presets, 'xeon-8380');
    expect(cpuPeakFlops(xeon)).toBe(40 * 2.3e9 * 16 * 2 * 2);
    const study = resolveParams('cpu', cpu.params, cpu.presets, 'lightcode-2025');
    const op = linearOp(7, 9, 11, 'fp32');
    expect(cpu.realize(op, opArithmetic(op), study)[0]?.latencyS).toBeCloseTo(6.8457e-11 * 7 * 9 * 11 + 8.2583e-7, 18);
  });
});
