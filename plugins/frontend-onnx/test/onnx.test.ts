import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildRequest, graphFromData, graphToJSON, type OpGraph, opaqueOpsWarning } from '@lightcode/cost-model';
import onnxFrontend from '@lightcode/frontend-onnx';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';

const { onnx } = onnxProto;
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const fixture = (name: string) => path.join(FIXTURES, name);
const base: BuildRequest = { phase: 'prefill', seqLen: 64, batch: 1, dtype: 'fp16', logits: 'all', splitHeads: false };
const build = (file: string, over: Partial<BuildRequest> = {}): OpGraph => graphFromData(onnxFrontend.build({ ...base, file, ...over }));
const op = (g: OpGraph, name: string) => {
  const o = g.ops().find((x) => x.name === name);
  if (!o) throw new Error(`no op ${name}`);
  return { op: o, ...g.arithmetic(o.id) };
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightcode-onnx-'));
let count = 0;
type Dim = number | string;
interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, number | number[]>;
}
/** Writes a small ONNX model (encoded with onnx-proto, as an exporter would). */
function model(o: {
  inputs: [string, Dim[], number?][];
  nodes: NodeSpec[];
  outputs: string[];
  initializers?: { name: string; dims: number[]; external?: boolean; int64?: number[] }[];
}): string {
  const valueInfo = ([name, dims, type = 1]: [string, Dim[], number?]) => ({
    name,
    type: {
      tensorType: {
        elemType: type,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
  const m = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      input: o.inputs.map(valueInfo),
      output: o.outputs.map((n) => ({ name: n })),
      node: o.nodes.map((n, i) => ({
        name: n.name ?? `n${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([name, v]) =>
          Array.isArray(v)
            ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v }
            : { name, type: onnx.AttributeProto.AttributeType.INT, i: v },
        ),
      })),
      initializer: (o.initializers ?? []).map((t) => ({
        name: t.name,
        dims: t.dims,
        dataType: t.int64 ? 7 : 1,
        ...(t.int64 ? { int64Data: t.int64 } : {}),
        ...(t.external
          ? { dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'weights.bin' }] }
          : {}),
      })),
    },
  });
  const file = path.join(dir, `m${count++}.onnx`);
  fs.writeFileSync(file, onnx.ModelProto.encode(m).finish());
  return file;
}

describe('ONNX: exported by torch 1.13 with export_params=False (fixtures/make_fixtures.py)', () => {
  it('2-layer MLP (LeNet-300-100): MACs and parameters by hand, batch from --batch', () => {
    const g = build(fixture('mlp.onnx'), { batch: 4 });
    expect(g.totals().macs).toBe(4 * (784 * 300 + 300 * 100 + 100 * 10));
    // weights and biases: 784·300 + 300 + 300·100 + 100 + 100·10 + 10, at 2 bytes
    expect(g.totals().paramBytes).toBe(2 * 266_610);
    expect(g.meta).toMatchObject({ id: 'mlp', family: 'onnx', batch: 4, seqLen: 1 });
    expect(g.ops().map((o) => o.kind)).toEqual(['linear', 'elementwise', 'linear', 'elementwise', 'linear']);
  });

  /*
   * image [1, 3, 32, 32]
   * conv1 3 -> 16, 3x3, pad 1 (batch norm folded in by the exporter): 16·32·32·3·9 = 442,368
   * max pool 2x2 -> [1, 16, 16, 16]
   * conv2 16 -> 32, 3x3, stride 2, pad 2, dilation 2, 4 groups: out (16 + 4 - 5) / 2 + 1 = 8; 32·8·8·(16/4)·9 = 73,728
   * depthwise 32, 3x3, pad 1: 32·8·8·9 = 18,432
   * transposed conv 32 -> 8, 2x2, stride 2 -> [1, 8, 16, 16]: input elements 32·8·8 x 8 outputs x 4 taps = 65,536
   * average pool 4x4 -> [1, 8, 4, 4]; linear 128 -> 10: 1,280
   */
  it('small CNN: every convolution (groups, dilation, depthwise, transposed) against its closed form', () => {
    const g = build(fixture('cnn.onnx'));
    expect(op(g, '/conv1/Conv').macs).toBe(16 * 32 * 32 * 3 * 9);
    expect(op(g, '/conv2/Conv').macs).toBe(32 * 8 * 8 * (16 / 4) * 9);
    expect(op(g, '/conv2/Conv').op.attrs).toMatchObject({ conv: true, groups: 4, outputShape: '1x32x8x8' });
    expect(op(g, '/dw/Conv').macs).toBe(32 * 8 * 8 * 9);
    expect(op(g, '/up/ConvTranspose').macs).toBe(32 * 8 * 8 * 8 * 4);
    expect(op(g, '/fc/Gemm').macs).toBe(128 * 10);
    expect(g.totals().macs).toBe(442_368 + 73_728 + 18_432 + 65_536 + 1_280);
    expect(op(g, '/pool/MaxPool').op.attrs.window).toBe(4);
    expect(op(g, '/avg/AveragePool').flops).toBe(8 * 4 * 4 * 16);
    expect(g.meta.batch).toBe(1);
  });

  describe('GPT-2 at full size (12 layers, 768 wide, 50257 tokens)', () => {
    const onnxGraph = build(fixture('gpt2.onnx'), { seqLen: 128, batch: 2 });
    const matmulMacsByLayer = (g: OpGraph) => {
      const by = new Map<number | null, number>();
      for (const o of g.ops())
        if (o.kind === 'linear' || o.kind === 'matmul') by.set(o.layer, (by.get(o.layer) ?? 0) + g.arithmetic(o.id).macs);
      return by;
    };

    /*
     * Per layer, B = 2 sequences of L = 128 tokens, d = 768, 12 heads:
     * c_attn B·L·d·3d, QK^T and AV B·L·L·d each, c_proj B·L·d·d, c_fc and the MLP's c_proj B·L·d·4d each;
     * LM head on every position B·L·d·50257. (apps/cli/test/frontends.test.ts checks the same
     * graph against the built-in gpt2 frontend.)
     */
    it('every layer has GPT-2’s matmul MACs; the total adds the LM head', () => {
      const [B, L, d] = [2, 128, 768];
      const layer = B * L * (d * 3 * d + d * d + 2 * d * 4 * d) + 2 * B * L * L * d;
      const by = matmulMacsByLayer(onnxGraph);
      for (let i = 0; i < 12; i++) expect(by.get(i), `layer ${i}`).toBe(layer);
      expect(onnxGraph.totals().macs).toBe(12 * layer + B * L * d * 50257);
    });

    it('has GPT-2’s 124,439,808 parameters: the LM head reads the token embedding without owning it', () => {
      expect(onnxGraph.totals().paramBytes / 2).toBe(124_439_808);
      expect(op(onnxGraph, '/MatMul').op.attrs.tiedWeights).toBe(true);
      expect(op(onnxGraph, '/wte/Gather').op.kind).toBe('embedding');
    });

    it('binds batch and sequence, keeps the exporter’s names, finds the layers', () => {
      expect(onnxGraph.meta).toMatchObject({ id: 'gpt2', seqLen: 128, batch: 2, layers: 12 });
      const c = op(onnxGraph, '/h.3/c_attn/MatMul').op;
      expect(c.layer).toBe(3);
      expect(c.inputs[0]?.shape).toEqual([2, 128, 768]);
      expect(c.weights[0]?.shape).toEqual([768, 2304]);
      // the causal mask buffer and the shape arithmetic fold away: no op reads only constants
      expect(onnxGraph.ops().some((o) => o.name.includes('/Slice'))).toBe(false);
    });
  });

  it('importing the same file twice gives byte-identical IR JSON', () => {
    const a = JSON.stringify(graphToJSON(build(fixture('gpt2.onnx'))));
    expect(JSON.stringify(graphToJSON(build(fixture('gpt2.onnx'))))).toBe(a);
  });
});

describe('ONNX: PyTorch-converted cases from the ONNX test data (Debian libonnx-testdata)', () => {
  // [file, MACs of the conv / linear, or FLOPs of the pool]: output elements x (input channels / groups) x kernel taps
  it.each([
    ['Conv2d_groups', 2 * 6 * 4 * 4 * 2 * 3 * 2],
    ['Conv2d_dilated', 2 * 2 * 3 * 3 * 3 * 9],
    ['Conv2d_depthwise_strided', 2 * 4 * 2 * 2 * 9],
    ['Conv2d_depthwise_with_multiplier', 2 * 8 * 4 * 4 * 9],
    ['Conv2d_padding', 2 * 4 * 3 * 3 * 3 * 9],
    ['Conv1d_stride', 2 * 5 * 4 * 4 * 3],
    ['Conv3d', 2 * 4 * 2 * 2 * 2 * 3 * 2 * 3 * 4],
    // transposed: input elements x output channels x taps (input [1, 3, 7, 6], 4 outputs, 3x3)
    ['ConvTranspose2d', 1 * 3 * 7 * 6 * 4 * 9],
    ['Linear', 4 * 10 * 8],
  ])('%s: MACs = %i', (name, macs) => {
    const g = build(fixture(`onnx-testdata/${name}.onnx`));
    expect(g.totals().macs).toBe(macs);
  });

  it.each([
    // output elements x window
    ['MaxPool2d', [1, 3, 4, 4], 9],
    ['MaxPool2d_stride_padding_dilation', [1, 1, 43, 25], 60 * 80],
    ['AvgPool2d_stride', [2, 3, 3, 3], 4],
    ['AvgPool3d_stride', [2, 3, 2, 2, 2], 8],
  ] as const)('%s: output %j, window %i', (name, shape, window) => {
    const g = build(fixture(`onnx-testdata/${name}.onnx`));
    const pool = g.ops()[0];
    expect(pool?.outputs[0]?.shape).toEqual(shape);
    expect(pool && g.arithmetic(pool.id).flops).toBe(shape.reduce((a: number, b: number) => a * b, 1) * window);
  });

  it('ConvTranspose2d: output shape from strides, pads and output_padding', () => {
    expect(build(fixture('onnx-testdata/ConvTranspose2d.onnx')).ops()[0]?.attrs.outputShape).toBe('1x4x20x12');
  });
});

describe('ONNX: shapes, symbols, weights and unknown operators', () => {
  const conv = () =>
    model({
      inputs: [
        ['image', ['N', 3, 'height', 'width']],
        ['w', [8, 3, 3, 3]],
      ],
      nodes: [{ op: 'Conv', inputs: ['image', 'w'], outputs: ['y'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } }],
      outputs: ['y'],
    });

  it('a symbolic dim that --batch and --seq-len do not bind is named with the flag that binds it', () => {
    const file = conv();
    expect(() => build(file)).toThrow(/input 'image' dim 2 is symbolic \('height'\); bind it with --input-shape image=Nx3xNxN/);
    const g = build(file, { inputShapes: { image: [2, 3, 224, 224] } });
    expect(g.totals().macs).toBe(2 * 8 * 224 * 224 * 3 * 9);
    expect(() => build(file, { inputShapes: { image: [2, 4, 224, 224] } })).toThrow(/gives dim 1 as 4; the model fixes it at 3/);
    expect(() => build(file, { inputShapes: { picture: [1] } })).toThrow(
      /--input-shape names 'picture', which is not an input \(inputs: image\)/,
    );
  });

  it('an operator without a cost rule becomes an opaque op on the electronic targets, listed in one warning line', () => {
    const file = model({
      inputs: [['x', [4, 16]]],
      nodes: [
        { op: 'Relu', inputs: ['x'], outputs: ['a'] },
        { op: 'FancyOp', domain: 'com.example', inputs: ['a'], outputs: ['b'] },
        { op: 'NonMaxSuppression', inputs: ['b'], outputs: ['c'] },
        { op: 'FancyOp', domain: 'com.example', inputs: ['c'], outputs: ['d'] },
      ],
      outputs: ['d'],
    });
    const g = build(file);
    const opaque = g.ops().filter((o) => o.kind === 'opaque');
    expect(opaque.map((o) => o.attrs.op)).toEqual(['com.example.FancyOp', 'NonMaxSuppression', 'com.example.FancyOp']);
    expect(opaque.every((o) => g.arithmetic(o.id).flops === 0 && g.arithmetic(o.id).bytesRead === 4 * 16 * 2)).toBe(true);
    expect(opaqueOpsWarning(g.ops())).toBe(
      '3 ops without a cost rule, priced by the bytes they move on electronic targets only: com.example.FancyOp x2, NonMaxSuppression x1',
    );
  });

  it('weights in external data are never read: a 10 GB initializer loads from its shape alone', () => {
    const file = model({
      inputs: [['x', ['batch', 50_000]]],
      nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'] }],
      outputs: ['y'],
      initializers: [{ name: 'w', dims: [50_000, 50_000], external: true }],
    });
    expect(fs.existsSync(path.join(path.dirname(file), 'weights.bin'))).toBe(false);
    const g = build(file, { batch: 3 });
    expect(g.totals().paramBytes).toBe(50_000 * 50_000 * 2);
    expect(g.totals().macs).toBe(3 * 50_000 * 50_000);
    expect(g.ops()[0]?.kind).toBe('linear');
  });

  it('shape arithmetic folds: Shape -> Gather -> Unsqueeze -> Concat -> Reshape gives a concrete view', () => {
    const file = model({
      inputs: [['x', ['batch', 'sequence', 64]]],
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['s'] },
        { op: 'Gather', inputs: ['s', 'zero'], outputs: ['b'], attrs: { axis: 0 } },
        { op: 'Unsqueeze', inputs: ['b', 'zero1'], outputs: ['b1'] },
        { op: 'Concat', inputs: ['b1', 'minus1', 'eight'], outputs: ['shape'], attrs: { axis: 0 } },
        { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['r'] },
        { op: 'Transpose', inputs: ['r'], outputs: ['t'], attrs: { perm: [0, 2, 1] } },
      ],
      outputs: ['t'],
      initializers: [
        { name: 'zero', dims: [], int64: [0] },
        { name: 'zero1', dims: [1], int64: [0] },
        { name: 'minus1', dims: [1], int64: [-1] },
        { name: 'eight', dims: [1], int64: [8] },
      ],
    });
    const g = build(file, { batch: 2, seqLen: 10 });
    expect(g.ops().map((o) => [o.kind, o.outputs[0]?.shape])).toEqual([['copy', [2, 8, 80]]]);
  });

  it.each([
    [
      'a shape mismatch names the node',
      () =>
        model({
          inputs: [
            ['x', [2, 3]],
            ['w', [4, 5]],
          ],
          nodes: [{ op: 'MatMul', inputs: ['x', 'w'], outputs: ['y'], name: '/fc/MatMul' }],
          outputs: ['y'],
        }),
      /m\d+\.onnx: node '\/fc\/MatMul' \(MatMul\): inner dims differ: \[2, 3\] x \[4, 5\]/,
    ],
    [
      'a cycle names a node on it',
      () =>
        model({
          inputs: [['x', [2, 3]]],
          nodes: [
            { op: 'Add', inputs: ['x', 'b'], outputs: ['a'], name: 'first' },
            { op: 'Relu', inputs: ['a'], outputs: ['b'], name: 'second' },
          ],
          outputs: ['b'],
        }),
      /the graph has a cycle through node '(first|second)'/,
    ],
    [
      'an input nobody provides',
      () =>
        model({
          inputs: [['x', [2, 3]]],
          nodes: [{ op: 'Add', inputs: ['x', 'ghost'], outputs: ['a'], name: 'add' }],
          outputs: ['a'],
        }),
      /node 'add' \(Add\) reads 'ghost', which no node, graph input or initializer provides/,
    ],
    [
      'a truncated file',
      () => {
        const file = path.join(dir, 'truncated.onnx');
        const bytes = fs.readFileSync(fixture('gpt2.onnx'));
        fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
        return file;
      },
      /truncated\.onnx is not a readable ONNX model \(.+\); is the file complete\?/,
    ],
    [
      'a file that is not ONNX',
      () => {
        const file = path.join(dir, 'notes.onnx');
        fs.writeFileSync(file, 'this is not a model\n');
        return file;
      },
      /notes\.onnx is not (a readable ONNX model|an ONNX model with a graph)/,
    ],
  ])('bad input: %s, in one line', (_what, make, msg) => {
    const file = make();
    let err: Error | undefined;
    try {
      build(file);
    } catch (e) {
      err = e as Error;
    }
    expect(err?.name).toBe('UserError');
    expect(err?.message).toMatch(msg);
    expect(err?.message.split('\n')).toHaveLength(1);
  });
});
