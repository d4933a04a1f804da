import type { DType } from './dtype.js';
import type { OpGraphData } from './json.js';
import type { OpNode } from './ops.js';
import type { TensorSpec } from './tensor.js';

/** Widths a graph's weights and KV cache are stored at, besides its activations' format. */
export interface Precision {
  /** Weight-only quantization: the format of linear layers' weight matrices. */
  readonly weights?: DType;
  /** The KV cache's format. */
  readonly kv?: DType;
}

const as = (t: TensorSpec, dtype: DType): TensorSpec => ({ shape: [...t.shape], dtype });

/**
 * The graph with its weights and KV cache stored at the given formats; the
 * activations, and so the format every op computes in, are unchanged.
 *
 * - `weights`: the weight matrices (two or more dims) of `linear` ops, experts
 *   included, are stored and read at that width. Biases, norm scales and
 *   embedding tables stay at the activation format, and so does a tied LM
 *   head, which reads the embedding table.
 * - `kv`: the cache holds keys and values at that width: what `kv_write`
 *   stores, what `kv_read` reads, and in decode the keys and values attention
 *   reads from the cache (the second operand of each matmul a `kv_read` feeds,
 *   the new token's included, as paged attention reads it back from the
 *   cache). Prefill attention uses the fresh keys and values.
 */
export function withPrecision(data: OpGraphData, p: Precision): OpGraphData {
  const { weights, kv } = p;
  if (weights === undefined && kv === undefined) return data;
  const fromCache = new Set<string>();
  const readers = new Set(data.ops.filter((op) => op.kind === 'kv_read').map((op) => op.id));
  if (kv !== undefined) for (const e of data.edges) if (readers.has(e.from)) fromCache.add(e.to);
  const ops = data.ops.map((op): OpNode => {
    if (weights !== undefined && op.kind === 'linear' && op.attrs.tiedWeights !== true) {
      op = { ...op, weights: op.weights.map((w) => (w.shape.length >= 2 ? as(w, weights) : w)) };
    }
    if (kv === undefined) return op;
    if (op.kind === 'kv_write') return { ...op, inputs: op.inputs.map((t) => as(t, kv)) };
    if (op.kind === 'kv_read') return { ...op, outputs: op.outputs.map((t) => as(t, kv)) };
    if (op.kind === 'matmul' && fromCache.has(op.id)) return { ...op, inputs: op.inputs.map((t, i) => (i === 1 ? as(t, kv) : t)) };
    return op;
  });
  const edges =
    kv === undefined ? data.edges : data.edges.map((e) => (readers.has(e.from) ? { ...e, tensors: e.tensors.map((t) => as(t, kv)) } : e));
  return {
    meta: { ...data.meta, ...(weights !== undefined ? { weightDtype: weights } : {}), ...(kv !== undefined ? { kvDtype: kv } : {}) },
    ops,
    edges,
  };
}
