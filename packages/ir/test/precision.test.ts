import {
  dtypeBytes,
  dtypeSignificantBits,
  GraphBuilder,
  graphFromData,
  type ModelMeta,
  type OpGraph,
  type OpNode,
  opArithmetic,
  opNumbers,
  summarizeGraph,
  tensor,
  tensorBytes,
  withPrecision,
} from '@lightcode/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const meta: ModelMeta = { id: 'toy', family: 'toy', phase: 'decode', seqLen: 1, batch: 1, dtype: 'fp16', kvLen: 8, layers: 1 };

/** One decode layer: embedding, a linear with bias, the cache read and write, QK^T, AV, a tied head. */
function toy() {
  const b = new GraphBuilder(meta);
  const h = tensor([1, 1, 16], 'fp16');
  const emb = b.add({
    name: 'wte',
    kind: 'embedding',
    layer: null,
    inputs: [tensor([1, 1], 'int32')],
    outputs: [h],
    weights: [tensor([100, 16], 'fp16')],
  });
  const qkv = tensor([1, 1, 48], 'fp16');
  const proj = b.add(
    { name: 'qkv', kind: 'linear', layer: 0, inputs: [h], outputs: [qkv], weights: [tensor([16, 48], 'fp16'), tensor([48], 'fp16')] },
    [[emb, h]],
  );
  const kNew = tensor([1, 1, 1, 16], 'fp16');
  b.add({ name: 'kv_write', kind: 'kv_write', layer: 0, inputs: [kNew, kNew], outputs: [] }, [
    [proj, kNew],
    [proj, kNew],
  ]);
  const cached = tensor([1, 1, 8, 16], 'fp16');
  const read = b.add({ name: 'kv_read', kind: 'kv_read', layer: 0, inputs: [], outputs: [cached, cached] });
  const kT = tensor([1, 1, 16, 9], 'fp16');
  const s = tensor([1, 1, 1, 9], 'fp16');
  const q = tensor([1, 1, 1, 16], 'fp16');
  const qk = b.add({ name: 'qk', kind: 'matmul', layer: 0, inputs: [q, kT], outputs: [s], attrs: { scale: 0.25 } }, [
    [proj, q],
    [read, tensor([1, 1, 16, 8], 'fp16')],
  ]);
  const v = tensor([1, 1, 9, 16], 'fp16');
  const av = b.add({ name: 'av', kind: 'matmul', layer: 0, inputs: [s, v], outputs: [q] }, [
    [qk, s],
    [read, cached],
  ]);
  b.add(
    {
      name: 'lm_head',
      kind: 'linear',
      layer: null,
      inputs: [h],
      outputs: [tensor([1, 1, 100], 'fp16')],
      weights: [tensor([16, 100], 'fp16')],
      attrs: { tiedWeights: true },
    },
    [[av, h]],
  );
  return b.build();
}

describe('formats', () => {
  it('int4 is half a byte, packed two to a byte with the last byte rounded up; fp8 one byte', () => {
    expect([dtypeBytes('int4'), dtypeBytes('fp8'), dtypeBytes('fp16')]).toEqual([0.5, 1, 2]);
    expect(tensorBytes(tensor([16, 48], 'int4'))).toBe(384);
    expect(tensorBytes(tensor([3, 3], 'int4'))).toBe(5);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 3 }), (shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        expect(tensorBytes(tensor(shape, 'int4'))).toBe(Math.ceil(n / 2));
        expect(tensorBytes(tensor(shape, 'fp8'))).toBe(n);
      }),
    );
  });

  it('significant bits: integer width; float sign + significand (fp32 25, fp16 12, bf16 9, fp8 E4M3 5)', () => {
    expect((['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4'] as const).map(dtypeSignificantBits)).toEqual([25, 12, 9, 5, 8, 4]);
  });
});

describe('withPrecision: weights and KV cache at their widths, activations unchanged', () => {
  // built inside each test, not while the tests are collected, so that a mutation test sees withPrecision run under each test
  const base = () => graphFromData(toy());
  const quantized = () => graphFromData(withPrecision(toy(), { weights: 'int4', kv: 'fp8' }));
  const op = (g: OpGraph, name: string) => g.ops().find((o) => o.name === name) as OpNode;

  it('stores linear weight matrices at the weight format; biases, embedding tables and a tied head keep the activation format', () => {
    const q = quantized();
    expect(op(q, 'qkv').weights.map((w) => w.dtype)).toEqual(['int4', 'fp16']);
    expect(op(q, 'wte').weights[0]?.dtype).toBe('fp16');
    expect(op(q, 'lm_head').weights[0]?.dtype).toBe('fp16');
    // bytes: 16 x 48 / 2 + 48 x 2 owned by the projection, all else as before
    expect(q.totals().paramBytes).toBe(base().totals().paramBytes - 16 * 48 * 2 + (16 * 48) / 2);
    expect(opArithmetic(op(q, 'qkv')).bytesRead).toBe(16 * 2 + (16 * 48) / 2 + 48 * 2);
  });

  it('holds the cache at the KV format: what kv_write stores, kv_read reads, and the keys and values attention reads in decode', () => {
    const q = quantized();
    expect(op(q, 'kv_write').inputs.map((t) => t.dtype)).toEqual(['fp8', 'fp8']);
    expect(op(q, 'kv_read').outputs.map((t) => t.dtype)).toEqual(['fp8', 'fp8']);
    expect(op(q, 'qk').inputs.map((t) => t.dtype)).toEqual(['fp16', 'fp8']);
    expect(op(q, 'av').inputs.map((t) => t.dtype)).toEqual(['fp16', 'fp8']);
    // activations, so the compute format, unchanged
    expect(op(q, 'qk').outputs[0]?.dtype).toBe('fp16');
    expect(opArithmetic(op(q, 'kv_read')).bytesRead).toBe(2 * 8 * 16);
    const fromCache = q.edges().filter((e) => e.from === op(q, 'kv_read').id);
    expect(fromCache.every((e) => e.tensors.every((t) => t.dtype === 'fp8'))).toBe(true);
    expect(q.meta).toMatchObject({ dtype: 'fp16', weightDtype: 'int4', kvDtype: 'fp8' });
  });

  it('counts numbers as stored: a narrower number once, a wider one (an int32 id under fp16) as its bytes over the compute width', () => {
    const q = quantized();
    const qkv = op(q, 'qkv');
    expect(opNumbers(qkv)).toEqual({ read: 16 + 16 * 48 + 48, written: 48 });
    expect(opNumbers(op(q, 'wte'))).toEqual({ read: 2 + 16, written: 16 });
    // one format throughout: the bytes over its width
    for (const o of base().ops()) {
      const a = opArithmetic(o);
      const n = opNumbers(o);
      if (o.kind !== 'embedding') expect(n.read + n.written, o.name).toBe((a.bytesRead + a.bytesWritten) / 2);
    }
  });

  it('counts parameters whatever their widths (a tied head owns none)', () => {
    const q = quantized();
    const owned = 100 * 16 + 16 * 48 + 48;
    expect(summarizeGraph(q).parameters).toBe(owned);
    expect(summarizeGraph(base()).parameters).toBe(owned);
    expect(summarizeGraph(base()).paramBytes).toBe(2 * owned);
  });

  it('no formats given: the same graph', () => {
    const data = toy();
    expect(withPrecision(data, {})).toBe(data);
  });
});
