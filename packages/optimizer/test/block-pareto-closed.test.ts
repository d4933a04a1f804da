import type { StackedGraph } from '@lightcode/ir';
import { blockTree, type Dims } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TreeBlock } from '../src/model/block-tree.js';
import {
  BLOCK_ENUMERATION_LIMIT,
  blockPareto,
  branchGroups,
  type Folded,
  foldDominates,
  foldedPoints,
} from '../src/relaxation/block-pareto.js';
import { type BlockPoint, blockContext, blockPoint, paretoFilter, samePicks, wholeFusions } from '../src/relaxation/block-points.js';
import { fuse, handMade } from './hand-made.js';
import { type BranchBlock, branchBlock, stackedFrom } from './random-stacked.js';

/*
 * A block's Pareto points by folding its interchangeable parallel branches,
 * against the definition: the branches are exactly the repeated heads, and
 * the folded points are real selections, priced as whole-block selections,
 * whose front is the front of every selection of the block enumerated.
 */

const BOTH: Dims = { time: true, energy: true };
const DIMS: readonly Dims[] = [BOTH, { time: true, energy: false }, { time: false, energy: true }];

/**
 * The block holding op `o${op}`, and whether it is the last spine block (as
 * the relaxation by blocks decides); a graph of one block is that block.
 */
function blockOf(sg: StackedGraph, op: number): { b: TreeBlock; last: boolean } {
  const tree = blockTree(sg);
  if (tree === 'the graph is one block') return { b: { ops: sg.graph.topologicalOrder(), cuts: [], spine: true, parent: -1 }, last: true };
  if (typeof tree === 'string') throw new Error(tree);
  const at = tree.findIndex((b) => b.ops.includes(`o${op}`));
  const spineLast = tree.findLastIndex((b) => b.spine);
  return { b: tree[at] as (typeof tree)[number], last: at === spineLast };
}

/** Whether p is at least as good as q in every component `dims` counts (within rounding), on the same articulation picks. */
function noWorse(p: BlockPoint, q: BlockPoint, withDelay: boolean, dims: Dims): boolean {
  const le = (x: number, y: number) => x <= y + 1e-9 * Math.max(1, Math.abs(y));
  if (!samePicks(p, q)) return false;
  if (dims.energy && !le(p.energyJ, q.energyJ)) return false;
  if (!dims.time) return true;
  if (withDelay && !le(p.delayS, q.delayS)) return false;
  return p.loads.every((x, i) => le(x, q.loads[i] as number));
}

/** The candidate lists of a branch block's roles, as the candidates they become (a part count of 1 is no parts). */
function roleLists(bb: BranchBlock): string[] {
  const { c, heads, consumer } = bb;
  const key = (op: number) => JSON.stringify((c.cands[op] ?? []).map((t) => (t[3] && t[3] > 1 ? t : t.slice(0, 3))));
  const roles = [0, 1, consumer, ...(heads[0] as number[]), ...(c.n > consumer + 1 ? [consumer + 1] : [])];
  // the shared producer, when there is one, sits between the producer and the first head
  if ((heads[0]?.[0] as number) > 2) roles.push(2);
  return roles.map(key);
}

describe('foldDominates: a multiset of branch selections no worse in every component that matters', () => {
  const a: Folded = { arrive: [1, 2], finish: 3, loads: [1, 1], energyJ: 5, counts: [] };
  const worse = {
    energy: { ...a, energyJ: 6 },
    finish: { ...a, finish: 4 },
    'first arrival': { ...a, arrive: [2, 2] },
    'last arrival': { ...a, arrive: [1, 3] },
    'first load': { ...a, loads: [2, 1] },
    'last load': { ...a, loads: [1, 2] },
  };
  it('an equal one dominates, in every choice of dimensions', () => {
    for (const dims of DIMS) expect(foldDominates(a, { ...a }, dims)).toBe(true);
  });
  it('time and energy: worse in any one component, it does not dominate; better, it does', () => {
    for (const w of Object.values(worse)) {
      expect(foldDominates(w, a, BOTH)).toBe(false);
      expect(foldDominates(a, w, BOTH)).toBe(true);
    }
  });
  it('time alone: energy is ignored, every time component still counts', () => {
    const dims = { time: true, energy: false };
    expect(foldDominates(worse.energy, a, dims)).toBe(true);
    for (const [k, w] of Object.entries(worse)) if (k !== 'energy') expect(foldDominates(w, a, dims)).toBe(false);
  });
  it('energy alone: only energy counts', () => {
    const dims = { time: false, energy: true };
    expect(foldDominates(worse.energy, a, dims)).toBe(false);
    for (const [k, w] of Object.entries(worse)) if (k !== 'energy') expect(foldDominates(w, a, dims)).toBe(true);
  });
});

describe('branchGroups: the interchangeable branches of a block', () => {
  it('are exactly the heads, one group joined at the consumer; everything else is outer (property)', () => {
    let checked = 0;
    fc.assert(
      fc.property(branchBlock(true), (bb) => {
        // a role sharing a candidate list with another would make it look repeated too
        const lists = roleLists(bb);
        fc.pre(new Set(lists).size === lists.length);
        checked++;
        const sg = stackedFrom(bb.c);
        const { b, last } = blockOf(sg, bb.consumer);
        const ctx = blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH);
        const pos = (op: number) => b.ops.indexOf(`o${op}`);
        const branches = bb.heads.map((h) => h.map(pos).sort((x, y) => x - y)).sort((x, y) => (x[0] as number) - (y[0] as number));
        const grouped = new Set(branches.flat());
        expect(branchGroups(ctx)).toEqual({
          groups: [{ branches, consumers: [pos(bb.consumer)] }],
          outer: b.ops.map((_, i) => i).filter((i) => !grouped.has(i)),
        });
      }),
      { numRuns: 150, seed: 7 },
    );
    expect(checked).toBeGreaterThan(100);
  });

  // o0 feeds heads o1, o2 (alike) which join at o3; o3 feeds heads o4, o5 (alike) which join at o6; o0 -> o6 keeps it one block
  const twoStages = () =>
    handMade(
      [
        [0, 1, 1],
        [
          [0, 2, 2],
          [1, 1, 3],
        ],
        [
          [0, 2, 2],
          [1, 1, 3],
        ],
        [0, 5, 1],
        [
          [0, 4, 1],
          [1, 2, 2],
        ],
        [
          [0, 4, 1],
          [1, 2, 2],
        ],
        [0, 6, 1],
      ],
      [
        [0, 1, 100],
        [0, 2, 100],
        [1, 3, 100],
        [2, 3, 100],
        [3, 4, 100],
        [3, 5, 100],
        [4, 6, 100],
        [5, 6, 100],
        [0, 6, 100],
      ],
      [1, 1],
    );

  it('two groups in series: only the downstream one folds (the upstream one must be placed before it can be priced)', () => {
    const sg = twoStages();
    const { b, last } = blockOf(sg, 0);
    expect(b.ops).toHaveLength(7);
    const ctx = blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH);
    const pos = (op: number) => b.ops.indexOf(`o${op}`);
    expect(branchGroups(ctx)).toEqual({
      groups: [{ branches: [[pos(4)], [pos(5)]].sort((x, y) => (x[0] as number) - (y[0] as number)), consumers: [pos(6)] }],
      outer: [0, 1, 2, 3, 4, 5, 6]
        .map(pos)
        .filter((p) => p !== pos(4) && p !== pos(5))
        .sort((x, y) => x - y),
    });
  });

  it('heads fed by different producers are not interchangeable: no groups', () => {
    // o0 -> o1, o2 (distinct producers); o1 -> o3, o2 -> o4 (alike heads); o3, o4 -> o5
    const head: [number, number, number][] = [
      [0, 2, 2],
      [1, 1, 3],
    ];
    const sg = handMade(
      [[0, 1, 1], [0, 1, 2], [1, 1, 2], head, head, [0, 5, 1]],
      [
        [0, 1, 100],
        [0, 2, 100],
        [1, 3, 100],
        [2, 4, 100],
        [3, 5, 100],
        [4, 5, 100],
      ],
      [1, 1],
    );
    const { b, last } = blockOf(sg, 0);
    expect(branchGroups(blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH))).toBeUndefined();
  });

  it(`outer ops or a branch with more than ${BLOCK_ENUMERATION_LIMIT} selections: not folded`, () => {
    // o0 -> heads o1, o2 -> o3, beside a chain of 16 two-candidate ops from o0 to o3 (2^16 outer selections)
    const two = (k: number): [number, number, number][] => [
      [0, k, 1],
      [1, 1, k],
    ];
    const wide = handMade(
      [[0, 1, 1], two(2), two(2), ...Array.from({ length: 16 }, (_, k) => two(k + 3)), [0, 1, 1]],
      [
        [0, 1, 100],
        [0, 2, 100],
        [1, 19, 100],
        [2, 19, 100],
        [0, 3, 100],
        ...Array.from({ length: 15 }, (_, k) => [k + 3, k + 4, 100] as const),
        [18, 19, 100],
      ],
      [1, 1],
    );
    const w = blockOf(wide, 0);
    const ctx = blockContext(wide, w.b, w.last, Number.POSITIVE_INFINITY, BOTH);
    expect(branchGroups(ctx)?.groups).toHaveLength(1);
    expect(foldedPoints(ctx)).toBeUndefined();
    // o0 -> two heads of 16 two-candidate ops each -> o33
    const chainOf = (from: number) => Array.from({ length: 15 }, (_, k) => [from + k, from + k + 1, 100] as const);
    const long = handMade(
      [[0, 1, 1], ...Array.from({ length: 16 }, (_, k) => two(k + 2)), ...Array.from({ length: 16 }, (_, k) => two(k + 2)), [0, 1, 1]],
      [[0, 1, 100], [0, 17, 100], ...chainOf(1), ...chainOf(17), [16, 33, 100], [32, 33, 100]],
      [1, 1],
    );
    const l = blockOf(long, 0);
    const lctx = blockContext(long, l.b, l.last, Number.POSITIVE_INFINITY, BOTH);
    expect(branchGroups(lctx)?.groups[0]?.branches).toHaveLength(2);
    expect(foldedPoints(lctx)).toBeUndefined();
  });

  it('heads whose edges carry different sizes are not interchangeable: no groups', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [
          [0, 2, 2],
          [1, 1, 3],
        ],
        [
          [0, 2, 2],
          [1, 1, 3],
        ],
        [0, 5, 1],
      ],
      [
        [0, 1, 100],
        [0, 2, 200],
        [1, 3, 100],
        [2, 3, 100],
      ],
      [1, 1],
    );
    const { b, last } = blockOf(sg, 0);
    expect(branchGroups(blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH))).toBeUndefined();
  });

  it('a block of distinct ops: no groups, and too large to enumerate it has no points', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [
          [0, 2, 2],
          [1, 1, 3],
        ],
        [
          [0, 3, 2],
          [1, 1, 3],
        ],
        [0, 5, 1],
      ],
      [
        [0, 1, 100],
        [0, 2, 100],
        [1, 3, 100],
        [2, 3, 100],
      ],
      [1, 1],
    );
    const { b, last } = blockOf(sg, 0);
    expect(branchGroups(blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH))).toBeUndefined();
    expect(blockPareto(sg, b, last, 3, BOTH)).toBeUndefined();
    expect(blockPareto(sg, b, last, 4, BOTH)?.evaluated).toBe(4);
  });
});

describe('foldedPoints: the front of every selection of the block, from each branch priced once', () => {
  const foldCase = fc.record({
    bb: branchBlock(true),
    // each head's first two ops may also run as one fused kernel (its own fusion per head)
    fused: fc.option(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }))),
    // so may the source and the shared producer, both outer ops
    outerFused: fc.option(fc.tuple(fc.nat(1), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }))),
  });
  type Fused = readonly [number, number, number] | null;
  const build = ({ bb, fused, outerFused }: { bb: BranchBlock; fused: Fused; outerFused: Fused }) => {
    const sg = stackedFrom(bb.c);
    // the shared producer is o2 when there is one (the first head starts later)
    if (outerFused && (bb.heads[0]?.[0] as number) > 2) fuse(sg, [0, 2], 'outer', `d${outerFused[0]}`, outerFused[1], outerFused[2]);
    const fusedHeads = fused !== null && bb.chain >= 2;
    if (fusedHeads) {
      bb.heads.forEach((h, i) => {
        fuse(sg, h.slice(0, 2), `f${i}`, `d${fused[0]}`, fused[1], fused[2]);
      });
    }
    return { sg, fusedHeads };
  };

  for (const dims of DIMS) {
    it(`${JSON.stringify(dims)}: folded points are whole-fusion selections priced exactly, and their front matches full enumeration's (property)`, () => {
      let folded = 0;
      fc.assert(
        fc.property(foldCase, (fc_) => {
          const { sg } = build(fc_);
          const { b, last } = blockOf(sg, fc_.bb.consumer);
          const ctx = blockContext(sg, b, last, Number.POSITIVE_INFINITY, dims);
          const space = b.ops.reduce((n, id) => n * (sg.candidates.get(id)?.length ?? 1), 1);
          const full = blockPareto(sg, b, last, Number.POSITIVE_INFINITY, dims);
          expect(full?.evaluated).toBe(space);
          const every = full?.points ?? [];
          for (const p of every) expect(wholeFusions(ctx, p.picks)).toBe(true);
          const f = foldedPoints(ctx);
          if (!f) return;
          folded++;
          // below the block's space, blockPareto folds
          expect(blockPareto(sg, b, last, space - 1, dims)).toEqual({
            points: paretoFilter(f.points, b.spine, dims),
            evaluated: f.evaluated,
          });
          for (const p of f.points) {
            expect(wholeFusions(ctx, p.picks)).toBe(true);
            expect(p).toEqual(blockPoint(ctx, p.picks, new Float64Array(b.ops.length)));
          }
          const front = paretoFilter(f.points, b.spine, dims);
          for (const q of every) expect(front.some((p) => noWorse(p, q, b.spine, dims))).toBe(true);
          for (const p of front) expect(every.some((q) => noWorse(q, p, b.spine, dims))).toBe(true);
        }),
        { numRuns: 120, seed: 11 },
      );
      expect(folded).toBeGreaterThan(80);
    });
  }

  it('energy alone keeps one multiset per outer selection: priced = outer selections x (branch selections taking fusions whole + 1) (property)', () => {
    fc.assert(
      fc.property(foldCase, (fc_) => {
        const { sg, fusedHeads } = build(fc_);
        const { bb } = fc_;
        const { b, last } = blockOf(sg, bb.consumer);
        const ctx = blockContext(sg, b, last, Number.POSITIVE_INFINITY, { time: false, energy: true });
        const f = foldedPoints(ctx);
        const found = branchGroups(ctx);
        fc.pre(f !== undefined && found?.groups.length === 1);
        const len = (op: number) => bb.c.cands[op]?.length ?? 0;
        const head = bb.heads[0] as number[];
        const plain = head.reduce((n, op) => n * len(op), 1);
        // a fused pair adds one selection (both fused); half of it is no selection
        const branch = fusedHeads ? plain + plain / (len(head[0] as number) * len(head[1] as number)) : plain;
        const outer = (found?.outer ?? []).reduce((n, i) => n * (ctx.lists[i]?.length ?? 1), 1);
        expect(f?.evaluated).toBe(outer * (branch + 1));
      }),
      { numRuns: 80, seed: 5 },
    );
  });

  it('an op fed by one branch half and feeding the other: the heads are found but cannot be folded', () => {
    // o0 -> heads (o1 -> o4), (o2 -> o5); o1, o2 -> o3 -> o4, o5; o4, o5 -> o6
    const head: [number, number, number][] = [
      [0, 2, 2],
      [1, 1, 3],
    ];
    const sg = handMade(
      [[0, 1, 1], head, head, [0, 3, 1], head, head, [0, 1, 1]],
      [
        [0, 1, 100],
        [0, 2, 100],
        [1, 4, 100],
        [2, 5, 100],
        [1, 3, 100],
        [2, 3, 100],
        [3, 4, 100],
        [3, 5, 100],
        [4, 6, 100],
        [5, 6, 100],
      ],
      [1, 1],
    );
    const { b, last } = blockOf(sg, 0);
    const ctx = blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH);
    const pos = (op: number) => b.ops.indexOf(`o${op}`);
    expect(branchGroups(ctx)?.groups).toEqual([
      {
        branches: [
          [pos(1), pos(4)],
          [pos(2), pos(5)],
        ],
        consumers: [pos(3), pos(6)],
      },
    ]);
    expect(foldedPoints(ctx)).toBeUndefined();
    expect(blockPareto(sg, b, last, 15, BOTH)).toBeUndefined();
  });

  it('a fused realization straddling a branch and its producer: not folded', () => {
    const head: [number, number, number][] = [
      [0, 2, 2],
      [1, 1, 3],
    ];
    // o0 -> o1 -> heads o2, o3 -> o4; o0 -> o4 keeps o1 inside the block
    const sg = handMade(
      [[0, 1, 1], head, head, head, [0, 3, 1]],
      [
        [0, 1, 100],
        [1, 2, 100],
        [1, 3, 100],
        [2, 4, 100],
        [3, 4, 100],
        [0, 4, 100],
      ],
      [1, 1],
    );
    const { b, last } = blockOf(sg, 0);
    const plain = blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH);
    expect(foldedPoints(plain)).toBeDefined();
    fuse(sg, [1, 2], 'g0', 'd1', 1, 1);
    fuse(sg, [1, 3], 'g1', 'd1', 1, 1);
    const ctx = blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH);
    expect(branchGroups(ctx)?.groups).toHaveLength(1);
    expect(foldedPoints(ctx)).toBeUndefined();
  });

  it('a deadline already past: no points', () => {
    const sg = twoHeads();
    const { b, last } = blockOf(sg, 0);
    const ctx = blockContext(sg, b, last, Number.POSITIVE_INFINITY, BOTH);
    expect(foldedPoints(ctx)).toBeDefined();
    expect(foldedPoints(ctx, performance.now() - 1)).toBeUndefined();
    expect(blockPareto(sg, b, last, 1, BOTH, performance.now() - 1)).toBeUndefined();
  });
});

/** o0 -> heads o1, o2 (two candidates each) -> o3, one block of 4 selections. */
function twoHeads(): StackedGraph {
  const head: [number, number, number][] = [
    [0, 2, 2],
    [1, 1, 3],
  ];
  return handMade(
    [[0, 1, 1], head, head, [0, 3, 1]],
    [
      [0, 1, 100],
      [0, 2, 100],
      [1, 3, 100],
      [2, 3, 100],
    ],
    [1, 1],
  );
}
