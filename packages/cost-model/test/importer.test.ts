import {
  broadcastShapes,
  convolutionOp,
  convTransposeOp,
  dependencyOrder,
  importedDtype,
  layerFromName,
  type OpNode,
  opArithmetic,
  opaqueOpsWarning,
  tensor,
} from '@lightcode/cost-model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const node = (o: Partial<OpNode> & Pick<OpNode, 'kind'>): OpNode => ({
  id: 'x',
  name: 'x',
  layer: null,
  inputs: [],
  outputs: [],
  weights: [],
  attrs: {},
  ...o,
});

describe('import helpers', () => {
  it('broadcasts like NumPy', () => {
    expect(
      broadcastShapes([
        [2, 1, 4],
        [3, 1],
      ]),
    ).toEqual([2, 3, 4]);
    expect(broadcastShapes([[5], []])).toEqual([5]);
    expect(
      broadcastShapes([
        [2, 3],
        [4, 3],
      ]),
    ).toBeUndefined();
  });

  it('orders by dependency and names a node on a cycle', () => {
    expect(dependencyOrder(3, (i) => (i === 0 ? [2] : []), String, 'f')).toEqual([1, 2, 0]);
    const deps = [[], [0, 3], [1], [2]];
    expect(() =>
      dependencyOrder(
        4,
        (i) => deps[i] ?? [],
        (i) => `n${i}`,
        'model.onnx',
      ),
    ).toThrow(/^model\.onnx: the graph has a cycle through node 'n[123]'/);
  });

  it('prices float tensors in the requested dtype, wide integers as 4-byte numbers the electronic targets run', () => {
    expect(importedDtype('float32', { dtype: 'bf16' })).toBe('bf16');
    expect(importedDtype('int64', { dtype: 'bf16' })).toBe('fp32');
    expect(importedDtype('uint8', { dtype: 'fp16' })).toBe('int8');
  });

  it('reads layer indices from Hugging Face module paths', () => {
    expect(layerFromName('transformer.h.11.attn.c_attn')).toBe(11);
    expect(layerFromName('/model/layers.3/mlp/MatMul')).toBe(3);
    expect(layerFromName('lm_head')).toBeNull();
  });

  it('a convolution is its im2col matrix product: MACs = N·O·Ho·Wo·(C/g)·kh·kw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 9 }),
        (n, g, cPer, oPer, k, hw) => {
          const c = g * cPer;
          const o = g * oPer;
          const spec = convolutionOp({
            name: 'conv',
            layer: null,
            input: tensor([n, c, hw + k - 1, hw + k - 1], 'fp16'),
            weight: tensor([o, cPer, k, k], 'fp16'),
            output: tensor([n, o, hw, hw], 'fp16'),
            outChannels: o,
            groups: g,
            weights: [tensor([o, cPer, k, k], 'fp16')],
          });
          const a = opArithmetic({ id: 'conv', ...spec, weights: spec.weights ?? [], attrs: spec.attrs ?? {} });
          expect(a.macs).toBe(n * o * hw * hw * cPer * k * k);
          expect(a.paramBytes).toBe(2 * o * cPer * k * k);
        },
      ),
    );
  });

  it('a transposed convolution: MACs = input elements x (O/g) x kernel', () => {
    const spec = convTransposeOp({
      name: 'up',
      layer: null,
      input: tensor([1, 8, 5, 5], 'fp16'),
      weight: tensor([8, 3, 2, 2], 'fp16'),
      output: tensor([1, 6, 10, 10], 'fp16'),
      inChannels: 8,
      groups: 2,
      weights: [],
    });
    const a = opArithmetic({ id: 'up', ...spec, weights: [], attrs: {} });
    expect(a.macs).toBe(1 * 8 * 5 * 5 * 3 * 2 * 2);
  });

  it('new kinds: elementwise by its flopsPerElement, pool by window, reduce per input, copy and opaque by bytes alone', () => {
    const x = tensor([4, 8], 'fp16');
    const half = tensor([4, 2], 'fp16');
    expect(opArithmetic(node({ kind: 'elementwise', inputs: [x], outputs: [x], attrs: { flopsPerElement: 4 } })).flops).toBe(128);
    expect(opArithmetic(node({ kind: 'elementwise', inputs: [x], outputs: [x] })).flops).toBe(32);
    expect(opArithmetic(node({ kind: 'pool', inputs: [x], outputs: [half], attrs: { window: 4 } })).flops).toBe(32);
    expect(opArithmetic(node({ kind: 'reduce', inputs: [x], outputs: [half] })).flops).toBe(32);
    for (const kind of ['copy', 'opaque'] as const) {
      const a = opArithmetic(node({ kind, inputs: [x], outputs: [half] }));
      expect([a.macs, a.flops, a.bytesRead, a.bytesWritten]).toEqual([0, 0, 64, 16]);
    }
  });

  it('lists opaque ops in one warning line with counts', () => {
    const ops = [
      node({ kind: 'opaque', attrs: { op: 'NonMaxSuppression' } }),
      node({ kind: 'add' }),
      node({ kind: 'opaque', attrs: { op: 'TopK' } }),
      node({ kind: 'opaque', attrs: { op: 'NonMaxSuppression' } }),
    ];
    expect(opaqueOpsWarning(ops)).toBe(
      '3 ops without a cost rule, priced by the bytes they move on electronic targets only: NonMaxSuppression x2, TopK x1',
    );
    expect(opaqueOpsWarning([node({ kind: 'add' })])).toBeUndefined();
    expect(opaqueOpsWarning([node({ kind: 'opaque', attrs: { op: 'TopK' } })])).toBe(
      '1 op without a cost rule, priced by the bytes it moves on electronic targets only: TopK x1',
    );
  });
});
