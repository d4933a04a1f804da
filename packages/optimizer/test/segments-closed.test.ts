import type { MilpProblem, MilpResult, SolverPlugin } from '@lightcode/cost-model';
import { PluginError } from '@lightcode/ir';
import {
  blockTree,
  planSelection,
  relaxedCost,
  scheduleSegment,
  segmentBound,
  segmentsOf,
  selectionBound,
  solveMilp,
} from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { reaches } from '../src/model/block-tree.js';
import { firstChoice, firstOf, graphOf, handMade } from './hand-made.js';

/*
 * The block-cut tree and the segments it cuts a graph into, on hand-drawn
 * graphs; the selection bound (sum of segment bounds vs the relaxation); and
 * how a MILP solver plugin's bad answers are named.
 */

const names = (sg: ReturnType<typeof graphOf>, ids: readonly string[]) => ids.map((id) => sg.graph.op(id).name);

describe('blockTree: biconnected blocks rooted at the first op', () => {
  it('a triangle is one block; two separate edges are not connected; both are one segment, saying why', () => {
    const tri = graphOf(3, [
      [0, 1],
      [1, 2],
      [0, 2],
    ]);
    expect(blockTree(tri)).toBe('the graph is one block');
    expect(segmentsOf(tri).whole).toBe('the graph is one block');
    expect(segmentsOf(tri).segments.map((s) => s.ops)).toEqual([['o0', 'o1', 'o2']]);
    const apart = graphOf(4, [
      [0, 1],
      [2, 3],
    ]);
    expect(blockTree(apart)).toBe('the graph is not connected');
    expect(segmentsOf(apart).whole).toBe('the graph is not connected');
    expect(segmentsOf(apart).segments).toHaveLength(1);
  });

  it("a chain o0 - o1 - o2 - o3: three spine blocks, each entered at the last one's exit", () => {
    const sg = graphOf(4, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const tree = blockTree(sg);
    if (typeof tree === 'string') throw new Error(tree);
    expect(tree.map((b) => [[...b.ops].sort(), b.cuts, b.entry, b.exit, b.spine, b.parent])).toEqual([
      [['o0', 'o1'], ['o1'], undefined, 'o1', true, -1],
      [['o1', 'o2'], ['o1', 'o2'], 'o1', 'o2', true, 0],
      [['o2', 'o3'], ['o2'], 'o2', undefined, true, 1],
    ]);
    // the root has no entry and the last spine block no exit: absent, not undefined
    expect('entry' in (tree[0] ?? {})).toBe(false);
    expect('exit' in (tree[2] ?? {})).toBe(false);
  });

  it('a leaf off the chain is a side block, child of the first block holding its articulation op', () => {
    // o0 - o1 - o2 spine; o1 -> o3 a leaf
    const sg = graphOf(4, [
      [0, 1],
      [1, 2],
      [1, 3],
    ]);
    // the last op in topological order decides the spine: make o2 last by giving it a later id's edge
    const tree = blockTree(sg);
    if (typeof tree === 'string') throw new Error(tree);
    const last = sg.graph.topologicalOrder().at(-1) as string;
    const side = tree.filter((b) => !b.spine);
    expect(side).toHaveLength(1);
    expect(side[0]?.parent).toBe(0);
    expect(side[0]?.entry).toBe('o1');
    expect(side[0]?.ops).not.toContain(last);
  });

  it('a spine block whose exit its entry does not reach is refused, naming the exit', () => {
    // o0 -> o1; block {o1, o2, o3}: o3 -> o1, o3 -> o2, o1 -> o2; o3 -> o4 leaves the block at o3, which o1 does not reach
    const sg = graphOf(5, [
      [0, 1],
      [3, 1],
      [3, 2],
      [1, 2],
      [3, 4],
    ]);
    const order = sg.graph.topologicalOrder();
    expect(order.at(0)).toBe('o0');
    expect(order.at(-1)).toBe('o4');
    expect(blockTree(sg)).toBe("block exit 'op3' is not reached from its entry");
    expect(segmentsOf(sg).segments).toHaveLength(1);
  });

  it('reaches: forward inside the block only', () => {
    const sg = graphOf(4, [
      [0, 1],
      [1, 2],
      [0, 2],
      [2, 3],
    ]);
    const b = { ops: ['o0', 'o1', 'o2'], cuts: ['o2'], spine: true, parent: -1 };
    expect(reaches(sg, b, 'o0', 'o2')).toBe(true);
    expect(reaches(sg, b, 'o1', 'o2')).toBe(true);
    expect(reaches(sg, b, 'o2', 'o0')).toBe(false);
    expect(reaches(sg, b, 'o1', 'o0')).toBe(false);
    // o3 is outside the block
    expect(reaches(sg, b, 'o0', 'o3')).toBe(false);
    expect(reaches(sg, b, 'o2', 'o2')).toBe(true);
  });
});

describe('segmentsOf: spine blocks with their side blocks, by position', () => {
  it('a chain: segments [o0 o1], [o1 o2], [o2 o3], the shared op the exit of one and the entry of the next', () => {
    const sg = graphOf(4, [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
    const { segments, whole } = segmentsOf(sg);
    expect(whole).toBeUndefined();
    expect(segments.map((s) => [s.ops, s.entry, s.exit])).toEqual([
      [['o0', 'o1'], -1, 1],
      [['o1', 'o2'], 0, 1],
      [['o2', 'o3'], 0, -1],
    ]);
    expect(segments.map((s) => [s.preds, s.succs])).toEqual([
      [
        [[], [[0, 1]]],
        [[[1, 1]], []],
      ],
      [
        [[], [[0, 1]]],
        [[[1, 1]], []],
      ],
      [
        [[], [[0, 1]]],
        [[[1, 1]], []],
      ],
    ]);
    expect(segmentsOf(sg)).toBe(segmentsOf(sg));
  });

  it('a leaf reading the shared op o1 runs in the later segment; one feeding it, in the earlier', () => {
    const reads = graphOf(4, [
      [0, 1],
      [1, 2],
      [1, 3],
    ]);
    // o2 and o3 are both sinks; whichever is last, the leaf reading o1 is not in the first segment
    const r = segmentsOf(reads).segments;
    expect(r).toHaveLength(2);
    expect(r[0]?.ops).toEqual(['o0', 'o1']);
    expect([...(r[1]?.ops ?? [])].sort()).toEqual(['o1', 'o2', 'o3']);
    // o3 -> o1 (a source feeding the articulation op, as the position embedding does)
    const feeds = graphOf(4, [
      [0, 1],
      [1, 2],
      [3, 1],
    ]);
    const f = segmentsOf(feeds).segments;
    expect(f.map((s) => [...s.ops].sort())).toEqual([
      ['o0', 'o1', 'o3'],
      ['o1', 'o2'],
    ]);
    // the source o3 is not reached from the first segment's... (no entry: every op of the first segment counts from the start)
    expect(f[0]?.anchored).toEqual(f[0]?.ops.map(() => true));
  });

  it('a side subtree two blocks deep (o1 -> o2 -> o3) goes whole with the block it hangs off', () => {
    // spine o0 - o1 - o4 (o4 last in topological order)
    const sg = graphOf(5, [
      [0, 1],
      [1, 2],
      [2, 3],
      [1, 4],
    ]);
    expect(sg.graph.topologicalOrder().at(-1)).toBe('o4');
    const s = segmentsOf(sg).segments;
    expect(s.map((x) => [...x.ops].sort())).toEqual([
      ['o0', 'o1'],
      ['o1', 'o2', 'o3', 'o4'],
    ]);
  });

  it('a sink inside a block that does not reach its exit is not anchored; the entry is', () => {
    // block {o0 o1 o2 o3}: o0 -> o1 -> o2, o0 -> o2, o0 -> o3, o1 -> o3 (o3 a sink, as the KV-cache write); o2 -> o4
    const sg = graphOf(5, [
      [0, 1],
      [1, 2],
      [0, 2],
      [0, 3],
      [1, 3],
      [2, 4],
    ]);
    const s = segmentsOf(sg).segments;
    expect(s.map((x) => [x.ops, x.entry, x.exit, x.anchored])).toEqual([
      [['o0', 'o1', 'o2', 'o3'], -1, 2, [true, true, true, false]],
      [['o2', 'o4'], 0, -1, [true, true]],
    ]);
  });

  it('an op the entry does not reach (a source inside a later block) is not anchored', () => {
    // o0 -> o1; block {o1 o2 o3}: o1 -> o3, o2 -> o3, o1 -> o2? no: o2 a source feeding o3 and o1 -> o3, o2 -> ... needs a cycle: o2 -> o1 makes o2 feed o1
    // block {o1 o2 o3 o4}: o1 -> o3, o2 -> o3, o2 -> o4, o3 -> o4; o4 last
    const sg = graphOf(5, [
      [0, 1],
      [1, 3],
      [2, 3],
      [2, 4],
      [3, 4],
      [1, 4],
    ]);
    const s = segmentsOf(sg).segments;
    const last = s.at(-1);
    const ops = last?.ops ?? [];
    const anchoredIds = ops.filter((_, i) => last?.anchored[i]);
    expect([...anchoredIds].sort()).toEqual(['o1', 'o3', 'o4']);
    expect(
      names(
        sg,
        ops.filter((_, i) => !last?.anchored[i]),
      ),
    ).toEqual(['op2']);
  });
});

describe('segment details', () => {
  it('a source feeding the articulation op joins the first segment, ops kept in topological order', () => {
    // o0 -> o1 -> o2 and o3 -> o1: the first segment holds o0, o3, o1 in topological order, o1 (its exit) last
    const sg = graphOf(4, [
      [0, 1],
      [1, 2],
      [3, 1],
    ]);
    const order = sg.graph.topologicalOrder();
    const [first] = segmentsOf(sg).segments;
    const expected = order.filter((id) => ['o0', 'o1', 'o3'].includes(id));
    expect(first?.ops).toEqual(expected);
    expect(expected.at(-1)).toBe('o1');
    expect(first?.exit).toBe(2);
    expect(first?.preds[2]?.map(([p]) => first.ops[p]).sort()).toEqual(['o0', 'o3']);
  });

  it('an op feeding only the dangling sink is not anchored either', () => {
    // block {o0 o1 o2 o3 o4}: o0 -> o1 -> o2 (exit), o0 -> o2, o0 -> o3 -> o4, o1 -> o4 (o4 a sink); o2 -> o5
    const sg = graphOf(6, [
      [0, 1],
      [1, 2],
      [0, 2],
      [0, 3],
      [3, 4],
      [1, 4],
      [2, 5],
    ]);
    const [first] = segmentsOf(sg).segments;
    expect(first?.ops).toEqual(['o0', 'o1', 'o2', 'o3', 'o4']);
    expect(first?.exit).toBe(2);
    expect(first?.anchored).toEqual([true, true, true, false, false]);
  });
});

describe('a long sink off the spine: the window holds it, the bound counts only the anchored ops', () => {
  // one instance of d0; o0 1, o1 2, o2 3 on the spine block's path, o3 (100 s) a sink in that block; o2 -> o4 (4 s)
  const sinky = () =>
    handMade(
      [
        [0, 1, 1],
        [0, 2, 1],
        [0, 3, 1],
        [0, 100, 1],
        [0, 4, 1],
      ],
      [
        [0, 1, 0],
        [1, 2, 0],
        [0, 2, 0],
        [0, 3, 0],
        [1, 3, 0],
        [2, 4, 0],
      ],
      [1],
    );

  it('first window: 1 + 2 + 3 + 100 = 106 on one instance; its bound 1 + 2 + 3 = 6, proven by the anchored ops alone', () => {
    const sg = sinky();
    const [first, second] = segmentsOf(sg).segments;
    if (!first || !second) throw new Error('two segments expected');
    const pick = firstOf(sg);
    const cands = first.ops.map(pick);
    expect(segmentBound(sg, first, cands)).toBe(6);
    expect(scheduleSegment(sg, first, cands)).toMatchObject({ makespanS: 106, boundS: 6, exact: true });
    expect(segmentBound(sg, second, second.ops.map(pick))).toBe(4);
    expect(planSelection(sg, pick).windows).toEqual([
      { startS: 0, makespanS: 106 },
      { startS: 106, makespanS: 4 },
    ]);
  });

  it("selectionBound: the relaxation (load 110 on one instance) beats the segments' 6 + 4", () => {
    const sg = sinky();
    expect(relaxedCost(sg, firstChoice(sg)).latencyS).toBe(110);
    expect(selectionBound(sg, firstChoice(sg))).toEqual({ latencyS: 110, energyJ: 5 });
  });
});

describe('selectionBound: segments run one after another', () => {
  it('two diamonds, d0-heavy then d1-heavy: segments 1 + 8 + 1 and 8 + 1 = 19 beat the relaxation (path 11, loads 9 and 10)', () => {
    // a (d1, 1) -> b, c (d0, 4 each) -> m (d1, 1) -> e, f (d1, 4 each) -> z (d0, 1); one instance each; static 1 W and 2 W
    const sg = handMade(
      [
        [1, 1, 1],
        [0, 4, 1],
        [0, 4, 1],
        [1, 1, 1],
        [1, 4, 1],
        [1, 4, 1],
        [0, 1, 1],
      ],
      [
        [0, 1, 0],
        [0, 2, 0],
        [1, 3, 0],
        [2, 3, 0],
        [3, 4, 0],
        [3, 5, 0],
        [4, 6, 0],
        [5, 6, 0],
      ],
      [1, 1],
      [1, 2],
    );
    const ch = firstChoice(sg);
    const r = relaxedCost(sg, ch);
    expect([r.criticalPathS, r.loadBoundS, r.latencyS]).toEqual([11, 10, 11]);
    // energy: 7 J dynamic + (1 + 2) W x 19 s
    expect(selectionBound(sg, ch)).toEqual({ latencyS: 19, energyJ: 7 + 3 * 19 });
    expect(planSelection(sg, firstOf(sg)).makespanS).toBe(19);
  });
});

describe('solveMilp: a solver plugin is named when it fails', () => {
  const problem: MilpProblem = { sense: 'minimize', variables: [], rows: [] };
  const plugin = (solve: SolverPlugin['solve']): SolverPlugin => ({ kind: 'solver', id: 'fake', name: 'Fake', description: 'test', solve });

  it('passes a positive time limit, and none for 0 or undefined; returns the plugin and its answer', async () => {
    const seen: unknown[] = [];
    const ok: MilpResult = { status: 'optimal', objective: 2, bound: 2, values: [1, 0] };
    const p = plugin((_, o) => {
      seen.push(o);
      return ok;
    });
    let picked: MilpProblem | undefined;
    const r = await solveMilp(
      (q) => {
        picked = q;
        return p;
      },
      problem,
      3,
    );
    expect(picked).toBe(problem);
    expect(r.solver).toBe(p);
    expect(r.result).toBe(ok);
    await solveMilp(() => p, problem, 0);
    await solveMilp(() => p, problem);
    await solveMilp(() => p, problem, -1);
    expect(seen).toEqual([{ timeLimitS: 3 }, {}, {}, {}]);
  });

  it('a plugin that throws: "solve() failed: <its message>", a PluginError with exit code 1', async () => {
    const e = await solveMilp(
      () =>
        plugin(() => {
          throw new Error('wasm trap');
        }),
      problem,
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PluginError);
    expect((e as PluginError).message).toBe("plugin 'fake': solve() failed: wasm trap");
    expect((e as PluginError).exitCode).toBe(1);
    expect((e as PluginError).pluginId).toBe('fake');
    const s = await solveMilp(
      () =>
        plugin(() => {
          throw 'a string';
        }),
      problem,
    ).catch((x: unknown) => x);
    // a thrown non-Error has no message: shown as itself
    expect((s as Error).message).toBe("plugin 'fake': solve() failed: a string");
    const nothing = await solveMilp(
      () =>
        plugin(() => {
          throw null;
        }),
      problem,
    ).catch((x: unknown) => x);
    expect(nothing).toBeInstanceOf(PluginError);
    expect((nothing as Error).message).toBe("plugin 'fake': solve() failed: null");
    const rejected = await solveMilp(() => plugin(() => Promise.reject(new Error('async'))), problem).catch((x: unknown) => x);
    expect((rejected as Error).message).toBe("plugin 'fake': solve() failed: async");
  });

  it('unbounded is refused: a selection MILP cannot be', async () => {
    const e = await solveMilp(() => plugin(() => ({ status: 'unbounded' })), problem).catch((x: unknown) => x);
    expect((e as PluginError).message).toBe("plugin 'fake': reported a selection MILP unbounded, which it cannot be");
    expect((e as PluginError).exitCode).toBe(1);
  });

  it('a number that is not finite, in the objective, the bound or any value, is named', async () => {
    const cases: [MilpResult, string][] = [
      [{ status: 'optimal', objective: Number.NaN, values: [1] }, 'NaN'],
      [{ status: 'optimal', objective: 1, bound: Number.NEGATIVE_INFINITY, values: [1] }, '-Infinity'],
      [{ status: 'feasible', objective: 1, values: [0, Number.POSITIVE_INFINITY] }, 'Infinity'],
    ];
    for (const [answer, shown] of cases) {
      const e = await solveMilp(() => plugin(() => answer), problem).catch((x: unknown) => x);
      expect((e as PluginError).message).toBe(`plugin 'fake': solve() answered ${shown}, not a finite number`);
      expect((e as PluginError).exitCode).toBe(1);
    }
    // absent numbers are fine (an infeasible answer has none)
    const none = await solveMilp(() => plugin(() => ({ status: 'infeasible' })), problem);
    expect(none.result.status).toBe('infeasible');
  });
});
