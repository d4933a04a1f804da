import {
  brokenFusion,
  type Candidate,
  ELEMENTWISE_FLOPS,
  fusionMembers,
  graphFromData,
  graphFromJSON,
  graphToData,
  graphToJSON,
  isLightcodeError,
  LightcodeError,
  MinHeap,
  type ModelMeta,
  matmulDims,
  OPGRAPH_FORMAT,
  OpGraph,
  type OpKind,
  type OpNode,
  opArithmetic,
  opNumbers,
  PluginError,
  spanS,
  sumEnergy,
  summarizeGraph,
  type TensorSpec,
  tensor,
  UserError,
} from '@lightcode/ir';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/*
 * The arithmetic every cost rests on, pinned op kind by op kind: MACs, FLOPs,
 * bytes read and written, parameters, and the numbers per-number targets
 * count; and the graph's bookkeeping (totals, adjacency after a change, the
 * heap its orders use, the JSON it reads back).
 */

const meta: ModelMeta = { id: 'm', family: 'f', phase: 'prefill', seqLen: 4, batch: 1, dtype: 'fp16', layers: 1 };
const op = (
  kind: OpKind,
  inputs: TensorSpec[],
  outputs: TensorSpec[],
  weights: TensorSpec[] = [],
  attrs: OpNode['attrs'] = {},
): OpNode => ({
  id: kind,
  name: kind,
  kind,
  layer: 0,
  inputs,
  outputs,
  weights,
  attrs,
});
const t16 = (...shape: number[]) => tensor(shape, 'fp16');

describe('op arithmetic by kind', () => {
  it('matmul: batch x M x K x N MACs, 2 FLOPs each, plus one per output for a bias, a scale and a causal mask', () => {
    const a = t16(2, 3, 5, 7);
    const b = t16(2, 3, 7, 11);
    const out = t16(2, 3, 5, 11);
    expect(matmulDims(op('matmul', [a, b], [out]))).toEqual({ batch: 6, m: 5, k: 7, n: 11 });
    const macs = 6 * 5 * 7 * 11;
    const outs = 6 * 5 * 11;
    expect(opArithmetic(op('matmul', [a, b], [out]))).toEqual({
      macs,
      flops: 2 * macs,
      bytesRead: 2 * (6 * 5 * 7 + 6 * 7 * 11),
      bytesWritten: 2 * outs,
      paramBytes: 0,
    });
    expect(opArithmetic(op('matmul', [a, b], [out], [], { scale: 0.125 })).flops).toBe(2 * macs + outs);
    expect(opArithmetic(op('matmul', [a, b], [out], [], { scale: 0.125, causalMask: true })).flops).toBe(2 * macs + 2 * outs);
    expect(opArithmetic(op('matmul', [a, b], [out], [], { causalMask: false })).flops).toBe(2 * macs);
    const lin = op('linear', [t16(1, 4, 8)], [t16(1, 4, 16)], [t16(8, 16), t16(16)]);
    expect(opArithmetic(lin).flops).toBe(2 * 4 * 8 * 16 + 4 * 16);
  });

  it('a matmul without input or output tensor, or with too few dims, is an error naming it', () => {
    expect(() => matmulDims(op('matmul', [], [t16(2, 2)]))).toThrow(/op 'matmul' has no input or output tensor/);
    expect(() => matmulDims(op('matmul', [t16(2, 2)], []))).toThrow(/no input or output/);
    expect(() => matmulDims(op('matmul', [t16(2, 2)], [t16(4)]))).toThrow(/shape \[4\] has fewer than 2 dims/);
  });

  it('elementwise kinds: FLOPs per output element as documented, bytes = inputs + weights read, outputs written', () => {
    expect(ELEMENTWISE_FLOPS).toEqual({
      layernorm: 8,
      rmsnorm: 4,
      softmax: 5,
      gelu: 8,
      silu: 4,
      add: 1,
      mul: 1,
      rope: 3,
      elementwise: 1,
      copy: 0,
      opaque: 0,
    });
    const x = t16(3, 10);
    for (const [kind, perElem] of Object.entries(ELEMENTWISE_FLOPS) as [OpKind, number][]) {
      const a = opArithmetic(op(kind, [x, x], [x], [t16(10)]));
      expect(a, kind).toEqual({ macs: 0, flops: perElem * 30, bytesRead: 2 * (30 + 30 + 10), bytesWritten: 2 * 30, paramBytes: 20 });
    }
    // two outputs count both
    expect(opArithmetic(op('add', [x], [x, x])).flops).toBe(60);
  });

  it("elementwise takes its FLOPs per element from the op's flopsPerElement attr; other kinds ignore it", () => {
    const x = t16(4, 5);
    expect(opArithmetic(op('elementwise', [x], [x], [], { flopsPerElement: 7 })).flops).toBe(140);
    expect(opArithmetic(op('elementwise', [x], [x], [], { flopsPerElement: 'many' })).flops).toBe(20);
    expect(opArithmetic(op('gelu', [x], [x], [], { flopsPerElement: 7 })).flops).toBe(160);
  });

  it('pool: window FLOPs per output; reduce: one per input element; neither owns weights it does not have', () => {
    const input = t16(2, 8, 8);
    const out = t16(2, 4, 4);
    expect(opArithmetic(op('pool', [input], [out], [], { window: 4 }))).toEqual({
      macs: 0,
      flops: 4 * 32,
      bytesRead: 2 * 128,
      bytesWritten: 2 * 32,
      paramBytes: 0,
    });
    expect(opArithmetic(op('pool', [input], [out])).flops).toBe(32);
    expect(opArithmetic(op('reduce', [input], [out], [], { window: 4 })).flops).toBe(128);
    expect(opArithmetic(op('reduce', [], [out])).flops).toBe(0);
  });

  it('embedding reads the rows it gathers (ids and outputs), never the table; kv_write reads and writes its input; kv_read its output', () => {
    const ids = tensor([1, 6], 'int32');
    const rows = t16(1, 6, 32);
    const table = t16(50000, 32);
    expect(opArithmetic(op('embedding', [ids], [rows], [table]))).toEqual({
      macs: 0,
      flops: 0,
      bytesRead: 4 * 6 + 2 * 6 * 32,
      bytesWritten: 2 * 6 * 32,
      paramBytes: 2 * 50000 * 32,
    });
    const kv = t16(1, 2, 6, 8);
    const cache = t16(1, 2, 100, 8);
    expect(opArithmetic(op('kv_write', [kv], [cache]))).toEqual({ macs: 0, flops: 0, bytesRead: 192, bytesWritten: 192, paramBytes: 0 });
    expect(opArithmetic(op('kv_read', [cache], [kv]))).toEqual({ macs: 0, flops: 0, bytesRead: 192, bytesWritten: 192, paramBytes: 0 });
  });

  it('resident weights are owned but not read by the op; tied weights are read but not owned', () => {
    const x = t16(1, 2, 8);
    const w = t16(8, 8);
    const base = opArithmetic(op('linear', [x], [x], [w]));
    const resident = opArithmetic(op('linear', [x], [x], [w], { residentWeights: true }));
    expect(base.bytesRead - resident.bytesRead).toBe(128);
    expect(resident.paramBytes).toBe(128);
    const tied = opArithmetic(op('linear', [x], [x], [w], { tiedWeights: true }));
    expect(tied.bytesRead).toBe(base.bytesRead);
    expect(tied.paramBytes).toBe(0);
  });

  it('numbers: as bytes over the compute width in one format; each kind reads what its bytes say', () => {
    const x = t16(2, 10);
    expect(opNumbers(op('add', [x, x], [x], [t16(10)]))).toEqual({ read: 50, written: 20 });
    expect(opNumbers(op('kv_write', [x], [t16(100, 10)]))).toEqual({ read: 20, written: 20 });
    expect(opNumbers(op('kv_read', [t16(100, 10)], [x]))).toEqual({ read: 20, written: 20 });
    expect(opNumbers(op('add', [x], [x], [t16(10)], { residentWeights: true }))).toEqual({ read: 20, written: 20 });
    const f32 = tensor([2, 10], 'fp32');
    expect(opNumbers(op('add', [f32], [f32]))).toEqual({ read: 20, written: 20 });
    // an op with no tensors counts nothing
    expect(opNumbers(op('add', [], []))).toEqual({ read: 0, written: 0 });
  });
});

describe('the graph', () => {
  function chain(): OpGraph {
    const g = new OpGraph(meta);
    const x = t16(1, 4, 8);
    g.addOp({ ...op('layernorm', [x], [x], [t16(8)]), id: 'a', name: 'a' });
    g.addOp({ ...op('linear', [x], [t16(1, 4, 16)], [t16(8, 16)]), id: 'b', name: 'b' });
    g.addOp({ ...op('gelu', [t16(1, 4, 16)], [t16(1, 4, 16)]), id: 'c', name: 'c' });
    g.connect('a', 'b', x);
    g.connect('b', 'c', t16(1, 4, 16));
    return g;
  }

  it('totals add every op: ops, MACs, FLOPs, bytes and parameters', () => {
    const g = chain();
    const parts = g.ops().map(opArithmetic);
    const sum = (k: 'macs' | 'flops' | 'bytesRead' | 'bytesWritten' | 'paramBytes') => parts.reduce((s, a) => s + a[k], 0);
    expect(g.totals()).toEqual({
      ops: 3,
      macs: sum('macs'),
      flops: sum('flops'),
      bytesRead: sum('bytesRead'),
      bytesWritten: sum('bytesWritten'),
      paramBytes: sum('paramBytes'),
    });
    expect(g.totals().macs).toBe(4 * 8 * 16);
    expect(g.totals().flops).toBe(8 * 32 + 2 * 512 + 8 * 64);
    expect(g.size).toBe(3);
    expect(g.has('b')).toBe(true);
    expect(g.has('z')).toBe(false);
    expect(g.arithmetic('b')).toEqual(opArithmetic(g.op('b')));
  });

  it('edges accumulate tensors between one pair; adjacency and order follow every change', () => {
    const g = chain();
    expect(g.inEdges('b')).toEqual([{ from: 'a', bytes: 64 }]);
    expect(g.outEdges('b')).toEqual([{ to: 'c', bytes: 128 }]);
    expect(g.topologicalOrder()).toEqual(['a', 'b', 'c']);
    g.connect('a', 'b', t16(4));
    expect(g.inEdges('b')).toEqual([{ from: 'a', bytes: 72 }]);
    expect(g.edge('a', 'b')?.tensors).toHaveLength(2);
    g.addOp({ ...op('add', [], []), id: 'd', name: 'd' });
    g.connect('a', 'd', t16(2));
    expect(g.successors('a')).toEqual(['b', 'd']);
    expect(g.outEdges('a')).toEqual([
      { to: 'b', bytes: 72 },
      { to: 'd', bytes: 4 },
    ]);
    expect(g.predecessors('d')).toEqual(['a']);
    expect(g.inEdges('d')).toEqual([{ from: 'a', bytes: 4 }]);
    expect(g.topologicalOrder()).toEqual(['a', 'b', 'c', 'd']);
    expect(g.edge('c', 'a')).toBeUndefined();
    // cached lists are dropped by every change
    expect([g.successors('b'), g.predecessors('c'), g.outEdges('b'), g.inEdges('c')]).toEqual([
      ['c'],
      ['b'],
      [{ to: 'c', bytes: 128 }],
      [{ from: 'b', bytes: 128 }],
    ]);
    g.addOp({ ...op('add', [], []), id: 'e', name: 'e' });
    g.connect('b', 'e', t16(8));
    g.connect('e', 'c', t16(8));
    expect([g.successors('b'), g.predecessors('c')]).toEqual([
      ['c', 'e'],
      ['b', 'e'],
    ]);
    expect(g.outEdges('b')).toEqual([
      { to: 'c', bytes: 128 },
      { to: 'e', bytes: 16 },
    ]);
    expect(g.inEdges('c')).toEqual([
      { from: 'b', bytes: 128 },
      { from: 'e', bytes: 16 },
    ]);
    // ready ops in insertion order: d (added before e) comes first once b is done
    expect(g.topologicalOrder()).toEqual(['a', 'b', 'd', 'e', 'c']);
  });

  it('refuses a duplicate id, an edge to an unknown op, a self-edge and an unknown op id', () => {
    const g = chain();
    expect(() => g.addOp({ ...op('add', [], []), id: 'a', name: 'x' })).toThrow(/duplicate op id 'a'/);
    expect(() => g.connect('a', 'nope', t16(1))).toThrow(/edge names unknown op 'nope'/);
    expect(() => g.connect('a', 'a', t16(1))).toThrow(/op 'a' cannot consume its own output/);
    expect(() => g.op('nope')).toThrow(UserError);
  });

  it('summarizes: parameters, activations, the KV cache, ops by kind', () => {
    const g = new OpGraph(meta);
    const kv = t16(1, 2, 4, 8);
    const cache = t16(1, 2, 10, 8);
    g.addOp({ ...op('kv_write', [kv], [cache]), id: 'w', name: 'w' });
    g.addOp({ ...op('kv_read', [cache], [kv]), id: 'r', name: 'r' });
    g.addOp({ ...op('linear', [t16(1, 4, 8)], [t16(1, 4, 8)], [t16(8, 8)]), id: 'l', name: 'l' });
    g.addOp({ ...op('linear', [t16(1, 4, 8)], [t16(1, 4, 8)], [t16(8, 8)], { tiedWeights: true }), id: 't', name: 't' });
    g.connect('w', 'r', kv);
    g.connect('r', 'l', kv);
    g.connect('l', 't', t16(1, 4, 8));
    const s = summarizeGraph(g);
    expect(s.ops).toBe(4);
    expect(s.parameters).toBe(64);
    expect(s.paramBytes).toBe(128);
    expect(s.kvCacheBytes).toBe(2 * 64 + 2 * 64);
    expect(s.activationBytes).toBe(2 * 160 + 2 * 64 + 2 * 32 + 2 * 32);
    expect(s.opsByKind).toEqual({ kv_write: 1, kv_read: 1, linear: 2 });
    expect(s.macs).toBe(2 * 4 * 8 * 8);
    expect(s.blocks).toBe(3);
    expect(s.articulationPoints).toBe(2);
    expect(s.distinctBlocks).toBeGreaterThanOrEqual(1);
  });
});

describe('MinHeap', () => {
  it('pops in order of its comparison, whatever the pushes (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { maxLength: 60 }), (xs) => {
        const h = new MinHeap<number>((a, b) => a - b);
        for (const x of xs) h.push(x);
        expect(h.size).toBe(xs.length);
        const out: number[] = [];
        for (let v = h.pop(); v !== undefined; v = h.pop()) out.push(v);
        expect(out).toEqual([...xs].sort((a, b) => a - b));
        expect(h.size).toBe(0);
        expect(h.pop()).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

describe('versioned JSON', () => {
  const g = new OpGraph(meta);
  g.addOp({ ...op('add', [t16(2)], [t16(2)]), id: 'a', name: 'a' });
  g.addOp({ ...op('add', [t16(2)], [t16(2)]), id: 'b', name: 'b' });
  g.connect('a', 'b', t16(2));

  it('refuses another format, a future version, a schema violation, a duplicate name and a cycle, naming the source', () => {
    const json = graphToJSON(g);
    expect(graphFromJSON(JSON.parse(JSON.stringify(json))).edges()).toEqual(g.edges());
    expect(() => graphFromJSON({ ...json, format: 'other' }, 'x.json')).toThrow(
      `x.json: not a LightCode op graph (expected "format": "${OPGRAPH_FORMAT}")`,
    );
    expect(() => graphFromJSON(null, 'x.json')).toThrow(/x.json: not a LightCode op graph/);
    expect(() => graphFromJSON({ ...json, version: 99 }, 'x.json')).toThrow(/x.json: format version 99 is not supported/);
    expect(() => graphFromJSON({ ...json, extra: 1 }, 'x.json')).toThrow(/^x.json: /);
    const data = graphToData(g);
    expect(() => graphFromData({ ...data, ops: data.ops.map((o) => ({ ...o, name: 'same' })) }, 'd')).toThrow(
      /d: duplicate op name 'same'/,
    );
    expect(() => graphFromData({ ...data, edges: [...data.edges, { from: 'b', to: 'a', tensors: [t16(2)] }] }, 'd')).toThrow(
      /d: the op graph has a cycle through op/,
    );
    expect(() => graphFromData({ ...data, ops: data.ops.map((o) => ({ ...o, kind: 'nope' as OpKind })) }, 'd')).toThrow(/^d: /);
  });
});

describe('stacked-graph helpers', () => {
  const cand = (latencyS: number, parts?: number): Candidate => ({
    device: 'd',
    target: 't',
    algorithm: 'a',
    latencyS,
    energy: {},
    energyJ: 0,
    ...(parts ? { parts } : {}),
  });

  it('spanS: latency x ceil(parts / min(parts, instances)) / parts; whole latency without parts or instances', () => {
    expect(spanS(cand(12, 4), 3)).toBe(6);
    expect(spanS(cand(12, 4), 4)).toBe(3);
    expect(spanS(cand(12, 4), 9)).toBe(3);
    expect(spanS(cand(12, 3), 3)).toBe(4);
    expect(spanS(cand(12, 4), 1)).toBe(12);
    expect(spanS(cand(12), 5)).toBe(12);
  });

  it('sumEnergy adds every kind', () => {
    expect(sumEnergy({ compute: 1, memory: 2.5, conversion: 0.5 })).toBe(4);
    expect(sumEnergy({})).toBe(0);
  });

  it('fusions: members in chain order, and a choice taking some members but not all is broken', () => {
    const f = (index: number): Candidate => ({ ...cand(1), fusion: { id: 'f', index, size: 2 } });
    const candidates = new Map<string, Candidate[]>([
      ['y', [cand(1), f(1)]],
      ['x', [f(0), cand(1)]],
    ]);
    expect(fusionMembers(candidates)).toEqual(
      new Map([
        [
          'f',
          [
            ['x', 0],
            ['y', 1],
          ],
        ],
      ]),
    );
    expect(
      brokenFusion(
        candidates,
        new Map([
          ['x', 0],
          ['y', 1],
        ]),
      ),
    ).toBeUndefined();
    expect(
      brokenFusion(
        candidates,
        new Map([
          ['x', 1],
          ['y', 0],
        ]),
      ),
    ).toBeUndefined();
    expect(
      brokenFusion(
        candidates,
        new Map([
          ['x', 0],
          ['y', 0],
        ]),
      ),
    ).toBe('f');
  });
});

describe('errors', () => {
  it('user errors exit 2, plugin errors name the plugin, and either is recognized across copies by its exit code', () => {
    const u = new UserError('bad flag');
    expect([u.name, u.exitCode, u.message]).toEqual(['UserError', 2, 'bad flag']);
    const p = new PluginError('ptu', 'broke', 1);
    expect([p.name, p.exitCode, p.message, p.pluginId]).toEqual(['PluginError', 1, "plugin 'ptu': broke", 'ptu']);
    expect(new PluginError('x', 'y').exitCode).toBe(2);
    expect(new LightcodeError('z').name).toBe('LightcodeError');
    expect(isLightcodeError(u)).toBe(true);
    expect(isLightcodeError(Object.assign(new Error('copy'), { exitCode: 2 }))).toBe(true);
    expect(isLightcodeError(new Error('plain'))).toBe(false);
    expect(isLightcodeError({ exitCode: 2, message: 'not an error' })).toBe(false);
  });
});
