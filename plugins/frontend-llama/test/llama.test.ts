import { type BuildRequest, graphFromData, type OpGraph } from '@lightcode/cost-model';
import llama, { LLAMA_CONFIGS } from '@lightcode/frontend-llama';
import { describe, expect, it } from 'vitest';

const base: BuildRequest = {
  modelId: 'llama-2-7b',
  phase: 'prefill',
  seqLen: 128,
  batch: 1,
  dtype: 'fp16',
  logits: 'last',
  splitHeads: false,
};
const build = (over: Partial<BuildRequest>): OpGraph => graphFromData(llama.build({ ...base, ...over }));

type Cfg = {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  vocab_size: number;
};

/*
 * Per layer, B sequences of L new tokens attending to K keys, hidden d, heads
 * H, KV heads G, head dim h = d/H, MLP width I:
 *   q_proj B·L·d·d, k_proj and v_proj B·L·d·(G·h) each (GQA makes them smaller),
 *   QK^T B·H·L·K·h = B·L·K·d, AV the same, o_proj B·L·d·d,
 *   gate, up, down B·L·d·I each; LM head B·Lout·d·V.
 */
function expectedMacs(id: string, B: number, L: number, K: number, lOut: number): number {
  const c = LLAMA_CONFIGS[id]?.config as Cfg;
  const d = c.hidden_size;
  const kv = (d / c.num_attention_heads) * c.num_key_value_heads;
  const layer = 2 * B * L * d * d + 2 * B * L * d * kv + 2 * B * L * K * d + 3 * B * L * d * c.intermediate_size;
  return c.num_hidden_layers * layer + B * lOut * d * c.vocab_size;
}

describe('Llama frontend', () => {
  it.each(Object.entries(LLAMA_CONFIGS))('%s has its published parameter count', (id, { parameters }) => {
    const params = build({ modelId: id, seqLen: 4 }).totals().paramBytes / 2;
    expect(Math.abs(params - parameters) / parameters).toBeLessThan(0.005);
    expect(params).toBe(parameters);
  });

  it('published sizes: 6.74B, 13.0B, 69.0B, 8.03B', () => {
    const sizes = Object.keys(LLAMA_CONFIGS).map((id) => build({ modelId: id, seqLen: 4 }).totals().paramBytes / 2 / 1e9);
    expect(sizes.map((s) => Number(s.toPrecision(3)))).toEqual([6.74, 13.0, 69.0, 8.03]);
  });

  for (const id of Object.keys(LLAMA_CONFIGS)) {
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

  it('uses grouped-query attention for llama-2-70b: 8 KV heads', () => {
    const g = build({ modelId: 'llama-2-70b', seqLen: 16 });
    const k = g.ops().find((o) => o.name === 'model.layers.0.self_attn.k_proj');
    expect(k?.weights[0]?.shape).toEqual([8192, 8 * 128]);
    const split = build({ modelId: 'llama-2-70b', seqLen: 16, splitHeads: true });
    const heads = split.ops().filter((o) => o.name.startsWith('model.layers.0.self_attn.qk.head'));
    expect(heads.length).toBe(64);
    expect(heads[63]?.attrs.kvHead).toBe(7);
    expect(split.totals().macs).toBe(g.totals().macs);
  });

  it('names ops the Hugging Face way', () => {
    const names = new Set(
      build({})
        .ops()
        .map((o) => o.name),
    );
    for (const n of [
      'model.embed_tokens',
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.rotary_emb',
      'model.layers.0.mlp.down_proj',
      'model.layers.31.mlp.act_fn',
      'model.norm',
      'lm_head',
    ]) {
      expect(names.has(n), n).toBe(true);
    }
  });

  it('a config.json round-trip gives the identical graph', () => {
    const config = JSON.parse(JSON.stringify(LLAMA_CONFIGS['llama-2-7b']?.config)) as Record<string, unknown>;
    const fromConfig = graphFromData(llama.build({ ...base, modelId: undefined, config: { ...config, _name_or_path: 'llama-2-7b' } }));
    const builtIn = build({});
    expect(fromConfig.ops()).toEqual(builtIn.ops());
    expect(fromConfig.edges()).toEqual(builtIn.edges());
  });

  it.each([
    [
      { modelId: undefined, config: { ...LLAMA_CONFIGS['llama-2-7b']?.config, num_key_value_heads: 5 } },
      /num_key_value_heads 5 does not divide num_attention_heads 32/,
    ],
    [
      { modelId: undefined, config: { ...LLAMA_CONFIGS['llama-2-7b']?.config, hidden_size: 4001 } },
      /hidden_size 4001 is not divisible by num_attention_heads 32/,
    ],
    [{ seqLen: 4097 }, /limit of 4096 positions/],
  ])('rejects bad configs with one line (%#)', (over, msg) => {
    expect(() => build(over)).toThrow(msg);
  });
});
