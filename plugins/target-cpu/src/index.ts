import {
  type DType,
  defineTarget,
  num,
  numel,
  OP_KINDS,
  type OpArithmetic,
  type OpKind,
  type OpNode,
  opDtype,
  opNumbers,
  type ParamValues,
  type Realization,
  rooflineSeconds,
  str,
} from '@lightcode/cost-model';

const STUDY = 'LightCode study reference implementation: RyanTomich/LightCode lightcode/hardware.py, main.py';
const XEON =
  'Intel ARK, Xeon Platinum 8380 (Ice Lake-SP): 40 cores, 2.30 GHz base, AVX-512 with 2 FMA units per core, 8 channels DDR4-3200 (204.8 GB/s), 270 W TDP';
const ASSUMED = 'assumption (typical of tuned BLAS / oneDNN kernels); not fitted to a CPU measurement';
const XEON_TDP = 'Intel ARK, Xeon Platinum 8380: TDP 270 W, the datasheet power; drawn whether busy or not (an upper bound on idle draw)';
const HOROWITZ = 'Horowitz, ISSCC 2014, 45 nm: fp32 multiply 3.7 pJ + add 0.9 pJ = 4.6 pJ per FMA (2 FLOPs), arithmetic alone';

/**
 * Cycles per output element of the study's CPU for non-matmul ops: 1 by
 * default, 2 for relu, 4 for tanh/sigmoid (GELU, SiLU), 6 for softmax.
 */
export const CYCLES_PER_ELEMENT: Readonly<Partial<Record<OpKind, number>>> = {
  softmax: 6,
  gelu: 4,
  silu: 4,
};

/**
 * Peak FLOP/s of the roofline model: cores x clock x SIMD lanes x FMA units x
 * 2 (an FMA is two FLOPs), at fp32; int8 products run `int8Speedup` times
 * that (VNNI dot products), fp16 and bf16 at the fp32 rate (converted to
 * fp32), as does any other format.
 */
export function cpuPeakFlops(p: ParamValues, dtype: DType = 'fp32'): number {
  const fp32 = num(p, 'cores') * num(p, 'clockHz') * num(p, 'simdLanes') * num(p, 'fmaUnits') * 2;
  return dtype === 'int8' ? fp32 * num(p, 'int8Speedup') : fp32;
}

/**
 * Roofline: max(FLOPs / (peak x efficiency), bytes / (bandwidth x efficiency))
 * plus a fixed per-op cost (thread-pool dispatch); energy from per-FLOP and
 * per-byte figures.
 */
function rooflineRealize(op: OpNode, arith: OpArithmetic, p: ParamValues): Realization[] {
  const gemm = op.kind === 'linear' || op.kind === 'matmul';
  const bytes = arith.bytesRead + arith.bytesWritten;
  return [
    {
      algorithm: gemm ? 'simd-gemm' : 'simd-loop',
      latencyS: rooflineSeconds({
        flops: arith.flops,
        bytes,
        peakFlops: gemm
          ? cpuPeakFlops(p, opDtype(op) ?? 'fp32') * num(p, 'gemmEfficiency')
          : cpuPeakFlops(p) * num(p, 'elementwiseEfficiency'),
        bandwidthBps: num(p, 'bandwidthBps') * num(p, 'bandwidthEfficiency'),
        overheadS: num(p, 'opOverheadS'),
      }),
      energy: { compute: arith.flops * num(p, 'energyPerFlopJ'), memory: bytes * num(p, 'energyPerByteJ') },
    },
  ];
}

function realize(op: OpNode, arith: OpArithmetic, p: ParamValues): Realization[] {
  if (str(p, 'model') === 'roofline') return rooflineRealize(op, arith, p);
  // the study counts memory per number, whatever its width (and its fit ignores the format)
  const numbers = opNumbers(op);
  const memory = (numbers.read + numbers.written) * num(p, 'memoryEnergyPerNumberJ');
  if (op.kind === 'linear' || op.kind === 'matmul') {
    return [
      {
        algorithm: 'linear-fit',
        latencyS: num(p, 'matmulSecondsPerMac') * arith.macs + num(p, 'matmulFixedS'),
        energy: { compute: arith.macs * num(p, 'macEnergyJ'), memory },
      },
    ];
  }
  let elements = 0;
  for (const t of op.kind === 'kv_write' ? op.inputs : op.outputs) elements += numel(t);
  const cycles = elements * (CYCLES_PER_ELEMENT[op.kind] ?? 1);
  return [
    {
      algorithm: 'scalar-loop',
      latencyS: cycles / (num(p, 'clockHz') * num(p, 'cores')),
      energy: { compute: cycles * num(p, 'energyPerCycleJ'), memory },
    },
  ];
}

export default defineTarget({
  id: 'cpu',
  name: 'CPU',
  description:
    "CPU cost model: the original study's measured matmul fit and per-element cycle counts, or a roofline from cores, SIMD width, clock and bandwidth.",
  dtypes: ['fp32', 'fp16', 'bf16', 'int8'],
  // weights may also be held as packed int4 and widened as they are read (llama.cpp's Q4 formats)
  formats: () => ({ compute: ['fp32', 'fp16', 'bf16', 'int8'], storage: ['fp32', 'fp16', 'bf16', 'int8', 'int4'] }),
  opKinds: OP_KINDS,
  params: {
    model: {
      unit: 'choice',
      default: 'study-fit',
      choices: ['study-fit', 'roofline'],
      description: "study-fit: the study's linear matmul fit and cycle counts; roofline: peak from cores x clock x SIMD",
      source: STUDY,
    },
    clockHz: { unit: 'Hz', default: 3.208e9, description: 'core clock', source: STUDY },
    cores: { unit: '1', default: 1, integer: true, description: 'cores used', source: STUDY },
    matmulSecondsPerMac: { unit: 's', default: 6.8457e-11, description: 'slope of the measured matmul time fit', source: STUDY },
    matmulFixedS: {
      unit: 's',
      default: 8.2583e-7,
      allowZero: true,
      description: 'intercept of the measured matmul time fit',
      source: STUDY,
    },
    macEnergyJ: { unit: 'J', default: 0.1e-12, description: 'energy per MAC', source: STUDY },
    energyPerCycleJ: { unit: 'J', default: 1e-12, description: 'energy of a non-matmul cycle', source: STUDY },
    memoryEnergyPerNumberJ: { unit: 'J', default: 160e-12, allowZero: true, description: 'DRAM access energy per number', source: STUDY },
    staticPowerW: { unit: 'W', default: 0, allowZero: true, description: 'idle power (the study models none)', source: STUDY },
    simdLanes: { unit: '1', default: 16, integer: true, description: 'fp32 lanes per vector unit (roofline)', source: XEON },
    fmaUnits: { unit: '1', default: 2, integer: true, description: 'vector FMA units per core (roofline)', source: XEON },
    int8Speedup: {
      unit: '1',
      default: 4,
      description: 'int8 products per fp32 FMA lane and cycle (roofline; fp16 and bf16 run at the fp32 rate)',
      source:
        'Intel AVX-512 VNNI (Intel Deep Learning Boost on the Xeon Platinum 8380, Intel ARK): VPDPBUSD multiplies and accumulates four 8-bit pairs per 32-bit lane; Ice Lake-SP has no AVX-512 FP16 or BF16 arithmetic',
    },
    bandwidthBps: { unit: 'B/s', default: 204.8e9, description: 'DRAM bandwidth (roofline)', source: XEON },
    bandwidthEfficiency: { unit: '1', default: 0.8, description: 'achieved fraction of DRAM bandwidth (roofline)', source: ASSUMED },
    gemmEfficiency: { unit: '1', default: 0.7, description: 'achieved fraction of peak in GEMMs (roofline)', source: ASSUMED },
    elementwiseEfficiency: {
      unit: '1',
      default: 0.25,
      description: 'achieved fraction of peak in elementwise and reduction ops (roofline)',
      source: ASSUMED,
    },
    opOverheadS: {
      unit: 's',
      default: 2e-6,
      allowZero: true,
      description: 'fixed cost per op: thread-pool dispatch (roofline)',
      source: ASSUMED,
    },
    energyPerFlopJ: {
      unit: 'J',
      default: 270 / (40 * 2.3e9 * 16 * 2 * 2),
      description: 'energy per FLOP (roofline)',
      source: `derived: 270 W TDP / 5.89 TFLOP/s fp32 peak = 45.8 pJ/FLOP (${XEON})`,
    },
    energyPerByteJ: {
      unit: 'J',
      default: 40e-12,
      allowZero: true,
      description: 'DRAM energy per byte (roofline)',
      source: "the study's DRAM access, 160 pJ per 4-byte number: RyanTomich/LightCode lightcode/hardware.py",
    },
  },
  presets: {
    'lightcode-2025': { description: "The original LightCode study's CPU, constants exactly as published.", source: STUDY, values: {} },
    'xeon-8380': {
      description: 'Intel Xeon Platinum 8380, roofline (40 cores, AVX-512, 8 x DDR4-3200)',
      source: XEON,
      values: { model: 'roofline', clockHz: 2.3e9, cores: 40 },
    },
    'xeon-8380-tdp': {
      description:
        'Intel Xeon Platinum 8380, roofline, drawing its 270 W TDP as static power; dynamic energy is the arithmetic alone (Horowitz), so a busy socket costs about its TDP',
      source: XEON,
      values: { model: 'roofline', clockHz: 2.3e9, cores: 40, staticPowerW: 270, energyPerFlopJ: (3.7e-12 + 0.9e-12) / 2 },
      sources: { staticPowerW: XEON_TDP, energyPerFlopJ: HOROWITZ },
    },
  },
  defaultPreset: 'lightcode-2025',
  realize,
  staticPowerW: (p) => num(p, 'staticPowerW'),
});
