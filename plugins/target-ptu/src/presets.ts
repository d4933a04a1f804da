import type { ParamValue, ParamValues, Preset } from '@lightcode/cost-model';
import { fullLoadDynamicPowerW } from './model.js';
import { PTU_PARAMS, STUDY_CHOICES } from './params.js';
import {
  BIT_SLICING,
  LIGHTMATTER,
  LT_CROSSBAR,
  LT_DAC_SCALING,
  LT_FIG,
  SC_ONN,
  SC_ONN_MRR,
  SC_ONN_RELOAD,
  SIMPHONY_ADC,
  SIMPHONY_DAC,
  SIMPHONY_DPTC,
  SIMPHONY_LASER,
  STUDY,
} from './sources.js';

/** A preset's values with the source of each. */
type Sourced = Readonly<Record<string, readonly [ParamValue, string]>>;

function preset(description: string, source: string, values: Sourced): Preset {
  return {
    description,
    source,
    values: Object.fromEntries(Object.entries(values).map(([k, [v]]) => [k, v])),
    sources: Object.fromEntries(Object.entries(values).map(([k, [, s]]) => [k, s])),
  };
}

function withDefaults(values: Sourced): ParamValues {
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(PTU_PARAMS)) out[name] = spec.default;
  for (const [name, [v]] of Object.entries(values)) out[name] = v;
  return out;
}

const CONVERTERS_8BIT =
  'SimPhony (JeremieMelo/SimPhony) dac.yml and adc.yml; Lightening-Transformer (zhuhanqing/Lightening-Transformer) hardware_simulator/hardware/ADC.py, DAC.py: converter figures at 8 bit';

/**
 * Lightening-Transformer's dynamically operated photonic tensor core (DPTC),
 * with its defaults: a 12 x 12 crossbar at 12 wavelengths and 5 GHz, 4 bit,
 * both operands re-modulated every cycle. At full load it costs 0.309 pJ/MAC:
 * laser 0.011 + DACs 0.074 + modulators 0.093 + ADCs 0.062 + photodetectors
 * and TIAs 0.068 (photonic_crossbar.py cal_core_power).
 */
const DEVICE_2025: Sourced = {
  dataflow: ['crossbar', `${SIMPHONY_DPTC}; ${LT_CROSSBAR} (DPTC)`],
  crossbarRows: [12, SIMPHONY_DPTC],
  crossbarCols: [12, SIMPHONY_DPTC],
  wavelengths: [12, SIMPHONY_DPTC],
  clockHz: [5e9, SIMPHONY_DPTC],
  bits: [4, SIMPHONY_DPTC],
  precision: [
    'bit-slice',
    `${BIT_SLICING}; a 4-bit core runs wider numbers in slices (Lightening-Transformer's figures are for 4-bit operands)`,
  ],
  conversionCounting: ['per-cycle', LT_FIG.converters],
  weightEncoding: [
    'electro-optic',
    `${LT_CROSSBAR}: the DPTC modulates both operands every cycle and holds no weights, so nothing is reloaded`,
  ],
  converterRefBits: [8, CONVERTERS_8BIT],
  dacEnergyJ: [3.57e-12, SIMPHONY_DAC],
  adcEnergyJ: [1.48e-12, SIMPHONY_ADC],
  dacScaling: ['lightening-transformer', LT_DAC_SCALING],
  converterThroughput: [
    'limited',
    'assumption: converters run at their rated sample rates (SimPhony (JeremieMelo/SimPhony) adc.yml, dac.yml)',
  ],
  dacSampleRateHz: [14e9, SIMPHONY_DAC],
  adcSampleRateHz: [10e9, SIMPHONY_ADC],
  dacsPerCore: [288, `(12 + 12) x 12: ${LT_FIG.converters}`],
  adcsPerCore: [144, `12 x 12: ${LT_FIG.converters}`],
  macEnergyJ: [0, LT_FIG.phaseShifter],
  modulatorEnergyJ: [450e-15, LT_FIG.modulator],
  modulatorPowerW: [0.55e-3, LT_FIG.modulatorPower],
  photodetectorPowerW: [1.1e-3, LT_FIG.detector],
  tiaPowerW: [3e-3, LT_FIG.tia],
  laserModel: ['link-budget', LT_FIG.laser],
  wallPlugEfficiency: [0.2, SIMPHONY_LASER],
  ringsPerCore: [
    0,
    `${LT_CROSSBAR}: the DPTC holds no weights in rings; its WDM mux and demux rings are charged with the modulators (cal_TX_energy)`,
  ],
  memoryEnergyPerNumberJ: [0, `memory energy is given per 16-bit word, so per byte (memoryEnergyPerByteJ): ${LT_FIG.memoryEnergy}`],
  memoryEnergyPerByteJ: [31.2e-12, LT_FIG.memoryEnergy],
  memoryBandwidthBps: [1e12, LT_FIG.memoryBandwidth],
  sramBytes: [2 * 2 ** 20, LT_FIG.sram],
  sramEnergyPerByteJ: [0.46e-12, LT_FIG.sramEnergy],
};

/**
 * A weight-stationary microring weight bank: the device-2025 core with its
 * weights held in thermally tuned rings, set once per tile and reused by
 * every row that streams through it.
 */
const MRR_THERMAL_2025: Sourced = {
  ...DEVICE_2025,
  weightEncoding: [
    'thermal',
    `weight-stationary microring weight bank, weights held in thermally tuned rings: ${SC_ONN} Hardware/MRR.py, MRRVDP.py; Lightening-Transformer (zhuhanqing/Lightening-Transformer) hardware_simulator/hardware/photonic_mrr_bank.py`,
  ],
  weightReloadTimeS: [4e-6, SC_ONN_RELOAD],
  weightReloadEnergyJ: [
    0,
    `${LT_FIG.mziReload}; ${SC_ONN_RELOAD}: a reload costs time; the heaters draw the rings' tuning power, charged as static power over a makespan that includes the reloads, and the weights' DAC samples count as conversions`,
  ],
  ringsPerCore: [144, `one weight ring per tile element, 12 x 12 (${SC_ONN} Hardware/MRR.py, one ring per weight)`],
  tuningPowerPerRingW: [1.375e-3, SC_ONN_MRR],
  dacsPerCore: [288, `12 x 12 input DACs and one DAC per weight ring (${SC_ONN} Hardware/DAC.py: each MRR has a dedicated DAC)`],
};

const LM_SIZE = `assumption sized to ${LIGHTMATTER}: 4 cores x 128 x 128 MACs x 500 MHz = 32.8 T MAC/s = 65.5 TOPS at 2 operations per MAC`;
const LM_DEVICE = 'assumption: the devices of device-2025';

/**
 * A unit sized like Lightmatter's published photonic processor, built from
 * the same public device figures as device-2025: four 128 x 128 cores at one
 * wavelength, weights held (set electrically once per tile), 8 bit. Its
 * electronics (the control and digital dies) have no public breakdown: they
 * are the published 78 W electrical less what this model already charges for
 * the converters, modulators and detectors at full load.
 */
const LIGHTMATTER_DEVICES: Sourced = {
  ...DEVICE_2025,
  cores: [4, LM_SIZE],
  crossbarRows: [128, LM_SIZE],
  crossbarCols: [128, LM_SIZE],
  wavelengths: [1, LM_SIZE],
  clockHz: [500e6, LM_SIZE],
  bits: [8, `assumption: an 8-bit analog path; ${LIGHTMATTER} computes in 16-bit adaptive block floating point with analog gain control`],
  precision: [
    'bit-slice',
    `${BIT_SLICING}; assumption: numbers wider than the 8-bit path take slices (the adaptive block floating point gain control that lets ${LIGHTMATTER} reach ABFP16 in one pass is not modelled)`,
  ],
  weightEncoding: [
    'held',
    `assumption: weights set electrically once per tile and held (thermal tuning of 65,536 weights would draw 90 W at 1.375 mW each, more than the published 78 W)`,
  ],
  weightReloadTimeS: [1e-9, 'assumption: one settling of per-weight DACs on the stacked electronic die, 1 ns; no public figure'],
  weightReloadEnergyJ: [0, 'the weights are set by their DAC samples, counted as conversions'],
  dacsPerCore: [128 + 128 * 128, `one per input row and one per weight: ${LM_SIZE}`],
  adcsPerCore: [128, `one per output: ${LM_SIZE}`],
  ringsPerCore: [0, 'held weights need no thermally tuned rings'],
  memoryEnergyPerByteJ: [31.2e-12, `${LM_DEVICE}: ${LT_FIG.memoryEnergy}`],
  memoryBandwidthBps: [1e12, `${LM_DEVICE}: ${LT_FIG.memoryBandwidth}`],
  sramBytes: [2 * 2 ** 20, `${LM_DEVICE}: ${LT_FIG.sram}`],
};

/** The published 78 W electrical less the converters, modulators and detectors this model charges at full load. */
export const LIGHTMATTER_ELECTRONICS_W = 78 - fullLoadDynamicPowerW(withDefaults(LIGHTMATTER_DEVICES));

const LIGHTMATTER_2025: Sourced = {
  ...LIGHTMATTER_DEVICES,
  staticPowerW: [
    LIGHTMATTER_ELECTRONICS_W,
    `derived: ${LIGHTMATTER}; 78 W less the converter, modulator and detector power this model charges per sample at full load (${fullLoadDynamicPowerW(withDefaults(LIGHTMATTER_DEVICES)).toFixed(2)} W), so nothing is counted twice`,
  ],
};

export const PTU_PRESETS: Readonly<Record<string, Preset>> = {
  'lightcode-2025': preset(
    "The original LightCode study's photonic unit, constants and counting exactly as published: every distinct number converted once, no buffer, laser, weight loading or bandwidth limit, and precision ignored: one pass whatever the numbers' format.",
    STUDY,
    Object.fromEntries(Object.entries(STUDY_CHOICES).map(([k, why]) => [k, [PTU_PARAMS[k]?.default ?? 0, why] as const])),
  ),
  'device-2025': preset(
    "Lightening-Transformer's 12 x 12 x 12-wavelength crossbar core (SimPhony dptc) at 4 bit, both operands re-modulated every cycle, its converter, modulator, detector and laser figures, a 2 MB buffer and HBM at 1 TB/s; scale with cores",
    `Lightening-Transformer (zhuhanqing/Lightening-Transformer) power model and defaults; ${SIMPHONY_DPTC}`,
    DEVICE_2025,
  ),
  'mrr-thermal-2025': preset(
    'device-2025 as a weight-stationary microring bank: weights held in thermally tuned rings, 4 us per tile reload, each tile reused by every row',
    `${SC_ONN}; Lightening-Transformer (zhuhanqing/Lightening-Transformer)`,
    MRR_THERMAL_2025,
  ),
  'lightmatter-2025': preset(
    "Sized like Lightmatter's photonic processor (Nature 2025, 65.5 TOPS): 4 x 128 x 128 cores at 500 MHz, held weights, 8 bit, device-2025's devices, the published 78 W electrical as the rest of its power",
    LIGHTMATTER,
    LIGHTMATTER_2025,
  ),
};
