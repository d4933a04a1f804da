import {
  attentionCore,
  type BuildRequest,
  beginDecoder,
  configInt,
  GraphBuilder,
  graphFromData,
  kvCacheRead,
  kvCacheWrite,
  linearOp,
  lmHead,
  type ModelMeta,
  opArithmetic,
  requestLengths,
  rooflineSeconds,
  tokenEmbedding,
  UserError,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * The helpers every transformer frontend builds on, pinned by closed forms:
 * the attention core's MACs and shapes (causal prefill, decode against a
 * cache, grouped-query heads, one chain per head, sliding windows), the KV
 * cache ops, the LM head, the token embedding, the lengths a request implies,
 * and the roofline every electronic target prices with.
 */

const meta: ModelMeta = { id: 'm', family: 'f', phase: 'prefill', seqLen: 8, batch: 2, dtype: 'fp16', layers: 1 };

describe('rooflineSeconds', () => {
  it('max(FLOPs / peak, bytes / bandwidth) + overhead, overhead 0 unless given', () => {
    expect(rooflineSeconds({ flops: 100, bytes: 10, peakFlops: 10, bandwidthBps: 10 })).toBe(10);
    expect(rooflineSeconds({ flops: 10, bytes: 100, peakFlops: 10, bandwidthBps: 10 })).toBe(10);
    expect(rooflineSeconds({ flops: 10, bytes: 50, peakFlops: 10, bandwidthBps: 10, overheadS: 0.5 })).toBe(5.5);
    expect(rooflineSeconds({ flops: 60, bytes: 50, peakFlops: 10, bandwidthBps: 10, overheadS: 0.5 })).toBe(6.5);
  });
});

describe('attentionCore', () => {
  function build(o: Partial<Parameters<typeof attentionCore>[1]> = {}) {
    const b = new GraphBuilder(meta);
    const q = b.add({ name: 'q', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const k = b.add({ name: 'k', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const v = b.add({ name: 'v', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const feeds = attentionCore(b, {
      prefix: 'l0.attn',
      layer: 0,
      batch: 2,
      heads: 8,
      kvHeads: 2,
      headDim: 16,
      qLen: 8,
      kLen: 8,
      dtype: 'fp16',
      q,
      kv: [{ k, v, tokens: 8 }],
      splitHeads: false,
      ...o,
    });
    const data = b.build();
    return { data, feeds, ops: data.ops.slice(3) };
  }

  it('prefill: QK^T and AV each batch x heads x q x k x d MACs, causally masked and scaled by 1/sqrt(d); softmax between', () => {
    const { ops, feeds } = build();
    expect(ops.map((o) => [o.name, o.kind])).toEqual([
      ['l0.attn.qk', 'matmul'],
      ['l0.attn.softmax', 'softmax'],
      ['l0.attn.av', 'matmul'],
    ]);
    const [qk, sm, av] = ops.map((o) => opArithmetic(o));
    expect(qk?.macs).toBe(2 * 8 * 8 * 8 * 16);
    expect(av?.macs).toBe(2 * 8 * 8 * 16 * 8);
    // + one FLOP per score for the scale and one for the mask
    expect(qk?.flops).toBe(2 * (qk?.macs ?? 0) + 2 * (2 * 8 * 8 * 8));
    expect(sm?.flops).toBe(5 * 2 * 8 * 8 * 8);
    expect(ops[0]?.attrs).toEqual({ scale: 1 / 4, causalMask: true });
    // grouped-query attention: K and V carry kvHeads heads
    expect(ops[0]?.inputs[1]?.shape).toEqual([2, 2, 16, 8]);
    expect(ops[2]?.inputs[1]?.shape).toEqual([2, 2, 8, 16]);
    expect(feeds).toEqual([[ops[2]?.id, { shape: [2, 8, 8, 16], dtype: 'fp16' }]]);
  });

  it('decode: one query over the cache and the new token, no causal mask, K and V fed by both', () => {
    const b = new GraphBuilder(meta);
    const q = b.add({ name: 'q', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const cache = b.add({ name: 'cache', kind: 'kv_read', layer: 0, inputs: [], outputs: [] });
    const kNew = b.add({ name: 'k', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const vNew = b.add({ name: 'v', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    attentionCore(b, {
      prefix: 'a',
      layer: 0,
      batch: 1,
      heads: 4,
      kvHeads: 4,
      headDim: 8,
      qLen: 1,
      kLen: 101,
      dtype: 'fp16',
      q,
      kv: [
        { k: cache, v: cache, tokens: 100 },
        { k: kNew, v: vNew, tokens: 1 },
      ],
      splitHeads: false,
    });
    const data = b.build();
    const qk = data.ops.find((o) => o.name === 'a.qk');
    expect(qk?.attrs.causalMask).toBe(false);
    expect(opArithmetic(qk as NonNullable<typeof qk>).macs).toBe(4 * 101 * 8);
    const into = (name: string) => data.edges.filter((e) => e.to === data.ops.find((o) => o.name === name)?.id);
    expect(into('a.qk').map((e) => [e.from, e.tensors.map((t) => t.shape)])).toEqual([
      [q, [[1, 4, 1, 8]]],
      [cache, [[1, 4, 8, 100]]],
      [kNew, [[1, 4, 8, 1]]],
    ]);
    expect(into('a.av').map((e) => e.tensors.map((t) => t.shape))).toEqual([[[1, 4, 1, 101]], [[1, 4, 100, 8]], [[1, 4, 1, 8]]]);
  });

  it('split heads: one chain per head, each head naming its shared K/V head, together the same MACs', () => {
    const whole = build().ops.reduce((s, o) => s + opArithmetic(o).macs, 0);
    const { ops, feeds } = build({ splitHeads: true });
    expect(ops).toHaveLength(3 * 8);
    expect(feeds).toHaveLength(8);
    expect(ops.reduce((s, o) => s + opArithmetic(o).macs, 0)).toBe(whole);
    expect(ops.filter((o) => o.kind === 'matmul' && o.name.includes('.qk.')).map((o) => [o.attrs.head, o.attrs.kvHead])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 1],
      [5, 1],
      [6, 1],
      [7, 1],
    ]);
    expect(ops[0]?.name).toBe('l0.attn.qk.head0');
    expect(ops[0]?.inputs[0]?.shape).toEqual([2, 1, 8, 16]);
  });

  it('a sliding window replaces the causal mask: each query scores a band of window keys', () => {
    const { ops } = build({ kLen: 4, slidingWindow: 4 });
    expect(ops[0]?.attrs).toEqual({ scale: 1 / 4, causalMask: false, slidingWindow: 4 });
    expect(opArithmetic(ops[0] as NonNullable<(typeof ops)[0]>).macs).toBe(2 * 8 * 8 * 4 * 16);
  });
});

describe('cache, head and embedding ops', () => {
  it('kv_write stores the step keys and values (a sink); kv_read supplies the cached tokens (a source)', () => {
    const b = new GraphBuilder(meta);
    const k = b.add({ name: 'k', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const v = b.add({ name: 'v', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const kt = { shape: [2, 2, 8, 16], dtype: 'fp16' as const };
    const w = kvCacheWrite(b, { prefix: 'l0', layer: 0, k: [k, kt], v: [v, kt] });
    const r = kvCacheRead(b, { prefix: 'l0', layer: 0, batch: 2, kvHeads: 2, headDim: 16, tokens: 100, dtype: 'fp16' });
    const data = b.build();
    const write = data.ops.find((o) => o.id === w);
    const read = data.ops.find((o) => o.id === r);
    expect([write?.name, write?.kind, write?.outputs]).toEqual(['l0.kv_write', 'kv_write', []]);
    expect(opArithmetic(write as NonNullable<typeof write>).bytesWritten).toBe(2 * 2 * (2 * 2 * 8 * 16));
    expect([read?.name, read?.kind, read?.inputs]).toEqual(['l0.kv_read', 'kv_read', []]);
    expect(read?.outputs.map((t) => t.shape)).toEqual([
      [2, 2, 100, 16],
      [2, 2, 100, 16],
    ]);
    expect(data.edges.filter((e) => e.to === w).map((e) => e.from)).toEqual([k, v]);
  });

  it('the LM head computes logits for the last position or all; a tied head reads the table without owning it', () => {
    for (const [logits, positions] of [
      ['last', 1],
      ['all', 8],
    ] as const) {
      for (const tied of [false, true]) {
        const b = new GraphBuilder(meta);
        const from = b.add({ name: 'norm', kind: 'layernorm', layer: null, inputs: [], outputs: [] });
        const id = lmHead(b, { from, batch: 2, seqLen: 8, hidden: 32, vocab: 100, dtype: 'fp16', logits, tied });
        const head = b.build().ops.find((o) => o.id === id);
        if (!head) throw new Error('no head');
        const a = opArithmetic(head);
        expect(a.macs, `${logits} ${tied}`).toBe(2 * positions * 32 * 100);
        expect(a.paramBytes).toBe(tied ? 0 : 2 * 32 * 100);
        expect(head.name).toBe('lm_head');
        expect(head.layer).toBeNull();
      }
    }
  });

  it('the token embedding gathers tokens rows of the table from int32 ids', () => {
    const b = new GraphBuilder(meta);
    const id = tokenEmbedding(b, { name: 'wte', batch: 2, tokens: 5, vocab: 1000, hidden: 64, dtype: 'bf16' });
    const op = b.build().ops.find((o) => o.id === id);
    expect(op?.inputs).toEqual([{ shape: [2, 5], dtype: 'int32' }]);
    expect(op?.outputs).toEqual([{ shape: [2, 5, 64], dtype: 'bf16' }]);
    expect(op?.weights).toEqual([{ shape: [1000, 64], dtype: 'bf16' }]);
    expect(op && opArithmetic(op).paramBytes).toBe(2 * 1000 * 64);
  });

  it('linearOp: [batch, m, k] x [k, n], named as asked', () => {
    const op = linearOp(3, 5, 7, 'fp32', 'proj', 2);
    expect([op.id, op.name, op.kind]).toEqual(['proj', 'proj', 'linear']);
    expect(opArithmetic(op).macs).toBe(2 * 3 * 5 * 7);
    expect(op.weights).toEqual([{ shape: [5, 7], dtype: 'fp32' }]);
    expect(linearOp(1, 2, 3).inputs[0]?.dtype).toBe('fp16');
  });
});

describe('request lengths and configs', () => {
  const req = (o: Partial<BuildRequest>): BuildRequest => ({
    phase: 'prefill',
    seqLen: 16,
    batch: 1,
    dtype: 'fp16',
    logits: 'last',
    splitHeads: false,
    ...o,
  });

  it('prefill: q = k = the sequence; decode: one query over kvLen cached tokens (default the sequence length) + itself', () => {
    expect(requestLengths(req({}), 1024, 'm')).toEqual({ q: 16, k: 16, past: 0 });
    expect(requestLengths(req({ seqLen: 1024 }), 1024, 'm')).toEqual({ q: 1024, k: 1024, past: 0 });
    expect(requestLengths(req({ phase: 'decode', kvLen: 100 }), 1024, 'm')).toEqual({ q: 1, k: 101, past: 100 });
    expect(requestLengths(req({ phase: 'decode' }), 1024, 'm')).toEqual({ q: 1, k: 17, past: 16 });
    expect(requestLengths(req({ phase: 'decode', kvLen: 1023 }), 1024, 'm')).toEqual({ q: 1, k: 1024, past: 1023 });
  });

  it("refuses lengths beyond the model's positions, and --kv-len outside decode, in one line each", () => {
    expect(() => requestLengths(req({ seqLen: 1025 }), 1024, 'gpt2')).toThrow(
      "--seq-len 1025 exceeds gpt2's limit of 1024 positions (max_position_embeddings)",
    );
    expect(() => requestLengths(req({ phase: 'decode', kvLen: 1024 }), 1024, 'gpt2')).toThrow(
      "decode at --kv-len 1024 needs 1025 positions, beyond gpt2's limit of 1024 (max_position_embeddings)",
    );
    expect(() => requestLengths(req({ kvLen: 3 }), 1024, 'gpt2')).toThrow(/--kv-len applies only to --phase decode/);
  });

  it('configInt reads positive integers, with a fallback, and names the field and source otherwise', () => {
    expect(configInt({ n_layer: 12 }, 'n_layer', 'config.json')).toBe(12);
    expect(configInt({}, 'n_layer', 'config.json', 6)).toBe(6);
    for (const bad of [0, -1, 1.5, '12', null]) {
      expect(() => configInt({ n_layer: bad }, 'n_layer', 'my.json')).toThrow(UserError);
    }
    expect(() => configInt({ n_layer: 1.5 }, 'n_layer', 'my.json')).toThrow("my.json: 'n_layer' must be a positive integer (got 1.5)");
  });

  it('beginDecoder: a built-in model or a config, its lengths checked, a graph opened with the request', () => {
    const family = { id: 'fam', name: 'Fam', configs: { small: { config: { n: 2, positions: 64 } } } };
    const read = (c: Readonly<Record<string, unknown>>, source: string) => ({
      layers: configInt(c, 'n', source),
      positions: configInt(c, 'positions', source),
    });
    const s = beginDecoder(req({ modelId: 'small', phase: 'decode', kvLen: 10, batch: 3 }), family, read);
    expect(s.id).toBe('small');
    expect(s.len).toEqual({ q: 1, k: 11, past: 10 });
    expect(s.builder.build().meta).toEqual({
      id: 'small',
      family: 'fam',
      phase: 'decode',
      seqLen: 1,
      batch: 3,
      dtype: 'fp16',
      layers: 2,
      kvLen: 10,
    });
    expect(() => beginDecoder(req({ modelId: 'large' }), family, read)).toThrow("unknown Fam model 'large' (known: small)");
    const custom = beginDecoder(req({ config: { n: 1, positions: 32, _name_or_path: 'me/tiny' } }), family, read);
    expect([custom.id, custom.builder.build().meta.kvLen]).toEqual(['me/tiny', undefined]);
    expect(beginDecoder(req({ config: { n: 1, positions: 32 } }), family, read).id).toBe('fam-custom');
    expect(() => beginDecoder(req({ config: { n: 0, positions: 32 }, source: 'x.json' }), family, read)).toThrow(/^x.json: 'n'/);
    expect(() => beginDecoder(req({ config: { n: 1, positions: 8 } }), family, read)).toThrow(/exceeds fam-custom's limit of 8/);
    // what a frontend builds from it is a valid graph
    expect(graphFromData(s.builder.build()).size).toBe(0);
  });
});
