import type { Candidate, StackedGraph } from '@lightcode/ir';
import { cutKey, heftMakespan, type Segment, scheduleSegment, segmentEnergy, segmentsOf, wholeGraphSegment } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SegmentCostWeights, searchSegment } from '../src/decomposition/segment-search.js';
import { handMade } from './hand-made.js';
import { multiCase, stackedFromMulti } from './random-multi.js';
import { randomCase, stackedFrom } from './random-stacked.js';

/*
 * The local search inside a segment, against its definition on random cases:
 * every point it returns keeps the cut's picks, takes fusions whole, carries
 * the full scheduler's makespan and its own energy, is no worse than any
 * starting selection, and no single move (one op, or one fused realization
 * whole) lowers its cost: it is a local optimum of the cost it states.
 */

const weights = fc.record({
  latencyWeight: fc.constantFrom(0, 1, 2),
  energyWeight: fc.constantFrom(0, 1),
  staticW: fc.integer({ min: 0, max: 6 }),
});

const listsOf = (sg: StackedGraph, seg: Segment) => seg.ops.map((id) => sg.candidates.get(id) ?? []);
const candsOf = (lists: readonly (readonly Candidate[])[], picks: readonly number[]) => picks.map((k, i) => lists[i]?.[k] as Candidate);

/** The searched cost of a selection: HEFT's makespan and the segment's energy, weighted. */
function costOf(sg: StackedGraph, seg: Segment, w: SegmentCostWeights, picks: readonly number[]): number {
  const cands = candsOf(listsOf(sg, seg), picks);
  const t = heftMakespan(sg, seg, cands);
  return w.latencyWeight * t + w.energyWeight * (segmentEnergy(sg, seg, cands) + w.staticW * t);
}

/** Every fusion with a chosen member has all its members chosen. */
function whole(lists: readonly (readonly Candidate[])[], picks: readonly number[]): boolean {
  const size = new Map<string, number>();
  const chosen = new Map<string, number>();
  lists.forEach((l, i) => {
    for (const c of l) if (c.fusion) size.set(c.fusion.id, (size.get(c.fusion.id) ?? 0) + 1);
    const f = l[picks[i] as number]?.fusion;
    if (f) chosen.set(f.id, (chosen.get(f.id) ?? 0) + 1);
  });
  return [...chosen].every(([id, n]) => size.get(id) === n);
}

/** One move: op i to candidate k; a fusion left sends its other members to their first unfused candidate, one joined takes all its members. */
function move(lists: readonly (readonly Candidate[])[], picks: readonly number[], i: number, k: number): number[] | undefined {
  const next = [...picks];
  const left = lists[i]?.[picks[i] as number]?.fusion?.id;
  const joined = lists[i]?.[k]?.fusion?.id;
  next[i] = k;
  lists.forEach((l, j) => {
    if (left && j !== i && l[picks[j] as number]?.fusion?.id === left) next[j] = l.findIndex((c) => !c.fusion);
    const m = joined ? l.findIndex((c) => c.fusion?.id === joined) : -1;
    if (m >= 0) next[j] = m;
  });
  return next.every((v) => v >= 0) ? next : undefined;
}

/** The starting selections: all on one class where it can (with and without fusions), and each op's cheapest unfused. */
function starts(sg: StackedGraph, seg: Segment, w: SegmentCostWeights, fixed: ReadonlyMap<number, number>): number[][] {
  const lists = listsOf(sg, seg);
  const score = (c: Candidate) => w.latencyWeight * c.latencyS + w.energyWeight * (c.energyJ + w.staticW * c.latencyS);
  const cheapest = (l: readonly Candidate[], ok: (c: Candidate) => boolean) =>
    l.reduce((b, c, k) => (ok(c) && (b < 0 || score(c) < score(l[b] as Candidate)) ? k : b), -1);
  const make = (ok: (c: Candidate) => boolean) =>
    lists.map((l, i) => fixed.get(i) ?? (cheapest(l, ok) >= 0 ? cheapest(l, ok) : cheapest(l, () => true)));
  return [
    ...sg.devices.flatMap((d) => [make((c) => c.device === d.id && !c.fusion), make((c) => c.device === d.id)]),
    make((c) => !c.fusion),
  ];
}

/** Checks every point of one segment's search against the definition; returns how many points it checked. */
function checkSegment(sg: StackedGraph, seg: Segment, w: SegmentCostWeights): number {
  const lists = listsOf(sg, seg);
  const found = searchSegment(sg, seg, w, Number.POSITIVE_INFINITY);
  const hurried = searchSegment(sg, seg, w, Number.NEGATIVE_INFINITY);
  const range = (at: number) => (at >= 0 ? (lists[at] as Candidate[]).map((_, k) => k) : [-1]);
  let checked = 0;
  for (const a of range(seg.entry)) {
    for (const b of range(seg.exit)) {
      const fixed = new Map<number, number>();
      if (a >= 0) fixed.set(seg.entry, a);
      if (b >= 0) fixed.set(seg.exit, b);
      const okStarts = starts(sg, seg, w, fixed).filter((s) => whole(lists, s));
      const points = found.get(cutKey(a, b));
      // a start that takes its fusions whole always exists where the cut's picks are unfused
      expect(points !== undefined).toBe(okStarts.length > 0);
      if (!points) continue;
      expect(points).toHaveLength(1);
      const p = points[0] as (typeof points)[number];
      for (const [j, v] of fixed) expect(p.picks[j]).toBe(v);
      expect(whole(lists, p.picks)).toBe(true);
      const cands = candsOf(lists, p.picks);
      expect(p.timeS).toBe(scheduleSegment(sg, seg, cands).makespanS);
      expect(p.energyJ).toBe(segmentEnergy(sg, seg, cands));
      const cost = costOf(sg, seg, w, p.picks);
      const startCosts = okStarts.map((s) => costOf(sg, seg, w, s));
      // with no time to move, the best start is kept as it is
      const kept = hurried.get(cutKey(a, b))?.[0];
      expect(kept && costOf(sg, seg, w, kept.picks)).toBe(Math.min(...startCosts));
      expect(cost).toBeLessThanOrEqual(Math.min(...startCosts));
      for (let i = 0; i < lists.length; i++) {
        if (fixed.has(i)) continue;
        for (let k = 0; k < (lists[i]?.length ?? 0); k++) {
          const next = move(lists, p.picks, i, k);
          if (!next || [...fixed].some(([j, v]) => next[j] !== v) || !whole(lists, next)) continue;
          expect(costOf(sg, seg, w, next)).toBeGreaterThanOrEqual(cost * (1 - 1e-12));
        }
      }
      checked++;
    }
  }
  return checked;
}

describe('searchSegment against its definition', () => {
  it('two classes, one fused realization: every cut combination of every segment, and the whole graph as one', () => {
    let checked = 0;
    fc.assert(
      fc.property(randomCase, weights, (c, w) => {
        const sg = stackedFrom(c);
        for (const seg of [...segmentsOf(sg).segments, wholeGraphSegment(sg)]) checked += checkSegment(sg, seg, w);
      }),
      { numRuns: 60, seed: 18 },
    );
    expect(checked).toBeGreaterThan(60);
  });

  it('three or four classes, routes over several links', () => {
    fc.assert(
      fc.property(multiCase, weights, (c, w) => {
        const sg = stackedFromMulti(c);
        checkSegment(sg, wholeGraphSegment(sg), w);
      }),
      { numRuns: 40, seed: 19 },
    );
  });
});

describe('searchSegment on a fused pair', () => {
  /**
   * o0 (d0 4 s 4 J | d1 4 s 4 J | fused with o1 on d1: 5 s 1 J) -> o1 (d0 4 s 4 J | d1 4 s 4 J | the fusion's second
   * member, 0 s 0 J); 1 instance each. Unfused the pair takes 8 s and 8 J at best; the fusion 5 s and 1 J. By latency
   * no start holds the fusion whole (o0's fused realization is slower than its own 4 s), so only a move that joins
   * both members reaches it.
   */
  const pair = () => {
    const sg = handMade(
      [
        [
          [0, 4, 4],
          [1, 4, 4],
        ],
        [
          [0, 4, 4],
          [1, 4, 4],
        ],
      ],
      [[0, 1, 0]],
      [1, 1],
    );
    const fused = (index: number, latencyS: number, energyJ: number): Candidate => ({
      device: 'd1',
      target: 't',
      algorithm: 'fused',
      latencyS,
      energy: { compute: energyJ },
      energyJ,
      fusion: { id: 'f', index, size: 2 },
    });
    const candidates = new Map(sg.candidates);
    candidates.set('o0', [...(sg.candidates.get('o0') ?? []), fused(0, 5, 1)]);
    candidates.set('o1', [...(sg.candidates.get('o1') ?? []), fused(1, 0, 0)]);
    return { ...sg, candidates };
  };

  it('latency and energy: the fusion, both members at once (5 s, 1 J)', () => {
    const sg = pair();
    const seg = wholeGraphSegment(sg);
    for (const w of [
      { latencyWeight: 1, energyWeight: 0, staticW: 0 },
      { latencyWeight: 0, energyWeight: 1, staticW: 0 },
    ]) {
      expect(searchSegment(sg, seg, w, Number.POSITIVE_INFINITY).get(cutKey(-1, -1))).toEqual([{ timeS: 5, energyJ: 1, picks: [2, 2] }]);
    }
  });
});
