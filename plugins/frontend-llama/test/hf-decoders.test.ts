import { type BuildRequest, graphFromData, type OpGraph } from '@lightcode/cost-model';
import llama, { HF_DECODER_CONFIGS, uniformExpertTokens } from '@lightcode/frontend-llama';
import { describe, expect, it } from 'vitest';

const base: BuildRequest = {
  modelId: 'mistral-7b',
  phase: 'prefill',
  seqLen: 128,
  batch: 1,
  dtype: 'fp16',
  logits: 'last',
  splitHeads: false,
};
const build = (over: Partial<BuildRequest>): OpGraph => graphFromData(llama.build({ ...base, ...over }));

interface Cfg {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim?: number;
  vocab_size: number;
  sliding_window?: number | null;
  use_sliding_window?: boolean;
  model_type: string;
  num_local_experts?: number;
  num_experts_per_tok?: number;
}

/*
 * Per layer, B sequences of L new tokens attending to K keys (capped at the
 * sliding window W where the model has one), hidden d, heads H, KV heads G,
 * head dim h (Gemma: 256, so H·h = 4096 > d = 3072), MLP width I:
 *   q_proj B·L·d·(H·h), k_proj and v_proj B·L·d·(G·h) each (Phi-3 fuses the three: same sum),
 *   QK^T B·H·L·K·h, AV the same, o_proj B·L·(H·h)·d,
 *   dense MLP: gate, up, down B·L·d·I each (Phi-3 fuses gate and up: same sum);
 *   mixture of experts: router B·L·d·E, experts B·L·k·3·d·I = k/E of the dense equivalent B·L·E·3·d·I;
 * LM head B·Lout·d·V.
 */
function expectedMacs(id: string, B: number, L: number, K: number, lOut: number): number {
  const c = HF_DECODER_CONFIGS[id]?.config as unknown as Cfg;
  const d = c.hidden_size;
  const h = c.head_dim ?? d / c.num_attention_heads;
  const q = c.num_attention_heads * h;
  const kv = c.num_key_value_heads * h;
  const windowed = c.sliding_window != null && (c.model_type !== 'qwen2' || c.use_sliding_window === true);
  const keys = windowed ? Math.min(K, c.sliding_window as number) : K;
  const attention = B * L * d * q + 2 * B * L * d * kv + 2 * B * L * keys * q + B * L * q * d;
  const I = c.intermediate_size;
  const mlp =
    c.model_type === 'mixtral'
      ? B * L * d * (c.num_local_experts as number) + B * L * (c.num_experts_per_tok as number) * 3 * d * I
      : 3 * B * L * d * I;
  return c.num_hidden_layers * (attention + mlp) + B * lOut * d * c.vocab_size;
}

const op = (g: OpGraph, name: string) => {
  const o = g.ops().find((x) => x.name === name);
  if (!o) throw new Error(`no op ${name}`);
  return o;
};

describe('Hugging Face decoders: Mistral, Qwen2, Gemma, Phi-3, Mixtral', () => {
  it.each(Object.entries(HF_DECODER_CONFIGS))('%s has exactly its published parameter count', (id, { parameters }) => {
    expect(build({ modelId: id, seqLen: 4 }).totals().paramBytes / 2).toBe(parameters);
  });

  it('published sizes: 7.24B, 7.62B, 8.54B, 3.82B, 46.7B', () => {
    const sizes = Object.keys(HF_DECODER_CONFIGS).map((id) => build({ modelId: id, seqLen: 4 }).totals().paramBytes / 2 / 1e9);
    expect(sizes.map((s) => Number(s.toPrecision(3)))).toEqual([7.24, 7.62, 8.54, 3.82, 46.7]);
  });

  for (const id of Object.keys(HF_DECODER_CONFIGS)) {
    for (const [L, B] of [
      [1, 1],
      [512, 2],
      [4096, 1],
    ] as const) {
      it(`${id} prefill L=${L} B=${B}: MACs match the closed form`, () => {
        expect(build({ modelId: id, seqLen: L, batch: B }).totals().macs).toBe(expectedMacs(id, B, L, L, 1));
        expect(build({ modelId: id, seqLen: L, batch: B, logits: 'all' }).totals().macs).toBe(expectedMacs(id, B, L, L, L));
      });
    }
    it(`${id} decode at kv 2000, batch 8: MACs match the closed form`, () => {
      expect(build({ modelId: id, phase: 'decode', kvLen: 2000, batch: 8 }).totals().macs).toBe(expectedMacs(id, 8, 1, 2001, 1));
    });
  }

  describe('Mistral: sliding-window attention', () => {
    it('the attention cost stops growing past the 4096-token window', () => {
      const at = (L: number) => {
        const g = build({ seqLen: L });
        return g.arithmetic(op(g, 'model.layers.0.self_attn.qk').id).macs;
      };
      expect(at(2048)).toBe(2048 * 2048 * 4096);
      expect(at(8192)).toBe(8192 * 4096 * 4096);
      // per query: the keys it scores stay at the window
      expect(at(16384) / 16384).toBe(at(8192) / 8192);
      expect(build({ seqLen: 8192 }).totals().macs).toBe(expectedMacs('mistral-7b', 1, 8192, 8192, 1));
    });

    it('past the window the scores are a band: no causal mask, the window recorded', () => {
      const qk = op(build({ seqLen: 8192 }), 'model.layers.0.self_attn.qk');
      expect(qk.outputs[0]?.shape).toEqual([1, 32, 8192, 4096]);
      expect(qk.attrs).toMatchObject({ causalMask: false, slidingWindow: 4096 });
      expect(op(build({ seqLen: 1024 }), 'model.layers.0.self_attn.qk').attrs.causalMask).toBe(true);
    });

    it('decode keeps a rolling cache of window - 1 tokens', () => {
      const g = build({ phase: 'decode', kvLen: 10_000 });
      expect(op(g, 'model.layers.0.self_attn.kv_read').outputs[0]?.shape).toEqual([1, 8, 4095, 128]);
      expect(g.totals().macs).toBe(expectedMacs('mistral-7b', 1, 1, 4096, 1));
    });
  });

  it('Qwen2: biases on q, k and v, none on o', () => {
    const g = build({ modelId: 'qwen2-7b', seqLen: 16 });
    expect(op(g, 'model.layers.0.self_attn.q_proj').weights.map((w) => w.shape)).toEqual([[3584, 3584], [3584]]);
    expect(op(g, 'model.layers.0.self_attn.k_proj').weights.map((w) => w.shape)).toEqual([[3584, 512], [512]]);
    expect(op(g, 'model.layers.0.self_attn.o_proj').weights).toHaveLength(1);
  });

  it('Gemma: head_dim 256 apart from hidden/heads, GeGLU, tied and scaled embeddings', () => {
    const g = build({ modelId: 'gemma-7b', seqLen: 16 });
    expect(op(g, 'model.layers.0.self_attn.q_proj').weights[0]?.shape).toEqual([3072, 16 * 256]);
    expect(op(g, 'model.layers.0.self_attn.o_proj').weights[0]?.shape).toEqual([4096, 3072]);
    expect(op(g, 'model.layers.0.mlp.act_fn').kind).toBe('gelu');
    expect(op(g, 'lm_head').attrs.tiedWeights).toBe(true);
    expect(op(g, 'model.embed_scale').attrs.scale).toBe(Math.sqrt(3072));
  });

  it('Phi-3: fused qkv_proj and gate_up_proj', () => {
    const g = build({ modelId: 'phi-3-mini', seqLen: 16 });
    expect(op(g, 'model.layers.0.self_attn.qkv_proj').weights[0]?.shape).toEqual([3072, 3 * 3072]);
    expect(op(g, 'model.layers.0.mlp.gate_up_proj').weights[0]?.shape).toEqual([3072, 2 * 8192]);
    expect(g.ops().some((o) => o.name.endsWith('q_proj'))).toBe(false);
  });

  describe('Mixtral: mixture of experts', () => {
    const layer0 = (g: OpGraph) => g.ops().filter((o) => o.name.startsWith('model.layers.0.block_sparse_moe.'));

    it('a router, one chain per expert, a combine: experts carry their token share', () => {
      const g = build({ modelId: 'mixtral-8x7b', seqLen: 512 });
      const ops = layer0(g);
      expect(ops.filter((o) => o.name.endsWith('.w1')).map((o) => o.attrs.tokens)).toEqual(new Array(8).fill(128));
      expect(op(g, 'model.layers.0.block_sparse_moe.gate').weights[0]?.shape).toEqual([4096, 8]);
      // expert MACs = topK / experts of the dense equivalent (every expert on every token), plus the router
      const macs = ops.reduce((s, o) => s + g.arithmetic(o.id).macs, 0);
      const dense = 512 * 8 * 3 * 4096 * 14336;
      expect(macs).toBe((2 / 8) * dense + 512 * 4096 * 8);
    });

    it('experts are independent: no expert feeds another', () => {
      const g = build({ modelId: 'mixtral-8x7b', seqLen: 64 });
      const expertOf = (id: string) => g.op(id).attrs.expert;
      for (const e of g.edges()) {
        const [a, b] = [expertOf(e.from), expertOf(e.to)];
        if (a !== undefined && b !== undefined) expect(a).toBe(b);
      }
    });

    it('decode at batch 1: two experts work, six hold their weights without reading them; active parameters 12.9B', () => {
      const g = build({ modelId: 'mixtral-8x7b', phase: 'decode', kvLen: 100 });
      const idle = g.ops().filter((o) => o.attrs.residentWeights === true);
      expect(idle).toHaveLength(32 * 6);
      expect(idle.every((o) => g.arithmetic(o.id).bytesRead === 0)).toBe(true);
      // all experts' weights are counted in memory
      expect(g.totals().paramBytes / 2).toBe(HF_DECODER_CONFIGS['mixtral-8x7b']?.parameters);
      const idleParams = idle.reduce((s, o) => s + g.arithmetic(o.id).paramBytes / 2, 0);
      expect(g.totals().paramBytes / 2 - idleParams).toBe(HF_DECODER_CONFIGS['mixtral-8x7b']?.activeParameters);
      expect(HF_DECODER_CONFIGS['mixtral-8x7b']?.activeParameters).toBe(12_879_925_248);
    });

    it('uniform routing deals the token slots out as evenly as integers allow', () => {
      expect(uniformExpertTokens(1, 8, 2)).toEqual([1, 1, 0, 0, 0, 0, 0, 0]);
      expect(uniformExpertTokens(5, 8, 2)).toEqual([2, 2, 1, 1, 1, 1, 1, 1]);
      for (const n of [1, 3, 7, 100, 4097]) expect(uniformExpertTokens(n, 8, 2).reduce((a, b) => a + b, 0)).toBe(2 * n);
    });
  });

  it.each(Object.entries(HF_DECODER_CONFIGS))('%s: a config.json round-trip gives the identical graph', (id, { config }) => {
    const fromConfig = graphFromData(
      llama.build({ ...base, modelId: undefined, seqLen: 64, config: { ...JSON.parse(JSON.stringify(config)), _name_or_path: id } }),
    );
    const builtIn = build({ modelId: id, seqLen: 64 });
    expect(fromConfig.ops()).toEqual(builtIn.ops());
    expect(fromConfig.edges()).toEqual(builtIn.edges());
    expect(fromConfig.meta.family).toBe((config as { model_type: string }).model_type);
  });

  it('rejects a Mixtral config with more experts per token than experts', () => {
    const config = { ...HF_DECODER_CONFIGS['mixtral-8x7b']?.config, num_experts_per_tok: 9 };
    expect(() => build({ modelId: undefined, config })).toThrow(/num_experts_per_tok 9 exceeds num_local_experts 8/);
  });
});
