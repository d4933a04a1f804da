import {
  type DType,
  defineTarget,
  matmulDims,
  OP_KINDS,
  type OpArithmetic,
  type OpNode,
  opDtype,
  type ParamSpecs,
  type ParamsOf,
  type Realization,
  rooflineSeconds,
  tensorBytes,
} from '@lightcode/cost-model';

const A100 = 'NVIDIA A100 Tensor Core GPU datasheet (A100-80GB SXM: 312 TFLOP/s dense fp16/bf16, 2039 GB/s, 400 W)';
const H100 = 'NVIDIA H100 Tensor Core GPU datasheet (H100 SXM: 989 TFLOP/s dense fp16/bf16, 3350 GB/s, 700 W)';
const H100_FP8 = 'NVIDIA H100 Tensor Core GPU datasheet (H100 SXM): FP8 and INT8 Tensor Core 3,958 TFLOPS/TOPS with sparsity, 1,979 dense';
const H200 =
  'NVIDIA H200 Tensor Core GPU datasheet, nvidia.com/en-us/data-center/h200 (H200 SXM: 141 GB HBM3e at 4.8 TB/s; FP16/BF16 Tensor Core 1,979 TFLOPS and FP8/INT8 3,958 with sparsity, so 989 and 1,979 dense; FP32 67 TFLOPS; max TDP 700 W)';
const B200 =
  'NVIDIA HGX B200 datasheet, nvidia.com/en-us/data-center/hgx (per GPU: 180 GB HBM3e at 7.7 TB/s; FP16/BF16 Tensor Core 4.5 PFLOPS and FP8/INT8 9 PFLOPS/POPS with sparsity, so 2.25 and 4.5 dense; FP32 75 TFLOPS; TDP up to 1,000 W)';
const A100_NO_FP8 = 'NVIDIA A100 Tensor Core GPU datasheet: no FP8 Tensor Core rate (FP8 came with Hopper); 0: fp8 compute not supported';
const DERATE =
  'ai-dynamo/aiconfigurator (achieved memory bandwidth ~0.8 of peak, ~3 us per memory-bound kernel); cli99/llm-analysis (GEMM efficiency up to ~0.7)';
const FIT =
  'least-squares grid fit to measured A100 Llama-2-7B GEMMs at 128-4096 tokens: microsoft/vidur data/profiling/compute/a100/meta-llama/Llama-2-7b-hf/mlp.csv';
const ATTN_FIT =
  'grid fit to measured A100 fused causal prefill attention, Llama-2-7B shape, 128-16384 tokens: ai-dynamo/aiconfigurator context_attention_perf (A100-SXM4-80GB, TRT-LLM 1.0.0)';
const HBM = "O'Connor et al., MICRO 2017: HBM2 ~3.9 pJ/bit = 31.2 pJ/byte";

/** The GPU model's parameters (SI units), with where each default comes from. */
const PARAMS = {
  peakFlopsFp16: { unit: 'FLOP/s', default: 312e12, description: 'dense fp16/bf16 tensor-core peak', source: A100 },
  peakFlopsFp32: {
    unit: 'FLOP/s',
    default: 19.5e12,
    description: 'fp32 (non-tensor) peak',
    source: 'NVIDIA A100 datasheet: 19.5 TFLOP/s fp32',
  },
  peakFlopsFp8: {
    unit: 'FLOP/s',
    default: 0,
    allowZero: true,
    description: 'dense fp8 (E4M3) tensor-core peak; 0: no fp8 tensor cores, so fp8 is held (weights, KV cache) but not computed in',
    source: A100_NO_FP8,
  },
  peakOpsInt8: {
    unit: 'FLOP/s',
    default: 624e12,
    description: 'dense int8 tensor-core peak (operations per second)',
    source: 'NVIDIA A100 datasheet: INT8 Tensor Core 624 TOPS dense (1,248 with sparsity)',
  },
  bandwidthBps: { unit: 'B/s', default: 2039e9, description: 'HBM bandwidth', source: A100 },
  bandwidthEfficiency: { unit: '1', default: 0.8, description: 'achieved fraction of HBM bandwidth', source: DERATE },
  kernelOverheadS: { unit: 's', default: 3e-6, allowZero: true, description: 'fixed launch and latency cost per kernel', source: DERATE },
  gemmEfficiencyMax: { unit: '1', default: 0.72, description: 'GEMM efficiency at large M', source: FIT },
  gemmHalfEfficiencyM: { unit: '1', default: 64, description: 'M at which GEMM efficiency is half its maximum', source: FIT },
  attentionEfficiencyMax: { unit: '1', default: 0.53, description: 'fused attention efficiency at long sequences', source: ATTN_FIT },
  attentionHalfEfficiencyL: {
    unit: '1',
    default: 1552,
    description: 'per-head length at which fused attention efficiency is half its maximum',
    source: ATTN_FIT,
  },
  attentionOverheadS: {
    unit: 's',
    default: 8e-6,
    allowZero: true,
    description: 'fixed cost of one fused attention kernel',
    source: ATTN_FIT,
  },
  energyPerFlopJ: {
    unit: 'J',
    default: 1.6e-12,
    description: 'dynamic energy per FLOP',
    source:
      'derived: (400 W TDP - 50 W idle) / (0.7 x 312 TFLOP/s) = 1.6 pJ/FLOP (NVIDIA A100 datasheet; efficiency 0.7 after cli99/llm-analysis)',
  },
  energyPerByteJ: { unit: 'J', default: 31.2e-12, description: 'HBM energy per byte moved', source: HBM },
  staticPowerW: {
    unit: 'W',
    default: 50,
    allowZero: true,
    description: 'idle power per GPU',
    source: 'A100 idle draw ~50 W as reported by nvidia-smi on idle SXM boards (assumption)',
  },
} satisfies ParamSpecs;

/** Resolved GPU parameters, typed by name. */
export type GpuParams = ParamsOf<typeof PARAMS>;

/**
 * Dense peak a product computes at in `dtype` (the format of its
 * activations; weights stored narrower are converted as they are read):
 * fp16 and bf16 at the 16-bit tensor-core peak, fp8 and int8 at theirs, fp32
 * at the non-tensor peak.
 */
export function peakFlops(p: GpuParams, dtype: DType): number {
  if (dtype === 'fp8') return p.peakFlopsFp8;
  if (dtype === 'int8') return p.peakOpsInt8;
  if (dtype === 'fp32') return p.peakFlopsFp32;
  return p.peakFlopsFp16;
}

/**
 * Dynamic energy per FLOP of a product in `dtype`: `energyPerFlopJ` is the
 * board's dynamic power over its 16-bit peak, and fp8 and int8 run at their
 * higher peaks in the same power, so each of their FLOPs costs
 * energyPerFlopJ x peakFlopsFp16 / peak(dtype). Other formats: energyPerFlopJ.
 */
export function gemmEnergyPerFlopJ(p: GpuParams, dtype: DType): number {
  if (dtype !== 'fp8' && dtype !== 'int8') return p.energyPerFlopJ;
  return (p.energyPerFlopJ * p.peakFlopsFp16) / peakFlops(p, dtype);
}

/**
 * The formats a GPU computes in (fp8 only with fp8 tensor cores) and those it
 * holds weights and the KV cache in: besides those, int4 and int8 weights
 * (weight-only GEMM kernels, e.g. Marlin, dequantize in registers on Ampere and
 * later) and fp8 weights and KV cache, converted as they are read.
 */
export function gpuFormats(p: GpuParams): { compute: DType[]; storage: DType[] } {
  const compute: DType[] = ['fp32', 'fp16', 'bf16', ...(p.peakFlopsFp8 > 0 ? (['fp8'] as const) : []), 'int8'];
  return { compute, storage: [...new Set<DType>([...compute, 'fp8', 'int4'])] };
}

/**
 * GEMM efficiency as a function of the token dimension M: small products run far
 * from peak (tile quantization, too few thread blocks), large ones approach
 * `gemmEfficiencyMax`. eff(M) = max * M / (M + halfM).
 */
export function gemmEfficiency(m: number, p: GpuParams): number {
  return (p.gemmEfficiencyMax * m) / (m + p.gemmHalfEfficiencyM);
}

function realize(op: OpNode, arith: OpArithmetic, p: GpuParams): Realization[] {
  const bytes = arith.bytesRead + arith.bytesWritten;
  const bandwidthBps = p.bandwidthBps * p.bandwidthEfficiency;
  const energy = {
    compute: arith.flops * p.energyPerFlopJ,
    memory: bytes * p.energyPerByteJ,
  };
  if (op.kind === 'linear' || op.kind === 'matmul') {
    const { m } = matmulDims(op);
    const dtype = opDtype(op) ?? 'fp16';
    // no tensor cores for this format (fp8 on an A100): declined
    if (peakFlops(p, dtype) === 0) return [];
    const peak = peakFlops(p, dtype) * gemmEfficiency(m, p);
    return [
      {
        algorithm: 'gemm',
        latencyS: rooflineSeconds({ flops: arith.flops, bytes, peakFlops: peak, bandwidthBps, overheadS: p.kernelOverheadS }),
        energy: { ...energy, compute: arith.flops * gemmEnergyPerFlopJ(p, dtype) },
      },
    ];
  }
  return [
    {
      algorithm: 'elementwise',
      latencyS: rooflineSeconds({
        flops: arith.flops,
        bytes,
        peakFlops: p.peakFlopsFp32,
        bandwidthBps,
        overheadS: p.kernelOverheadS,
      }),
      energy,
    },
  ];
}

/**
 * Query-key pairs a (possibly causal) attention head scores: with a causal mask
 * query i of q sees the k - q + i + 1 keys up to its own position.
 */
export function attentionPairs(q: number, k: number, causal: boolean): number {
  if (!causal) return q * k;
  return q * k - (q * (q - 1)) / 2;
}

/**
 * Fused causal attention (FlashAttention-style): QK^T, mask, softmax and AV in
 * one kernel that never writes the scores to memory. It does the causal half
 * of the products, reads Q, K, V and writes the output once, and runs at an
 * efficiency that grows with the per-head length L = sqrt(2 x pairs) (the
 * sequence length for square causal attention):
 * eff(L) = attentionEfficiencyMax x L / (L + attentionHalfEfficiencyL).
 */
export function fusedAttention(ops: readonly OpNode[], _arith: readonly OpArithmetic[], p: GpuParams): Realization[] {
  const [qk, , av] = ops;
  const q = qk?.inputs[0];
  const kT = qk?.inputs[1];
  const v = av?.inputs[1];
  const out = av?.outputs[0];
  if (!q || !kT || !v || !out || q.shape.length !== 4 || kT.shape.length !== 4) return [];
  const [b = 1, h = 1, sq = 1, d = 1] = q.shape;
  const sk = kT.shape[3] ?? 1;
  const pairs = attentionPairs(sq, sk, qk.attrs.causalMask === true);
  const flops = 4 * b * h * d * pairs;
  const bytes = tensorBytes(q) + tensorBytes(kT) + tensorBytes(v) + tensorBytes(out);
  if (peakFlops(p, q.dtype) === 0) return [];
  const L = Math.sqrt(2 * pairs);
  const eff = (p.attentionEfficiencyMax * L) / (L + p.attentionHalfEfficiencyL);
  return [
    {
      algorithm: 'fused-causal-attention',
      latencyS: rooflineSeconds({
        flops,
        bytes,
        peakFlops: peakFlops(p, q.dtype) * eff,
        bandwidthBps: p.bandwidthBps * p.bandwidthEfficiency,
        overheadS: p.attentionOverheadS,
      }),
      energy: { compute: flops * gemmEnergyPerFlopJ(p, q.dtype), memory: bytes * p.energyPerByteJ },
    },
  ];
}

export default defineTarget({
  id: 'gpu',
  name: 'GPU',
  description: 'Roofline GPU model: size-dependent GEMM efficiency, derated bandwidth, per-kernel overhead, static power.',
  dtypes: ['fp32', 'fp16', 'bf16', 'fp8', 'int8'],
  formats: gpuFormats,
  opKinds: OP_KINDS,
  params: PARAMS,
  presets: {
    a100: { description: 'NVIDIA A100-80GB SXM', source: A100, values: {} },
    h100: {
      description: 'NVIDIA H100 SXM (same efficiency curves as a100, datasheet peaks)',
      source: H100,
      sources: {
        peakFlopsFp32: 'NVIDIA H100 Tensor Core GPU datasheet: 67 TFLOP/s fp32 (H100 SXM)',
        peakFlopsFp8: H100_FP8,
        peakOpsInt8: H100_FP8,
        energyPerFlopJ:
          'derived: (700 W TDP - 70 W idle) / (0.7 x 989 TFLOP/s) = 0.91 pJ/FLOP (NVIDIA H100 datasheet; efficiency 0.7 after cli99/llm-analysis)',
        staticPowerW: 'H100 idle draw ~70 W (assumption, scaled from the A100 idle figure)',
      },
      values: {
        peakFlopsFp16: 989e12,
        peakFlopsFp32: 67e12,
        peakFlopsFp8: 1979e12,
        peakOpsInt8: 1979e12,
        bandwidthBps: 3350e9,
        energyPerFlopJ: (700 - 70) / (0.7 * 989e12),
        staticPowerW: 70,
      },
    },
    h200: {
      description: 'NVIDIA H200 SXM: the H100 die with 141 GB HBM3e at 4.8 TB/s (same efficiency curves as a100, datasheet peaks)',
      source: H200,
      sources: {
        energyPerFlopJ: `derived: (700 W TDP - 70 W idle) / (0.7 x 989 TFLOP/s) = 0.91 pJ/FLOP (${H200}; efficiency 0.7 after cli99/llm-analysis)`,
        staticPowerW: 'H200 idle draw ~70 W (assumption: the H100 figure, same die and TDP)',
      },
      values: {
        peakFlopsFp16: 989e12,
        peakFlopsFp32: 67e12,
        peakFlopsFp8: 1979e12,
        peakOpsInt8: 1979e12,
        bandwidthBps: 4.8e12,
        energyPerFlopJ: (700 - 70) / (0.7 * 989e12),
        staticPowerW: 70,
      },
    },
    b200: {
      description: 'NVIDIA B200 (HGX B200, per GPU): 180 GB HBM3e at 7.7 TB/s (same efficiency curves as a100, datasheet peaks)',
      source: B200,
      sources: {
        energyPerFlopJ: `derived: (1000 W TDP - 100 W idle) / (0.7 x 2.25 PFLOP/s) = 0.57 pJ/FLOP (${B200}; efficiency 0.7 after cli99/llm-analysis)`,
        staticPowerW: 'B200 idle draw ~100 W (assumption: 10 % of TDP, as the H100 preset)',
      },
      values: {
        peakFlopsFp16: 2.25e15,
        peakFlopsFp32: 75e12,
        peakFlopsFp8: 4.5e15,
        peakOpsInt8: 4.5e15,
        bandwidthBps: 7.7e12,
        energyPerFlopJ: (1000 - 100) / (0.7 * 2.25e15),
        staticPowerW: 100,
      },
    },
  },
  defaultPreset: 'a100',
  realize,
  fusions: [
    {
      id: 'causal-attention',
      description: 'QK^T, causal mask, softmax and AV as one FlashAttention-style kernel',
      chain: ['matmul', 'softmax', 'matmul'],
      realize: fusedAttention,
    },
  ],
  staticPowerW: (p) => p.staticPowerW,
});
