import { type BuildRequest, graphFromData, type OpGraph } from '@lightcode/cost-model';
import gpt2, { GPT2_CONFIGS } from '@lightcode/frontend-gpt2';
import { describe, expect, it } from 'vitest';

const base: BuildRequest = { modelId: 'gpt2', phase: 'prefill', seqLen: 128, batch: 1, dtype: 'fp16', logits: 'last', splitHeads: false };
const build = (over: Partial<BuildRequest>): OpGraph => graphFromData(gpt2.build({ ...base, ...over }));

describe('GPT-2 frontend', () => {
  it.each(Object.entries(GPT2_CONFIGS))('%s has its published parameter count', (id, { parameters }) => {
    const g = build({ modelId: id, seqLen: 8 });
    const params = g.totals().paramBytes / 2; // fp16
    expect(Math.abs(params - parameters) / parameters).toBeLessThan(0.005);
    expect(params).toBe(parameters);
  });

  /*
   * Per layer, with B sequences of L new tokens attending to K keys, hidden d,
   * MLP width f = 4d:  c_attn B·L·d·3d, QK^T B·L·K·d, AV B·L·K·d, attn c_proj
   * B·L·d², c_fc B·L·d·f, mlp c_proj B·L·f·d; LM head B·Lout·d·V with Lout 1
   * (last) or L (all). Prefill: K = L. Decode: L = 1, K = kv + 1.
   */
  function expectedMacs(id: string, B: number, L: number, K: number, lOut: number): number {
    const c = GPT2_CONFIGS[id]?.config as { n_embd: number; n_layer: number; vocab_size: number };
    const d = c.n_embd;
    const f = 4 * d;
    const layer = B * L * d * 3 * d + 2 * B * L * K * d + B * L * d * d + 2 * B * L * d * f;
    return c.n_layer * layer + B * lOut * d * c.vocab_size;
  }

  for (const id of Object.keys(GPT2_CONFIGS)) {
    for (const [L, B] of [
      [1, 1],
      [128, 1],
      [1024, 3],
    ] as const) {
      it(`${id} prefill L=${L} B=${B}: MACs match the closed form (logits last and all)`, () => {
        expect(build({ modelId: id, seqLen: L, batch: B }).totals().macs).toBe(expectedMacs(id, B, L, L, 1));
        expect(build({ modelId: id, seqLen: L, batch: B, logits: 'all' }).totals().macs).toBe(expectedMacs(id, B, L, L, L));
      });
    }
    it(`${id} decode at kv 511, batch 4: MACs match the closed form`, () => {
      expect(build({ modelId: id, phase: 'decode', kvLen: 511, batch: 4 }).totals().macs).toBe(expectedMacs(id, 4, 1, 512, 1));
    });
  }

  it('names ops the Hugging Face way and records layers', () => {
    const g = build({});
    const byName = new Map(g.ops().map((o) => [o.name, o]));
    for (const n of [
      'transformer.wte',
      'transformer.wpe',
      'transformer.h.0.attn.c_attn',
      'transformer.h.0.mlp.c_proj',
      'transformer.h.11.ln_2',
      'transformer.ln_f',
      'lm_head',
    ]) {
      expect(byName.has(n), n).toBe(true);
    }
    expect(byName.get('transformer.h.3.attn.c_proj')?.layer).toBe(3);
    expect(byName.get('lm_head')?.layer).toBeNull();
    expect(byName.get('transformer.wte')?.layer).toBeNull();
  });

  it('splits attention per head with --split-heads, same MACs', () => {
    const split = build({ splitHeads: true });
    expect(split.totals().macs).toBe(build({}).totals().macs);
    expect(split.ops().filter((o) => o.name.startsWith('transformer.h.0.attn.qk.head')).length).toBe(12);
  });

  it('writes the KV cache in prefill and reads it in decode', () => {
    const kinds = (g: OpGraph) => g.ops().map((o) => o.kind);
    expect(kinds(build({})).filter((k) => k === 'kv_write').length).toBe(12);
    expect(kinds(build({})).filter((k) => k === 'kv_read').length).toBe(0);
    const dec = build({ phase: 'decode', kvLen: 100 });
    const read = dec.ops().find((o) => o.kind === 'kv_read');
    expect(read && dec.arithmetic(read.id).bytesRead).toBe(2 * 12 * 100 * 64 * 2); // K and V, 12 heads x 100 tokens x 64 dims, fp16
  });

  it.each([
    [{ seqLen: 2048 }, /--seq-len 2048 exceeds gpt2's limit of 1024 positions/],
    [{ phase: 'decode' as const, kvLen: 1024 }, /needs 1025 positions, beyond gpt2's limit of 1024/],
    [{ kvLen: 5 }, /--kv-len applies only to --phase decode/],
    [
      { modelId: undefined, config: { model_type: 'gpt2', n_embd: 100, n_head: 12, n_layer: 2, vocab_size: 10, n_positions: 64 } },
      /n_embd 100 is not divisible by n_head 12/,
    ],
    [
      { modelId: undefined, config: { model_type: 'gpt2', n_embd: 96, n_head: 12, vocab_size: 10, n_positions: 64 } },
      /'n_layer' must be a positive integer/,
    ],
  ])('rejects bad requests with one line (%#)', (over, msg) => {
    expect(() => build(over)).toThrow(msg);
  });
});
