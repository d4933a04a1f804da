import {
  defineTarget,
  dtypeBytes,
  num,
  numel,
  OP_KINDS,
  type OpArithmetic,
  type OpKind,
  type OpNode,
  opDtype,
  type ParamValues,
  type Realization,
} from '@lightcode/cost-model';

const STUDY = 'LightCode study reference implementation (RyanTomich/LightCode, lightcode/hardware.py, main.py), via shared/data/README.md';

/**
 * Cycles per output element of the study's CPU for non-matmul ops: 1 by
 * default, 2 for relu, 4 for tanh/sigmoid (GELU, SiLU), 6 for softmax.
 */
export const CYCLES_PER_ELEMENT: Readonly<Partial<Record<OpKind, number>>> = {
  softmax: 6,
  gelu: 4,
  silu: 4,
};

function realize(op: OpNode, arith: OpArithmetic, p: ParamValues): Realization[] {
  const perNumber = dtypeBytes(opDtype(op) ?? 'fp32');
  const memory = ((arith.bytesRead + arith.bytesWritten) / perNumber) * num(p, 'memoryEnergyPerNumberJ');
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
  description: "CPU cost model: the original study's measured matmul fit and per-element cycle counts.",
  dtypes: ['fp32', 'fp16', 'bf16', 'int8'],
  opKinds: OP_KINDS,
  params: {
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
  },
  presets: {
    'lightcode-2025': { description: "The original LightCode study's CPU, constants exactly as published.", source: STUDY, values: {} },
  },
  defaultPreset: 'lightcode-2025',
  realize,
  staticPowerW: (p) => num(p, 'staticPowerW'),
});
