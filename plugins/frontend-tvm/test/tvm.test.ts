import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildRequest, graphFromData, graphToJSON, type OpGraph } from '@lightcode/cost-model';
import tvm, { looksLikeTvmGraph, membersOf } from '@lightcode/frontend-tvm';
import { describe, expect, it } from 'vitest';

const LENET = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'lenet-simple.json');
const base: BuildRequest = { phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp32', logits: 'last', splitHeads: false };
const build = (file: string, over: Partial<BuildRequest> = {}): OpGraph => graphFromData(tvm.build({ ...base, file, ...over }));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightcode-tvm-'));
let files = 0;
function writeFile(text: string): string {
  const file = path.join(dir, `g${files++}.json`);
  fs.writeFileSync(file, text);
  return file;
}

type Node = { op: 'null'; name: string } | { op: 'tvm_op'; name: string; func: string; inputs: number[]; outputs?: number };
/** A graph-executor JSON from nodes (inputs by node index, output 0) and one shape per output. */
function tvmGraph(nodes: Node[], shapes: number[][], dtype = 'float32'): string {
  const rowPtr = [0];
  for (const n of nodes) rowPtr.push((rowPtr.at(-1) as number) + (n.op === 'tvm_op' ? (n.outputs ?? 1) : 1));
  return JSON.stringify({
    nodes: nodes.map((n) =>
      n.op === 'null'
        ? { op: 'null', name: n.name, inputs: [] }
        : {
            op: 'tvm_op',
            name: n.name,
            attrs: { func_name: n.func, num_inputs: String(n.inputs.length), num_outputs: String(n.outputs ?? 1) },
            inputs: n.inputs.map((i) => [i, 0, 0]),
          },
    ),
    arg_nodes: nodes.flatMap((n, i) => (n.op === 'null' ? [i] : [])),
    heads: [[nodes.length - 1, 0, 0]],
    attrs: { dltype: ['list_str', shapes.map(() => dtype)], shape: ['list_shape', shapes] },
    node_row_ptr: rowPtr,
  });
}

describe('TVM graph JSON: the study’s LeNet MLP (lenet-simple.json)', () => {
  /*
   * conv1 [28, 28] --reshape (__nop)--> [1, 784]
   *   -> dense 784 -> 300 (weight p0 [300, 784]) + relu   (one fused function)
   *   -> dense 300 -> 100 (weight p1 [100, 300]) + relu   (one fused function)
   *   -> dense 100 -> 10  (weight p2 [10, 100])
   *   -> log_softmax over 10.
   * MACs = 784·300 + 300·100 + 100·10 = 235,200 + 30,000 + 1,000 = 266,200.
   * FLOPs = 2·MACs + ReLU 300 + 100 (one per element) + softmax 5·10 = 532,850.
   * Parameters = 266,200 numbers (no biases in this graph).
   */
  const g = build(LENET);

  it('MACs, FLOPs and parameters match the hand count', () => {
    const t = g.totals();
    expect(t.macs).toBe(784 * 300 + 300 * 100 + 100 * 10);
    expect(t.macs).toBe(266_200);
    expect(t.flops).toBe(2 * 266_200 + 300 + 100 + 5 * 10);
    expect(t.paramBytes).toBe(266_200 * 4);
  });

  it('a fused dense + relu keeps the dense’s MACs: one op per member, chained', () => {
    const ops = g.ops();
    expect(ops.map((o) => [o.name, o.kind])).toEqual([
      ['tvmgen_default_fused_nn_dense_nn_relu.nn.dense', 'linear'],
      ['tvmgen_default_fused_nn_dense_nn_relu.nn.relu', 'elementwise'],
      ['tvmgen_default_fused_nn_dense_nn_relu_1.nn.dense', 'linear'],
      ['tvmgen_default_fused_nn_dense_nn_relu_1.nn.relu', 'elementwise'],
      ['tvmgen_default_fused_nn_dense', 'linear'],
      ['tvmgen_default_fused_nn_log_softmax', 'softmax'],
    ]);
    const dense = ops[0];
    expect(dense && g.arithmetic(dense.id).macs).toBe(235_200);
    expect(dense?.inputs[0]?.shape).toEqual([1, 784]);
    expect(dense?.weights[0]?.shape).toEqual([300, 784]);
    expect(g.edges().map((e) => [e.from, e.to])).toEqual([
      ['0', '1'],
      ['1', '2'],
      ['2', '3'],
      ['3', '4'],
      ['4', '5'],
    ]);
  });

  it('importing the same file twice gives byte-identical IR JSON', () => {
    expect(JSON.stringify(graphToJSON(build(LENET)))).toBe(JSON.stringify(graphToJSON(g)));
  });

  it('floating-point tensors take the requested dtype', () => {
    expect(build(LENET, { dtype: 'fp16' }).totals().paramBytes).toBe(266_200 * 2);
  });

  it('is recognized by its first bytes, and a Hugging Face config is not', () => {
    expect(looksLikeTvmGraph(fs.readFileSync(LENET))).toBe(true);
    expect(looksLikeTvmGraph(new TextEncoder().encode('{"model_type": "gpt2", "n_embd": 768}'))).toBe(false);
  });
});

describe('TVM graph JSON: fused functions, packed layouts, views', () => {
  it('splits func_name into Relay operators, longest name first', () => {
    expect(membersOf('tvmgen_default_fused_nn_contrib_conv2d_NCHWc_add_nn_relu_3', 'n')).toEqual([
      'nn.contrib_conv2d_NCHWc',
      'add',
      'nn.relu',
    ]);
    expect(membersOf('fused_nn_max_pool2d', 'n')).toEqual(['nn.max_pool2d']);
    expect(membersOf('tvmgen_default_fused_reshape_transpose', 'n')).toEqual(['reshape', 'transpose']);
    expect(membersOf('__nop', 'n')).toEqual([]);
  });

  /*
   * data [1, 3, 32, 32] -> layout_transform NCHW -> NCHW3c [1, 1, 32, 32, 3]
   * -> conv2d_NCHWc, weight [2, 1, 3, 3, 3, 8] (16 output channels in 2 blocks of 8, 3x3, valid)
   *    + bias [1, 2, 1, 1, 8] + relu -> [1, 2, 30, 30, 8]
   *    MACs = N·O·Ho·Wo·C·kh·kw = 1·16·30·30·3·3·3 = 388,800
   * -> depthwise conv2d_NCHWc, weight [2, 1, 3, 3, 1, 8] -> [1, 2, 28, 28, 8]
   *    MACs = 16·28·28·3·3 = 112,896 (16 groups of one channel)
   * -> layout_transform NCHW8c -> NCHW [1, 16, 28, 28]
   * -> max_pool2d 2x2 -> [1, 16, 14, 14] (window 4)
   * -> reshape (__nop) [1, 3136]
   * -> dense_pack, weight [2, 3136, 5] (10 outputs in blocks of 5) + add bias [1, 10]
   *    MACs = 3136·10 = 31,360
   */
  const nodes: Node[] = [
    { op: 'null', name: 'data' },
    { op: 'tvm_op', name: 'lt_in', func: 'tvmgen_default_fused_layout_transform', inputs: [0] },
    { op: 'null', name: 'p0' },
    { op: 'null', name: 'p1' },
    { op: 'tvm_op', name: 'conv', func: 'tvmgen_default_fused_nn_contrib_conv2d_NCHWc_add_nn_relu', inputs: [1, 2, 3] },
    { op: 'null', name: 'p2' },
    { op: 'tvm_op', name: 'dw', func: 'tvmgen_default_fused_nn_contrib_depthwise_conv2d_NCHWc', inputs: [4, 5] },
    { op: 'tvm_op', name: 'lt_out', func: 'tvmgen_default_fused_layout_transform_1', inputs: [6] },
    { op: 'tvm_op', name: 'pool', func: 'tvmgen_default_fused_nn_max_pool2d', inputs: [7] },
    { op: 'tvm_op', name: 'flatten', func: '__nop', inputs: [8] },
    { op: 'null', name: 'p3' },
    { op: 'null', name: 'p4' },
    { op: 'tvm_op', name: 'fc', func: 'tvmgen_default_fused_nn_contrib_dense_pack_add', inputs: [9, 10, 11] },
  ];
  const shapes = [
    [1, 3, 32, 32],
    [1, 1, 32, 32, 3],
    [2, 1, 3, 3, 3, 8],
    [1, 2, 1, 1, 8],
    [1, 2, 30, 30, 8],
    [2, 1, 3, 3, 1, 8],
    [1, 2, 28, 28, 8],
    [1, 16, 28, 28],
    [1, 16, 14, 14],
    [1, 3136],
    [2, 3136, 5],
    [1, 10],
    [1, 10],
  ];
  const g = build(writeFile(tvmGraph(nodes, shapes)));
  const op = (name: string) => {
    const o = g.ops().find((x) => x.name === name);
    if (!o) throw new Error(`no op ${name}`);
    return { op: o, ...g.arithmetic(o.id) };
  };

  it('NCHWc convolutions: MACs = output elements x input channels per group x kernel', () => {
    const conv = op('conv.nn.contrib_conv2d_NCHWc');
    expect(conv.macs).toBe(1 * 16 * 30 * 30 * 3 * 3 * 3);
    expect(conv.op.kind).toBe('linear');
    expect(conv.op.attrs).toMatchObject({ conv: true, groups: 1, layout: 'NCHWc', outputShape: '1x2x30x30x8' });
    const dw = op('dw');
    expect(dw.macs).toBe(16 * 28 * 28 * 3 * 3);
    expect(dw.op.attrs.groups).toBe(16);
  });

  it('the bias add and relu of the fused conv are their own ops on the conv’s output', () => {
    expect(op('conv.add').op.inputs[0]?.shape).toEqual([1, 2, 30, 30, 8]);
    expect(op('conv.add').op.weights[0]?.shape).toEqual([1, 2, 1, 1, 8]);
    expect(op('conv.nn.relu').flops).toBe(16 * 30 * 30);
  });

  it('dense_pack unpacks its weight: N = blocks x block size', () => {
    const fc = op('fc.nn.contrib_dense_pack');
    expect(fc.macs).toBe(3136 * 10);
    expect(fc.op.outputs[0]?.shape).toEqual([1, 10]);
  });

  it('layout_transform is data movement, reshape a view, pooling a window reduction', () => {
    expect(op('lt_in').op.kind).toBe('copy');
    expect(op('lt_in').flops).toBe(0);
    expect(g.ops().some((o) => o.name === 'flatten')).toBe(false);
    expect(op('pool').op.attrs.window).toBe(4);
    expect(op('pool').flops).toBe(16 * 14 * 14 * 4);
    // the reshape passes the pool's output straight to the dense
    const fc = op('fc.nn.contrib_dense_pack').op;
    expect(g.predecessors(fc.id)).toEqual([op('pool').op.id]);
  });

  it('totals: the sum of the hand counts', () => {
    expect(g.totals().macs).toBe(388_800 + 112_896 + 31_360);
  });

  it('a multi-output node (split) hands each consumer its own output', () => {
    const file = writeFile(
      JSON.stringify({
        nodes: [
          { op: 'null', name: 'x', inputs: [] },
          { op: 'tvm_op', name: 'split', attrs: { func_name: 'tvmgen_default_fused_split', num_outputs: '2' }, inputs: [[0, 0, 0]] },
          {
            op: 'tvm_op',
            name: 'add',
            attrs: { func_name: 'tvmgen_default_fused_add' },
            inputs: [
              [1, 0, 0],
              [1, 1, 0],
            ],
          },
        ],
        arg_nodes: [0],
        heads: [[2, 0, 0]],
        attrs: {
          shape: [
            'list_shape',
            [
              [4, 8],
              [2, 8],
              [2, 8],
              [2, 8],
            ],
          ],
        },
        node_row_ptr: [0, 1, 3, 4],
      }),
    );
    const s = build(file);
    expect(s.ops().map((o) => o.kind)).toEqual(['copy', 'add']);
    expect(s.ops()[0]?.outputs).toHaveLength(2);
    expect(s.edge('0', '1')?.tensors).toHaveLength(2);
  });
});

describe('TVM graph JSON: bad input is one clear line', () => {
  const lenet = JSON.parse(fs.readFileSync(LENET, 'utf8'));
  const variant = (edit: (j: typeof lenet) => void) => {
    const j = structuredClone(lenet);
    edit(j);
    return writeFile(JSON.stringify(j));
  };
  it.each([
    ['not JSON', writeFile('{"nodes": [ {"op": "null"'), /lenet|g\d+\.json is not a TVM graph JSON: invalid JSON/],
    ['no shapes', variant((j) => delete j.attrs.shape), /is not a TVM graph JSON: no 'attrs.shape'/],
    [
      'an unknown operator',
      variant((j) => {
        j.nodes[8].attrs.func_name = 'tvmgen_default_fused_nn_fancy_op';
      }),
      /node 'tvmgen_default_fused_nn_log_softmax': func_name 'tvmgen_default_fused_nn_fancy_op' names a Relay operator LightCode does not read, at 'nn_fancy_op'/,
    ],
    [
      'a cycle',
      variant((j) => {
        j.nodes[3].inputs[0] = [5, 0, 0];
      }),
      /the graph has a cycle through node 'tvmgen_default_fused_nn_dense_nn_relu(_1)?'/,
    ],
    [
      'a shape mismatch',
      variant((j) => {
        j.attrs.shape[1][1] = [300, 100];
      }),
      /node 'tvmgen_default_fused_nn_dense_nn_relu': nn.dense operand shapes do not fit \(\[300, 100\] and \[300, 784\]\); the graph's attrs.shape is inconsistent/,
    ],
    [
      'an input of a missing node',
      variant((j) => j.nodes[3].inputs.push([42, 0, 0])),
      /node 'tvmgen_default_fused_nn_dense_nn_relu' has input \[42,0,0\]/,
    ],
  ])('%s', (_what, file, msg) => {
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

  it('decode and --input-shape do not apply to a static graph', () => {
    expect(() => build(LENET, { phase: 'decode' })).toThrow(/one pass as exported/);
    expect(() => build(LENET, { inputShapes: { conv1: [1, 784] } })).toThrow(/static shapes; drop --input-shape/);
  });
});
