import { type DType, type Feed, GraphBuilder, type OpNode, type TensorSpec, tensor, UserError } from '@lightcode/ir';
import type { BuildRequest } from './plugin.js';

/**
 * Helpers for transformer frontends: reading Hugging Face configs with clear
 * errors, checking a build request against the model's limits, and the
 * attention core (QK^T, softmax, AV) shared by every decoder family.
 */

/** Reads a positive integer field of a Hugging Face config. */
export function configInt(config: Readonly<Record<string, unknown>>, key: string, source: string, fallback?: number): number {
  const v = config[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new UserError(`${source}: '${key}' must be a positive integer (got ${JSON.stringify(config[key])})`);
  }
  return v;
}

/** Query length, key length and the KV-cache tokens a request implies. */
export interface Lengths {
  /** New tokens per sequence: the prompt (prefill) or 1 (decode). */
  readonly q: number;
  /** Keys each query attends to. */
  readonly k: number;
  /** Tokens in the KV cache before this step (decode). */
  readonly past: number;
}

/** Resolves and checks sequence lengths against the model's position limit. */
export function requestLengths(req: BuildRequest, maxPositions: number, model: string): Lengths {
  if (req.phase === 'prefill') {
    if (req.kvLen !== undefined) throw new UserError('--kv-len applies only to --phase decode; drop it or add --phase decode');
    if (req.seqLen > maxPositions) {
      throw new UserError(`--seq-len ${req.seqLen} exceeds ${model}'s limit of ${maxPositions} positions (max_position_embeddings)`);
    }
    return { q: req.seqLen, k: req.seqLen, past: 0 };
  }
  const past = req.kvLen ?? req.seqLen;
  if (past + 1 > maxPositions) {
    throw new UserError(
      `decode at --kv-len ${past} needs ${past + 1} positions, beyond ${model}'s limit of ${maxPositions} (max_position_embeddings)`,
    );
  }
  return { q: 1, k: past + 1, past };
}

export interface AttentionCoreOptions {
  readonly prefix: string;
  readonly layer: number;
  readonly batch: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly qLen: number;
  readonly kLen: number;
  readonly dtype: DType;
  /** Producer of the queries. */
  readonly q: string;
  /** Producers of keys and values with how many tokens each supplies (decode: the cache, then the new token). */
  readonly kv: readonly { readonly k: string; readonly v: string; readonly tokens: number }[];
  readonly splitHeads: boolean;
  /**
   * Sliding-window attention where the window cuts the keys: `kLen` is then
   * the window, and each query scores a band of that many keys instead of a
   * causal triangle, so the scores carry `slidingWindow` and no causal mask.
   */
  readonly slidingWindow?: number;
}

/**
 * Adds scaled, causally masked QK^T, softmax and AV. With grouped-query
 * attention each group of heads/kvHeads query heads shares one K/V head. With
 * `splitHeads` every head is its own chain, so heads can run on different
 * devices. Returns the feeds (producer, tensor) of the attention output.
 */
export function attentionCore(b: GraphBuilder, o: AttentionCoreOptions): Feed[] {
  const chains = o.splitHeads ? o.heads : 1;
  const h = o.splitHeads ? 1 : o.heads;
  const hkv = o.splitHeads ? 1 : o.kvHeads;
  const group = o.heads / o.kvHeads;
  const t = (shape: number[]): TensorSpec => tensor(shape, o.dtype);
  const q = t([o.batch, h, o.qLen, o.headDim]);
  const kT = t([o.batch, hkv, o.headDim, o.kLen]);
  const scores = t([o.batch, h, o.qLen, o.kLen]);
  const v = t([o.batch, hkv, o.kLen, o.headDim]);
  const out = t([o.batch, h, o.qLen, o.headDim]);
  const feeds: Feed[] = [];
  for (let c = 0; c < chains; c++) {
    const tag = o.splitHeads ? `.head${c}` : '';
    const attrs: Record<string, number> = o.splitHeads ? { head: c, kvHead: Math.floor(c / group) } : {};
    const qk = b.add(
      {
        name: `${o.prefix}.qk${tag}`,
        kind: 'matmul',
        layer: o.layer,
        inputs: [q, kT],
        outputs: [scores],
        attrs: {
          ...attrs,
          scale: 1 / Math.sqrt(o.headDim),
          causalMask: o.slidingWindow === undefined && o.qLen > 1,
          ...(o.slidingWindow !== undefined ? { slidingWindow: o.slidingWindow } : {}),
        },
      },
      [[o.q, q], ...o.kv.map((s): Feed => [s.k, t([o.batch, hkv, o.headDim, s.tokens])])],
    );
    const sm = b.add({ name: `${o.prefix}.softmax${tag}`, kind: 'softmax', layer: o.layer, inputs: [scores], outputs: [scores], attrs }, [
      [qk, scores],
    ]);
    const av = b.add({ name: `${o.prefix}.av${tag}`, kind: 'matmul', layer: o.layer, inputs: [scores, v], outputs: [out], attrs }, [
      [sm, scores],
      ...o.kv.map((s): Feed => [s.v, t([o.batch, hkv, s.tokens, o.headDim])]),
    ]);
    feeds.push([av, out]);
  }
  return feeds;
}

/** Adds a KV-cache write of this step's keys and values (a sink: memory traffic only). */
export function kvCacheWrite(b: GraphBuilder, o: { prefix: string; layer: number; k: Feed; v: Feed }): string {
  return b.add({ name: `${o.prefix}.kv_write`, kind: 'kv_write', layer: o.layer, inputs: [o.k[1], o.v[1]], outputs: [] }, [o.k, o.v]);
}

/** Adds a KV-cache read of the `tokens` cached keys and values (decode; a source). */
export function kvCacheRead(
  b: GraphBuilder,
  o: { prefix: string; layer: number; batch: number; kvHeads: number; headDim: number; tokens: number; dtype: DType },
): string {
  const kv = tensor([o.batch, o.kvHeads, o.tokens, o.headDim], o.dtype);
  return b.add({ name: `${o.prefix}.kv_read`, kind: 'kv_read', layer: o.layer, inputs: [], outputs: [kv, kv] });
}

/**
 * Adds the LM head after the final norm: logits for the last position only
 * (`last`, as serving systems compute in prefill) or for every position. A
 * head tied to the token embedding reads that table without owning it.
 */
export function lmHead(
  b: GraphBuilder,
  o: { from: string; batch: number; seqLen: number; hidden: number; vocab: number; dtype: DType; logits: 'last' | 'all'; tied: boolean },
): string {
  const positions = o.logits === 'last' ? 1 : o.seqLen;
  const h = tensor([o.batch, positions, o.hidden], o.dtype);
  return b.add(
    {
      name: 'lm_head',
      kind: 'linear',
      layer: null,
      inputs: [h],
      outputs: [tensor([o.batch, positions, o.vocab], o.dtype)],
      weights: [tensor([o.hidden, o.vocab], o.dtype)],
      attrs: o.tied ? { tiedWeights: true } : {},
    },
    [[o.from, h]],
  );
}

/** What every decoder frontend starts from: the model's id, dimensions, lengths and a graph builder. */
export interface DecoderStart<D> {
  readonly id: string;
  readonly dims: D;
  readonly len: Lengths;
  readonly builder: GraphBuilder;
}

/**
 * Resolves a request against a family's built-in configs (or the Hugging Face
 * config it carries), reads the dimensions, checks the lengths and opens the
 * graph. `read` checks the config and returns at least its position limit
 * and layer count.
 */
export function beginDecoder<D extends { readonly positions: number; readonly layers: number }>(
  req: BuildRequest,
  family: { id: string; name: string; configs: Readonly<Record<string, { config: Record<string, unknown> }>> },
  read: (config: Readonly<Record<string, unknown>>, source: string) => D,
): DecoderStart<D> {
  const id = req.modelId ?? String(req.config?._name_or_path ?? `${family.id}-custom`);
  const config = req.modelId ? family.configs[req.modelId]?.config : req.config;
  if (!config) throw new UserError(`unknown ${family.name} model '${id}' (known: ${Object.keys(family.configs).join(', ')})`);
  const dims = read(config, req.modelId ? `model '${id}'` : (req.source ?? 'config.json'));
  const len = requestLengths(req, dims.positions, id);
  const builder = new GraphBuilder({
    id,
    family: family.id,
    phase: req.phase,
    seqLen: len.q,
    batch: req.batch,
    dtype: req.dtype,
    layers: dims.layers,
    ...(req.phase === 'decode' ? { kvLen: len.past } : {}),
  });
  return { id, dims, len, builder };
}

/** Adds a token-embedding lookup of `tokens` ids per sequence into `hidden`-wide rows. */
export function tokenEmbedding(
  b: GraphBuilder,
  o: { name: string; batch: number; tokens: number; vocab: number; hidden: number; dtype: DType },
): string {
  return b.add({
    name: o.name,
    kind: 'embedding',
    layer: null,
    inputs: [tensor([o.batch, o.tokens], 'int32')],
    outputs: [tensor([o.batch, o.tokens, o.hidden], o.dtype)],
    weights: [tensor([o.vocab, o.hidden], o.dtype)],
  });
}

/**
 * A lone `linear` op, [batch, m, k] x [k, n] weights: what target tests and
 * calibrations price. Its id and name are `name`.
 */
export function linearOp(m: number, k: number, n: number, dtype: DType = 'fp16', name = 'linear', batch = 1): OpNode {
  return {
    id: name,
    name,
    kind: 'linear',
    layer: 0,
    attrs: {},
    inputs: [tensor([batch, m, k], dtype)],
    outputs: [tensor([batch, m, n], dtype)],
    weights: [tensor([k, n], dtype)],
  };
}
