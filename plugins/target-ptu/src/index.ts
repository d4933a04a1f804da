import { defineTarget, type MatmulDims, type ParamValues } from '@lightcode/cost-model';
import { bufferPlan, ptuStaticPowerW, realizePtu, validatePtu } from './model.js';
import { PTU_PARAMS } from './params.js';
import { PTU_PRESETS } from './presets.js';

export {
  type BufferPlan,
  bufferPlan,
  converterEnergies,
  detectorSampleJ,
  detectorsPerCore,
  energyByKind,
  fullLoadDynamicPowerW,
  holdsWeights,
  insertionLossDb,
  type LatencyParts,
  latencyParts,
  linkBudgetLaserW,
  minBufferBytes,
  modulatorSymbolJ,
  onChipBytes,
  type PhotonicWork,
  photonicWork,
  ptuComponents,
  ptuStaticPowerW,
  type Slicing,
  slicedWork,
  slicing,
  staticPowerBreakdown,
  type Tiling,
  tiling,
  validatePtu,
} from './model.js';
export { PTU_PARAMS } from './params.js';
export { LIGHTMATTER_ELECTRONICS_W, PTU_PRESETS } from './presets.js';

/**
 * @deprecated The former device-2025 per-MAC residual (Lightening-Transformer's
 * 0.31 pJ/MAC less converters and laser). device-2025 now counts every
 * component (DACs, modulators, ADCs, detectors, laser) and its `macEnergyJ` is 0.
 */
export const DEVICE_MAC_ENERGY_J = 0.31e-12 - (0.4e-12 + 0.74e-12) / 12 - (12 * 1.27e-3) / 0.2 / (144 * 12 * 5e9);

export default defineTarget({
  id: 'ptu',
  name: 'Photonic Tensor Unit',
  description:
    'Photonic matrix unit with WDM multiplexing; runs linear algebra only. Counts DAC and ADC samples as its dataflow needs them, weight loads, buffer and memory traffic, and a laser power budget.',
  // any format: wider numbers than the unit resolves are sliced or declined (the precision parameter)
  dtypes: ['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4'],
  opKinds: ['linear', 'matmul'],
  params: PTU_PARAMS,
  presets: PTU_PRESETS,
  defaultPreset: 'lightcode-2025',
  realize: realizePtu,
  staticPowerW: ptuStaticPowerW,
  validate: validatePtu,
});

/**
 * @deprecated Use {@link bufferPlan}: numbers re-read or spilled because they
 * do not fit in `sramBytes` (on-chip numbers now take `bits` / 8 bytes, so
 * `bytesPerNumber` is ignored).
 */
export function restreamedNumbers(d: MatmulDims, _bytesPerNumber: number, p: ParamValues): number {
  return bufferPlan(d, p).extraNumbers;
}
