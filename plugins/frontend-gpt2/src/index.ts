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

/** The GPT-2 hyperparameters LightCode prices. */
export interface Gpt2Dims {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly inner: number;
  readonly vocab: number;
  readonly positions: number;
  readonly tied: boolean;
}

const HF = 'Hugging Face openai-community';
/** Fields every published GPT-2 config shares. */
const shared = {
  model_type: 'gpt2',
  n_positions: 1024,
  vocab_size: 50257,
  n_inner: null,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  tie_word_embeddings: true,
};

function entry(id: string, size: string, parameters: number, n_embd: number, n_layer: number, n_head: number) {
  return { description: `GPT-2 ${size} (${HF}/${id} config.json)`, parameters, config: { ...shared, n_embd, n_layer, n_head } };
}

/** Published Hugging Face configs of the GPT-2 family (the fields LightCode reads). */
export const GPT2_CONFIGS: Readonly<Record<string, { description: string; parameters: number; config: Record<string, unknown> }>> = {
  gpt2: entry('gpt2', '124M', 124_439_808, 768, 12, 12),
  'gpt2-medium': entry('gpt2-medium', '355M', 354_823_168, 1024, 24, 16),
  'gpt2-large': entry('gpt2-large', '774M', 774_030_080, 1280, 36, 20),
  'gpt2-xl': entry('gpt2-xl', '1.5B', 1_557_611_200, 1600, 48, 25),
};

/** Reads and checks a GPT-2 Hugging Face config. */
export function gpt2Dims(config: Readonly<Record<string, unknown>>, source: string): Gpt2Dims {
  const hidden = configInt(config, 'n_embd', source);
  const heads = configInt(config, 'n_head', source);
  if (hidden % heads !== 0) throw new UserError(`${source}: n_embd ${hidden} is not divisible by n_head ${heads}`);
  return {
    hidden,
    heads,
    layers: configInt(config, 'n_layer', source),
    inner: config.n_inner == null ? 4 * hidden : configInt(config, 'n_inner', source),
    vocab: configInt(config, 'vocab_size', source),
    positions: configInt(config, 'n_positions', source),
    tied: config.tie_word_embeddings !== false,
  };
}

function build(req: BuildRequest): OpGraphData {
  const { dims: m, len, builder: b } = beginDecoder(req, { id: 'gpt2', name: 'GPT-2', configs: GPT2_CONFIGS }, gpt2Dims);
  const { batch: B, dtype } = req;
  const L = len.q;
  const d = m.hidden;
  const dh = d / m.heads;
  const t = (shape: number[]) => tensor(shape, dtype);
  const act = t([B, L, d]);

  const wte = tokenEmbedding(b, { name: 'transformer.wte', batch: B, tokens: L, vocab: m.vocab, hidden: d, dtype });
  const pos = t([1, L, d]);
  const wpe = b.add({
    name: 'transformer.wpe',
    kind: 'embedding',
    layer: null,
    inputs: [tensor([1, L], 'int32')],
    outputs: [pos],
    weights: [t([m.positions, d])],
  });
  let x = b.add({ name: 'transformer.embed_add', kind: 'add', layer: null, inputs: [act, pos], outputs: [act] }, [
    [wte, act],
    [wpe, pos],
  ]);

  for (let i = 0; i < m.layers; i++) {
    const p = `transformer.h.${i}`;
    const ln1 = b.add({ name: `${p}.ln_1`, kind: 'layernorm', layer: i, inputs: [act], outputs: [act], weights: [t([d]), t([d])] }, [
      [x, act],
    ]);
    const qkv = t([B, L, 3 * d]);
    const cAttn = b.add(
      { name: `${p}.attn.c_attn`, kind: 'linear', layer: i, inputs: [act], outputs: [qkv], weights: [t([d, 3 * d]), t([3 * d])] },
      [[ln1, act]],
    );
    const kvNew = t([B, m.heads, L, dh]);
    kvCacheWrite(b, { prefix: `${p}.attn`, layer: i, k: [cAttn, kvNew], v: [cAttn, kvNew] });
    const kv = [{ k: cAttn, v: cAttn, tokens: L }];
    if (len.past > 0) {
      const read = kvCacheRead(b, { prefix: `${p}.attn`, layer: i, batch: B, kvHeads: m.heads, headDim: dh, tokens: len.past, dtype });
      kv.unshift({ k: read, v: read, tokens: len.past });
    }
    const heads = attentionCore(b, {
      prefix: `${p}.attn`,
      layer: i,
      batch: B,
      heads: m.heads,
      kvHeads: m.heads,
      headDim: dh,
      qLen: L,
      kLen: len.k,
      dtype,
      q: cAttn,
      kv,
      splitHeads: req.splitHeads,
    });
    const o = b.add(
      { name: `${p}.attn.c_proj`, kind: 'linear', layer: i, inputs: [act], outputs: [act], weights: [t([d, d]), t([d])] },
      heads,
    );
    const r1 = b.add({ name: `${p}.attn_residual`, kind: 'add', layer: i, inputs: [act, act], outputs: [act] }, [
      [x, act],
      [o, act],
    ]);
    const ln2 = b.add({ name: `${p}.ln_2`, kind: 'layernorm', layer: i, inputs: [act], outputs: [act], weights: [t([d]), t([d])] }, [
      [r1, act],
    ]);
    const hid = t([B, L, m.inner]);
    const fc = b.add(
      { name: `${p}.mlp.c_fc`, kind: 'linear', layer: i, inputs: [act], outputs: [hid], weights: [t([d, m.inner]), t([m.inner])] },
      [[ln2, act]],
    );
    const gelu = b.add({ name: `${p}.mlp.act`, kind: 'gelu', layer: i, inputs: [hid], outputs: [hid] }, [[fc, hid]]);
    const proj = b.add(
      { name: `${p}.mlp.c_proj`, kind: 'linear', layer: i, inputs: [hid], outputs: [act], weights: [t([m.inner, d]), t([d])] },
      [[gelu, hid]],
    );
    x = b.add({ name: `${p}.mlp_residual`, kind: 'add', layer: i, inputs: [act, act], outputs: [act] }, [
      [r1, act],
      [proj, act],
    ]);
  }
  const lnf = b.add(
    { name: 'transformer.ln_f', kind: 'layernorm', layer: null, inputs: [act], outputs: [act], weights: [t([d]), t([d])] },
    [[x, act]],
  );
  lmHead(b, { from: lnf, batch: B, seqLen: L, hidden: d, vocab: m.vocab, dtype, logits: req.logits, tied: m.tied });
  return b.build();
}

export default defineFrontend({
  id: 'gpt2',
  name: 'GPT-2',
  description: 'GPT-2 family (learned positions, LayerNorm, fused c_attn, GELU MLP, tied LM head).',
  models: Object.entries(GPT2_CONFIGS).map(([id, v]) => ({ id, description: v.description, parameters: v.parameters })),
  modelTypes: ['gpt2'],
  build,
});
