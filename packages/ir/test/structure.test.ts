import {
  biconnectedBlocks,
  blockSignature,
  type Candidate,
  GraphBuilder,
  LightcodeError,
  type ModelMeta,
  OpGraph,
  type OpKind,
  PluginError,
  spanS,
  summarizeGraph,
  type TensorSpec,
  tensor,
  UserError,
} from '@lightcode/ir';
import { describe, expect, it } from 'vitest';

/*
 * The graph's structure beyond its arithmetic: the order blocks come in,
 * what makes two blocks' signatures differ, the op a cycle error names, the
 * caches that make repeated reads free, the edges the builder merges, the
 * details errors carry, and a candidate's span on one instance.
 */

const meta: ModelMeta = { id: 's', family: 's', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp16', layers: 0 };
const t2 = tensor([2], 'fp16');

function graph(kinds: readonly OpKind[], pairs: readonly (readonly [number, number, TensorSpec?])[]): OpGraph {
  const g = new OpGraph(meta);
  for (const [i, kind] of kinds.entries()) {
    g.addOp({ id: `o${i}`, name: `op${i}`, kind, layer: i, inputs: [t2], outputs: [t2], weights: [], attrs: {} });
  }
  for (const [a, b, t] of pairs) g.connect(`o${a}`, `o${b}`, t ?? t2);
  return g;
}

describe('biconnected blocks', () => {
  it('orders blocks by their first op, and blocks starting at one op by size, smallest first', () => {
    // o0 is on a triangle (o0 o1 o2), a bridge to o3 and a 4-cycle (o0 o4 o5 o6); depth-first search finds the triangle first
    const g = graph(
      ['add', 'add', 'add', 'add', 'add', 'add', 'add'],
      [
        [0, 1],
        [1, 2],
        [0, 2],
        [0, 3],
        [0, 4],
        [4, 5],
        [5, 6],
        [0, 6],
      ],
    );
    const d = biconnectedBlocks(g);
    expect(d.blocks).toEqual([
      ['o0', 'o3'],
      ['o0', 'o1', 'o2'],
      ['o0', 'o4', 'o5', 'o6'],
    ]);
    expect(d.articulationPoints).toEqual(['o0']);
  });

  it('an op without edges is a block of its own', () => {
    const d = biconnectedBlocks(graph(['add', 'gelu', 'add'], [[0, 2]]));
    expect(d.blocks).toEqual([['o0', 'o2'], ['o1']]);
    expect(d.articulationPoints).toEqual([]);
  });
});

describe('block signatures', () => {
  // two diamonds o0..o3 and o3..o6, joined at o3
  const diamonds = (kinds: readonly OpKind[], second?: TensorSpec) =>
    graph(kinds, [
      [0, 1],
      [0, 2],
      [1, 3],
      [2, 3],
      [3, 4],
      [3, 5],
      [4, 6, second],
      [5, 6],
    ]);
  const same: OpKind[] = ['add', 'add', 'add', 'add', 'add', 'add', 'add'];
  const signatures = (g: OpGraph) => biconnectedBlocks(g).blocks.map((b) => blockSignature(g, b));

  it('isomorphic blocks share a signature whatever their names and layers', () => {
    const [a, b] = signatures(diamonds(same));
    expect(a).toBe(b);
  });

  it('differ when an op of one is of another kind', () => {
    const [a, b] = signatures(diamonds(['add', 'add', 'add', 'add', 'mul', 'add', 'add']));
    expect(a).not.toBe(b);
  });

  it('differ when an internal edge carries other bytes', () => {
    const [a, b] = signatures(diamonds(same, tensor([4], 'fp16')));
    expect(a).not.toBe(b);
  });

  it('differ when the edges inside differ though the ops are alike', () => {
    const chainOfFour = graph(
      ['add', 'add', 'add', 'add'],
      [
        [0, 1],
        [1, 2],
        [2, 3],
        [0, 3],
      ],
    );
    const chordedOfFour = graph(
      ['add', 'add', 'add', 'add'],
      [
        [0, 1],
        [1, 2],
        [2, 3],
        [0, 3],
        [0, 2],
      ],
    );
    expect(blockSignature(chainOfFour, ['o0', 'o1', 'o2', 'o3'])).not.toBe(blockSignature(chordedOfFour, ['o0', 'o1', 'o2', 'o3']));
    // and alike when both are the same cycle
    expect(blockSignature(chainOfFour, ['o0', 'o1', 'o2', 'o3'])).toBe(
      blockSignature(
        graph(
          ['add', 'add', 'add', 'add'],
          [
            [0, 1],
            [1, 2],
            [2, 3],
            [0, 3],
          ],
        ),
        ['o0', 'o1', 'o2', 'o3'],
      ),
    );
  });

  it('see ops added after a first signature was taken', () => {
    const g = graph(['add', 'add'], [[0, 1]]);
    const first = blockSignature(g, ['o0', 'o1']);
    g.addOp({ id: 'x', name: 'x', kind: 'gelu', layer: 0, inputs: [t2], outputs: [t2], weights: [], attrs: {} });
    g.addOp({ id: 'y', name: 'y', kind: 'softmax', layer: 0, inputs: [t2], outputs: [t2], weights: [], attrs: {} });
    expect(blockSignature(g, ['x'])).not.toBe(blockSignature(g, ['y']));
    expect(blockSignature(g, ['o0', 'o1'])).toBe(first);
  });

  it('a summary counts blocks distinct up to isomorphism', () => {
    // two alike diamonds and a bridge
    const g = graph(
      ['add', 'add', 'add', 'add', 'add', 'add', 'add', 'gelu'],
      [
        [0, 1],
        [0, 2],
        [1, 3],
        [2, 3],
        [3, 4],
        [3, 5],
        [4, 6],
        [5, 6],
        [6, 7],
      ],
    );
    const s = summarizeGraph(g);
    expect([s.blocks, s.articulationPoints, s.distinctBlocks]).toEqual([3, 2, 2]);
  });
});

describe('OpGraph bookkeeping', () => {
  it('names the first op still waiting on a cycle, in insertion order', () => {
    // o0 feeds o1; o1 and o2 feed each other
    const g = graph(
      ['add', 'add', 'add'],
      [
        [0, 1],
        [1, 2],
        [2, 1],
      ],
    );
    expect(() => g.topologicalOrder()).toThrow(new UserError("the op graph has a cycle through op 'o1'"));
  });

  it('names an unknown op', () => {
    expect(() => graph(['add'], []).op('nope')).toThrow(new UserError("unknown op 'nope'"));
  });

  it('answers repeated reads from its caches until the graph changes', () => {
    const g = graph(
      ['add', 'add', 'add'],
      [
        [0, 1],
        [1, 2],
      ],
    );
    const order = g.topologicalOrder();
    expect(g.topologicalOrder()).toBe(order);
    expect(g.predecessors('o1')).toBe(g.predecessors('o1'));
    expect(g.successors('o1')).toBe(g.successors('o1'));
    expect(g.inEdges('o1')).toBe(g.inEdges('o1'));
    expect(g.outEdges('o1')).toBe(g.outEdges('o1'));
    expect(g.arithmetic('o1')).toBe(g.arithmetic('o1'));
    g.connect('o0', 'o2', t2);
    expect(g.topologicalOrder()).not.toBe(order);
    expect(g.topologicalOrder()).toEqual(['o0', 'o1', 'o2']);
  });
});

describe('GraphBuilder', () => {
  it('merges two feeds from one producer into one edge with both tensors, and keeps other producers apart', () => {
    const b = new GraphBuilder(meta);
    const x = tensor([1, 4], 'fp16');
    const y = tensor([1, 8], 'fp16');
    const p = b.add({ name: 'p', kind: 'add', layer: 0, inputs: [], outputs: [x, y] });
    const q = b.add({ name: 'q', kind: 'add', layer: 0, inputs: [], outputs: [x] });
    const c = b.add({ name: 'c', kind: 'add', layer: 0, inputs: [x, y, x], outputs: [x] }, [
      [p, x],
      [q, x],
      [p, y],
    ]);
    const d = b.build();
    expect(d.edges).toEqual([
      { from: p, to: c, tensors: [x, y] },
      { from: q, to: c, tensors: [x] },
    ]);
    expect([p, q, c]).toEqual(['0', '1', '2']);
    expect(d.ops[0]).toMatchObject({ weights: [], attrs: {} });
  });
});

describe('errors carry their details', () => {
  it('a code, the option and the cause when given', () => {
    const cause = new Error('disk full');
    const e = new UserError('cannot write the plan', { code: 'E_WRITE', option: 'out', cause });
    expect([e.code, e.option, e.cause, e.exitCode]).toEqual(['E_WRITE', 'out', cause, 2]);
    const p = new PluginError('gpu', 'no device', 1, { code: 'E_NO_DEVICE' });
    expect([p.code, p.option, p.message]).toEqual(['E_NO_DEVICE', undefined, "plugin 'gpu': no device"]);
  });

  it('none of them when not given, and no cause at all (not even an undefined one)', () => {
    const e = new LightcodeError('plain', 1);
    expect([e.code, e.option, 'cause' in e, e.exitCode]).toEqual([undefined, undefined, false, 1]);
    const u = new UserError('plain', {});
    expect([u.code, u.option, 'cause' in u]).toEqual([undefined, undefined, false]);
  });

  it('a cause that is falsy but given is kept', () => {
    expect(new UserError('x', { cause: 0 }).cause).toBe(0);
    expect(new UserError('x', { code: '' }).code).toBe('');
    expect(new UserError('x', { option: '' }).option).toBe('');
  });
});

describe('spanS on one instance', () => {
  const cand = (latencyS: number, parts: number): Candidate => ({
    device: 'd',
    target: 't',
    algorithm: 'a',
    latencyS,
    energy: {},
    energyJ: 0,
    parts,
  });

  it('is the latency exactly: all parts run one after another on it', () => {
    // latency x parts / parts would round: 0.1 x 3 / 3 = 0.10000000000000002
    expect((0.1 * 3) / 3).not.toBe(0.1);
    expect(spanS(cand(0.1, 3), 1)).toBe(0.1);
    expect(spanS(cand(0.1, 3), 2)).toBe((0.1 * 2) / 3);
  });
});
