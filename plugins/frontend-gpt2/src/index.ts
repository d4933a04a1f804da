import {
  attentionCore,
  type BuildRequest,
  configInt,
  defineFrontend,
  GraphBuilder,
  kvCacheRead,
  kvCacheWrite,
  type OpGraphData,
  requestLengths,
  tensor,
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

/** Published Hugging Face configs of the GPT-2 family (the fields LightCode reads). */
export const GPT2_CONFIGS: Readonly<Record<string, { description: string; parameters: number; config: Record<string, unknown> }>> = {
  gpt2: {
    description: `GPT-2 124M (${HF}/gpt2 config.json)`,
    parameters: 124_439_808,
    config: {
      model_type: 'gpt2',
      n_embd: 768,
      n_layer: 12,
      n_head: 12,
      n_positions: 1024,
      vocab_size: 50257,
      n_inner: null,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: true,
    },
  },
  'gpt2-medium': {
    description: `GPT-2 355M (${HF}/gpt2-medium config.json)`,
    parameters: 354_823_168,
    config: {
      model_type: 'gpt2',
      n_embd: 1024,
      n_layer: 24,
      n_head: 16,
      n_positions: 1024,
      vocab_size: 50257,
      n_inner: null,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: true,
    },
  },
  'gpt2-large': {
    description: `GPT-2 774M (${HF}/gpt2-large config.json)`,
    parameters: 774_030_080,
    config: {
      model_type: 'gpt2',
      n_embd: 1280,
      n_layer: 36,
      n_head: 20,
      n_positions: 1024,
      vocab_size: 50257,
      n_inner: null,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: true,
    },
  },
  'gpt2-xl': {
    description: `GPT-2 1.5B (${HF}/gpt2-xl config.json)`,
    parameters: 1_557_611_200,
    config: {
      model_type: 'gpt2',
      n_embd: 1600,
      n_layer: 48,
      n_head: 25,
      n_positions: 1024,
      vocab_size: 50257,
      n_inner: null,
      activation_function: 'gelu_new',
      layer_norm_epsilon: 1e-5,
      tie_word_embeddings: true,
    },
  },
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
  const id = req.modelId ?? String(req.config?._name_or_path ?? 'gpt2-custom');
  const source = req.modelId ? `model '${id}'` : 'config.json';
  const config = req.modelId ? GPT2_CONFIGS[req.modelId]?.config : req.config;
  if (!config) throw new UserError(`unknown GPT-2 model '${id}' (known: ${Object.keys(GPT2_CONFIGS).join(', ')})`);
  const m = gpt2Dims(config, source);
  const len = requestLengths(req, m.positions, id);
  const { batch: B, dtype } = req;
  const L = len.q;
  const d = m.hidden;
  const dh = d / m.heads;
  const t = (shape: number[]) => tensor(shape, dtype);
  const act = t([B, L, d]);
  const b = new GraphBuilder({
    id,
    family: 'gpt2',
    phase: req.phase,
    seqLen: L,
    batch: B,
    dtype,
    layers: m.layers,
    ...(req.phase === 'decode' ? { kvLen: len.past } : {}),
  });

  const wte = b.add({
    name: 'transformer.wte',
    kind: 'embedding',
    layer: null,
    inputs: [tensor([B, L], 'int32')],
    outputs: [act],
    weights: [t([m.vocab, d])],
  });
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
  const lOut = req.logits === 'last' ? 1 : L;
  const h = t([B, lOut, d]);
  b.add(
    {
      name: 'lm_head',
      kind: 'linear',
      layer: null,
      inputs: [h],
      outputs: [t([B, lOut, m.vocab])],
      weights: [t([d, m.vocab])],
      attrs: m.tied ? { tiedWeights: true } : {},
    },
    [[lnf, h]],
  );
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
