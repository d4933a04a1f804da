import { linearOp, matmulDims, opArithmetic, resolveParams, type TargetPlugin } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * The PTU plugin's declarations pinned against the study's constants and the
 * device figures they cite (SimPhony, Lightening-Transformer, SC_ONN_SIM,
 * Lightmatter). The plugin is imported inside each test, and nothing is
 * resolved while the file loads, so a declaration gone wrong (a parameter
 * without its default or range, a preset emptied, a contract field the SDK
 * refuses at load) fails an assertion here instead of stopping the file.
 */

const mod = () => import('@lightcode/target-ptu');
const load = async (): Promise<TargetPlugin> => (await mod()).default;
const mW = 1e-3;
const pJ = 1e-12;

describe('PTU plugin declarations', () => {
  it('loads as the target "ptu", a Photonic Tensor Unit running linear algebra only, in any format', async () => {
    const ptu = await load();
    expect(ptu.kind).toBe('target');
    expect(ptu.id).toBe('ptu');
    expect(ptu.name).toBe('Photonic Tensor Unit');
    expect(ptu.description).toMatch(/^Photonic matrix unit with WDM multiplexing; runs linear algebra only\./);
    expect(ptu.description).toMatch(/DAC and ADC samples .* weight loads, buffer and memory traffic, and a laser power budget/);
    expect(ptu.dtypes).toEqual(['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4']);
    expect(ptu.opKinds).toEqual(['linear', 'matmul']);
    expect(ptu.defaultPreset).toBe('lightcode-2025');
    expect(Object.keys(ptu.presets)).toEqual(['lightcode-2025', 'device-2025', 'mrr-thermal-2025', 'lightmatter-2025']);
    expect(typeof ptu.validate).toBe('function');
  });

  it("the study's constants (hardware.py): 9.7 GHz, 1 core x 20 wavelengths, 0.04 pJ/MAC, DAC 3.18 pJ, ADC 1.6 pJ, 10 ns, DRAM 160 pJ/number", async () => {
    const { params } = await load();
    expect(params.clockHz).toMatchObject({ unit: 'Hz', default: 9.7e9 });
    expect(params.cores).toMatchObject({ unit: '1', default: 1, integer: true });
    expect(params.wavelengths).toMatchObject({ unit: '1', default: 20, integer: true });
    expect(params.macEnergyJ).toMatchObject({ unit: 'J', default: 0.04 * pJ, allowZero: true });
    expect(params.dacEnergyJ).toMatchObject({ unit: 'J', default: 3.18 * pJ });
    expect(params.adcEnergyJ).toMatchObject({ unit: 'J', default: 1.6 * pJ });
    expect(params.conversionLatencyS).toMatchObject({ unit: 's', default: 10e-9, allowZero: true });
    expect(params.memoryEnergyPerNumberJ).toMatchObject({ unit: 'J', default: 160 * pJ, allowZero: true });
    for (const name of ['clockHz', 'cores', 'wavelengths', 'macEnergyJ', 'dacEnergyJ', 'adcEnergyJ', 'conversionLatencyS']) {
      expect(params[name]?.source, name).toMatch(/RyanTomich\/LightCode lightcode\/hardware\.py/);
    }
  });

  it('what the study models none of defaults to 0 (and may be 0): reloads, modulators, detectors, laser, rings, buffer, bandwidth, idle power', async () => {
    const { params } = await load();
    for (const [name, unit] of [
      ['weightReloadTimeS', 's'],
      ['weightReloadEnergyJ', 'J'],
      ['modulatorEnergyJ', 'J'],
      ['modulatorPowerW', 'W'],
      ['photodetectorPowerW', 'W'],
      ['tiaPowerW', 'W'],
      ['laserPowerPerWavelengthW', 'W'],
      ['memoryEnergyPerByteJ', 'J/B'],
      ['memoryBandwidthBps', 'B/s'],
      ['sramEnergyPerByteJ', 'J/B'],
      ['staticPowerW', 'W'],
    ] as const) {
      expect(params[name], name).toMatchObject({ unit, default: 0, allowZero: true });
    }
    expect(params.ringsPerCore).toMatchObject({ unit: '1', default: 0, allowZero: true, integer: true });
    expect(params.sramBytes).toMatchObject({ unit: 'B', default: 0, allowZero: true, integer: true });
  });

  it('choices: the study first (dot-product-serial, once per number, electro-optic, per-wavelength laser, unlimited converters, precision ignored)', async () => {
    const { params } = await load();
    expect(params.dataflow).toMatchObject({ unit: 'choice', default: 'dot-product-serial', choices: ['dot-product-serial', 'crossbar'] });
    expect(params.conversionCounting).toMatchObject({
      unit: 'choice',
      default: 'once-per-number',
      choices: ['once-per-number', 'per-cycle'],
    });
    expect(params.weightEncoding).toMatchObject({
      unit: 'choice',
      default: 'electro-optic',
      choices: ['electro-optic', 'thermal', 'held'],
    });
    expect(params.precision).toMatchObject({ unit: 'choice', default: 'ignore', choices: ['ignore', 'bit-slice', 'exclude'] });
    expect(params.dacScaling).toMatchObject({ unit: 'choice', default: 'simphony', choices: ['simphony', 'lightening-transformer'] });
    expect(params.adcArchitecture).toMatchObject({ unit: 'choice', default: 'sar', choices: ['sar', 'flash'] });
    expect(params.converterThroughput).toMatchObject({ unit: 'choice', default: 'unlimited', choices: ['unlimited', 'limited'] });
    expect(params.laserModel).toMatchObject({ unit: 'choice', default: 'per-wavelength', choices: ['per-wavelength', 'link-budget'] });
  });

  it('device figures: SimPhony 8-bit converters (DAC 14 GS/s, ADC 10 GS/s), a 12 x 12 crossbar, one converter per wavelength', async () => {
    const { params } = await load();
    expect(params.bits).toMatchObject({ unit: '1', default: 8, integer: true, max: 16 });
    expect(params.converterRefBits).toMatchObject({ unit: '1', default: 8, integer: true, max: 16 });
    expect(params.dacSampleRateHz).toMatchObject({ unit: 'Hz', default: 14e9 });
    expect(params.adcSampleRateHz).toMatchObject({ unit: 'Hz', default: 10e9 });
    expect(params.dacSampleRateHz?.source).toMatch(/8 bit, 14 GS\/s, 50 mW \(3\.57 pJ\/sample\)/);
    expect(params.adcSampleRateHz?.source).toMatch(/8 bit, 10 GS\/s, 14\.8 mW \(1\.48 pJ\/sample\)/);
    expect(params.crossbarRows).toMatchObject({ unit: '1', default: 12, integer: true });
    expect(params.crossbarCols).toMatchObject({ unit: '1', default: 12, integer: true });
    expect(params.crossbarRows?.source).toMatch(/dptc\.yml: 12 x 12 crossbar, 12 wavelengths, 5 GHz, 4 bit/);
    expect(params.dacsPerCore).toMatchObject({ unit: '1', default: 20, integer: true });
    expect(params.adcsPerCore).toMatchObject({ unit: '1', default: 20, integer: true });
  });

  it("optics: wall-plug 0.2 (at most 1), detectors -25 dBm (-100..30), Lightening-Transformer's insertion losses, 1.375 mW per tuned ring", async () => {
    const { params } = await load();
    expect(params.wallPlugEfficiency).toMatchObject({ unit: '1', default: 0.2, max: 1 });
    expect(params.wallPlugEfficiency?.source).toMatch(/wall-plug efficiency 0\.2/);
    expect(params.detectorSensitivityDbm).toMatchObject({ unit: 'dBm', default: -25, min: -100, max: 30 });
    expect(params.detectorSensitivityDbm?.source).toMatch(/photo_detector sensitivity -25 dBm/);
    for (const [name, db, cited] of [
      ['modulatorLossDb', 1.2, /mzi_modulator insertion_loss 1\.2 dB/],
      ['wdmLossDb', 0.93, /mrr_router insertion_loss 0\.93 dB/],
      ['splitterLossDb', 0.1, /y_branch insertion_loss 0\.1 dB/],
      ['phaseShifterLossDb', 0.33, /phase_shifter insertion_loss 0\.33 dB/],
      ['couplerLossDb', 0.33, /direction_coupler insertion_loss 0\.33 dB/],
    ] as const) {
      expect(params[name], name).toMatchObject({ unit: 'dB', default: db, allowZero: true });
      expect(params[name]?.source, name).toMatch(cited);
    }
    expect(params.tuningPowerPerRingW).toMatchObject({ unit: 'W', default: 1.375 * mW, allowZero: true });
    expect(params.tuningPowerPerRingW?.source).toMatch(/1\.375 mW thermo-optic tuning per ring/);
  });

  it("lightcode-2025 states the study's six choices as the defaults, each with its reason", async () => {
    const { params, presets } = await load();
    const study = presets['lightcode-2025'];
    expect(study?.values).toEqual({
      conversionCounting: 'once-per-number',
      weightEncoding: 'electro-optic',
      laserModel: 'per-wavelength',
      sramBytes: 0,
      memoryBandwidthBps: 0,
      precision: 'ignore',
    });
    for (const [name, value] of Object.entries(study?.values ?? {})) expect(value, name).toBe(params[name]?.default);
    expect(study?.sources?.sramBytes).toMatch(/^the study models no on-chip buffer/);
    expect(study?.sources?.precision).toMatch(/^the study ignores precision/);
    expect(study?.sources?.memoryBandwidthBps).toMatch(/fixed 10 ns whatever their size/);
  });

  it("device-2025, Lightening-Transformer's DPTC: 12 x 12 x 12 at 5 GHz and 4 bit; 50 mW / 14 GS/s DACs, 14.8 mW / 10 GS/s ADCs; (12 + 12) x 12 DACs, 12 x 12 ADCs", async () => {
    const v = (await load()).presets['device-2025']?.values ?? {};
    expect(v).toMatchObject({
      dataflow: 'crossbar',
      crossbarRows: 12,
      crossbarCols: 12,
      wavelengths: 12,
      clockHz: 5e9,
      bits: 4,
      precision: 'bit-slice',
      conversionCounting: 'per-cycle',
      weightEncoding: 'electro-optic',
      converterRefBits: 8,
      dacScaling: 'lightening-transformer',
      converterThroughput: 'limited',
      dacSampleRateHz: 14e9,
      adcSampleRateHz: 10e9,
      dacsPerCore: (12 + 12) * 12,
      adcsPerCore: 12 * 12,
      macEnergyJ: 0,
      laserModel: 'link-budget',
      wallPlugEfficiency: 0.2,
      ringsPerCore: 0,
      memoryEnergyPerNumberJ: 0,
      memoryBandwidthBps: 1e12,
      sramBytes: 2048 * 1024,
    });
    // the 23 above and the 8 figures below, nothing else
    expect(Object.keys(v)).toHaveLength(23 + 8);
    expect(v.dacEnergyJ).toBeCloseTo((50 * mW) / 14e9, 14);
    expect(v.adcEnergyJ).toBeCloseTo((14.8 * mW) / 10e9, 24);
    expect(v.modulatorEnergyJ).toBeCloseTo(450e-15, 27);
    // two WDM rings (mux and demux) of 0.275 mW per modulator
    expect(v.modulatorPowerW).toBeCloseTo(2 * 0.275 * mW, 18);
    expect(v.photodetectorPowerW).toBeCloseTo(1.1 * mW, 18);
    expect(v.tiaPowerW).toBeCloseTo(3 * mW, 18);
    // HBM 62.4 pJ per 16-bit word; the buffer 0.92 pJ per 2-byte access
    expect(v.memoryEnergyPerByteJ).toBeCloseTo((62.4 * pJ) / 2, 24);
    expect(v.sramEnergyPerByteJ).toBeCloseTo((0.92 * pJ) / 2, 26);
  });

  it('mrr-thermal-2025 is device-2025 with weights held in thermally tuned rings: 4 us reloads, one ring per weight of the 12 x 12 tile', async () => {
    const { presets } = await load();
    const device = presets['device-2025']?.values ?? {};
    const mrr = presets['mrr-thermal-2025']?.values ?? {};
    const changed = { weightEncoding: 'thermal', weightReloadTimeS: 4e-6, weightReloadEnergyJ: 0, ringsPerCore: 12 * 12 };
    expect(mrr).toMatchObject({ ...device, ...changed, tuningPowerPerRingW: 1.375 * mW, dacsPerCore: 288 });
    expect(Object.keys(mrr).sort()).toEqual(
      [...Object.keys(device), 'weightReloadTimeS', 'weightReloadEnergyJ', 'tuningPowerPerRingW'].sort(),
    );
    expect(presets['mrr-thermal-2025']?.sources?.weightReloadTimeS).toMatch(/thermal_tuning_latency 4 us/);
  });

  it('lightmatter-2025: 4 cores of 128 x 128 at one wavelength and 500 MHz = 65.5 TOPS; held weights, 8 bit; the rest of 78 W as static power', async () => {
    const m = await mod();
    const v = m.default.presets['lightmatter-2025']?.values ?? {};
    expect(v).toMatchObject({
      cores: 4,
      crossbarRows: 128,
      crossbarCols: 128,
      wavelengths: 1,
      clockHz: 500e6,
      bits: 8,
      precision: 'bit-slice',
      weightEncoding: 'held',
      weightReloadTimeS: 1e-9,
      weightReloadEnergyJ: 0,
      dacsPerCore: 128 + 128 * 128,
      adcsPerCore: 128,
      ringsPerCore: 0,
      memoryBandwidthBps: 1e12,
      sramBytes: 2 * 2 ** 20,
    });
    expect(2 * Number(v.cores) * Number(v.crossbarRows) * Number(v.crossbarCols) * Number(v.wavelengths) * Number(v.clockHz)).toBeCloseTo(
      65.5e12,
      -11,
    );
    expect(v.staticPowerW).toBe(m.LIGHTMATTER_ELECTRONICS_W);
    const devices = resolveParams('ptu', m.default.params, m.default.presets, 'lightmatter-2025', { staticPowerW: 0 });
    expect(m.LIGHTMATTER_ELECTRONICS_W).toBeCloseTo(78 - m.fullLoadDynamicPowerW(devices), 12);
    expect(m.LIGHTMATTER_ELECTRONICS_W).toBeGreaterThan(70);
    expect(m.LIGHTMATTER_ELECTRONICS_W).toBeLessThan(78);
    expect(m.default.presets['lightmatter-2025']?.sources?.staticPowerW).toMatch(/78 W less the converter, modulator and detector power/);
  });

  it('the deprecated exports: the former device per-MAC residual, 0.31 pJ less converters and laser; restreamed numbers are the buffer plan extras', async () => {
    const m = await mod();
    const laserPerMac = (12 * 1.27 * mW) / 0.2 / (144 * 12 * 5e9);
    expect(m.DEVICE_MAC_ENERGY_J).toBeCloseTo(0.31 * pJ - (1.14 * pJ) / 12 - laserPerMac, 26);
    expect(m.DEVICE_MAC_ENERGY_J).toBeCloseTo(0.2062 * pJ, 16);
    const p = resolveParams('ptu', m.default.params, m.default.presets, 'device-2025', { sramBytes: 4096 }, m.default.validate);
    const d = matmulDims(linearOp(256, 768, 768, 'fp16'));
    expect(m.restreamedNumbers(d, 2, p)).toBe(m.bufferPlan(d, p).extraNumbers);
    expect(m.restreamedNumbers(d, 2, p)).toBeGreaterThan(0);
    expect(m.restreamedNumbers(d, 4, p)).toBe(m.restreamedNumbers(d, 2, p));
  });

  it('citations name the repository and the file: Lightening-Transformer, SimPhony, SC_ONN_SIM, ISAAC and the float formats', async () => {
    const { params, presets } = await load();
    const LT = 'Lightening-Transformer (zhuhanqing/Lightening-Transformer)';
    expect(params.modulatorLossDb?.source).toBe(
      `${LT} hardware_simulator/params/device_params/default.yaml mzi_modulator insertion_loss 1.2 dB`,
    );
    expect(presets['device-2025']?.sources?.weightEncoding).toMatch(
      /^Lightening-Transformer \(zhuhanqing\/Lightening-Transformer\) hardware_simulator\/hardware\/photonic_crossbar\.py: the DPTC modulates both operands/,
    );
    expect(presets['mrr-thermal-2025']?.sources?.weightReloadEnergyJ).toMatch(
      /^Lightening-Transformer \(zhuhanqing\/Lightening-Transformer\) hardware_simulator\/simulator_FFN\.py get_latency_mzi charges mzi response_time 2 us/,
    );
    expect(params.crossbarRows?.source).toBe(
      'SimPhony (JeremieMelo/SimPhony) configs/design/cores/dptc.yml: 12 x 12 crossbar, 12 wavelengths, 5 GHz, 4 bit',
    );
    expect(params.tuningPowerPerRingW?.source).toBe(
      'SC_ONN_SIM (Sairam954/SC_ONN_SIM) Hardware/MRR.py: 1.375 mW thermo-optic tuning per ring',
    );
    expect(params.precision?.source).toMatch(
      /^Shafiee et al\., "ISAAC: A Convolutional Neural Network Accelerator with In-Situ Analog Arithmetic in Crossbars", ISCA 2016/,
    );
    expect(params.precision?.source).toMatch(/; block floating point, a shared exponent per block .*OFP8\) rev\. 1\.0 \(E4M3: 4\)$/);
    const lm = presets['lightmatter-2025']?.sources ?? {};
    for (const name of ['memoryEnergyPerByteJ', 'memoryBandwidthBps', 'sramBytes']) {
      expect(lm[name], name).toMatch(/^assumption: the devices of device-2025: Lightening-Transformer/);
    }
    expect(lm.precision).toMatch(/^Shafiee et al\..*; assumption: numbers wider than the 8-bit path take slices/);
  });

  it('every preset resolves once loaded and prices a product: nothing is resolved at import', async () => {
    const ptu = await load();
    for (const name of Object.keys(ptu.presets)) {
      const p = resolveParams('ptu', ptu.params, ptu.presets, name, {}, ptu.validate);
      const op = linearOp(5, 6, 7, 'int4');
      const [r] = ptu.realize(op, opArithmetic(op), p);
      expect(r?.latencyS, name).toBeGreaterThan(0);
    }
  });
});
