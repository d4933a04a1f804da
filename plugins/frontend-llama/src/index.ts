import {
  attentionCore,
  type BuildRequest,
  beginDecoder,
  configInt,
  defineFrontend,
  kvCacheRead,
  kvCacheWrite,
  lmHead,
  type OpGraphData,
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

/** Reads and checks a Llama Hugging Face config. */
export function llamaDims(config: Readonly<Record<string, unknown>>, source: string): LlamaDims {
  const hidden = configInt(config, 'hidden_size', source);
  const heads = configInt(config, 'num_attention_heads', source);
  const kvHeads = configInt(config, 'num_key_value_heads', source, heads);
  if (hidden % heads !== 0) throw new UserError(`${source}: hidden_size ${hidden} is not divisible by num_attention_heads ${heads}`);
  if (heads % kvHeads !== 0) {
    throw new UserError(`${source}: num_key_value_heads ${kvHeads} does not divide num_attention_heads ${heads}`);
  }
  return {
    hidden,
    heads,
    kvHeads,
    headDim: config.head_dim == null ? hidden / heads : configInt(config, 'head_dim', source),
    intermediate: configInt(config, 'intermediate_size', source),
    layers: configInt(config, 'num_hidden_layers', source),
    vocab: configInt(config, 'vocab_size', source),
    positions: configInt(config, 'max_position_embeddings', source),
    tied: config.tie_word_embeddings === true,
  };
}

function build(req: BuildRequest): OpGraphData {
  const { dims: m, len, builder: b } = beginDecoder(req, { id: 'llama', name: 'Llama', configs: LLAMA_CONFIGS }, llamaDims);
  const { batch: B, dtype } = req;
  const L = len.q;
  const d = m.hidden;
  const dh = m.headDim;
  const t = (shape: number[]) => tensor(shape, dtype);
  const act = t([B, L, d]);

  let x = tokenEmbedding(b, { name: 'model.embed_tokens', batch: B, tokens: L, vocab: m.vocab, hidden: d, dtype });
  for (let i = 0; i < m.layers; i++) {
    const p = `model.layers.${i}`;
    const a = `${p}.self_attn`;
    const ln1 = b.add({ name: `${p}.input_layernorm`, kind: 'rmsnorm', layer: i, inputs: [act], outputs: [act], weights: [t([d])] }, [
      [x, act],
    ]);
    const qOut = t([B, L, m.heads * dh]);
    const kvOut = t([B, L, m.kvHeads * dh]);
    const q = b.add({ name: `${a}.q_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [qOut], weights: [t([d, m.heads * dh])] }, [
      [ln1, act],
    ]);
    const k = b.add({ name: `${a}.k_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [kvOut], weights: [t([d, m.kvHeads * dh])] }, [
      [ln1, act],
    ]);
    const v = b.add({ name: `${a}.v_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [kvOut], weights: [t([d, m.kvHeads * dh])] }, [
      [ln1, act],
    ]);
    const qh = t([B, m.heads, L, dh]);
    const kh = t([B, m.kvHeads, L, dh]);
    const rope = b.add({ name: `${a}.rotary_emb`, kind: 'rope', layer: i, inputs: [qh, kh], outputs: [qh, kh] }, [
      [q, qOut],
      [k, kvOut],
    ]);
    kvCacheWrite(b, { prefix: a, layer: i, k: [rope, kh], v: [v, kh] });
    const kv = [{ k: rope, v, tokens: L }];
    if (len.past > 0) {
      const read = kvCacheRead(b, { prefix: a, layer: i, batch: B, kvHeads: m.kvHeads, headDim: dh, tokens: len.past, dtype });
      kv.unshift({ k: read, v: read, tokens: len.past });
    }
    const heads = attentionCore(b, {
      prefix: a,
      layer: i,
      batch: B,
      heads: m.heads,
      kvHeads: m.kvHeads,
      headDim: dh,
      qLen: L,
      kLen: len.k,
      dtype,
      q: rope,
      kv,
      splitHeads: req.splitHeads,
    });
    const o = b.add(
      { name: `${a}.o_proj`, kind: 'linear', layer: i, inputs: [qOut], outputs: [act], weights: [t([m.heads * dh, d])] },
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
    const hid = t([B, L, m.intermediate]);
    const gate = b.add(
      { name: `${p}.mlp.gate_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [hid], weights: [t([d, m.intermediate])] },
      [[ln2, act]],
    );
    const up = b.add(
      { name: `${p}.mlp.up_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [hid], weights: [t([d, m.intermediate])] },
      [[ln2, act]],
    );
    const silu = b.add({ name: `${p}.mlp.act_fn`, kind: 'silu', layer: i, inputs: [hid], outputs: [hid] }, [[gate, hid]]);
    const mul = b.add({ name: `${p}.mlp.mul`, kind: 'mul', layer: i, inputs: [hid, hid], outputs: [hid] }, [
      [silu, hid],
      [up, hid],
    ]);
    const down = b.add(
      { name: `${p}.mlp.down_proj`, kind: 'linear', layer: i, inputs: [hid], outputs: [act], weights: [t([m.intermediate, d])] },
      [[mul, hid]],
    );
    x = b.add({ name: `${p}.mlp_residual`, kind: 'add', layer: i, inputs: [act, act], outputs: [act] }, [
      [r1, act],
      [down, act],
    ]);
  }
  const norm = b.add({ name: 'model.norm', kind: 'rmsnorm', layer: null, inputs: [act], outputs: [act], weights: [t([d])] }, [[x, act]]);
  lmHead(b, { from: norm, batch: B, seqLen: L, hidden: d, vocab: m.vocab, dtype, logits: req.logits, tied: m.tied });
  return b.build();
}

export default defineFrontend({
  id: 'llama',
  name: 'Llama',
  description: 'Llama family (RMSNorm, rotary embeddings, grouped-query attention, SwiGLU MLP).',
  models: Object.entries(LLAMA_CONFIGS).map(([id, v]) => ({ id, description: v.description, parameters: v.parameters })),
  modelTypes: ['llama'],
  build,
});
