import type { ParamSpec } from '@lightcode/cost-model';
import { LT_FIG, SC_ONN_MRR, SIMPHONY_ADC, SIMPHONY_DAC, SIMPHONY_DPTC, SIMPHONY_LASER, SIMPHONY_SCALING, STUDY } from './sources.js';

/**
 * The PTU's parameters. Defaults are the original study's values and
 * behaviour (source: the study) wherever the study has one, so that the
 * `lightcode-2025` preset is the defaults; a device figure the study lacks
 * defaults to its public source, and to a value that changes nothing where the
 * study models no such effect.
 */
export const PTU_PARAMS: Readonly<Record<string, ParamSpec>> = {
  clockHz: { unit: 'Hz', default: 9.7e9, description: 'photonic clock', source: STUDY },
  cores: { unit: '1', default: 1, integer: true, description: 'photonic cores', source: STUDY },
  wavelengths: {
    unit: '1',
    default: 20,
    integer: true,
    description: 'WDM multiplexing degree: rows of the first operand per cycle (crossbar), dot products in flight (dot-product-serial)',
    source: STUDY,
  },
  dataflow: {
    unit: 'choice',
    default: 'dot-product-serial',
    choices: ['dot-product-serial', 'crossbar'],
    description:
      'dot-product-serial: each wavelength carries one dot product, one element per cycle, holding nothing; crossbar: an R x C tile of the second operand meets one row of the first per wavelength per cycle',
    source: STUDY,
  },
  crossbarRows: { unit: '1', default: 12, integer: true, description: 'crossbar tile rows (R, along K)', source: SIMPHONY_DPTC },
  crossbarCols: { unit: '1', default: 12, integer: true, description: 'crossbar tile columns (C, along N)', source: SIMPHONY_DPTC },
  conversionCounting: {
    unit: 'choice',
    default: 'once-per-number',
    choices: ['once-per-number', 'per-cycle'],
    description:
      "once-per-number (the study's counting): every distinct input number crosses a DAC once and every output an ADC once, as if held in the analog domain as long as needed; per-cycle: what the dataflow needs, each operand re-modulated whenever nothing holds it",
    source: STUDY,
  },
  weightEncoding: {
    unit: 'choice',
    default: 'electro-optic',
    choices: ['electro-optic', 'thermal', 'held'],
    description:
      'electro-optic: weights re-modulated every cycle through DACs, no reload; thermal: set once per crossbar tile by thermal tuning and held while the rows stream, at weightReloadTimeS and weightReloadEnergyJ per tile; held: the same, set electrically (fast reload)',
    source: STUDY,
  },
  weightReloadTimeS: {
    unit: 's',
    default: 0,
    allowZero: true,
    description: 'time to set one tile of held weights; no tile computes meanwhile (the study models none)',
    source: STUDY,
  },
  weightReloadEnergyJ: {
    unit: 'J',
    default: 0,
    allowZero: true,
    description: 'energy to set one tile of held weights, besides its DAC samples (the study models none)',
    source: STUDY,
  },
  macEnergyJ: {
    unit: 'J',
    default: 0.04e-12,
    allowZero: true,
    description: 'energy per photonic MAC not counted by the components below (the study: all of it)',
    source: STUDY,
  },
  bits: {
    unit: '1',
    default: 8,
    integer: true,
    max: 16,
    description: 'resolution of the converters and the analog signal (bits per number)',
    source: 'SimPhony (JeremieMelo/SimPhony) adc.yml, dac.yml: 8 bit',
  },
  converterRefBits: {
    unit: '1',
    default: 8,
    integer: true,
    max: 16,
    description: 'resolution at which dacEnergyJ and adcEnergyJ are given',
    source: SIMPHONY_SCALING,
  },
  dacScaling: {
    unit: 'choice',
    default: 'simphony',
    choices: ['simphony', 'lightening-transformer'],
    description: 'how DAC energy scales with bits: simphony x [2^b/(b+1)] / [2^b0/(b0+1)], lightening-transformer x [2^b/b] / [2^b0/b0]',
    source: SIMPHONY_SCALING,
  },
  adcArchitecture: {
    unit: 'choice',
    default: 'sar',
    choices: ['sar', 'flash'],
    description: 'how ADC energy scales with bits',
    source: SIMPHONY_SCALING,
  },
  converterThroughput: {
    unit: 'choice',
    default: 'unlimited',
    choices: ['unlimited', 'limited'],
    description: 'whether converter sample rates can cap throughput (the study assumes not)',
    source: STUDY,
  },
  dacSampleRateHz: { unit: 'Hz', default: 14e9, description: 'DAC sample rate', source: SIMPHONY_DAC },
  adcSampleRateHz: { unit: 'Hz', default: 10e9, description: 'ADC sample rate', source: SIMPHONY_ADC },
  dacsPerCore: {
    unit: '1',
    default: 20,
    integer: true,
    description:
      'DACs feeding one core (a crossbar re-modulating both operands needs L R + R C, (H + W) x wavelengths in SimPhony and Lightening-Transformer)',
    source: 'assumption: one per wavelength',
  },
  adcsPerCore: {
    unit: '1',
    default: 20,
    integer: true,
    description: 'ADCs reading one core (a crossbar needs L C, one per output)',
    source: 'assumption: one per wavelength',
  },
  dacEnergyJ: { unit: 'J', default: 3.18e-12, description: 'DAC energy per sample at converterRefBits', source: STUDY },
  adcEnergyJ: { unit: 'J', default: 1.6e-12, description: 'ADC energy per sample at converterRefBits', source: STUDY },
  conversionLatencyS: { unit: 's', default: 10e-9, allowZero: true, description: 'DAC/ADC delay per transfer', source: STUDY },
  modulatorEnergyJ: {
    unit: 'J',
    default: 0,
    allowZero: true,
    description: 'optical modulator drive energy per modulated symbol (the study models none)',
    source: STUDY,
  },
  modulatorPowerW: {
    unit: 'W',
    default: 0,
    allowZero: true,
    description: 'power of a modulator and its WDM rings while it modulates, per modulator (the study models none)',
    source: STUDY,
  },
  photodetectorPowerW: {
    unit: 'W',
    default: 0,
    allowZero: true,
    description: 'photodetector power per output channel while it reads (the study models none)',
    source: STUDY,
  },
  tiaPowerW: {
    unit: 'W',
    default: 0,
    allowZero: true,
    description: 'transimpedance amplifier power per output channel while it reads (the study models none)',
    source: STUDY,
  },
  laserModel: {
    unit: 'choice',
    default: 'per-wavelength',
    choices: ['per-wavelength', 'link-budget'],
    description:
      'per-wavelength: laserPowerPerWavelengthW x wavelengths x cores / wall-plug; link-budget: the optical power that reaches every detector at its sensitivity through the insertion loss and the split, x 2^bits, per core (Lightening-Transformer)',
    source: STUDY,
  },
  laserPowerPerWavelengthW: {
    unit: 'W',
    default: 0,
    allowZero: true,
    description: 'optical laser power per wavelength, laserModel per-wavelength (the study models none)',
    source: STUDY,
  },
  wallPlugEfficiency: {
    unit: '1',
    default: 0.2,
    max: 1,
    description: 'laser wall-plug efficiency (optical out / electrical in)',
    source: SIMPHONY_LASER,
  },
  detectorSensitivityDbm: {
    unit: 'dBm',
    default: -25,
    min: -100,
    max: 30,
    description: 'optical power a detector needs per output (link-budget laser)',
    source: LT_FIG.sensitivity,
  },
  modulatorLossDb: {
    unit: 'dB',
    default: 1.2,
    allowZero: true,
    description: 'modulator insertion loss (link-budget laser)',
    source: LT_FIG.modulatorLoss,
  },
  wdmLossDb: {
    unit: 'dB',
    default: 0.93,
    allowZero: true,
    description: 'insertion loss of one WDM ring, met twice (mux and demux) (link-budget laser)',
    source: LT_FIG.wdmLoss,
  },
  splitterLossDb: {
    unit: 'dB',
    default: 0.1,
    allowZero: true,
    description: 'excess loss of one 1:2 splitter level, besides the split itself (link-budget laser)',
    source: LT_FIG.splitterLoss,
  },
  phaseShifterLossDb: {
    unit: 'dB',
    default: 0.33,
    allowZero: true,
    description: 'phase shifter insertion loss at a cross-point (link-budget laser)',
    source: LT_FIG.phaseShifterLoss,
  },
  couplerLossDb: {
    unit: 'dB',
    default: 0.33,
    allowZero: true,
    description: 'directional coupler insertion loss at a cross-point (link-budget laser)',
    source: LT_FIG.couplerLoss,
  },
  ringsPerCore: {
    unit: '1',
    default: 0,
    allowZero: true,
    integer: true,
    description: 'thermally tuned rings per core, held at their resonance whether busy or not (the study models none)',
    source: STUDY,
  },
  tuningPowerPerRingW: { unit: 'W', default: 1.375e-3, allowZero: true, description: 'thermal tuning power per ring', source: SC_ONN_MRR },
  memoryEnergyPerNumberJ: {
    unit: 'J',
    default: 160e-12,
    allowZero: true,
    description: 'memory access energy per number read or written, whatever its size (the study: DRAM)',
    source: STUDY,
  },
  memoryEnergyPerByteJ: {
    unit: 'J/B',
    default: 0,
    allowZero: true,
    description: 'memory access energy per byte read or written, added to the per-number figure (the study counts per number)',
    source: STUDY,
  },
  memoryBandwidthBps: {
    unit: 'B/s',
    default: 0,
    allowZero: true,
    description: 'bandwidth of the memory or link that feeds the unit its operands; 0: unlimited (the study models no limit)',
    source: STUDY,
  },
  sramBytes: {
    unit: 'B',
    default: 0,
    allowZero: true,
    integer: true,
    description:
      'on-chip buffer for operands and partial sums (numbers held at `bits`); what does not fit is re-read or spilled at the memory energy and bandwidth; 0: not modelled, every operand read once (the study)',
    source: STUDY,
  },
  sramEnergyPerByteJ: {
    unit: 'J/B',
    default: 0,
    allowZero: true,
    description: 'on-chip buffer energy per byte accessed (the study models no buffer)',
    source: STUDY,
  },
  staticPowerW: {
    unit: 'W',
    default: 0,
    allowZero: true,
    description: 'other idle power per instance, besides laser and tuning (the study models none)',
    source: STUDY,
  },
};

/** The study's choices where a device model differs, stated in the `lightcode-2025` preset with their reasons. */
export const STUDY_CHOICES: Readonly<Record<string, string>> = {
  conversionCounting: `the study converts each distinct input number once and each output once (${STUDY}); per-cycle counting re-modulates operands nothing holds`,
  weightEncoding: `the study charges no weight programming (${STUDY})`,
  laserModel: `the study models no laser power (${STUDY})`,
  sramBytes: `the study models no on-chip buffer: every operand is read from memory once (${STUDY})`,
  memoryBandwidthBps: `the study models no bandwidth limit: transfers take a fixed 10 ns whatever their size (${STUDY})`,
};
