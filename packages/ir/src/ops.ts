import { dtypeBytes } from './dtype.js';
import { numel, sumBytes, type TensorSpec } from './tensor.js';

/**
 * The canonical operator set. Frontends lower models to these; targets price them.
 *
 * - `linear`: x[..., M, K] times a weight W[K, N] (plus optional bias) -> [..., M, N].
 * - `matmul`: activation times activation, a[..., M, K] x b[..., K, N]; batch dims may
 *   broadcast (grouped-query attention). QK^T carries `scale` and `causalMask` attrs.
 * - elementwise and normalization ops work on their first input's elements.
 * - `kv_write` / `kv_read`: KV-cache traffic, pure memory movement.
 *
 * Kinds that imported graphs (ONNX, TVM) need beside the transformer ones:
 * - `elementwise`: any other per-element op (ReLU, tanh, divide, ...); its
 *   `fn` attr names it and `flopsPerElement` (default 1) prices it.
 * - `pool`: a window reduction; `window` attr = input elements per output element.
 * - `reduce`: a reduction over its first input (mean, sum, max); one FLOP per input element.
 * - `copy`: data movement without arithmetic (transpose, concat, slice, gather, layout change).
 * - `opaque`: an op LightCode has no cost rule for; priced by the bytes it moves.
 *   Its `op` attr names the original operator.
 */
export const OP_KINDS = [
  'embedding',
  'layernorm',
  'rmsnorm',
  'linear',
  'matmul',
  'softmax',
  'gelu',
  'silu',
  'mul',
  'add',
  'rope',
  'kv_write',
  'kv_read',
  'elementwise',
  'pool',
  'reduce',
  'copy',
  'opaque',
] as const;
export type OpKind = (typeof OP_KINDS)[number];

export type AttrValue = number | string | boolean;

/** One operator of a model. */
export interface OpNode {
  /** Unique, stable within a graph. */
  readonly id: string;
  /** Hugging Face style module path, e.g. `transformer.h.0.attn.c_attn`. */
  readonly name: string;
  readonly kind: OpKind;
  /** Decoder layer index; null for embeddings and the head. */
  readonly layer: number | null;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  /**
   * Parameters read from memory (weights, biases, norm scales, embedding tables).
   * With the attr `residentWeights: true` they are held but not read (an expert
   * that receives no token in this step).
   */
  readonly weights: readonly TensorSpec[];
  readonly attrs: Readonly<Record<string, AttrValue>>;
}

/** The arithmetic of one operator. */
export interface OpArithmetic {
  /** Multiply-accumulates. */
  readonly macs: number;
  /** Floating-point operations (a MAC counts 2). */
  readonly flops: number;
  /** Bytes read: activations plus the parameter bytes the op actually touches. */
  readonly bytesRead: number;
  /** Bytes written. */
  readonly bytesWritten: number;
  /** Bytes of parameters the op owns (whole embedding tables included). */
  readonly paramBytes: number;
}

/** The dimensions of a matrix product: `batch` independent M x K by K x N products. */
export interface MatmulDims {
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/**
 * FLOPs per output element of the non-matmul ops, by the usual counting:
 * layernorm 8 (mean, centre, square, variance, rsqrt-multiply x2, affine x2),
 * rmsnorm 4 (square, accumulate, normalize, scale), softmax 5 (max, subtract,
 * exp, sum, divide), GELU 8 (tanh form), SiLU 4 (negate, exp, add, divide),
 * add / mul 1, rotary embedding 3 (two multiplies, one add); `elementwise` 1
 * unless its `flopsPerElement` attr says otherwise; `copy` and `opaque` none.
 */
export const ELEMENTWISE_FLOPS: Readonly<Partial<Record<OpKind, number>>> = {
  layernorm: 8,
  rmsnorm: 4,
  softmax: 5,
  gelu: 8,
  silu: 4,
  add: 1,
  mul: 1,
  rope: 3,
  elementwise: 1,
  copy: 0,
  opaque: 0,
};

function last(shape: readonly number[], fromEnd: number): number {
  const v = shape[shape.length - fromEnd];
  if (v === undefined) throw new Error(`shape [${shape.join(', ')}] has fewer than ${fromEnd} dims`);
  return v;
}

/** M, K, N and batch count of a `linear` or `matmul` op. */
export function matmulDims(op: OpNode): MatmulDims {
  const a = op.inputs[0];
  const out = op.outputs[0];
  if (!a || !out) throw new Error(`op '${op.name}' has no input or output tensor`);
  const m = last(out.shape, 2);
  const n = last(out.shape, 1);
  const k = last(a.shape, 1);
  return { batch: numel(out) / (m * n), m, k, n };
}

function sumNumel(ts: readonly TensorSpec[]): number {
  let n = 0;
  for (const t of ts) n += numel(t);
  return n;
}

/** Numbers (elements) an op reads and writes, by the same rules as the bytes of {@link opArithmetic}. */
export interface OpNumbers {
  readonly read: number;
  readonly written: number;
}

/** What an op reads and writes, measured by `size` (bytes or numbers of a tensor list). */
function traffic(op: OpNode, size: (ts: readonly TensorSpec[]) => number): OpNumbers {
  // resident weights are held in memory but this op does not read them
  const weightsRead = op.attrs.residentWeights === true ? 0 : size(op.weights);
  switch (op.kind) {
    // A lookup reads only the rows it gathers, not the whole table.
    case 'embedding':
      return { read: size(op.inputs) + size(op.outputs), written: size(op.outputs) };
    case 'kv_write':
      return { read: size(op.inputs), written: size(op.inputs) };
    case 'kv_read':
      return { read: size(op.outputs), written: size(op.outputs) };
    default:
      return { read: size(op.inputs) + weightsRead, written: size(op.outputs) };
  }
}

/**
 * Numbers an op reads and writes, counted in the format it computes in (its
 * output's, else its input's): what a target that prices memory per number
 * (the study's CPU and PTU) counts. A stored number no wider than that format
 * counts once (int4 weights, an fp8 KV cache); a wider one counts as its bytes
 * over the format's width, as the study counted (an int32 token id is two
 * fp16 numbers). With one format throughout it is the bytes of
 * {@link opArithmetic} over that format's width.
 */
export function opNumbers(op: OpNode): OpNumbers {
  const compute = (op.outputs[0] ?? op.inputs[0] ?? op.weights[0])?.dtype;
  const width = compute ? dtypeBytes(compute) : 4;
  return traffic(op, (ts) => {
    let n = 0;
    for (const t of ts) n += numel(t) * Math.max(1, dtypeBytes(t.dtype) / width);
    return n;
  });
}

/** MACs, FLOPs and bytes of an operator, from its tensors alone. */
export function opArithmetic(op: OpNode): OpArithmetic {
  // A tied weight (GPT-2's LM head reuses the token embedding) is read but not owned.
  const paramBytes = op.attrs.tiedWeights === true ? 0 : sumBytes(op.weights);
  const { read: bytesRead, written: bytesWritten } = traffic(op, sumBytes);
  const outElems = sumNumel(op.outputs);
  switch (op.kind) {
    case 'linear':
    case 'matmul': {
      const { batch, m, k, n } = matmulDims(op);
      const macs = batch * m * k * n;
      const out = batch * m * n;
      const extras =
        (op.weights.length > 1 ? out : 0) + // bias
        (op.attrs.scale !== undefined ? out : 0) +
        (op.attrs.causalMask === true ? out : 0);
      return { macs, flops: 2 * macs + extras, bytesRead, bytesWritten, paramBytes };
    }
    case 'embedding':
    case 'kv_write':
    case 'kv_read':
      return { macs: 0, flops: 0, bytesRead, bytesWritten, paramBytes };
    case 'pool':
    case 'reduce': {
      // a pool reads `window` inputs per output; a reduction touches every input element once
      const window = typeof op.attrs.window === 'number' ? op.attrs.window : 1;
      const input = op.inputs[0];
      return {
        macs: 0,
        flops: op.kind === 'pool' ? window * outElems : input ? numel(input) : 0,
        bytesRead,
        bytesWritten,
        paramBytes,
      };
    }
    default: {
      const given = op.kind === 'elementwise' ? op.attrs.flopsPerElement : undefined;
      const perElem = typeof given === 'number' ? given : (ELEMENTWISE_FLOPS[op.kind] ?? 1);
      return { macs: 0, flops: perElem * outElems, bytesRead, bytesWritten, paramBytes };
    }
  }
}
