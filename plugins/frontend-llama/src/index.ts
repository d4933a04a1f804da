import {
  attentionCore,
  type BuildRequest,
  beginDecoder,
  configInt,
  type DType,
  defineFrontend,
  type Feed,
  type GraphBuilder,
  kvCacheRead,
  kvCacheWrite,
  lmHead,
  type OpGraphData,
  type TensorSpec,
  tensor,
  tokenEmbedding,
  UserError,
} from '@lightcode/cost-model';

/** The Llama hyperparameters LightCode prices. */
export interface LlamaDims {
  readonly hidden: number;
  readonly intermediate: number;
  readonly layers: number;
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly vocab: number;
  readonly positions: number;
  readonly tied: boolean;
}

const HF = 'Hugging Face model card config.json';
const llama2 = {
  model_type: 'llama',
  vocab_size: 32000,
  max_position_embeddings: 4096,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  hidden_act: 'silu',
  tie_word_embeddings: false,
};

/** Published Hugging Face configs of the Llama family (the fields LightCode reads). */
export const LLAMA_CONFIGS: Readonly<Record<string, { description: string; parameters: number; config: Record<string, unknown> }>> = {
  'llama-2-7b': {
    description: `Llama 2 7B (${HF}, meta-llama/Llama-2-7b-hf)`,
    parameters: 6_738_415_616,
    config: {
      ...llama2,
      hidden_size: 4096,
      intermediate_size: 11008,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
    },
  },
  'llama-2-13b': {
    description: `Llama 2 13B (${HF}, meta-llama/Llama-2-13b-hf)`,
    parameters: 13_015_864_320,
    config: {
      ...llama2,
      hidden_size: 5120,
      intermediate_size: 13824,
      num_hidden_layers: 40,
      num_attention_heads: 40,
      num_key_value_heads: 40,
    },
  },
  'llama-2-70b': {
    description: `Llama 2 70B, grouped-query attention with 8 KV heads (${HF}, meta-llama/Llama-2-70b-hf)`,
    parameters: 68_976_648_192,
    config: {
      ...llama2,
      hidden_size: 8192,
      intermediate_size: 28672,
      num_hidden_layers: 80,
      num_attention_heads: 64,
      num_key_value_heads: 8,
    },
  },
  'llama-3-8b': {
    description: `Llama 3 8B, GQA with 8 KV heads, 128256-token vocabulary, rope theta 500000 (${HF}, meta-llama/Meta-Llama-3-8B)`,
    parameters: 8_030_261_248,
    config: {
      ...llama2,
      vocab_size: 128256,
      max_position_embeddings: 8192,
      rope_theta: 500000,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
    },
  },
};

type PublishedConfig = { description: string; parameters: number; activeParameters?: number; config: Record<string, unknown> };

/**
 * Published Hugging Face configs of Llama's descendants (the fields LightCode
 * reads, copied from each model's config.json; parameter counts are the sums
 * of the published weight shapes, as the model cards round them).
 */
export const HF_DECODER_CONFIGS: Readonly<Record<string, PublishedConfig>> = {
  'mistral-7b': {
    description: `Mistral 7B v0.1: GQA with 8 KV heads, sliding-window attention over 4096 tokens (${HF}, mistralai/Mistral-7B-v0.1)`,
    parameters: 7_241_732_096,
    config: {
      model_type: 'mistral',
      vocab_size: 32000,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      max_position_embeddings: 32768,
      sliding_window: 4096,
      rope_theta: 10000,
      rms_norm_eps: 1e-5,
      hidden_act: 'silu',
      tie_word_embeddings: false,
    },
  },
  'qwen2-7b': {
    description: `Qwen2 7B: GQA with 4 KV heads, biases on q, k and v, 152064-token vocabulary (${HF}, Qwen/Qwen2-7B)`,
    parameters: 7_615_616_512,
    config: {
      model_type: 'qwen2',
      vocab_size: 152064,
      hidden_size: 3584,
      intermediate_size: 18944,
      num_hidden_layers: 28,
      num_attention_heads: 28,
      num_key_value_heads: 4,
      max_position_embeddings: 131072,
      sliding_window: 131072,
      use_sliding_window: false,
      rope_theta: 1000000,
      rms_norm_eps: 1e-6,
      hidden_act: 'silu',
      tie_word_embeddings: false,
    },
  },
  'gemma-7b': {
    description: `Gemma 7B: head_dim 256 (16 heads x 256 > hidden 3072), GeGLU MLP, embeddings tied to the LM head and scaled by sqrt(hidden) (${HF}, google/gemma-7b)`,
    parameters: 8_537_680_896,
    config: {
      model_type: 'gemma',
      vocab_size: 256000,
      hidden_size: 3072,
      intermediate_size: 24576,
      num_hidden_layers: 28,
      num_attention_heads: 16,
      num_key_value_heads: 16,
      head_dim: 256,
      max_position_embeddings: 8192,
      rope_theta: 10000,
      rms_norm_eps: 1e-6,
      hidden_act: 'gelu_pytorch_tanh',
      hidden_activation: 'gelu_pytorch_tanh',
    },
  },
  'phi-3-mini': {
    description: `Phi-3 mini 4k: fused qkv_proj and gate_up_proj, sliding window 2047 (${HF}, microsoft/Phi-3-mini-4k-instruct)`,
    parameters: 3_821_079_552,
    config: {
      model_type: 'phi3',
      vocab_size: 32064,
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      max_position_embeddings: 4096,
      original_max_position_embeddings: 4096,
      sliding_window: 2047,
      rope_theta: 10000,
      rms_norm_eps: 1e-5,
      hidden_act: 'silu',
      tie_word_embeddings: false,
    },
  },
  'mixtral-8x7b': {
    description: `Mixtral 8x7B v0.1: mixture of experts, 8 SwiGLU experts per layer, top-2 routing, 12.9B of 46.7B parameters active per token (${HF}, mistralai/Mixtral-8x7B-v0.1)`,
    parameters: 46_702_792_704,
    activeParameters: 12_879_925_248,
    config: {
      model_type: 'mixtral',
      vocab_size: 32000,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      num_local_experts: 8,
      num_experts_per_tok: 2,
      max_position_embeddings: 32768,
      sliding_window: null,
      rope_theta: 1000000,
      rms_norm_eps: 1e-5,
      hidden_act: 'silu',
      tie_word_embeddings: false,
    },
  },
};

/** Every built-in config this frontend knows, Llama's and its descendants'. */
const ALL_CONFIGS: Readonly<Record<string, PublishedConfig>> = { ...LLAMA_CONFIGS, ...HF_DECODER_CONFIGS };

/** The `model_type`s this frontend reads. */
export const DECODER_MODEL_TYPES = ['llama', 'mistral', 'qwen2', 'gemma', 'phi3', 'mixtral'] as const;

/** Where the architectures differ from Llama, as read from a config. */
export interface DecoderVariant {
  /** Biases on the q, k and v projections (Qwen2; Llama's `attention_bias` also puts one on o). */
  readonly qkvBias: boolean;
  readonly oBias: boolean;
  /** The MLP's gate activation: SiLU (SwiGLU) or GELU (GeGLU, Gemma). */
  readonly act: 'silu' | 'gelu';
  /** q, k, v as one `qkv_proj` and gate, up as one `gate_up_proj` (Phi-3). */
  readonly fused: boolean;
  /** Keys each query attends to at most (Mistral, Phi-3; Qwen2 when `use_sliding_window`). */
  readonly slidingWindow?: number;
  /** Embeddings scaled by sqrt(hidden) (Gemma). */
  readonly embedScale: boolean;
  /** Mixture of experts (Mixtral): experts per layer and experts per token. */
  readonly experts?: { readonly count: number; readonly topK: number };
}

/** Reads and checks a Llama Hugging Face config. */
export function llamaDims(config: Readonly<Record<string, unknown>>, source: string): LlamaDims {
  return decoderDims(config, source);
}

/** Reads and checks a config of the Llama family or a descendant (`model_type` llama, mistral, qwen2, gemma, phi3, mixtral). */
export function decoderDims(config: Readonly<Record<string, unknown>>, source: string): LlamaDims & DecoderVariant {
  const type = String(config.model_type ?? 'llama');
  const hidden = configInt(config, 'hidden_size', source);
  const heads = configInt(config, 'num_attention_heads', source);
  const kvHeads = configInt(config, 'num_key_value_heads', source, heads);
  if (config.head_dim == null && hidden % heads !== 0) {
    throw new UserError(`${source}: hidden_size ${hidden} is not divisible by num_attention_heads ${heads}`);
  }
  if (heads % kvHeads !== 0) {
    throw new UserError(`${source}: num_key_value_heads ${kvHeads} does not divide num_attention_heads ${heads}`);
  }
  const actName = String(config.hidden_activation ?? config.hidden_act ?? 'silu');
  const act = /gelu/.test(actName) ? 'gelu' : 'silu';
  const windowed = config.sliding_window != null && (type !== 'qwen2' || config.use_sliding_window === true);
  let experts: DecoderVariant['experts'];
  if (type === 'mixtral') {
    const count = configInt(config, 'num_local_experts', source);
    const topK = configInt(config, 'num_experts_per_tok', source);
    if (topK > count) throw new UserError(`${source}: num_experts_per_tok ${topK} exceeds num_local_experts ${count}`);
    experts = { count, topK };
  }
  const attentionBias = config.attention_bias === true;
  return {
    hidden,
    heads,
    kvHeads,
    headDim: config.head_dim == null ? hidden / heads : configInt(config, 'head_dim', source),
    intermediate: configInt(config, 'intermediate_size', source),
    layers: configInt(config, 'num_hidden_layers', source),
    vocab: configInt(config, 'vocab_size', source),
    positions: configInt(config, 'max_position_embeddings', source),
    // Gemma ties its LM head to the embeddings unless told otherwise (its config.json leaves the field out)
    tied: config.tie_word_embeddings === true || (type === 'gemma' && config.tie_word_embeddings !== false),
    qkvBias: type === 'qwen2' || attentionBias,
    oBias: attentionBias,
    act,
    fused: type === 'phi3',
    ...(windowed ? { slidingWindow: configInt(config, 'sliding_window', source) } : {}),
    embedScale: type === 'gemma',
    ...(experts ? { experts } : {}),
  };
}

/**
 * Tokens each expert receives under uniform routing: the batch's B x L x topK
 * token slots dealt out as evenly as the integers allow (largest remainder,
 * ties to the lower expert), so their sum is exactly the slots and each
 * expert's count is the expected B x L x topK / experts rounded up or down.
 */
export function uniformExpertTokens(tokens: number, experts: number, topK: number): number[] {
  const slots = tokens * topK;
  const base = Math.floor(slots / experts);
  const extra = slots - base * experts;
  return Array.from({ length: experts }, (_, e) => base + (e < extra ? 1 : 0));
}

function build(req: BuildRequest): OpGraphData {
  const config = req.modelId ? ALL_CONFIGS[req.modelId]?.config : req.config;
  const type = String(config?.model_type ?? 'llama');
  const name = { llama: 'Llama', mistral: 'Mistral', qwen2: 'Qwen2', gemma: 'Gemma', phi3: 'Phi-3', mixtral: 'Mixtral' }[type] ?? type;
  const { dims: m, len, builder: b } = beginDecoder(req, { id: type, name, configs: ALL_CONFIGS }, decoderDims);
  const { batch: B, dtype } = req;
  const L = len.q;
  const d = m.hidden;
  const dh = m.headDim;
  const t = (shape: number[]) => tensor(shape, dtype);
  const act = t([B, L, d]);
  const bias = (width: number, on: boolean) => (on ? [t([width])] : []);
  // sliding window: each query sees at most W keys; the cache keeps the last W - 1 tokens
  const W = m.slidingWindow;
  const keys = W === undefined ? len.k : Math.min(len.k, W);
  const cached = W === undefined ? len.past : Math.min(len.past, W - 1);
  const band = W !== undefined && len.k > W;

  let x = tokenEmbedding(b, { name: 'model.embed_tokens', batch: B, tokens: L, vocab: m.vocab, hidden: d, dtype });
  if (m.embedScale) {
    x = b.add({ name: 'model.embed_scale', kind: 'mul', layer: null, inputs: [act], outputs: [act], attrs: { scale: Math.sqrt(d) } }, [
      [x, act],
    ]);
  }
  for (let i = 0; i < m.layers; i++) {
    const p = `model.layers.${i}`;
    const a = `${p}.self_attn`;
    const ln1 = b.add({ name: `${p}.input_layernorm`, kind: 'rmsnorm', layer: i, inputs: [act], outputs: [act], weights: [t([d])] }, [
      [x, act],
    ]);
    const qOut = t([B, L, m.heads * dh]);
    const kvOut = t([B, L, m.kvHeads * dh]);
    let q: string;
    let k: string;
    let v: string;
    const proj = (n: string, width: number, out: TensorSpec) =>
      b.add(
        {
          name: `${a}.${n}`,
          kind: 'linear',
          layer: i,
          inputs: [act],
          outputs: [out],
          weights: [t([d, width]), ...bias(width, m.qkvBias)],
        },
        [[ln1, act]],
      );
    if (m.fused) {
      // Phi-3: one projection for Q, K and V
      const width = (m.heads + 2 * m.kvHeads) * dh;
      q = proj('qkv_proj', width, t([B, L, width]));
      k = q;
      v = q;
    } else {
      q = proj('q_proj', m.heads * dh, qOut);
      k = proj('k_proj', m.kvHeads * dh, kvOut);
      v = proj('v_proj', m.kvHeads * dh, kvOut);
    }
    const qh = t([B, m.heads, L, dh]);
    const kh = t([B, m.kvHeads, L, dh]);
    const rope = b.add({ name: `${a}.rotary_emb`, kind: 'rope', layer: i, inputs: [qh, kh], outputs: [qh, kh] }, [
      [q, qOut],
      [k, kvOut],
    ]);
    kvCacheWrite(b, { prefix: a, layer: i, k: [rope, kh], v: [v, kh] });
    const kv = [{ k: rope, v, tokens: band && len.past === 0 ? keys : L }];
    if (cached > 0) {
      const read = kvCacheRead(b, { prefix: a, layer: i, batch: B, kvHeads: m.kvHeads, headDim: dh, tokens: cached, dtype });
      kv.unshift({ k: read, v: read, tokens: cached });
    }
    const heads = attentionCore(b, {
      prefix: a,
      layer: i,
      batch: B,
      heads: m.heads,
      kvHeads: m.kvHeads,
      headDim: dh,
      qLen: L,
      kLen: keys,
      dtype,
      q: rope,
      kv,
      splitHeads: req.splitHeads,
      ...(band && L > 1 ? { slidingWindow: W } : {}),
    });
    const o = b.add(
      {
        name: `${a}.o_proj`,
        kind: 'linear',
        layer: i,
        inputs: [qOut],
        outputs: [act],
        weights: [t([m.heads * dh, d]), ...bias(d, m.oBias)],
      },
      heads,
    );
    const r1 = b.add({ name: `${p}.attn_residual`, kind: 'add', layer: i, inputs: [act, act], outputs: [act] }, [
      [x, act],
      [o, act],
    ]);
    const ln2 = b.add(
      { name: `${p}.post_attention_layernorm`, kind: 'rmsnorm', layer: i, inputs: [act], outputs: [act], weights: [t([d])] },
      [[r1, act]],
    );
    const mlp = m.experts ? moe(b, { p, i, B, L, d, m, experts: m.experts, ln2, dtype }) : denseMlp(b, { p, i, B, L, d, m, ln2, dtype });
    x = b.add({ name: `${p}.mlp_residual`, kind: 'add', layer: i, inputs: [act, act], outputs: [act] }, [
      [r1, act],
      [mlp, act],
    ]);
  }
  const norm = b.add({ name: 'model.norm', kind: 'rmsnorm', layer: null, inputs: [act], outputs: [act], weights: [t([d])] }, [[x, act]]);
  lmHead(b, { from: norm, batch: B, seqLen: L, hidden: d, vocab: m.vocab, dtype, logits: req.logits, tied: m.tied });
  return b.build();
}

interface MlpOptions {
  readonly p: string;
  readonly i: number;
  readonly B: number;
  readonly L: number;
  readonly d: number;
  readonly m: LlamaDims & DecoderVariant;
  readonly ln2: string;
  readonly dtype: DType;
}

/** The gated MLP: gate and up projections (one fused `gate_up_proj` for Phi-3), SiLU or GELU on the gate, product, down. */
function denseMlp(b: GraphBuilder, o: MlpOptions): string {
  const { p, i, B, L, d, m, ln2 } = o;
  const t = (shape: number[]) => tensor(shape, o.dtype);
  const act = t([B, L, d]);
  const hid = t([B, L, m.intermediate]);
  let gate: string;
  let up: string;
  if (m.fused) {
    const both = t([B, L, 2 * m.intermediate]);
    gate = b.add(
      { name: `${p}.mlp.gate_up_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [both], weights: [t([d, 2 * m.intermediate])] },
      [[ln2, act]],
    );
    up = gate;
  } else {
    gate = b.add(
      { name: `${p}.mlp.gate_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [hid], weights: [t([d, m.intermediate])] },
      [[ln2, act]],
    );
    up = b.add({ name: `${p}.mlp.up_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [hid], weights: [t([d, m.intermediate])] }, [
      [ln2, act],
    ]);
  }
  const f = b.add({ name: `${p}.mlp.act_fn`, kind: m.act, layer: i, inputs: [hid], outputs: [hid] }, [[gate, hid]]);
  const mul = b.add({ name: `${p}.mlp.mul`, kind: 'mul', layer: i, inputs: [hid, hid], outputs: [hid] }, [
    [f, hid],
    [up, hid],
  ]);
  return b.add({ name: `${p}.mlp.down_proj`, kind: 'linear', layer: i, inputs: [hid], outputs: [act], weights: [t([m.intermediate, d])] }, [
    [mul, hid],
  ]);
}

/**
 * Mixture of experts (Mixtral's `block_sparse_moe`): a router (the `gate`
 * linear, then softmax and top-k as one op), one SwiGLU chain per expert
 * carrying the tokens routed to it, and the weighted sum of the experts'
 * outputs. Routing is assumed uniform: each expert gets its share of the
 * B x L x topK token slots (see {@link uniformExpertTokens}), so the experts'
 * MACs are topK / experts of the dense equivalent. An expert that gets no token
 * in this step (decode at small batch) is one op that holds its weights
 * without reading them. Experts are independent, so the optimizer may place
 * them on different devices.
 */
function moe(b: GraphBuilder, o: MlpOptions & { experts: { count: number; topK: number } }): string {
  const { p, i, B, L, d, m, ln2 } = o;
  const { count: E, topK } = o.experts;
  const t = (shape: number[]) => tensor(shape, o.dtype);
  const act = t([B, L, d]);
  const s = `${p}.block_sparse_moe`;
  const logits = t([B, L, E]);
  const gate = b.add({ name: `${s}.gate`, kind: 'linear', layer: i, inputs: [act], outputs: [logits], weights: [t([d, E])] }, [[ln2, act]]);
  const routing = b.add(
    { name: `${s}.routing`, kind: 'softmax', layer: i, inputs: [logits], outputs: [logits], attrs: { experts: E, topK } },
    [[gate, logits]],
  );
  const outs: Feed[] = [];
  const weights = () => [t([d, m.intermediate]), t([d, m.intermediate]), t([m.intermediate, d])];
  uniformExpertTokens(B * L, E, topK).forEach((n, e) => {
    const x = `${s}.experts.${e}`;
    const attrs = { expert: e, tokens: n };
    if (n === 0) {
      // no token this step: the expert's weights stay resident, nothing is read or computed
      b.add({ name: x, kind: 'copy', layer: i, inputs: [], outputs: [], weights: weights(), attrs: { ...attrs, residentWeights: true } }, [
        [routing, logits],
      ]);
      return;
    }
    const rows = t([n, d]);
    const hid = t([n, m.intermediate]);
    const [w1, w3, w2] = weights() as [TensorSpec, TensorSpec, TensorSpec];
    const g = b.add({ name: `${x}.w1`, kind: 'linear', layer: i, inputs: [rows], outputs: [hid], weights: [w1], attrs }, [
      [ln2, rows],
      [routing, t([n, topK])],
    ]);
    const up = b.add({ name: `${x}.w3`, kind: 'linear', layer: i, inputs: [rows], outputs: [hid], weights: [w3], attrs }, [
      [ln2, rows],
      [routing, t([n, topK])],
    ]);
    const f = b.add({ name: `${x}.act_fn`, kind: m.act, layer: i, inputs: [hid], outputs: [hid], attrs }, [[g, hid]]);
    const mul = b.add({ name: `${x}.mul`, kind: 'mul', layer: i, inputs: [hid, hid], outputs: [hid], attrs }, [
      [f, hid],
      [up, hid],
    ]);
    const down = b.add({ name: `${x}.w2`, kind: 'linear', layer: i, inputs: [hid], outputs: [rows], weights: [w2], attrs }, [[mul, hid]]);
    outs.push([down, rows]);
  });
  // the routing-weighted sum of the experts' rows back into [B, L, d]
  return b.add(
    {
      name: `${s}.combine`,
      kind: 'add',
      layer: i,
      inputs: outs.map(([, r]) => r),
      outputs: [act],
      attrs: { experts: E, topK },
    },
    [...outs, [routing, logits]],
  );
}

export default defineFrontend({
  id: 'llama',
  name: 'Llama',
  description:
    'Llama family and its descendants: Mistral (sliding window), Qwen2 (QKV bias), Gemma (head_dim, GeGLU, tied), Phi-3 (fused projections), Mixtral (mixture of experts).',
  models: Object.entries(ALL_CONFIGS).map(([id, v]) => ({ id, description: v.description, parameters: v.parameters })),
  modelTypes: [...DECODER_MODEL_TYPES],
  build,
});
