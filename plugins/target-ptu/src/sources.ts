/**
 * Citations of the PTU model's figures: repository and file, paper or
 * datasheet. A parameter's `source` and a preset's per-value `sources` use
 * these, never a local path.
 */

export const STUDY = 'LightCode study reference implementation: RyanTomich/LightCode lightcode/hardware.py, main.py';

const LT = 'Lightening-Transformer (zhuhanqing/Lightening-Transformer)';
const LT_DEFAULTS = `${LT} hardware_simulator/params/device_params/default.yaml`;
export const LT_CROSSBAR = `${LT} hardware_simulator/hardware/photonic_crossbar.py`;
export const LT_FFN = `${LT} hardware_simulator/simulator_FFN.py`;
const SIMPHONY = 'SimPhony (JeremieMelo/SimPhony)';
export const SC_ONN = 'SC_ONN_SIM (Sairam954/SC_ONN_SIM)';

export const SIMPHONY_DPTC = `${SIMPHONY} configs/design/cores/dptc.yml: 12 x 12 crossbar, 12 wavelengths, 5 GHz, 4 bit`;
export const SIMPHONY_ADC = `${SIMPHONY} configs/devices/electronics/adc.yml; ${LT} hardware_simulator/hardware/ADC.py: 8 bit, 10 GS/s, 14.8 mW (1.48 pJ/sample)`;
export const SIMPHONY_DAC = `${SIMPHONY} dac.yml; ${LT} hardware_simulator/hardware/DAC.py: 8 bit, 14 GS/s, 50 mW (3.57 pJ/sample)`;
export const SIMPHONY_LASER = `${SIMPHONY} on_chip_laser.yml; ${LT_DEFAULTS} laser wall_plug_eff: wall-plug efficiency 0.2`;
export const SIMPHONY_SCALING = `${SIMPHONY} onnarchsim/workflow/energy.py converter scaling laws`;
export const LT_DAC_SCALING = `${LT} hardware_simulator/hardware/DAC.py cal_DAC_param: P x [2^b/b] / [2^b0/b0] x f/f0`;
export const SC_ONN_MRR = `${SC_ONN} Hardware/MRR.py: 1.375 mW thermo-optic tuning per ring`;
export const SC_ONN_LASER = `${SC_ONN} PerformanceMetrics/metrics.py: 1.274 mW laser power per wavelength`;

/** Lightening-Transformer's device defaults, one citation per figure. */
export const LT_FIG = {
  converters: `${LT_CROSSBAR} cal_core_power: (H + W) x wavelengths DACs and modulators, H x W ADCs, photodetectors and TIAs per core`,
  modulator: `${LT_DEFAULTS} mzi_modulator energy_per_bit 450 fJ, charged once per modulated symbol (photonic_crossbar.py cal_modulator_param)`,
  modulatorPower: `${LT_DEFAULTS} mrr_router static_power 0.275 mW, two WDM rings (mux and demux) per modulator (photonic_crossbar.py cal_TX_energy); mzi_modulator static_power 0`,
  detector: `${LT_DEFAULTS} photo_detector power 1.1 mW per output (photonic_crossbar.py cal_core_power)`,
  tia: `${LT_DEFAULTS} core.interface.TIA power 3 mW per output`,
  phaseShifter: `${LT_DEFAULTS} phase_shifter dynamic_power 0, static_power 0: the crossbar's multiply costs nothing beyond its modulators, detectors and laser`,
  sensitivity: `${LT_DEFAULTS} photo_detector sensitivity -25 dBm`,
  modulatorLoss: `${LT_DEFAULTS} mzi_modulator insertion_loss 1.2 dB`,
  wdmLoss: `${LT_DEFAULTS} mrr_router insertion_loss 0.93 dB, twice on the path (photonic_crossbar.py cal_insertion_loss)`,
  splitterLoss: `${LT_DEFAULTS} y_branch insertion_loss 0.1 dB per 1:2 split level (photonic_crossbar.py cal_insertion_loss)`,
  phaseShifterLoss: `${LT_DEFAULTS} phase_shifter insertion_loss 0.33 dB`,
  couplerLoss: `${LT_DEFAULTS} direction_coupler insertion_loss 0.33 dB`,
  laser: `${LT_CROSSBAR} cal_laser_power (after CrossLight, DAC 2021): P = 10^((sensitivity + insertion loss + 10 log10(H x W)) / 10) mW / wall-plug x 2^bits`,
  memoryEnergy: `${LT_DEFAULTS} arch.datamovement DRAM 62.4e-9 mJ per 2-byte word = 62.4 pJ per 16-bit word (16 x 3.9 pJ/bit HBM2, O'Connor et al., MICRO 2017) = 31.2 pJ/B; ${SIMPHONY} LT.yml labels the same 62.4 per byte, 2x off`,
  memoryBandwidth: `${LT} hardware_simulator/hardware/SRAM.py bandwidth_dram_to_sram: 1 TB/s from HBM into the on-chip SRAM`,
  sram: `${LT} hardware_simulator/hardware/SRAM.py: the largest on-chip SRAM, 2 MB (size 2048 KB)`,
  sramEnergy: `${LT_DEFAULTS} arch.datamovement GB1 0.92e-9 mJ per 2-byte access (CACTI) = 0.46 pJ/B`,
  mziReload: `${LT_FFN} get_latency_mzi charges mzi response_time 2 us per weight reload (programming time only, no energy); ${LT_DEFAULTS} mzi response_time`,
} as const;

export const SC_ONN_RELOAD = `${SC_ONN} Hardware/MRRVDP.py and PerformanceMetrics/metrics.py thermal_tuning_latency 4 us (a latency only; the rings' tuning power is charged as static power)`;

export const LIGHTMATTER =
  'Ahmed et al., "Universal photonic artificial intelligence acceleration", Nature 640, 368-374 (2025), doi:10.1038/s41586-025-08854-x (Lightmatter): 65.5 TOPS (ABFP16), 78 W electrical + 1.6 W optical';

/** Bit-slicing: how an analog array of b bits per pass multiplies wider numbers. */
export const BIT_SLICING =
  'Shafiee et al., "ISAAC: A Convolutional Neural Network Accelerator with In-Situ Analog Arithmetic in Crossbars", ISCA 2016 (16-bit operands cut into slices the analog array resolves, the partial products shifted and added digitally); Alo, Sri Vatsavai and Thakkar, "Scaling Analog Photonic Accelerators for Byte-Size, Integer General Matrix Multiply (GEMM) Kernels", arXiv:2407.06134 (2024): photonic GEMM cores resolve at most 4-bit operands, wider ones take bit-sliced passes';
/** Floats on a fixed-point analog array: block floating point, the significands sliced. */
export const BFP_SLICING =
  'block floating point, a shared exponent per block and each significand (with its sign) multiplied in the analog domain: LightMat-HP, arXiv:2604.12278 (2026), slicing-based photonic multiplication of BFP mantissas with digital accumulation; significand widths from IEEE 754-2008 (binary32 24 bits, binary16 11), bfloat16 (8) and the OCP 8-bit Floating Point Specification (OFP8) rev. 1.0 (E4M3: 4)';
