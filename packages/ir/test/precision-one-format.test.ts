import { type DType, GraphBuilder, type ModelMeta, type OpGraphData, type OpNode, tensor, withPrecision } from '@lightcode/ir';
import { describe, expect, it } from 'vitest';

/*
 * withPrecision with one of its two formats at a time: the weight format
 * leaves the KV cache alone and the KV format leaves the weights alone, and
 * only what the cache holds changes width (not every op a cache read feeds,
 * not attention that reads fresh keys).
 */

const meta: ModelMeta = { id: 'p', family: 'p', phase: 'decode', seqLen: 1, batch: 1, dtype: 'fp16', kvLen: 4, layers: 1 };
const h = tensor([1, 1, 8], 'fp16');
const k = tensor([1, 1, 8, 4], 'fp16');

/** Embedding, a projection with bias, the cache write and read, attention from fresh keys and from the cache, a copy of cached values, a tied head. */
function layer(): OpGraphData {
  const b = new GraphBuilder(meta);
  const emb = b.add({
    name: 'wte',
    kind: 'embedding',
    layer: null,
    inputs: [tensor([1, 1], 'int32')],
    outputs: [h],
    weights: [tensor([50, 8], 'fp16')],
  });
  const proj = b.add(
    { name: 'proj', kind: 'linear', layer: 0, inputs: [h], outputs: [h], weights: [tensor([8, 8], 'fp16'), tensor([8], 'fp16')] },
    [[emb, h]],
  );
  b.add({ name: 'kv_write', kind: 'kv_write', layer: 0, inputs: [h], outputs: [] }, [[proj, h]]);
  const read = b.add({ name: 'kv_read', kind: 'kv_read', layer: 0, inputs: [], outputs: [k] });
  // attention on the fresh keys (the projection's output), as prefill reads them
  const fresh = b.add({ name: 'fresh', kind: 'matmul', layer: 0, inputs: [h, k], outputs: [tensor([1, 1, 1, 4], 'fp16')] }, [[proj, h]]);
  // attention on the cached keys
  const cached = b.add({ name: 'cached', kind: 'matmul', layer: 0, inputs: [h, k], outputs: [tensor([1, 1, 1, 4], 'fp16')] }, [
    [proj, h],
    [read, k],
  ]);
  // an op that is no matmul, fed by the cache: its operands stay as they are
  b.add({ name: 'concat', kind: 'copy', layer: 0, inputs: [h, k], outputs: [k] }, [
    [fresh, h],
    [read, k],
  ]);
  b.add(
    {
      name: 'lm_head',
      kind: 'linear',
      layer: null,
      inputs: [h],
      outputs: [tensor([1, 1, 50], 'fp16')],
      weights: [tensor([8, 50], 'fp16')],
      attrs: { tiedWeights: true },
    },
    [[cached, h]],
  );
  return b.build();
}

const named = (d: OpGraphData, name: string) => d.ops.find((o) => o.name === name) as OpNode;
const dtypes = (ts: readonly { dtype: DType }[]) => ts.map((t) => t.dtype);
const edgeDtypes = (d: OpGraphData) => d.edges.map((e) => `${e.from}>${e.to}:${dtypes(e.tensors).join(',')}`);

describe('withPrecision with the weight format alone', () => {
  it('narrows linear weight matrices only; biases, the embedding table and a tied head stay at fp16', () => {
    const q = withPrecision(layer(), { weights: 'int4' });
    expect(dtypes(named(q, 'proj').weights)).toEqual(['int4', 'fp16']);
    expect(named(q, 'proj').weights[0]?.shape).toEqual([8, 8]);
    expect(dtypes(named(q, 'wte').weights)).toEqual(['fp16']);
    expect(dtypes(named(q, 'lm_head').weights)).toEqual(['fp16']);
  });

  it('leaves the cache, attention and every edge at the activation format', () => {
    const before = layer();
    const q = withPrecision(before, { weights: 'int4' });
    expect(dtypes(named(q, 'kv_write').inputs)).toEqual(['fp16']);
    expect(dtypes(named(q, 'kv_read').outputs)).toEqual(['fp16']);
    expect(dtypes(named(q, 'cached').inputs)).toEqual(['fp16', 'fp16']);
    expect(edgeDtypes(q)).toEqual(edgeDtypes(before));
    expect(q.edges.flatMap((e) => dtypes(e.tensors)).every((d) => d === 'fp16')).toBe(true);
  });

  it('records the weight format in the meta and no KV format', () => {
    expect(withPrecision(layer(), { weights: 'int4' }).meta).toStrictEqual({ ...meta, weightDtype: 'int4' });
  });
});

describe('withPrecision with the KV format alone', () => {
  it('keeps every weight at the activation format', () => {
    const q = withPrecision(layer(), { kv: 'fp8' });
    for (const o of q.ops)
      expect(
        dtypes(o.weights).every((d) => d === 'fp16'),
        o.name,
      ).toBe(true);
    expect(dtypes(named(q, 'proj').weights)).toEqual(['fp16', 'fp16']);
  });

  it('narrows what kv_write stores, what kv_read reads and the cached operand of attention that reads the cache', () => {
    const q = withPrecision(layer(), { kv: 'fp8' });
    expect(dtypes(named(q, 'kv_write').inputs)).toEqual(['fp8']);
    expect(dtypes(named(q, 'kv_read').outputs)).toEqual(['fp8']);
    expect(named(q, 'kv_read').outputs[0]?.shape).toEqual([1, 1, 8, 4]);
    expect(dtypes(named(q, 'cached').inputs)).toEqual(['fp16', 'fp8']);
    // outputs, the format ops compute in, unchanged
    expect(dtypes(named(q, 'cached').outputs)).toEqual(['fp16']);
  });

  it('leaves attention on fresh keys and an op that is no matmul as they are, though the cache feeds the latter', () => {
    const q = withPrecision(layer(), { kv: 'fp8' });
    expect(dtypes(named(q, 'fresh').inputs)).toEqual(['fp16', 'fp16']);
    expect(dtypes(named(q, 'concat').inputs)).toEqual(['fp16', 'fp16']);
    expect(dtypes(named(q, 'lm_head').inputs)).toEqual(['fp16']);
  });

  it("narrows the tensors on kv_read's edges only", () => {
    const d = layer();
    const q = withPrecision(d, { kv: 'fp8' });
    const read = named(q, 'kv_read').id;
    const widths = q.edges.map((e) => [e.from, e.to, dtypes(e.tensors)]);
    expect(widths).toEqual(d.edges.map((e) => [e.from, e.to, e.from === read ? ['fp8'] : ['fp16']]));
    expect(widths.filter(([from]) => from === read)).toHaveLength(2);
  });

  it('records the KV format in the meta and no weight format', () => {
    expect(withPrecision(layer(), { kv: 'fp8' }).meta).toStrictEqual({ ...meta, kvDtype: 'fp8' });
  });
});
