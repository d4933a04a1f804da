import {
  defineTarget,
  dtypeBytes,
  type MatmulDims,
  matmulDims,
  num,
  type OpArithmetic,
  type OpNode,
  opDtype,
  type ParamValues,
  type Realization,
  str,
} from '@lightcode/cost-model';

const STUDY = 'LightCode study reference implementation: RyanTomich/LightCode lightcode/hardware.py, main.py';
const SIMPHONY_DPTC = 'SimPhony (JeremieMelo/SimPhony) configs/design/cores/dptc.yml: 12 x 12 crossbar, 12 wavelengths, 5 GHz, 4 bit';
const SIMPHONY_ADC = 'SimPhony (JeremieMelo/SimPhony) configs/devices/electronics/adc.yml: 8 bit, 10 GS/s, 14.8 mW (1.48 pJ/sample)';
const SIMPHONY_DAC = 'SimPhony (JeremieMelo/SimPhony) dac.yml: 8 bit, 14 GS/s, 50 mW (3.57 pJ/sample)';
const SIMPHONY_LASER = 'SimPhony (JeremieMelo/SimPhony) on_chip_laser.yml: wall-plug efficiency 0.2';
const SC_ONN_MRR = 'SC_ONN_SIM (Sairam954/SC_ONN_SIM) Hardware/MRR.py: 1.375 mW thermal tuning per ring';

/**
 * Conversions and cycles of one matrix product on the photonic unit.
 *
 * dot-product-serial (the original study): each wavelength of each core carries
 * one dot product, one element per cycle, so
 * cycles = ceil(ceil(outputs / wavelengths) / cores) x K. Every distinct input
 * number is converted once (DAC) and every output once (ADC).
 *
 * crossbar: a core holds an R x C tile of the second operand and multiplies it
 * with one input vector per wavelength per cycle. A K x N operand needs
 * ceil(K/R) x ceil(N/C) tiles; each tile re-streams the M input rows (one DAC
 * pass per column tile) and emits partial sums that leave through the ADC (one
 * ADC pass per row tile), accumulated electronically.
 */
export function photonicWork(d: MatmulDims, p: ParamValues): { cycles: number; dac: number; adc: number } {
  const cores = num(p, 'cores');
  const wl = num(p, 'wavelengths');
  const { batch, m, k, n } = d;
  if (str(p, 'dataflow') === 'crossbar') {
    const rows = num(p, 'crossbarRows');
    const cols = num(p, 'crossbarCols');
    const rowTiles = Math.ceil(k / rows);
    const colTiles = Math.ceil(n / cols);
    const tiles = rowTiles * colTiles;
    return {
      cycles: batch * Math.ceil(tiles / cores) * Math.ceil(m / wl),
      dac: batch * (k * n + m * k * colTiles),
      adc: batch * m * n * rowTiles,
    };
  }
  const outputs = batch * m * n;
  return {
    cycles: Math.ceil(Math.ceil(outputs / wl) / cores) * k,
    dac: batch * (m * k + k * n),
    adc: outputs,
  };
}

const SIMPHONY = 'SimPhony (JeremieMelo/SimPhony) onnarchsim/workflow/energy.py converter scaling laws';

/**
 * Converter energy per sample at `bits`, scaled from the figure at the
 * reference resolution: DAC x [2^b/(b+1)] / [2^b0/(b0+1)]; SAR ADC x b/b0;
 * flash ADC x (2^b - 1)/(2^b0 - 1). Power scales with the sample rate, so the
 * energy per sample does not.
 */
export function converterEnergies(p: ParamValues): { dacJ: number; adcJ: number } {
  const b = num(p, 'bits');
  const b0 = num(p, 'converterRefBits');
  const dacScale = 2 ** b / (b + 1) / (2 ** b0 / (b0 + 1));
  const adcScale = str(p, 'adcArchitecture') === 'flash' ? (2 ** b - 1) / (2 ** b0 - 1) : b / b0;
  return { dacJ: num(p, 'dacEnergyJ') * dacScale, adcJ: num(p, 'adcEnergyJ') * adcScale };
}

/**
 * Static power of one unit: the laser (per wavelength and core, through the
 * wall-plug efficiency), ring thermal tuning, and any other idle draw.
 */
export function ptuStaticPowerW(p: ParamValues): number {
  const laser = (num(p, 'laserPowerPerWavelengthW') * num(p, 'wavelengths') * num(p, 'cores')) / num(p, 'wallPlugEfficiency');
  return laser + num(p, 'ringsPerCore') * num(p, 'cores') * num(p, 'tuningPowerPerRingW') + num(p, 'staticPowerW');
}

const DEVICE =
  'public device figures: SimPhony (JeremieMelo/SimPhony) dptc.yml (12 x 12 crossbar, 12 wavelengths, 5 GHz, 4 bit), adc.yml (8 bit, 10 GS/s, 1.48 pJ), dac.yml (8 bit, 14 GS/s, 3.57 pJ), on_chip_laser.yml (wall-plug 0.2), LT.yml (HBM 62.4 pJ/byte); SC_ONN_SIM (Sairam954/SC_ONN_SIM) metrics.py (1.27 mW per wavelength), Hardware/MRR.py (1.375 mW per ring); Lightening-Transformer (zhuhanqing/Lightening-Transformer) power model (0.31 pJ/MAC)';

/**
 * The per-MAC energy of the device preset. Lightening-Transformer's power
 * model gives about 0.31 pJ/MAC for a 4-bit crossbar core including its
 * converters and laser; this model counts those separately, so the preset's
 * MAC energy is what remains: 0.31 pJ minus the converters' share (at 4 bit a
 * DAC sample is 0.40 pJ and an ADC sample 0.74 pJ, one of each per 12 MACs
 * of a 12 x 12 tile: 0.095 pJ) minus the laser's (12 x 1.27 mW / 0.2 over
 * 144 x 12 MACs per 0.2 ns cycle: 0.009 pJ).
 */
export const DEVICE_MAC_ENERGY_J = 0.31e-12 - (0.4e-12 + 0.74e-12) / 12 - (12 * 1.27e-3) / 0.2 / (144 * 12 * 5e9);

const DEVICE_2025: Readonly<Record<string, number | string>> = {
  dataflow: 'crossbar',
  crossbarRows: 12,
  crossbarCols: 12,
  wavelengths: 12,
  clockHz: 5e9,
  bits: 4,
  converterRefBits: 8,
  dacEnergyJ: 3.57e-12,
  adcEnergyJ: 1.48e-12,
  converterThroughput: 'limited',
  dacSampleRateHz: 14e9,
  adcSampleRateHz: 10e9,
  // one converter per modulator and per detector: 12 rows (columns) x 12 wavelengths
  dacsPerCore: 144,
  adcsPerCore: 144,
  macEnergyJ: DEVICE_MAC_ENERGY_J,
  laserPowerPerWavelengthW: 1.27e-3,
  wallPlugEfficiency: 0.2,
  ringsPerCore: 144,
  tuningPowerPerRingW: 1.375e-3,
  // fp16 operands from HBM: 2 bytes x 62.4 pJ/byte
  memoryEnergyPerNumberJ: 2 * 62.4e-12,
};

/** Where each value of the device preset comes from. */
const DEVICE_2025_SOURCES: Readonly<Record<string, string>> = {
  dataflow: SIMPHONY_DPTC,
  crossbarRows: SIMPHONY_DPTC,
  crossbarCols: SIMPHONY_DPTC,
  wavelengths: SIMPHONY_DPTC,
  clockHz: SIMPHONY_DPTC,
  bits: SIMPHONY_DPTC,
  converterRefBits: 'SimPhony (JeremieMelo/SimPhony) adc.yml and dac.yml give converter figures at 8 bit',
  dacEnergyJ: SIMPHONY_DAC,
  adcEnergyJ: SIMPHONY_ADC,
  converterThroughput: 'assumption: converters run at their rated sample rates (SimPhony adc.yml, dac.yml)',
  dacSampleRateHz: SIMPHONY_DAC,
  adcSampleRateHz: SIMPHONY_ADC,
  dacsPerCore: 'assumption: one DAC per modulator, 12 rows x 12 wavelengths',
  adcsPerCore: 'assumption: one ADC per detector, 12 columns x 12 wavelengths',
  macEnergyJ:
    'derived: Lightening-Transformer (zhuhanqing/Lightening-Transformer) power model, 0.31 pJ/MAC for a 4-bit 12 x 12 crossbar with converters and laser, less their shares counted separately here',
  laserPowerPerWavelengthW: 'SC_ONN_SIM (Sairam954/SC_ONN_SIM) PerformanceMetrics/metrics.py: ~1.27 mW per wavelength',
  wallPlugEfficiency: SIMPHONY_LASER,
  ringsPerCore: 'assumption: 144 thermally tuned rings per core (12 x 12)',
  tuningPowerPerRingW: SC_ONN_MRR,
  memoryEnergyPerNumberJ: 'SimPhony (JeremieMelo/SimPhony) LT.yml (CACTI): HBM 62.4 pJ/byte, x 2 bytes per fp16 number',
};

/**
 * Input numbers read again from memory because they do not fit on chip: a
 * crossbar streams the M x K input once per column tile, which only the first
 * pass may read from memory when the input fits in `sramBytes` (0: the SRAM is
 * not modelled, as in the study).
 */
export function restreamedNumbers(d: MatmulDims, bytesPerNumber: number, p: ParamValues): number {
  const sram = num(p, 'sramBytes');
  if (sram === 0 || str(p, 'dataflow') !== 'crossbar') return 0;
  const input = d.m * d.k;
  if (input * bytesPerNumber <= sram) return 0;
  return d.batch * input * (Math.ceil(d.n / num(p, 'crossbarCols')) - 1);
}

function realize(op: OpNode, arith: OpArithmetic, p: ParamValues): Realization[] {
  const dims = matmulDims(op);
  const { cycles, dac, adc } = photonicWork(dims, p);
  const { dacJ, adcJ } = converterEnergies(p);
  // Converters can cap throughput: every number in or out takes a sample.
  const converterS =
    str(p, 'converterThroughput') === 'limited'
      ? Math.max(
          dac / (num(p, 'dacSampleRateHz') * num(p, 'dacsPerCore') * num(p, 'cores')),
          adc / (num(p, 'adcSampleRateHz') * num(p, 'adcsPerCore') * num(p, 'cores')),
        )
      : 0;
  const bytesPerNumber = dtypeBytes(opDtype(op) ?? 'fp32');
  const numbersMoved = (arith.bytesRead + arith.bytesWritten) / bytesPerNumber + restreamedNumbers(dims, bytesPerNumber, p);
  return [
    {
      algorithm: str(p, 'dataflow'),
      latencyS: Math.max(cycles / num(p, 'clockHz'), converterS) + 2 * num(p, 'conversionLatencyS'),
      // independent products (batch x heads) can run on different units
      parts: dims.batch,
      energy: {
        compute: arith.macs * num(p, 'macEnergyJ'),
        conversion: dac * dacJ + adc * adcJ,
        memory: numbersMoved * num(p, 'memoryEnergyPerNumberJ'),
      },
    },
  ];
}

export default defineTarget({
  id: 'ptu',
  name: 'Photonic Tensor Unit',
  description: 'Photonic matrix unit with WDM multiplexing; runs linear algebra only, every number crosses a DAC in and an ADC out.',
  dtypes: ['fp32', 'fp16', 'bf16', 'int8'],
  opKinds: ['linear', 'matmul'],
  params: {
    clockHz: { unit: 'Hz', default: 9.7e9, description: 'photonic clock', source: STUDY },
    cores: { unit: '1', default: 1, integer: true, description: 'photonic cores', source: STUDY },
    wavelengths: { unit: '1', default: 20, integer: true, description: 'WDM multiplexing degree', source: STUDY },
    dataflow: {
      unit: 'choice',
      default: 'dot-product-serial',
      choices: ['dot-product-serial', 'crossbar'],
      description: 'how a matrix product maps onto the cores',
      source: STUDY,
    },
    crossbarRows: {
      unit: '1',
      default: 12,
      integer: true,
      description: 'crossbar tile rows (K)',
      source: SIMPHONY_DPTC,
    },
    crossbarCols: {
      unit: '1',
      default: 12,
      integer: true,
      description: 'crossbar tile columns (N)',
      source: SIMPHONY_DPTC,
    },
    macEnergyJ: { unit: 'J', default: 0.04e-12, description: 'energy per photonic MAC', source: STUDY },
    bits: {
      unit: '1',
      default: 8,
      integer: true,
      description: 'converter resolution (bits per number)',
      source: 'SimPhony (JeremieMelo/SimPhony) adc.yml, dac.yml: 8 bit',
    },
    converterRefBits: {
      unit: '1',
      default: 8,
      integer: true,
      description: 'resolution at which dacEnergyJ and adcEnergyJ are given',
      source: SIMPHONY,
    },
    adcArchitecture: {
      unit: 'choice',
      default: 'sar',
      choices: ['sar', 'flash'],
      description: 'how ADC energy scales with bits',
      source: SIMPHONY,
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
    dacsPerCore: { unit: '1', default: 20, integer: true, description: 'DACs feeding one core', source: 'assumption: one per wavelength' },
    adcsPerCore: { unit: '1', default: 20, integer: true, description: 'ADCs reading one core', source: 'assumption: one per wavelength' },
    laserPowerPerWavelengthW: {
      unit: 'W',
      default: 0,
      allowZero: true,
      description: 'optical laser power per wavelength (the study models none)',
      source: STUDY,
    },
    wallPlugEfficiency: { unit: '1', default: 0.2, description: 'laser wall-plug efficiency', source: SIMPHONY_LASER },
    ringsPerCore: {
      unit: '1',
      default: 0,
      allowZero: true,
      integer: true,
      description: 'thermally tuned rings per core (the study models none)',
      source: STUDY,
    },
    tuningPowerPerRingW: {
      unit: 'W',
      default: 1.375e-3,
      allowZero: true,
      description: 'thermal tuning power per ring',
      source: SC_ONN_MRR,
    },
    dacEnergyJ: { unit: 'J', default: 3.18e-12, description: 'DAC energy per number into the unit', source: STUDY },
    adcEnergyJ: { unit: 'J', default: 1.6e-12, description: 'ADC energy per number out of the unit', source: STUDY },
    conversionLatencyS: { unit: 's', default: 10e-9, allowZero: true, description: 'DAC/ADC delay per transfer', source: STUDY },
    memoryEnergyPerNumberJ: {
      unit: 'J',
      default: 160e-12,
      allowZero: true,
      description: 'memory access energy per number read or written (DRAM in the study)',
      source: STUDY,
    },
    sramBytes: {
      unit: 'B',
      default: 0,
      allowZero: true,
      integer: true,
      description:
        'on-chip SRAM for the streamed input; a larger input is re-read from memory on every crossbar pass (0: not modelled, as in the study)',
      source: STUDY,
    },
    staticPowerW: {
      unit: 'W',
      default: 0,
      allowZero: true,
      description: 'other idle power per instance, besides laser and tuning (the study models none)',
      source: STUDY,
    },
  },
  presets: {
    'lightcode-2025': {
      description: "The original LightCode study's photonic unit, constants exactly as published.",
      source: STUDY,
      values: {},
    },
    'device-2025': {
      description:
        'A 12 x 12 crossbar core (SimPhony dptc) at 4 bit with published converter, laser, tuning and HBM figures; scale with cores',
      source: DEVICE,
      sources: DEVICE_2025_SOURCES,
      values: DEVICE_2025,
    },
  },
  defaultPreset: 'lightcode-2025',
  realize,
  staticPowerW: ptuStaticPowerW,
});
