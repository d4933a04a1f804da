import {
  type BuildRequest,
  broadcastShapes,
  convolutionOp,
  convTransposeOp,
  dependencyOrder,
  importedDtype,
  layerFromName,
  modelFile,
  type OpNode,
  opaqueOpsWarning,
  shapeSize,
  tensor,
  UserError,
} from '@lightcode/cost-model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/*
 * What file frontends build on, against brute forces and closed forms:
 * NumPy broadcasting, the product of dims, Kahn's order (smallest ready
 * index first) with a node on a cycle named, element types, convolutions as
 * im2col products (M = output positions, K = C/g x kernel, N = O/g) and
 * transposed ones (M = input positions, K = C/g, N = O/g x kernel).
 */

describe('broadcastShapes: right-aligned, each dim the one that is not 1', () => {
  it('agrees with a brute force over small shapes', () => {
    const brute = (shapes: number[][]): number[] | undefined => {
      const rank = Math.max(0, ...shapes.map((s) => s.length));
      const out: number[] = [];
      for (let i = 0; i < rank; i++) {
        const dims = new Set(shapes.map((s) => s[s.length - rank + i] ?? 1).filter((d) => d !== 1));
        if (dims.size > 1) return undefined;
        out.push(dims.size === 0 ? 1 : ([...dims][0] as number));
      }
      return out;
    };
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 4 }), { maxLength: 4 }), (shapes) => {
        expect(broadcastShapes(shapes)).toEqual(brute(shapes));
      }),
      { numRuns: 300 },
    );
  });

  it.each<[number[][], number[] | undefined]>([
    [[], []],
    [[[]], []],
    [[[3], [3]], [3]],
    [
      [[1, 3], [1]],
      [1, 3],
    ],
    [
      [
        [4, 1],
        [1, 5],
      ],
      [4, 5],
    ],
    [[[1], [7]], [7]],
    [[[7], [1]], [7]],
    [
      [
        [2, 3],
        [3, 3],
      ],
      undefined,
    ],
    [[[5], [5], [4]], undefined],
  ])('%j -> %j', (shapes, out) => {
    expect(broadcastShapes(shapes)).toEqual(out);
  });
});

describe('shapeSize', () => {
  it('is the product of the dims, 1 for a scalar', () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(shapeSize([5, 0])).toBe(0);
  });
});

describe('dependencyOrder: Kahn, the smallest ready index first', () => {
  it('keeps an ordered file in order, and otherwise takes the smallest ready index', () => {
    expect(dependencyOrder(3, (i) => (i === 0 ? [] : [i - 1]), String, 'f')).toEqual([0, 1, 2]);
    // 2 needs 0; 1 and 3 are free: after 0, the ready list is [1, 3, 2]
    expect(dependencyOrder(4, (i) => (i === 2 ? [0] : []), String, 'f')).toEqual([0, 1, 2, 3]);
    // 0 needs 3: everything else first
    expect(dependencyOrder(4, (i) => (i === 0 ? [3] : []), String, 'f')).toEqual([1, 2, 3, 0]);
    // 0 needs 2 and 1 (listed in that order), 1 needs 2
    expect(dependencyOrder(3, (i) => [[2, 1], [2], []][i] ?? [], String, 'f')).toEqual([2, 1, 0]);
    expect(dependencyOrder(0, () => [], String, 'f')).toEqual([]);
  });

  it('asks for the dependencies of nodes 0..n-1 only', () => {
    const asked: number[] = [];
    const deps = (i: number) => {
      if (i < 0 || i >= 3) throw new Error(`no node ${i}`);
      asked.push(i);
      return i === 0 ? [] : [i - 1];
    };
    expect(dependencyOrder(3, deps, String, 'f')).toEqual([0, 1, 2]);
    expect(asked).toEqual([0, 1, 2]);
  });

  it('a dependency on a node that does not exist never readies its user: named, not a crash', () => {
    expect(() =>
      dependencyOrder(
        2,
        (i) => (i === 1 ? [5] : []),
        (i) => `n${i}`,
        'f',
      ),
    ).toThrow("f: the graph has a cycle through node 'n1'");
  });

  it('counts a dependency named twice once', () => {
    expect(dependencyOrder(2, (i) => (i === 1 ? [0, 0] : []), String, 'f')).toEqual([0, 1]);
  });

  it('every node comes after its dependencies (random DAGs)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 8 })
          .chain((n) =>
            fc.tuple(fc.constant(n), fc.array(fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 3 }), { minLength: n, maxLength: n })),
          ),
        fc.array(fc.integer(), { minLength: 8, maxLength: 8 }),
        ([n, raw], keys) => {
          // a random permutation as the hidden topological order; a node depends only on nodes before it there
          const perm = [...Array(n).keys()].sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
          const rank = new Map(perm.map((v, r) => [v, r]));
          const deps = (i: number) => (raw[i] ?? []).filter((d) => d < n && (rank.get(d) as number) < (rank.get(i) as number));
          const order = dependencyOrder(n, deps, String, 'f');
          expect([...order].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
          const at = new Map(order.map((v, k) => [v, k]));
          for (let i = 0; i < n; i++) for (const d of deps(i)) expect(at.get(d) as number).toBeLessThan(at.get(i) as number);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('names a node on the cycle, not one merely waiting behind it', () => {
    // 0 waits on 1; 1 and 2 need each other
    const deps = [[1], [2], [1]];
    const run = () =>
      dependencyOrder(
        3,
        (i) => deps[i] ?? [],
        (i) => `n${i}`,
        'model.onnx',
      );
    expect(run).toThrow(UserError);
    expect(run).toThrow("model.onnx: the graph has a cycle through node 'n1'; a model graph must be acyclic");
    expect(() =>
      dependencyOrder(
        1,
        () => [0],
        (i) => `self${i}`,
        'g.json',
      ),
    ).toThrow("g.json: the graph has a cycle through node 'self0'");
    // after the free nodes 0 and 1 are placed: 2 -> 3 -> 2
    expect(() =>
      dependencyOrder(
        4,
        (i) => [[], [0], [3, 1], [2]][i] ?? [],
        (i) => `v${i}`,
        'f',
      ),
    ).toThrow("f: the graph has a cycle through node 'v2'");
  });
});

describe('importedDtype', () => {
  it.each([
    ['float32', 'bf16'],
    ['FLOAT16', 'bf16'],
    ['bfloat16', 'bf16'],
    ['double', 'bf16'],
    ['half', 'bf16'],
    ['int8', 'int8'],
    ['uint8', 'int8'],
    ['bool', 'int8'],
    ['BOOL', 'int8'],
    ['int16', 'fp16'],
    ['uint16', 'fp16'],
    ['int32', 'fp32'],
    ['uint64', 'fp32'],
    ['string', 'fp32'],
    ['myfloat', 'fp32'],
    ['int8x', 'fp32'],
    ['xint8', 'fp32'],
    ['boolean', 'fp32'],
    ['int16x', 'fp32'],
    ['xint16', 'fp32'],
  ])('%s -> %s (with --dtype bf16)', (t, d) => {
    expect(importedDtype(t, { dtype: 'bf16' })).toBe(d);
  });
});

describe('convolutionOp: the im2col product', () => {
  const conv = (o: Partial<Parameters<typeof convolutionOp>[0]> = {}) =>
    convolutionOp({
      name: 'c1',
      layer: 2,
      input: tensor([1, 4, 6, 6], 'fp16'),
      weight: tensor([8, 2, 3, 3], 'fp16'),
      output: tensor([1, 8, 4, 4], 'fp32'),
      outChannels: 8,
      groups: 2,
      weights: [tensor([8, 2, 3, 3], 'fp16')],
      ...o,
    });

  it('per group [g, M, K] -> [g, M, O/g] with M = N x Ho x Wo, K = (C/g) x kh x kw; the layout kept in attrs', () => {
    const op = conv({ attrs: { stride: 1 } });
    expect(op.kind).toBe('linear');
    expect([op.name, op.layer]).toEqual(['c1', 2]);
    expect(op.inputs).toEqual([tensor([2, 16, 18], 'fp16')]);
    expect(op.outputs).toEqual([tensor([2, 16, 4], 'fp32')]);
    expect(op.weights).toEqual([tensor([8, 2, 3, 3], 'fp16')]);
    expect(op.attrs).toEqual({ conv: true, groups: 2, inputShape: '1x4x6x6', weightShape: '8x2x3x3', outputShape: '1x8x4x4', stride: 1 });
  });

  it('one group: no leading group dim', () => {
    const op = conv({ weight: tensor([8, 4, 3, 3], 'fp16'), groups: 1 });
    expect(op.inputs).toEqual([tensor([16, 36], 'fp16')]);
    expect(op.outputs).toEqual([tensor([16, 8], 'fp32')]);
    expect(op.attrs?.groups).toBe(1);
  });

  it.each([
    ['output channels that do not divide the weight', { outChannels: 7 }],
    [
      'output channels that do not divide the output',
      { weight: tensor([8, 2, 3, 3], 'fp16'), output: tensor([1, 12, 1, 1], 'fp16'), outChannels: 8 },
    ],
    ['groups that do not divide the output channels', { groups: 3 }],
  ])('refuses %s in one line with the shapes', (_what, o) => {
    const spec = { ...{ weight: tensor([8, 2, 3, 3], 'fp16'), output: tensor([1, 8, 4, 4], 'fp32'), outChannels: 8, groups: 2 }, ...o };
    expect(() => conv(o)).toThrow(UserError);
    expect(() => conv(o)).toThrow(
      `node 'c1': convolution shapes do not fit: weight [${spec.weight.shape.join(', ')}], output [${spec.output.shape.join(', ')}], ${spec.outChannels} output channels, ${spec.groups} groups`,
    );
  });
});

describe('convTransposeOp: the col2im product', () => {
  const up = (o: Partial<Parameters<typeof convTransposeOp>[0]> = {}) =>
    convTransposeOp({
      name: 'up',
      layer: null,
      input: tensor([1, 8, 5, 5], 'fp16'),
      weight: tensor([8, 3, 2, 2], 'fp16'),
      output: tensor([1, 6, 10, 10], 'bf16'),
      inChannels: 8,
      groups: 2,
      weights: [tensor([8, 3, 2, 2], 'fp16')],
      ...o,
    });

  it('per group [g, M, C/g] -> [g, M, (O/g) x kernel] with M = N x H x W; marked transposed', () => {
    const op = up({ attrs: { stride: 2 } });
    expect([op.kind, op.name, op.layer]).toEqual(['linear', 'up', null]);
    expect(op.inputs).toEqual([tensor([2, 25, 4], 'fp16')]);
    expect(op.outputs).toEqual([tensor([2, 25, 12], 'bf16')]);
    expect(op.weights).toEqual([tensor([8, 3, 2, 2], 'fp16')]);
    expect(op.attrs).toEqual({
      conv: true,
      transposed: true,
      groups: 2,
      inputShape: '1x8x5x5',
      weightShape: '8x3x2x2',
      outputShape: '1x6x10x10',
      stride: 2,
    });
  });

  it('one group: no leading group dim', () => {
    const op = up({ groups: 1 });
    expect(op.inputs).toEqual([tensor([25, 8], 'fp16')]);
    expect(op.outputs).toEqual([tensor([25, 12], 'bf16')]);
  });

  it.each([
    ['input channels that do not divide the input', { inChannels: 7 }],
    ['input channels that do not divide the weight', { input: tensor([1, 8, 5, 5], 'fp16'), weight: tensor([3, 3, 1, 1], 'fp16') }],
    ['groups that do not divide the input channels', { groups: 3 }],
  ])('refuses %s in one line with the shapes', (_what, o) => {
    const spec = { input: tensor([1, 8, 5, 5], 'fp16'), weight: tensor([8, 3, 2, 2], 'fp16'), groups: 2, ...o };
    expect(() => up(o)).toThrow(
      `node 'up': transposed convolution shapes do not fit: input [${spec.input.shape.join(', ')}], weight [${spec.weight.shape.join(', ')}], ${spec.groups} groups`,
    );
  });
});

describe('layerFromName', () => {
  it.each<[string, number | null]>([
    ['h.0', 0],
    ['transformer.h.11.attn', 11],
    ['model.layers.12', 12],
    ['encoder.layer.3.output', 3],
    ['blocks_2_conv', 2],
    ['net/block/5/relu', 5],
    ['/model/layers.3/mlp/MatMul', 3],
    ['block.7', 7],
    ['heads.3', null],
    ['mlayers.3', null],
    ['layers.3x', null],
    ['layers3', null],
    ['layers.', null],
    ['lm_head', null],
  ])('%s -> %s', (name, layer) => {
    expect(layerFromName(name)).toBe(layer);
  });
});

describe('opaqueOpsWarning', () => {
  const opaque = (attrs: OpNode['attrs']): OpNode => ({
    id: 'o',
    name: 'o',
    kind: 'opaque',
    layer: null,
    inputs: [],
    outputs: [],
    weights: [],
    attrs,
  });

  it('an opaque op without its original operator is counted as unknown, in first-seen order', () => {
    expect(opaqueOpsWarning([opaque({ op: 'TopK' }), opaque({}), opaque({}), opaque({ op: 'TopK' })])).toBe(
      '4 ops without a cost rule, priced by the bytes they move on electronic targets only: TopK x2, unknown x2',
    );
    expect(opaqueOpsWarning([])).toBeUndefined();
  });
});

describe('modelFile', () => {
  const req = (o: Partial<BuildRequest>): BuildRequest => ({
    phase: 'prefill',
    seqLen: 1,
    batch: 1,
    dtype: 'fp16',
    logits: 'last',
    splitHeads: false,
    ...o,
  });

  it('returns the file of a one-pass request', () => {
    expect(modelFile(req({ file: '/m/a.onnx' }), 'ONNX')).toBe('/m/a.onnx');
  });

  it('refuses a request without a file, and decode or a KV length, naming the format', () => {
    expect(() => modelFile(req({}), 'ONNX')).toThrow(UserError);
    expect(() => modelFile(req({}), 'ONNX')).toThrow('the ONNX frontend builds from a model file: give --model PATH');
    expect(() => modelFile(req({ file: '' }), 'TVM')).toThrow('the TVM frontend builds from a model file');
    const once = 'a TVM graph is one pass as exported, with no KV cache to decode against; drop --phase decode and --kv-len';
    expect(() => modelFile(req({ file: 'a', phase: 'decode' }), 'TVM')).toThrow(once);
    expect(() => modelFile(req({ file: 'a', kvLen: 0 }), 'TVM')).toThrow(once);
  });
});
