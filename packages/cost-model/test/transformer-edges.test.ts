import {
  attentionCore,
  type BuildRequest,
  beginDecoder,
  configInt,
  GraphBuilder,
  linearOp,
  lmHead,
  type ModelMeta,
  opArithmetic,
  tokenEmbedding,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * Transformer helpers at their edges: a config integer of exactly 1, a
 * missing one without a fallback; where an error names its source (the model
 * id, the file, config.json); a one-token prefill has no causal mask; with
 * split heads every op of a chain is named and tagged with its head.
 */

const meta: ModelMeta = { id: 'm', family: 'f', phase: 'prefill', seqLen: 8, batch: 1, dtype: 'fp16', layers: 1 };

describe('configInt at its bounds', () => {
  it('1 is a positive integer; a present value wins over the fallback', () => {
    expect(configInt({ n: 1 }, 'n', 'c.json')).toBe(1);
    expect(configInt({ n: 3 }, 'n', 'c.json', 7)).toBe(3);
  });

  it('a missing field without a usable fallback is named with what was there', () => {
    expect(() => configInt({}, 'n_head', 'c.json')).toThrow("c.json: 'n_head' must be a positive integer (got undefined)");
    expect(() => configInt({}, 'n_head', 'c.json', 0)).toThrow("c.json: 'n_head' must be a positive integer (got undefined)");
    expect(() => configInt({ n_head: '4' }, 'n_head', 'c.json')).toThrow('c.json: \'n_head\' must be a positive integer (got "4")');
  });
});

describe('beginDecoder: the source an error names', () => {
  const family = { id: 'fam', name: 'Fam', configs: { small: { config: { n: 0, positions: 64 } } } };
  const read = (c: Readonly<Record<string, unknown>>, source: string) => ({
    layers: configInt(c, 'n', source),
    positions: configInt(c, 'positions', source),
  });
  const req = (o: Partial<BuildRequest>): BuildRequest => ({
    phase: 'prefill',
    seqLen: 4,
    batch: 1,
    dtype: 'fp16',
    logits: 'last',
    splitHeads: false,
    ...o,
  });

  it('a built-in model by its id, a config by its file, else config.json', () => {
    expect(() => beginDecoder(req({ modelId: 'small' }), family, read)).toThrow("model 'small': 'n' must be a positive integer (got 0)");
    expect(() => beginDecoder(req({ config: { n: 0, positions: 8 } }), family, read)).toThrow(
      "config.json: 'n' must be a positive integer (got 0)",
    );
    expect(() => beginDecoder(req({ config: { n: 0, positions: 8 }, source: 'tiny.json' }), family, read)).toThrow(
      "tiny.json: 'n' must be a positive integer (got 0)",
    );
  });

  it('a request with neither a known model nor a config names the family and its models', () => {
    expect(() => beginDecoder(req({}), family, read)).toThrow("unknown Fam model 'fam-custom' (known: small)");
    const two = { ...family, configs: { ...family.configs, large: { config: { n: 4, positions: 64 } } } };
    expect(() => beginDecoder(req({ modelId: 'huge' }), two, read)).toThrow("unknown Fam model 'huge' (known: small, large)");
  });

  it('a prefill opens the graph without a KV length, at the sequence length', () => {
    const s = beginDecoder(req({ config: { n: 2, positions: 8 }, batch: 2 }), family, read);
    expect(s.builder.build().meta).toEqual({
      id: 'fam-custom',
      family: 'fam',
      phase: 'prefill',
      seqLen: 4,
      batch: 2,
      dtype: 'fp16',
      layers: 2,
    });
    expect(s.dims).toEqual({ layers: 2, positions: 8 });
  });
});

describe('attentionCore edges', () => {
  const core = (o: Partial<Parameters<typeof attentionCore>[1]>) => {
    const b = new GraphBuilder(meta);
    const q = b.add({ name: 'q', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const kv = b.add({ name: 'kv', kind: 'linear', layer: 0, inputs: [], outputs: [] });
    const feeds = attentionCore(b, {
      prefix: 'a',
      layer: 3,
      batch: 1,
      heads: 4,
      kvHeads: 2,
      headDim: 4,
      qLen: 2,
      kLen: 2,
      dtype: 'bf16',
      q,
      kv: [{ k: kv, v: kv, tokens: 2 }],
      splitHeads: false,
      ...o,
    });
    const data = b.build();
    return { ops: data.ops.slice(2), feeds, data };
  };

  it('a prefill of one token has no causal mask (nothing to hide); without a window the scores carry no window attr', () => {
    expect(core({ qLen: 1, kLen: 1 }).ops[0]?.attrs.causalMask).toBe(false);
    expect(core({ qLen: 2 }).ops[0]?.attrs.causalMask).toBe(true);
    expect(Object.keys(core({}).ops[0]?.attrs ?? {})).toEqual(['scale', 'causalMask']);
  });

  it('QK^T feeds softmax the scores, softmax feeds AV', () => {
    const { ops, data } = core({});
    const [qk, sm, av] = ops.map((o) => o.id);
    const scores = [1, 4, 2, 2];
    expect(data.edges.filter((e) => e.from === qk).map((e) => [e.to, e.tensors.map((t) => t.shape)])).toEqual([[sm, [scores]]]);
    expect(data.edges.filter((e) => e.from === sm).map((e) => [e.to, e.tensors.map((t) => t.shape)])).toEqual([[av, [scores]]]);
  });

  it('whole heads: softmax and AV carry no head attrs, in the layer asked, in the dtype asked', () => {
    const { ops } = core({});
    expect(ops.map((o) => [o.name, o.layer, o.attrs])).toEqual([
      ['a.qk', 3, { scale: 1 / 2, causalMask: true }],
      ['a.softmax', 3, {}],
      ['a.av', 3, {}],
    ]);
    expect(ops.every((o) => [...o.inputs, ...o.outputs].every((t) => t.dtype === 'bf16'))).toBe(true);
    // softmax keeps the scores' shape; AV gives [batch, heads, q, d]
    expect(ops[1]?.inputs[0]?.shape).toEqual([1, 4, 2, 2]);
    expect(ops[1]?.outputs[0]?.shape).toEqual([1, 4, 2, 2]);
    expect(ops[2]?.outputs[0]?.shape).toEqual([1, 4, 2, 4]);
  });

  it('split heads: every op of a chain named with its head and tagged with it and its K/V head; each chain feeds on', () => {
    const { ops, feeds, data } = core({ splitHeads: true });
    expect(ops.map((o) => [o.name, o.attrs.head, o.attrs.kvHead])).toEqual([
      ['a.qk.head0', 0, 0],
      ['a.softmax.head0', 0, 0],
      ['a.av.head0', 0, 0],
      ['a.qk.head1', 1, 0],
      ['a.softmax.head1', 1, 0],
      ['a.av.head1', 1, 0],
      ['a.qk.head2', 2, 1],
      ['a.softmax.head2', 2, 1],
      ['a.av.head2', 2, 1],
      ['a.qk.head3', 3, 1],
      ['a.softmax.head3', 3, 1],
      ['a.av.head3', 3, 1],
    ]);
    expect(feeds.map(([id]) => data.ops.find((o) => o.id === id)?.name)).toEqual(['a.av.head0', 'a.av.head1', 'a.av.head2', 'a.av.head3']);
    // one head of K and V each: [batch, 1, d, k] and [batch, 1, k, d]
    expect(ops[0]?.inputs.map((t) => t.shape)).toEqual([
      [1, 1, 2, 4],
      [1, 1, 4, 2],
    ]);
    // per head, QK^T is q x k x d MACs
    expect(opArithmetic(ops[0] as NonNullable<(typeof ops)[0]>).macs).toBe(2 * 2 * 4);
  });
});

describe('the LM head and the token embedding in the graph', () => {
  it('the LM head reads the final norm over one edge; the embedding is a source of kind embedding', () => {
    const b = new GraphBuilder(meta);
    const norm = b.add({ name: 'norm', kind: 'layernorm', layer: null, inputs: [], outputs: [] });
    const head = lmHead(b, { from: norm, batch: 1, seqLen: 8, hidden: 16, vocab: 50, dtype: 'fp16', logits: 'all', tied: false });
    const emb = tokenEmbedding(b, { name: 'wte', batch: 1, tokens: 8, vocab: 50, hidden: 16, dtype: 'fp16' });
    const data = b.build();
    expect(data.edges.map((e) => [e.from, e.to, e.tensors.map((t) => t.shape)])).toEqual([[norm, head, [[1, 8, 16]]]]);
    expect(data.ops.find((o) => o.id === head)?.attrs).toEqual({});
    expect(data.ops.find((o) => o.id === emb)?.kind).toBe('embedding');
  });
});

describe('linearOp defaults', () => {
  it('fp16, named linear, one batch, layer 0, no attrs', () => {
    const op = linearOp(2, 3, 4);
    expect(op).toEqual({
      id: 'linear',
      name: 'linear',
      kind: 'linear',
      layer: 0,
      attrs: {},
      inputs: [{ shape: [1, 2, 3], dtype: 'fp16' }],
      outputs: [{ shape: [1, 2, 4], dtype: 'fp16' }],
      weights: [{ shape: [3, 4], dtype: 'fp16' }],
    });
  });
});
