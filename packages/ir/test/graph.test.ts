import {
  GraphBuilder,
  graphFromJSON,
  graphToJSON,
  type ModelMeta,
  matmulDims,
  OpGraph,
  opArithmetic,
  tensor,
  UserError,
} from '@lightcode/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const meta: ModelMeta = { id: 'toy', family: 'toy', phase: 'prefill', seqLen: 4, batch: 1, dtype: 'fp16', layers: 1 };

function toy() {
  const b = new GraphBuilder(meta);
  const x = tensor([1, 4, 8], 'fp16');
  const y = tensor([1, 4, 16], 'fp16');
  const a = b.add({ name: 'a', kind: 'layernorm', layer: 0, inputs: [x], outputs: [x], weights: [tensor([8], 'fp16')] });
  const l = b.add(
    { name: 'l', kind: 'linear', layer: 0, inputs: [x], outputs: [y], weights: [tensor([8, 16], 'fp16'), tensor([16], 'fp16')] },
    [[a, x]],
  );
  const g = b.add({ name: 'g', kind: 'gelu', layer: 0, inputs: [y], outputs: [y] }, [[l, y]]);
  b.add({ name: 's', kind: 'add', layer: 0, inputs: [y, y], outputs: [y] }, [
    [g, y],
    [l, y],
  ]);
  return b.build();
}

describe('op arithmetic', () => {
  it('counts a linear layer by hand: 4x8 by 8x16 with bias', () => {
    const op = toy().ops[1];
    if (!op) throw new Error('missing op');
    expect(matmulDims(op)).toEqual({ batch: 1, m: 4, k: 8, n: 16 });
    const a = opArithmetic(op);
    expect(a.macs).toBe(4 * 8 * 16);
    expect(a.flops).toBe(2 * 512 + 4 * 16); // MACs x 2 + bias adds
    expect(a.bytesRead).toBe(2 * (4 * 8 + 8 * 16 + 16));
    expect(a.bytesWritten).toBe(2 * 4 * 16);
    expect(a.paramBytes).toBe(2 * (8 * 16 + 16));
  });

  it('does not count a tied weight as a parameter but still reads it', () => {
    const x = tensor([1, 1, 8], 'fp16');
    const a = opArithmetic({
      id: '0',
      name: 'lm_head',
      kind: 'linear',
      layer: null,
      inputs: [x],
      outputs: [tensor([1, 1, 32], 'fp16')],
      weights: [tensor([8, 32], 'fp16')],
      attrs: { tiedWeights: true },
    });
    expect(a.paramBytes).toBe(0);
    expect(a.bytesRead).toBe(2 * (8 + 8 * 32));
  });
});

describe('OpGraph', () => {
  it('orders topologically, breaking ties by insertion', () => {
    const g = graphFromJSON({ format: 'lightcode-opgraph', version: 1, ...toy() });
    expect(g.topologicalOrder()).toEqual(['0', '1', '2', '3']);
    expect(g.edge('1', '3')?.bytes).toBe(2 * 4 * 16);
  });

  it('rejects a cycle naming an op on it', () => {
    const g = new OpGraph(meta);
    const t = tensor([2], 'fp32');
    for (const id of ['a', 'b']) g.addOp({ id, name: id, kind: 'add', layer: null, inputs: [t], outputs: [t], weights: [], attrs: {} });
    g.connect('a', 'b', t);
    g.connect('b', 'a', t);
    expect(() => g.topologicalOrder()).toThrow(/cycle through op/);
  });

  it('round-trips through versioned JSON', () => {
    const g = graphFromJSON(JSON.parse(JSON.stringify({ format: 'lightcode-opgraph', version: 1, ...toy() })));
    const json = graphToJSON(g);
    expect(graphToJSON(graphFromJSON(JSON.parse(JSON.stringify(json))))).toEqual(json);
    expect(json.version).toBe(1);
  });

  it('round-trips random DAGs (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }), (n, pairs) => {
        const g = new OpGraph(meta);
        const t = tensor([3, 5], 'fp32');
        for (let i = 0; i < n; i++)
          g.addOp({ id: `o${i}`, name: `op${i}`, kind: 'add', layer: null, inputs: [t], outputs: [t], weights: [], attrs: {} });
        for (const [x, y] of pairs) {
          const [a, b] = [x % n, y % n].sort((p, q) => p - q) as [number, number];
          if (a !== b) g.connect(`o${a}`, `o${b}`, t);
        }
        const back = graphFromJSON(JSON.parse(JSON.stringify(graphToJSON(g))));
        expect(back.edges()).toEqual(g.edges());
        const pos = new Map(back.topologicalOrder().map((id, i) => [id, i]));
        for (const e of back.edges()) expect(pos.get(e.from) as number).toBeLessThan(pos.get(e.to) as number);
      }),
    );
  });

  it.each([
    [{ format: 'other' }, /not a LightCode op graph/],
    [{ format: 'lightcode-opgraph', version: 99 }, /version 99 is not supported/],
    [{ format: 'lightcode-opgraph', version: 1, meta, ops: [{ id: '0' }], edges: [] }, /ops\[0\]\.name: is missing/],
    [
      { format: 'lightcode-opgraph', version: 1, meta, ops: [], edges: [{ from: 'x', to: 'y', tensors: [{ shape: [1], dtype: 'fp16' }] }] },
      /unknown op 'x'/,
    ],
    [{ format: 'lightcode-opgraph', version: 1, meta: { ...meta, seqLen: 0 }, ops: [], edges: [] }, /meta\.seqLen: must be >= 1/],
  ])('rejects malformed JSON with a line naming the field (%#)', (json, msg) => {
    expect(() => graphFromJSON(json)).toThrow(UserError);
    expect(() => graphFromJSON(json)).toThrow(msg);
  });
});
