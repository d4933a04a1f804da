import type { StackedGraph } from '@lightcode/ir';
import {
  heftMakespan,
  heftOrder,
  planSelection,
  SEARCH_BUDGET,
  scheduledLatency,
  scheduleSegment,
  segmentBound,
  segmentEnergy,
  segmentsOf,
  timedTransfers,
  wholeGraphSegment,
} from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { firstOf, handMade } from './hand-made.js';

/*
 * The latency model on hand-made cases whose shortest schedule and lower
 * bound are worked out by hand in each test: chains, list scheduling on
 * identical instances, head + load + tail, tiling, links held by transfers.
 */

function whole(sg: StackedGraph) {
  const seg = wholeGraphSegment(sg);
  return { seg, cands: seg.ops.map(firstOf(sg)) };
}

describe('a chain over two classes: makespan = sum of latencies + (1 s + 1 s/kB) per transfer', () => {
  // o0 (d0, 3 s) -1000 B-> o1 (d1, 4 s) -2000 B-> o2 (d0, 5 s): transfers of 2 s and 3 s
  const chain = () =>
    handMade(
      [
        [0, 3, 1],
        [1, 4, 2],
        [0, 5, 3],
      ],
      [
        [0, 1, 1000],
        [1, 2, 2000],
      ],
      [1, 1],
    );

  it('as one window: 3 + 2 + 4 + 3 + 5 = 17, met by the lower bound, HEFT order 0 1 2', () => {
    const sg = chain();
    const { seg, cands } = whole(sg);
    expect(segmentBound(sg, seg, cands)).toBe(17);
    const cost = scheduleSegment(sg, seg, cands);
    expect(cost).toEqual({ makespanS: 17, boundS: 17, exact: true, order: [0, 1, 2] });
    expect(heftOrder(sg, seg, cands)).toEqual([0, 1, 2]);
    expect(heftMakespan(sg, seg, cands)).toBe(17);
  });

  it('energy = ops 1 + 2 + 3 J + transfers 1 J/kB x (1 + 2) kB = 9 J', () => {
    const sg = chain();
    const { seg, cands } = whole(sg);
    expect(segmentEnergy(sg, seg, cands)).toBe(9);
    // by segments, each entry counted once (in the segment before)
    const pick = firstOf(sg);
    const segs = segmentsOf(sg).segments;
    expect(segs.reduce((s, x) => s + segmentEnergy(sg, x, x.ops.map(pick)), 0)).toBe(9);
  });

  it('by segments: windows of 3 + 2 + 4 = 9 s and 3 + 5 = 8 s, one after another; transfers at absolute times', () => {
    const sg = chain();
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(17);
    expect(scheduledLatency(sg, firstOf(sg))).toBe(17);
    expect(plan.windows).toEqual([
      { startS: 0, makespanS: 9 },
      { startS: 9, makespanS: 8 },
    ]);
    expect(plan.ops.map((o) => [o.id, o.device, o.instance, o.startS, o.endS])).toEqual([
      ['o0', 'd0', 0, 0, 3],
      ['o1', 'd1', 0, 5, 9],
      ['o2', 'd0', 0, 12, 17],
    ]);
    expect(plan.transfers).toEqual([
      { from: 'o0', to: 'o1', links: ['l0'], bytes: 1000, startS: 3, endS: 5, energyJ: 1 },
      { from: 'o1', to: 'o2', links: ['l0'], bytes: 2000, startS: 9, endS: 12, energyJ: 2 },
    ]);
  });
});

describe('independent ops on identical instances', () => {
  it('3, 3, 2, 2, 2 s on 2 instances: HEFT (longest first) ends at 7, the search finds 3 + 3 | 2 + 2 + 2 = 6 = load / 2', () => {
    const sg = handMade(
      [
        [0, 3, 1],
        [0, 3, 1],
        [0, 2, 1],
        [0, 2, 1],
        [0, 2, 1],
      ],
      [],
      [2],
    );
    const { seg, cands } = whole(sg);
    expect(segmentBound(sg, seg, cands)).toBe(6);
    expect(heftOrder(sg, seg, cands)).toEqual([0, 1, 2, 3, 4]);
    expect(heftMakespan(sg, seg, cands)).toBe(7);
    const cost = scheduleSegment(sg, seg, cands);
    expect([cost.makespanS, cost.boundS, cost.exact]).toEqual([6, 6, true]);
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(6);
    const perInstance = [0, 1].map((k) => plan.ops.filter((o) => o.instance === k).reduce((s, o) => s + o.endS - o.startS, 0));
    expect(perInstance).toEqual([6, 6]);
  });

  it('7 ops of 2 s on 2 instances: bound 7 (load / 2) is missed, ceil(7/2) x 2 = 8 is proven shortest', () => {
    const sg = handMade(
      Array.from({ length: 7 }, () => [0, 2, 1] as const),
      [],
      [2],
    );
    const { seg, cands } = whole(sg);
    expect(segmentBound(sg, seg, cands)).toBe(7);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 8, boundS: 8, exact: true });
  });

  it('beyond the search budget the bound stays the simple one and the schedule is not exact', () => {
    // 16 ops of distinct odd lengths on 3 instances: the order search cannot prove anything in its budget
    const lat = Array.from({ length: 16 }, (_, i) => 101 + 2 * i);
    const sg = handMade(
      lat.map((l) => [0, l, 1] as const),
      [],
      [3],
    );
    const { seg, cands } = whole(sg);
    const load = lat.reduce((s, l) => s + l, 0) / 3;
    expect(segmentBound(sg, seg, cands)).toBeCloseTo(load, 9);
    const cost = scheduleSegment(sg, seg, cands);
    expect(SEARCH_BUDGET).toBe(50_000);
    expect(cost.exact).toBe(false);
    expect(cost.boundS).toBeCloseTo(load, 9);
    expect(cost.makespanS).toBeGreaterThan(load);
    expect(cost.makespanS).toBeLessThanOrEqual(heftMakespan(sg, seg, cands));
  });
});

describe('the per-class bound: earliest head + load / instances + least tail', () => {
  // A (d0, 1) -> C (d1, 4) -> E (d0, 1); B (d0, 3) -> D (d1, 4) -> F (d0, 3); d0 has 2 instances, d1 one; no bytes
  const twoChains = () =>
    handMade(
      [
        [0, 1, 1],
        [0, 3, 1],
        [1, 4, 1],
        [1, 4, 1],
        [0, 1, 1],
        [0, 3, 1],
      ],
      [
        [0, 2, 0],
        [1, 3, 0],
        [2, 4, 0],
        [3, 5, 0],
      ],
      [2, 1],
    );

  it('d1: min head 1 + 8 + min tail 1 = 10 (longest path 3 + 4 + 3 = 10)', () => {
    const sg = twoChains();
    const { seg, cands } = whole(sg);
    expect(segmentBound(sg, seg, cands)).toBe(10);
  });

  it('every order takes 12 (d1 is busy 8 s from 1 s at the earliest; whichever runs second needs its tail): proven, so the bound is 12', () => {
    const sg = twoChains();
    const { seg, cands } = whole(sg);
    // ranks: B 10, A 6, D 7, C 5, F 3, E 1; ready by rank: B, then D (ready once B is taken, 7 > 6), A, C, F, E: D 3..7, C 7..11, E 11..12
    expect(heftOrder(sg, seg, cands)).toEqual([1, 3, 0, 2, 5, 4]);
    expect(heftMakespan(sg, seg, cands)).toBe(12);
    expect(scheduleSegment(sg, seg, cands)).toEqual({ makespanS: 12, boundS: 12, exact: true, order: [1, 3, 0, 2, 5, 4] });
  });

  it('with a cutoff below every schedule: HEFT returned as a bound-only answer (no schedule beats 11), not kept', () => {
    const sg = twoChains();
    const { seg, cands } = whole(sg);
    const cut = scheduleSegment(sg, seg, cands, 11);
    expect(cut).toEqual({ makespanS: 12, order: [1, 3, 0, 2, 5, 4], boundS: 11, exact: false });
    // not cached: without a cutoff the full answer
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 12, boundS: 12, exact: true });
    // once known exact, any cutoff returns it
    expect(scheduleSegment(sg, seg, cands, 5)).toMatchObject({ makespanS: 12, boundS: 12, exact: true });
  });
});

describe('tiling: an op of P parts spreads over the instances that free first', () => {
  it('5 parts of a 10 s op on 2 instances: tiles of 3 and 2 parts (6 s and 4 s), both from 0', () => {
    const sg = handMade([[0, 10, 1, 5]], [], [2]);
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(6);
    expect(plan.ops[0]?.tiles).toEqual([
      { instance: 0, startS: 0, endS: 6 },
      { instance: 1, startS: 0, endS: 4 },
    ]);
  });

  it('4 parts on 3 instances: ceil(4/2) = ceil(4/3), so 2 instances, ending at half the latency', () => {
    const sg = handMade([[0, 8, 1, 4]], [], [3]);
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(4);
    expect(plan.ops[0]?.tiles.map((t) => t.instance)).toEqual([0, 1]);
  });

  it('a 2-part 8 s op beside a 4 s op on 2 instances: tiling it first (HEFT) ends at 4 + 4 = 8, so does keeping it whole: 8 is proven', () => {
    const sg = handMade(
      [
        [0, 8, 1, 2],
        [0, 4, 1],
      ],
      [],
      [2],
    );
    const { seg, cands } = whole(sg);
    // critical path: the tiled span 4; load 12 / 2 = 6
    expect(segmentBound(sg, seg, cands)).toBe(6);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 8, boundS: 8, exact: true });
  });

  it('a 2-part 4 s op beside a 4 s op: HEFT tiles it (ends 2, then 2..6); the search keeps it on one instance: 4 = load / 2', () => {
    const sg = handMade(
      [
        [0, 4, 1, 2],
        [0, 4, 1],
      ],
      [],
      [2],
    );
    const { seg, cands } = whole(sg);
    expect(heftMakespan(sg, seg, cands)).toBe(6);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 4, boundS: 4, exact: true });
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(4);
    expect(plan.ops.map((o) => o.tiles.length).sort()).toEqual([1, 1]);
  });

  it('the span of a tiled op enters the critical path: entry 2 + 12 / 2 + exit 5 with 4 parts on 2 instances', () => {
    const sg = handMade(
      [
        [0, 2, 1],
        [1, 12, 1, 4],
        [0, 5, 1],
      ],
      [
        [0, 1, 0],
        [1, 2, 0],
      ],
      [1, 2],
    );
    const { seg, cands } = whole(sg);
    expect(segmentBound(sg, seg, cands)).toBe(13);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 13, exact: true });
  });
});

describe('links: a transfer holds every link of its route until it arrives', () => {
  // s0, s1 (d0, 1 s each, 2 instances) each send 1000 B (2 s) to c0, c1 (d1, 1 s each, 2 instances)
  const fanOut = () =>
    handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 2, 1000],
        [1, 3, 1000],
      ],
      [2, 2],
    );

  it('two transfers over one link go one after another: 1 + 2 + 2 + 1 = 6; the link bound is 2 x 2 = 4, the path 1 + 2 + 1 = 4', () => {
    const sg = fanOut();
    const { seg, cands } = whole(sg);
    const t = timedTransfers(sg, seg, cands);
    expect(t.edges).toEqual([
      { p: 0, i: 2, route: ['l0'], latencyS: 2 },
      { p: 1, i: 3, route: ['l0'], latencyS: 2 },
    ]);
    expect(t.into).toEqual([[], [], [0], [1]]);
    expect(segmentBound(sg, seg, cands)).toBe(4);
    const cost = scheduleSegment(sg, seg, cands);
    expect([cost.makespanS, cost.exact]).toEqual([6, true]);
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.transfers.map((x) => [x.from, x.to, x.startS, x.endS]).sort()).toEqual([
      ['o0', 'o2', 1, 3],
      ['o1', 'o3', 3, 5],
    ]);
  });

  it('a transfer on no link (empty route) holds nothing: both arrive at 3, makespan 4, recorded with no links', () => {
    const base = fanOut();
    const sg: StackedGraph = { ...base, route: () => [] };
    const { seg, cands } = whole(sg);
    expect(timedTransfers(sg, seg, cands).edges).toEqual([]);
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(4);
    expect(plan.transfers.map((x) => [x.from, x.to, x.links, x.bytes, x.startS, x.endS, x.energyJ]).sort()).toEqual([
      ['o0', 'o2', [], 1000, 1, 3, 1],
      ['o1', 'o3', [], 1000, 1, 3, 1],
    ]);
  });

  it('a transfer that takes no time holds no link: makespan 1 + 1 = 2', () => {
    const base = fanOut();
    const sg: StackedGraph = { ...base, transfer: (a, b, bytes) => ({ latencyS: 0, energyJ: a === b ? 0 : bytes / 1000 }) };
    const { seg, cands } = whole(sg);
    expect(timedTransfers(sg, seg, cands).edges).toEqual([]);
    expect(segmentBound(sg, seg, cands)).toBe(2);
    expect(planSelection(sg, firstOf(sg)).makespanS).toBe(2);
  });

  it('edges inside one class or with no bytes move nothing over links', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 1, 1000],
        [1, 2, 0],
      ],
      [1, 1],
    );
    const { seg, cands } = whole(sg);
    expect(timedTransfers(sg, seg, cands).edges).toEqual([]);
    expect(planSelection(sg, firstOf(sg)).transfers).toEqual([]);
    expect(planSelection(sg, firstOf(sg)).makespanS).toBe(3);
  });
});

describe("a source inside a later block: not anchored, so the window bound is the anchored ops' own shortest schedule", () => {
  // o0 -> o1 | o1 -> o3, o4, o5 -> o6, and o2 (10 s, a source) -> o3, o2 -> o6; d0 has 2 instances; o3..o5 2 s, o6 1 s
  const graph = () =>
    handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [0, 10, 1],
        [0, 2, 1],
        [0, 2, 1],
        [0, 2, 1],
        [0, 1, 1],
      ],
      [
        [0, 1, 0],
        [1, 3, 0],
        [1, 4, 0],
        [1, 5, 0],
        [2, 3, 0],
        [2, 6, 0],
        [3, 6, 0],
        [4, 6, 0],
        [5, 6, 0],
      ],
      [2],
    );

  it('window: o3 waits for o2 (10 s), so 10 + 2 + 1 = 13; bound: three 2 s ops on 2 instances then 1 s = 5, above the simple 3.5', () => {
    const sg = graph();
    const segs = segmentsOf(sg).segments;
    expect(segs).toHaveLength(2);
    const seg = segs[1];
    if (!seg) throw new Error('no second segment');
    expect(seg.ops).toEqual(['o1', 'o2', 'o3', 'o4', 'o5', 'o6']);
    expect(seg.anchored).toEqual([true, false, true, true, true, true]);
    const cands = seg.ops.map(firstOf(sg));
    // critical path 2 + 1; d0: (3 x 2 + 1) / 2 = 3.5
    expect(segmentBound(sg, seg, cands)).toBe(3.5);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 13, boundS: 5, exact: true });
  });
});

describe('the schedule cache tells segments apart by shape and candidates', () => {
  const sg = () =>
    handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [0, 3, 2],
      ],
      [],
      [2],
    );
  const pick = (s: StackedGraph) => firstOf(s);
  const chain2 = {
    ops: ['o0', 'o1'],
    entry: -1,
    exit: -1,
    preds: [[], [[0, 0] as const]],
    succs: [[[1, 0] as const], []],
    anchored: [true, true],
  };
  const apart2 = { ops: ['o0', 'o1'], entry: -1, exit: -1, preds: [[], []], succs: [[], []], anchored: [true, true] };

  it('two 1 s ops on 2 instances: one after the other 2 s, side by side 1 s, whichever is asked first', () => {
    const a = sg();
    expect(scheduleSegment(a, chain2, ['o0', 'o1'].map(pick(a))).makespanS).toBe(2);
    expect(scheduleSegment(a, apart2, ['o0', 'o1'].map(pick(a))).makespanS).toBe(1);
    const b = sg();
    expect(scheduleSegment(b, apart2, ['o0', 'o1'].map(pick(b))).makespanS).toBe(1);
    expect(scheduleSegment(b, chain2, ['o0', 'o1'].map(pick(b))).makespanS).toBe(2);
  });

  it('the same shape with other candidates: 1 + 3 = 4 s, not the cached 2 s', () => {
    const a = sg();
    expect(scheduleSegment(a, chain2, ['o0', 'o1'].map(pick(a))).makespanS).toBe(2);
    expect(scheduleSegment(a, chain2, ['o0', 'o2'].map(pick(a))).makespanS).toBe(4);
  });

  it("an entry is scheduled in the window before: a chain entered at its first op takes only the second op's 1 s", () => {
    const a = sg();
    const entered = { ...chain2, entry: 0 };
    const cands = ['o0', 'o1'].map(pick(a));
    expect(scheduleSegment(a, entered, cands)).toMatchObject({ makespanS: 1, boundS: 1, exact: true, order: [1] });
    expect(segmentBound(a, entered, cands)).toBe(1);
    expect(segmentEnergy(a, entered, cands)).toBe(1);
  });
});

describe('the order search where HEFT misses', () => {
  // s (1 s) -> x of 3, 3, 2, 2, 2 s -> t (1 s), one class of 2 instances, no bytes
  const fan = () =>
    handMade(
      [
        [0, 1, 1],
        [0, 3, 1],
        [0, 3, 1],
        [0, 2, 1],
        [0, 2, 1],
        [0, 2, 1],
        [0, 1, 1],
      ],
      [
        [0, 1, 0],
        [0, 2, 0],
        [0, 3, 0],
        [0, 4, 0],
        [0, 5, 0],
        [1, 6, 0],
        [2, 6, 0],
        [3, 6, 0],
        [4, 6, 0],
        [5, 6, 0],
      ],
      [2],
    );

  it('between a source and a sink: HEFT 1 + 7 + 1 = 9; the search 1 + (3 + 3 | 2 + 2 + 2) + 1 = 8, proven', () => {
    const sg = fan();
    const { seg, cands } = whole(sg);
    expect(heftMakespan(sg, seg, cands)).toBe(9);
    // load (1 + 12 + 1) / 2 = 7
    expect(segmentBound(sg, seg, cands)).toBe(7);
    const cost = scheduleSegment(sg, seg, cands);
    expect(cost).toMatchObject({ makespanS: 8, boundS: 8, exact: true });
    // the order it found replays to 8, each x after s and t after every x
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(8);
    const at = new Map(plan.ops.map((o) => [o.id, o]));
    for (const x of ['o1', 'o2', 'o3', 'o4', 'o5']) {
      expect(at.get(x)?.startS).toBeGreaterThanOrEqual(at.get('o0')?.endS as number);
      expect(at.get('o6')?.startS).toBeGreaterThanOrEqual(at.get(x)?.endS as number);
    }
  });

  it('entered at the source (scheduled in the window before): HEFT 7 + 1 = 8, the search 6 + 1 = 7, never placing the entry', () => {
    const sg = fan();
    const w = wholeGraphSegment(sg);
    const seg = { ...w, entry: 0 };
    const cands = seg.ops.map(firstOf(sg));
    expect(heftMakespan(sg, seg, cands)).toBe(8);
    const cost = scheduleSegment(sg, seg, cands);
    expect(cost).toMatchObject({ makespanS: 7, boundS: 7, exact: true });
    expect(cost.order).not.toContain(0);
    expect([...cost.order].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('over a link: s (d0) sends 1 s transfers to x of 4, 4, 1, 1 s on 2 instances of d1, then t: 9 s, proven (8 if the link were free)', () => {
    const base = handMade(
      [
        [0, 1, 1],
        [1, 4, 1],
        [1, 4, 1],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 1, 1000],
        [0, 2, 1000],
        [0, 3, 1000],
        [0, 4, 1000],
        [1, 5, 0],
        [2, 5, 0],
        [3, 5, 0],
        [4, 5, 0],
      ],
      [1, 2],
    );
    // 1 s per transfer, on the one link
    const sg: StackedGraph = {
      ...base,
      transfer: (a, b, bytes) => (a === b || bytes === 0 ? { latencyS: 0, energyJ: 0 } : { latencyS: 1, energyJ: 1 }),
    };
    const { seg, cands } = whole(sg);
    // d1: from 2 s at the earliest, 11 s of work over 2 instances
    expect(segmentBound(sg, seg, cands)).toBe(7.5);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 9, boundS: 9, exact: true });
    const plan = planSelection(sg, firstOf(sg));
    const spans = plan.transfers.map((t) => [t.startS, t.endS]).sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(spans).toEqual([
      [1, 2],
      [2, 3],
      [3, 4],
      [4, 5],
    ]);
    const free: StackedGraph = { ...sg, route: () => [] };
    const w = whole(free);
    expect(scheduleSegment(free, w.seg, w.cands).makespanS).toBe(8);
  });
});

describe('bounds where one term decides', () => {
  it('three 2 s transfers on one link: the link is busy 6 s, more than any path (1 + 2 + 1 = 4) or class load', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 3, 1000],
        [1, 4, 1000],
        [2, 5, 1000],
      ],
      [3, 3],
    );
    const { seg, cands } = whole(sg);
    expect(segmentBound(sg, seg, cands)).toBe(6);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 1 + 6 + 1, exact: true });
  });

  it('a chain of 3 s and 4 s on 2 instances of one class: the path 7 decides, not the load 7 / 2', () => {
    const sg = handMade(
      [
        [0, 3, 1],
        [0, 4, 1],
      ],
      [[0, 1, 500]],
      [2],
    );
    const { seg, cands } = whole(sg);
    expect(segmentBound(sg, seg, cands)).toBe(7);
  });

  it('d1 busy 8 s from 1 s, then at least 2 s more: 1 + 8 + 2 = 11, though each path is 1 + 4 + 2 = 7', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [1, 4, 1],
        [1, 4, 1],
        [0, 2, 1],
        [0, 2, 1],
      ],
      [
        [0, 2, 0],
        [1, 3, 0],
        [2, 4, 0],
        [3, 5, 0],
      ],
      [2, 1],
    );
    const { seg, cands } = whole(sg);
    expect(segmentBound(sg, seg, cands)).toBe(11);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 11, exact: true });
  });

  it('a dangling sink adds nothing to the tail of the ops that feed it: o1 on d1 bounds 1 + 2 + 3 = 6, not 1 + 2 + 100', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [1, 2, 1],
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
      [1, 1],
    );
    const seg = segmentsOf(sg).segments[0];
    if (!seg) throw new Error('no segment');
    expect(segmentBound(sg, seg, seg.ops.map(firstOf(sg)))).toBe(6);
  });
});

describe('where ops land', () => {
  it('ties go to the lowest instance: one op on instance 0 of 3, a second beside it on instance 1', () => {
    const one = handMade([[0, 2, 1]], [], [3]);
    expect(planSelection(one, firstOf(one)).ops[0]?.instance).toBe(0);
    const two = handMade(
      [
        [0, 2, 1],
        [0, 1, 1],
      ],
      [],
      [3],
    );
    expect(planSelection(two, firstOf(two)).ops.map((o) => [o.id, o.instance])).toEqual([
      ['o0', 0],
      ['o1', 1],
    ]);
  });

  it('a 2-part 8 s op beside a 5 s and a 2 s op on 3 instances: tiled first (rank 8) over 0 and 1 to 4, o1 after it: 6, proven', () => {
    // 15 s of work over 3 instances would be 5 each, but the two 4 s parts start together: 5 | 2 + 4 is the best split
    const sg = handMade(
      [
        [0, 5, 1],
        [0, 2, 1],
        [0, 8, 1, 2],
      ],
      [],
      [3],
    );
    const { seg, cands } = whole(sg);
    expect(heftOrder(sg, seg, cands)).toEqual([2, 0, 1]);
    expect(segmentBound(sg, seg, cands)).toBe(5);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 6, boundS: 6, exact: true });
  });

  it('a 4-part 8 s op with instance 1 busy until 11: on instance 0 alone it ends at 9, not 11 + 4', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [0, 10, 1],
        [0, 8, 1, 4],
        [0, 1, 1],
      ],
      [
        [0, 1, 0],
        [0, 2, 0],
        [1, 3, 0],
        [2, 3, 0],
      ],
      [2],
    );
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(1 + 10 + 1);
    // o1 took instance 1 (free first), o2 instance 0 from 1 s
    expect(plan.ops.find((o) => o.id === 'o1')?.tiles).toEqual([{ instance: 1, startS: 1, endS: 11 }]);
    expect(plan.ops.find((o) => o.id === 'o2')?.tiles).toEqual([{ instance: 0, startS: 1, endS: 9 }]);
  });

  it('a tiled op in the second window: its tiles at absolute times', () => {
    // o0 (d0 2 s) -> o1 (d0 1 s) -> o2 (d0 12 s, 4 parts) on 2 instances: windows [0, 3) and [3, 9)
    const sg = handMade(
      [
        [0, 2, 1],
        [0, 1, 1],
        [0, 12, 1, 4],
      ],
      [
        [0, 1, 0],
        [1, 2, 0],
      ],
      [2],
    );
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.windows).toEqual([
      { startS: 0, makespanS: 3 },
      { startS: 3, makespanS: 6 },
    ]);
    expect(plan.ops.find((o) => o.id === 'o2')).toEqual({
      id: 'o2',
      device: 'd0',
      instance: 0,
      startS: 3,
      endS: 9,
      tiles: [
        { instance: 0, startS: 3, endS: 9 },
        { instance: 1, startS: 3, endS: 9 },
      ],
    });
  });

  it('an op with a timed input and a same-class input waits for both: 10 s on d1, not the 1 + 2 s transfer', () => {
    // p1 (d0 1 s) -1000 B-> c (d1 1 s); p2 (d1 10 s) -> c
    const sg = handMade(
      [
        [0, 1, 1],
        [1, 10, 1],
        [1, 1, 1],
      ],
      [
        [0, 2, 1000],
        [1, 2, 0],
      ],
      [1, 2],
    );
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(11);
    expect(plan.ops.find((o) => o.id === 'o2')?.startS).toBe(10);
  });

  it('each transfer is recorded with its own bytes: 1000 B and 3000 B into one op', () => {
    const sg = handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 2, 1000],
        [1, 2, 3000],
      ],
      [2, 1],
    );
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.transfers.map((t) => [t.from, t.bytes, t.endS - t.startS, t.energyJ]).sort()).toEqual([
      ['o0', 1000, 2, 1],
      ['o1', 3000, 4, 3],
    ]);
    // the longer goes first (HEFT rank), the link then carries the other: 1 + 4 + 2 + 1
    expect(plan.makespanS).toBe(8);
  });
});

describe('more placements pinned by hand', () => {
  it('a cached schedule that is not exact is returned for any cutoff at or above its makespan', () => {
    const lat = Array.from({ length: 16 }, (_, i) => 101 + 2 * i);
    const sg = handMade(
      lat.map((l) => [0, l, 1] as const),
      [],
      [3],
    );
    const { seg, cands } = whole(sg);
    const cost = scheduleSegment(sg, seg, cands);
    expect(cost.exact).toBe(false);
    expect(scheduleSegment(sg, seg, cands)).toBe(cost);
    expect(scheduleSegment(sg, seg, cands, cost.makespanS)).toBe(cost);
  });

  it('a transfer between classes that takes time even with no bytes holds no link: four in parallel, 1 + 1 + 1 = 3 (not 4 on the link)', () => {
    const base = handMade(
      [
        [0, 1, 1],
        [0, 1, 1],
        [0, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ],
      [
        [0, 4, 0],
        [1, 5, 0],
        [2, 6, 0],
        [3, 7, 0],
      ],
      [4, 4],
    );
    const sg: StackedGraph = { ...base, transfer: (a, b) => (a === b ? { latencyS: 0, energyJ: 0 } : { latencyS: 1, energyJ: 0 }) };
    const { seg, cands } = whole(sg);
    expect(timedTransfers(sg, seg, cands).edges).toEqual([]);
    expect(segmentBound(sg, seg, cands)).toBe(3);
    expect(planSelection(sg, firstOf(sg)).makespanS).toBe(3);
  });

  it("HEFT sends the later producer's transfer first (its consumer ranks higher) and ends at 19; sending the early one first ends at 18", () => {
    // d0 (2 instances): p1 1 s, p2 5 s; each sends 1000 B (2 s) over l0 to d1 (2 instances): p1 -> c1 (5 s) -> z1 (5 s), p2 -> c2 (11 s)
    const sg = handMade(
      [
        [0, 1, 1],
        [0, 5, 1],
        [1, 5, 1],
        [1, 11, 1],
        [1, 5, 1],
      ],
      [
        [0, 2, 1000],
        [1, 3, 1000],
        [2, 4, 0],
      ],
      [2, 2],
    );
    const { seg, cands } = whole(sg);
    // ranks p2 5 + 2 + 11 = 18, p1 1 + 2 + 5 + 5 = 13: p2, p1, c2, c1, z1; c1's transfer waits for the link until 7
    expect(heftOrder(sg, seg, cands)).toEqual([1, 0, 3, 2, 4]);
    expect(heftMakespan(sg, seg, cands)).toBe(19);
    expect(segmentBound(sg, seg, cands)).toBe(18);
    const cost = scheduleSegment(sg, seg, cands);
    expect(cost).toMatchObject({ makespanS: 18, boundS: 18, exact: true });
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.makespanS).toBe(18);
    expect(plan.transfers.map((t) => [t.from, t.to, t.startS, t.endS]).sort()).toEqual([
      ['o0', 'o2', 1, 3],
      ['o1', 'o3', 5, 7],
    ]);
  });

  it('tiles go on the instances that free first, whatever their index: instances 2 and 0, not 0 and 1', () => {
    // o0 (1 s) -> o1 (10 s), o2 (8 s, 2 parts) -> o3 (1 s); 3 instances: o0 on 0, o1 on 1 from 1 (rank 11 > 9);
    // o2 on 2 (free) and 0 (free at 1) from 1 to 5; o3 after o1: 12
    const sg = handMade(
      [
        [0, 1, 1],
        [0, 10, 1],
        [0, 8, 1, 2],
        [0, 1, 1],
      ],
      [
        [0, 1, 0],
        [0, 2, 0],
        [1, 3, 0],
        [2, 3, 0],
      ],
      [3],
    );
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.ops.find((o) => o.id === 'o1')?.tiles).toEqual([{ instance: 1, startS: 1, endS: 11 }]);
    expect(plan.ops.find((o) => o.id === 'o2')?.tiles).toEqual([
      { instance: 2, startS: 1, endS: 5 },
      { instance: 0, startS: 1, endS: 5 },
    ]);
    expect(plan.makespanS).toBe(12);
  });

  it('a tiled op waits for its input from another class, not only for its instance: from 1 s, on the free instance, to 9 s', () => {
    // o0 (d1 1 s) -> o2 (d0 8 s, 2 parts); o1 (d0 20 s) holds instance 0: on instance 1 alone 1..9 beats both from 20
    const sg = handMade(
      [
        [1, 1, 1],
        [0, 20, 1],
        [0, 8, 1, 2],
      ],
      [[0, 2, 0]],
      [2, 1],
    );
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.ops.find((o) => o.id === 'o2')?.tiles).toEqual([{ instance: 1, startS: 1, endS: 9 }]);
    expect(plan.makespanS).toBe(20);
  });
});

describe('the search tries each width of a tiled op', () => {
  it('3 s beside a 2-part 4 s op: HEFT tiles the 4 s op first (0..2) and ends at 2 + 3 = 5; kept whole it runs beside: 4', () => {
    const sg = handMade(
      [
        [0, 3, 1],
        [0, 4, 1, 2],
      ],
      [],
      [2],
    );
    const { seg, cands } = whole(sg);
    expect(heftOrder(sg, seg, cands)).toEqual([1, 0]);
    expect(heftMakespan(sg, seg, cands)).toBe(5);
    expect(segmentBound(sg, seg, cands)).toBe(3.5);
    expect(scheduleSegment(sg, seg, cands)).toMatchObject({ makespanS: 4, boundS: 4, exact: true });
    const plan = planSelection(sg, firstOf(sg));
    expect(plan.ops.find((o) => o.id === 'o1')?.tiles).toHaveLength(1);
  });
});
