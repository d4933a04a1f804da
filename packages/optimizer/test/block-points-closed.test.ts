import type { Candidate } from '@lightcode/ir';
import { blockTree, type Dims } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import type { TreeBlock } from '../src/model/block-tree.js';
import {
  type BlockPoint,
  blockContext,
  blockPoint,
  dominates,
  forEachPick,
  Interner,
  paretoFilter,
  spaceOf,
  wholeFusions,
} from '../src/relaxation/block-points.js';
import { fuse, handMade } from './hand-made.js';

/*
 * One block's selections priced by hand: delay from the entry's finish to the
 * exit's (the last block: to its last finish), each class's summed latency,
 * each link's transfer time (a transfer from d0 to d2 holds l0 and l1), and
 * dynamic energy of the block's own ops and its edges. Classes d0 - l0 - d1 -
 * l1 - d2, each link 1 s + 1 s/kB and 1 J/kB, every edge 1 kB.
 */

const BOTH: Dims = { time: true, energy: true };
const TIME: Dims = { time: true, energy: false };
const ENERGY: Dims = { time: false, energy: true };

/**
 * o0 -> o1 (block A, the root); o1 -> o2, o3 -> o4 (block D, a diamond from
 * entry o1 to exit o4); o4 -> o5 (block T, the last).
 * o0, o1, o4: d0 1 s; 1, 1, 2 J. o2: d1 2 s 3 J in 2 parts (d1 has 2
 * instances), or d0 5 s 1 J. o3: d2 4 s 5 J. o5: d1 1 s 1 J.
 */
function chainOfBlocks() {
  const sg = handMade(
    [
      [0, 1, 1],
      [0, 1, 1],
      [
        [1, 2, 3, 2],
        [0, 5, 1],
      ],
      [2, 4, 5],
      [0, 1, 2],
      [1, 1, 1],
    ],
    [
      [0, 1, 1000],
      [1, 2, 1000],
      [1, 3, 1000],
      [2, 4, 1000],
      [3, 4, 1000],
      [4, 5, 1000],
    ],
    [1, 2, 1],
  );
  const tree = blockTree(sg) as TreeBlock[];
  return { sg, tree, diamond: tree.find((b) => b.ops.includes('o2')) as TreeBlock };
}

const at = (b: TreeBlock, picks: Record<string, number>) => b.ops.map((id) => picks[id] ?? 0);

describe('blockPoint: a selection of one block priced by hand', () => {
  const { sg, tree, diamond } = chainOfBlocks();
  const ctx = blockContext(sg, diamond, false, Number.POSITIVE_INFINITY, BOTH);
  const price = (picks: Record<string, number>) => blockPoint(ctx, at(diamond, picks), new Float64Array(diamond.ops.length));

  it('the diamond is a middle spine block from o1 to o4', () => {
    expect(tree).toHaveLength(3);
    expect(diamond).toMatchObject({ entry: 'o1', exit: 'o4', spine: true });
    expect([...diamond.ops].sort()).toEqual(['o1', 'o2', 'o3', 'o4']);
  });

  it('o2 on d1: delay 13 s (o3 arrives at o4 at 4 + 4 + 4 s, o4 ends 1 s later); loads d0 1, d1 2, d2 4, l0 2 + 4 + 2 + 4, l1 4 + 4; energy 3 + 5 + 2 + 1 + 2 + 1 + 2 J', () => {
    // o2 starts at 2 s and runs 2 s over 2 instances (1 s); the entry o1 is the parent block's, so it adds nothing
    expect(price({})).toEqual({
      delayS: 13,
      loads: [1, 2, 4, 12, 8],
      energyJ: 16,
      picks: at(diamond, {}),
      cutPicks: [0, 0],
    });
  });

  it('o2 on d0 (no transfers on its edges): delay still 13 s; loads d0 1 + 5, l0 4 + 4, l1 4 + 4; energy 1 + 5 + 2 + 2 + 2 J', () => {
    expect(price({ o2: 1 })).toMatchObject({ delayS: 13, loads: [6, 0, 4, 8, 8], energyJ: 12, cutPicks: [0, 0] });
  });

  it('the root block: sources start at 0, every op its own, delay to its exit o1: 2 s, load d0 2 s, 2 J', () => {
    const root = tree[0] as TreeBlock;
    expect(root).toMatchObject({ exit: 'o1', spine: true });
    expect(root.entry).toBeUndefined();
    const c = blockContext(sg, root, false, Number.POSITIVE_INFINITY, BOTH);
    expect(blockPoint(c, [0, 0], new Float64Array(2))).toMatchObject({ delayS: 2, loads: [2, 0, 0, 0, 0], energyJ: 2 });
  });

  it('the last block: delay to its last finish, o5 after a 2 s transfer: 3 s; load d1 1, l0 2; 1 + 1 J', () => {
    const last = tree[2] as TreeBlock;
    expect(last).toMatchObject({ entry: 'o4', spine: true });
    expect(last.exit).toBeUndefined();
    const c = blockContext(sg, last, true, Number.POSITIVE_INFINITY, BOTH);
    expect(blockPoint(c, [0, 0], new Float64Array(2))).toMatchObject({ delayS: 3, loads: [0, 1, 0, 2, 0], energyJ: 2 });
  });

  it('forEachPick visits every selection once, in odometer order; spaceOf counts them', () => {
    const picks = diamond.ops.map(() => 7);
    const seen: string[] = [];
    const i2 = diamond.ops.indexOf('o2');
    forEachPick(ctx, [i2], picks, () => seen.push(picks.join()));
    expect(seen).toEqual([0, 1].map((k) => diamond.ops.map((id) => (id === 'o2' ? k : 7)).join()));
    // two positions of two candidates each: the first turns fastest, the others are left as they are
    const two: [number, number, number][] = [
      [0, 1, 1],
      [1, 1, 1],
    ];
    const g = handMade(
      [[0, 1, 1], two, two, [0, 1, 1]],
      [
        [0, 1, 1],
        [0, 2, 1],
        [1, 3, 1],
        [2, 3, 1],
      ],
      [1, 1],
    );
    const whole: TreeBlock = { ops: ['o0', 'o1', 'o2', 'o3'], cuts: [], spine: true, parent: -1 };
    const both = [7, 7, 7, 7];
    const order: string[] = [];
    forEachPick(blockContext(g, whole, true, Number.POSITIVE_INFINITY, BOTH), [1, 2], both, () => order.push(both.join()));
    expect(order).toEqual(['7,0,0,7', '7,1,0,7', '7,0,1,7', '7,1,1,7']);
    expect(
      spaceOf(
        ctx,
        diamond.ops.map((_, i) => i),
      ),
    ).toBe(2);
    expect(spaceOf(ctx, [])).toBe(1);
  });
});

const pt = (delayS: number, loads: number[], energyJ: number, cutPicks: number[] = [0]): BlockPoint => ({
  delayS,
  loads,
  energyJ,
  picks: [],
  cutPicks,
});

describe('dominates and paretoFilter: points no other point on the same articulation picks is at least as good as', () => {
  const a = pt(2, [1, 1], 5);
  const worse = { energy: pt(2, [1, 1], 6), delay: pt(3, [1, 1], 5), 'first load': pt(2, [2, 1], 5), 'last load': pt(2, [1, 2], 5) };

  it('equal points dominate each other under every choice of dimensions, with or without delay', () => {
    for (const dims of [BOTH, TIME, ENERGY])
      for (const withDelay of [true, false]) expect(dominates(a, { ...a }, withDelay, dims)).toBe(true);
  });
  it('time and energy, with delay: worse in any component, it does not dominate', () => {
    for (const w of Object.values(worse)) {
      expect(dominates(w, a, true, BOTH)).toBe(false);
      expect(dominates(a, w, true, BOTH)).toBe(true);
    }
  });
  it('off the spine the delay does not count', () => {
    expect(dominates(worse.delay, a, false, BOTH)).toBe(true);
    expect(dominates(worse['first load'], a, false, BOTH)).toBe(false);
  });
  it('time alone ignores energy; energy alone ignores delay and loads', () => {
    expect(dominates(worse.energy, a, true, TIME)).toBe(true);
    expect(dominates(worse.delay, a, true, TIME)).toBe(false);
    expect(dominates(worse.energy, a, true, ENERGY)).toBe(false);
    for (const k of ['delay', 'first load', 'last load'] as const) expect(dominates(worse[k], a, true, ENERGY)).toBe(true);
  });

  it('keeps one of equal points and drops the dominated, per articulation picks', () => {
    const other = pt(9, [9, 9], 9, [1]);
    expect(paretoFilter([worse.energy, a, other, { ...a }], true, BOTH)).toEqual([a, other]);
  });
  it('a trade-off keeps both, sorted by delay; energy alone keeps the leanest', () => {
    const fast = pt(1, [3, 1], 8);
    const lean = pt(4, [1, 1], 2);
    expect(paretoFilter([lean, fast], true, BOTH)).toEqual([fast, lean]);
    expect(paretoFilter([fast, lean], true, ENERGY)).toEqual([lean]);
  });
  it('ties: time keeps the shorter delay whatever the energy; energy keeps the shorter delay among equal energies', () => {
    const slow = pt(3, [1, 1], 1);
    const quick = pt(1, [1, 1], 4);
    // off the spine, time alone sees them as equal: the one with the shorter delay is kept
    expect(paretoFilter([slow, quick], false, TIME)).toEqual([quick]);
    const p = pt(5, [1, 1], 2);
    const q = pt(4, [1, 1], 2);
    expect(paretoFilter([p, q], true, ENERGY)).toEqual([q]);
    // time with delay: equal delays, the lower energy first
    const r = pt(4, [1, 1], 1);
    expect(paretoFilter([q, r], true, TIME)).toEqual([r]);
  });
});

describe('wholeFusions and Interner', () => {
  it('a fused pair chosen whole passes; half of it fails; positions restrict the check', () => {
    const { sg, diamond } = chainOfBlocks();
    fuse(sg, [2, 4], 'f', 'd0', 3, 0);
    const ctx = blockContext(sg, diamond, false, Number.POSITIVE_INFINITY, BOTH);
    const i2 = diamond.ops.indexOf('o2');
    const i4 = diamond.ops.indexOf('o4');
    expect(wholeFusions(ctx, at(diamond, { o2: 2, o4: 1 }))).toBe(true);
    expect(wholeFusions(ctx, at(diamond, { o2: 2 }))).toBe(false);
    expect(wholeFusions(ctx, at(diamond, { o4: 1 }))).toBe(false);
    expect(wholeFusions(ctx, at(diamond, {}))).toBe(true);
    // only o2 looked at: one member of two is not whole
    expect(wholeFusions(ctx, at(diamond, { o2: 2, o4: 1 }), [i2])).toBe(false);
    expect(wholeFusions(ctx, at(diamond, { o2: 2, o4: 1 }), [i2, i4])).toBe(true);
  });

  it('lists that cost the same share an id; a different part count, cost or device does not', () => {
    const c = (over: Partial<Candidate>): Candidate => ({
      device: 'd0',
      target: 't',
      algorithm: 'a',
      latencyS: 1,
      energy: {},
      energyJ: 1,
      ...over,
    });
    const ids = new Interner();
    const base = ids.candidates([c({})]);
    expect(ids.candidates([c({})])).toBe(base);
    expect(ids.candidates([c({ parts: 1 })])).toBe(base);
    const two = ids.candidates([c({ parts: 2 })]);
    expect(two).not.toBe(base);
    expect(ids.candidates([c({ parts: 3 })])).not.toBe(two);
    expect(new Set([base, two, ids.candidates([c({ latencyS: 2 })]), ids.candidates([c({ device: 'd1' })])]).size).toBe(4);
  });
});
