import type { Candidate, StackedGraph } from '@lightcode/ir';
import {
  cutKey,
  type Dims,
  front,
  LOAD_POINTS_LIMIT,
  type Segment,
  type SegmentPoint,
  scheduleSegment,
  segmentEnergy,
  segmentPoints,
  segmentSpace,
  segmentsOf,
} from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handMade } from './hand-made.js';
import { multiCase, stackedFromMulti } from './random-multi.js';
import { chainCase, randomCase, stackedFrom } from './random-stacked.js';

/*
 * A segment class reduced to its points: on a two-op segment whose four
 * selections are priced by hand (links 1 s + 1 s/kB, 1 J/kB), and on random
 * segments against every selection scheduled one by one.
 */

const pt = (timeS: number, energyJ: number): SegmentPoint => ({ timeS, energyJ, picks: [] });

describe('front', () => {
  const pts = [pt(2, 3), pt(1, 5), pt(3, 1), pt(1, 3), pt(3, 2)];
  it('time alone: the fastest, ties to the leaner', () => {
    expect(front(pts, { time: true, energy: false })).toEqual([pt(1, 3)]);
  });
  it('energy alone: the leanest, ties to the faster', () => {
    expect(front([pt(4, 1), ...pts], { time: false, energy: true })).toEqual([pt(3, 1)]);
  });
  it('both: the staircase of strictly falling energy by time', () => {
    expect(front(pts, { time: true, energy: true })).toEqual([pt(1, 3), pt(3, 1)]);
    // an equal point later in time is dominated
    expect(front([pt(1, 3), pt(2, 3)], { time: true, energy: true })).toEqual([pt(1, 3)]);
  });
});

/**
 * o0 (d0 3 s 5 J | d1 1 s 9 J) -1000 B-> o1 (d0 4 s 2 J | d1 2 s 7 J) -1000 B-> o2 (d0 1 s 1 J):
 * the first segment is [o0, o1], its exit o1. Its selections (o0, o1):
 * d0 d0: 7 s, 7 J; d1 d0: 1 + 2 + 4 = 7 s, 9 + 2 + 1 = 12 J; d0 d1: 3 + 2 + 2 = 7 s, 13 J; d1 d1: 3 s, 16 J.
 */
function chain() {
  return handMade(
    [
      [
        [0, 3, 5],
        [1, 1, 9],
      ],
      [
        [0, 4, 2],
        [1, 2, 7],
      ],
      [0, 1, 1],
    ],
    [
      [0, 1, 1000],
      [1, 2, 1000],
    ],
    [2, 1],
  );
}

describe('segmentPoints: points per exit candidate', () => {
  const first = () => {
    const sg = chain();
    const seg = segmentsOf(sg).segments[0];
    if (!seg) throw new Error('no segment');
    return { sg, seg };
  };

  it('cut keys name the entry and exit picks, -1 for none; the space is the product of candidate counts', () => {
    expect(cutKey(2, -1)).toBe('2/-1');
    expect(cutKey(-1, 0)).toBe('-1/0');
    const { sg, seg } = first();
    expect(seg.ops).toEqual(['o0', 'o1']);
    expect(segmentSpace(sg, seg)).toBe(4);
    expect(segmentSpace(sg, segmentsOf(sg).segments[1] ?? seg)).toBe(2);
  });

  it('time alone: o1 on d0 at best 7 s (d0 d0, the leaner of the tie); o1 on d1 at 3 s', () => {
    const { sg, seg } = first();
    const p = segmentPoints(sg, seg, { time: true, energy: false });
    expect(p.evaluated).toBe(4);
    expect([...p.achieved.keys()].sort()).toEqual(['-1/0', '-1/1']);
    expect(p.achieved.get('-1/0')).toEqual([{ timeS: 7, energyJ: 7, picks: [0, 0] }]);
    expect(p.achieved.get('-1/1')).toEqual([{ timeS: 3, energyJ: 16, picks: [1, 1] }]);
    expect(p.bounds.get('-1/1')).toEqual([{ timeS: 3, energyJ: 16, picks: [1, 1] }]);
    // work per class (d0, d1) then per link: d1 d1 is 3 s on d1; d0 d1 is 3 s on d0, 2 s on d1, 2 s on the link
    expect(p.loads?.get('-1/1')).toEqual([
      { timeS: 3, energyJ: 16, picks: [1, 1], loads: [0, 3, 0] },
      { timeS: 7, energyJ: 13, picks: [0, 1], loads: [3, 2, 2] },
    ]);
  });

  it('energy alone: the leanest per exit pick (7 J, 13 J); no load points', () => {
    const { sg, seg } = first();
    const p = segmentPoints(sg, seg, { time: false, energy: true });
    expect(p.achieved.get('-1/0')).toEqual([{ timeS: 7, energyJ: 7, picks: [0, 0] }]);
    expect(p.achieved.get('-1/1')).toEqual([{ timeS: 7, energyJ: 13, picks: [0, 1] }]);
    expect(p.loads).toBeUndefined();
  });

  it('both: the trade-off for o1 on d1 keeps 3 s 16 J and 7 s 13 J', () => {
    const { sg, seg } = first();
    const p = segmentPoints(sg, seg, { time: true, energy: true });
    expect(p.achieved.get('-1/0')).toEqual([{ timeS: 7, energyJ: 7, picks: [0, 0] }]);
    expect(p.achieved.get('-1/1')).toEqual([
      { timeS: 3, energyJ: 16, picks: [1, 1] },
      { timeS: 7, energyJ: 13, picks: [0, 1] },
    ]);
    expect(p.bounds.get('-1/1')?.map((x) => [x.timeS, x.energyJ])).toEqual([
      [3, 16],
      [7, 13],
    ]);
  });

  it('the second segment, entered at o1: o2 after o1 on d0 is 1 s; after d1, 2 s of transfer + 1 s', () => {
    const sg = chain();
    const seg = segmentsOf(sg).segments[1];
    if (!seg) throw new Error('no segment');
    const p = segmentPoints(sg, seg, { time: true, energy: true });
    expect(p.achieved.get('0/-1')).toEqual([{ timeS: 1, energyJ: 1, picks: [0, 0] }]);
    expect(p.achieved.get('1/-1')).toEqual([{ timeS: 3, energyJ: 2, picks: [1, 0] }]);
  });
});

/** Every selection of a segment that takes the fusions inside it whole, with its cut key, schedule, energy and loads. */
function allSelections(sg: StackedGraph, seg: Segment) {
  const lists = seg.ops.map((id) => sg.candidates.get(id) ?? []);
  const members = new Map<string, number>();
  for (const l of lists) for (const c of l) if (c.fusion) members.set(c.fusion.id, (members.get(c.fusion.id) ?? 0) + 1);
  const out: { key: string; picks: number[]; timeS: number; exact: boolean; energyJ: number; loads: number[] }[] = [];
  const rec = (picks: number[]) => {
    if (picks.length < lists.length) {
      for (let k = 0; k < (lists[picks.length]?.length ?? 0); k++) rec([...picks, k]);
      return;
    }
    const cands = picks.map((k, i) => lists[i]?.[k] as Candidate);
    const chosen = new Map<string, number>();
    for (const c of cands) if (c.fusion) chosen.set(c.fusion.id, (chosen.get(c.fusion.id) ?? 0) + 1);
    if ([...chosen].some(([id, n]) => members.get(id) !== n)) return;
    const cost = scheduleSegment(sg, seg, cands);
    // work per class of every op but the entry, then the transfer time each link carries
    const loads = [...sg.devices, ...sg.links].map(() => 0);
    const add = (at: number, t: number) => {
      loads[at] = (loads[at] as number) + t;
    };
    cands.forEach((c, i) => {
      if (i === seg.entry) return;
      add(
        sg.devices.findIndex((d) => d.id === c.device),
        c.latencyS,
      );
      for (const [p, bytes] of seg.preds[i] ?? []) {
        const from = (cands[p] as Candidate).device;
        if (from === c.device) continue;
        for (const l of sg.route(from, c.device)) add(sg.devices.length + sg.links.indexOf(l), sg.transfer(from, c.device, bytes).latencyS);
      }
    });
    const key = cutKey(seg.entry >= 0 ? (picks[seg.entry] as number) : -1, seg.exit >= 0 ? (picks[seg.exit] as number) : -1);
    out.push({ key, picks, timeS: cost.makespanS, exact: cost.exact, energyJ: segmentEnergy(sg, seg, cands), loads });
  };
  rec([]);
  return out;
}

const ALL_DIMS: readonly Dims[] = [
  { time: true, energy: false },
  { time: false, energy: true },
  { time: true, energy: true },
];

/** segmentPoints on `sg` against every selection scheduled alone on `fresh`, a copy with empty schedule caches. */
function checkAgainstEverySelection(sg: StackedGraph, fresh: StackedGraph, dims: Dims) {
  const freshSegs = segmentsOf(fresh).segments;
  segmentsOf(sg).segments.forEach((seg, s) => {
    const all = allSelections(fresh, freshSegs[s] as Segment);
    const p = segmentPoints(sg, seg, dims);
    expect(p.evaluated).toBe(all.length);
    const keys = [...new Set(all.map((x) => x.key))].sort();
    expect([...p.achieved.keys()].sort()).toEqual(keys);
    expect([...p.bounds.keys()].sort()).toEqual(keys);
    expect(p.loads === undefined).toBe(!dims.time || all.length > LOAD_POINTS_LIMIT);
    const byPicks = new Map(all.map((x) => [x.picks.join(), x]));
    for (const key of keys) {
      const mine = all.filter((x) => x.key === key);
      const achieved = p.achieved.get(key) ?? [];
      // each achieved point is its selection's schedule
      for (const q of achieved) {
        const x = byPicks.get(q.picks.join());
        expect([q.timeS, q.energyJ]).toEqual([x?.timeS, x?.energyJ]);
      }
      if (mine.every((x) => x.exact)) {
        const minT = Math.min(...mine.map((x) => x.timeS));
        const minE = Math.min(...mine.map((x) => x.energyJ));
        if (!dims.energy) expect(achieved.map((q) => q.timeS)).toEqual([minT]);
        else if (!dims.time) {
          expect(achieved.map((q) => q.energyJ)).toEqual([minE]);
          // the shortest schedule among the leanest selections
          expect(achieved[0]?.timeS).toBe(Math.min(...mine.filter((x) => x.energyJ === minE).map((x) => x.timeS)));
        } else {
          const staircase = front(
            mine.map((x) => ({ timeS: x.timeS, energyJ: x.energyJ, picks: x.picks })),
            dims,
          ).map((q) => [q.timeS, q.energyJ]);
          expect(achieved.map((q) => [q.timeS, q.energyJ])).toEqual(staircase);
        }
      }
      // bound points: each below its own selection's schedule, and every selection above one of them
      const bounds = p.bounds.get(key) ?? [];
      for (const q of bounds) {
        const x = byPicks.get(q.picks.join());
        expect(q.timeS).toBeLessThanOrEqual((x?.timeS ?? 0) * (1 + 1e-9));
        expect(q.energyJ).toBe(x?.energyJ);
      }
      for (const x of mine) {
        expect(bounds.some((q) => (!dims.time || q.timeS <= x.timeS * (1 + 1e-9)) && (!dims.energy || q.energyJ <= x.energyJ))).toBe(true);
      }
      // load points carry each class's and link's work and a bound on their own schedule, and every selection lies above one of them in every load
      const loadPoints = p.loads?.get(key) ?? [];
      for (const q of loadPoints) {
        const x = byPicks.get(q.picks.join());
        expect(q.loads).toEqual(x?.loads);
        expect(q.timeS).toBeLessThanOrEqual((x?.timeS ?? 0) * (1 + 1e-9));
        expect(q.energyJ).toBe(x?.energyJ);
      }
      // both fronts are minimal: no kept point is at least as good as another in every dimension that matters
      const atMost = (q: SegmentPoint, r: SegmentPoint) =>
        (!dims.time || q.timeS <= r.timeS) &&
        (!dims.energy || q.energyJ <= r.energyJ) &&
        (q.loads ?? []).every((l, i) => l <= (r.loads?.[i] as number));
      for (const pts of [bounds, loadPoints]) {
        pts.forEach((q, i) => {
          pts.forEach((r, j) => {
            if (i !== j) expect(atMost(q, r)).toBe(false);
          });
        });
      }
      if (p.loads) {
        for (const x of mine) {
          expect(
            loadPoints.some(
              (q) =>
                q.timeS <= x.timeS * (1 + 1e-9) &&
                (!dims.energy || q.energyJ <= x.energyJ) &&
                (q.loads ?? []).every((l, i) => l <= (x.loads[i] as number)),
            ),
          ).toBe(true);
        }
      }
    }
  });
}

describe('segmentPoints against every selection scheduled alone', () => {
  it('two classes, one link, a fused realization: time, energy and both', () => {
    fc.assert(
      fc.property(randomCase, fc.constantFrom(...ALL_DIMS), (c, dims) => checkAgainstEverySelection(stackedFrom(c), stackedFrom(c), dims)),
      { numRuns: 60, seed: 18 },
    );
  });

  it('chains of blocks joined at articulation ops: segments with entries and exits', () => {
    fc.assert(
      fc.property(chainCase, fc.constantFrom(...ALL_DIMS), (c, dims) => checkAgainstEverySelection(stackedFrom(c), stackedFrom(c), dims)),
      { numRuns: 40, seed: 20 },
    );
  });

  it('three or four classes, routes over several links', () => {
    fc.assert(
      fc.property(multiCase, fc.constantFrom(...ALL_DIMS), (c, dims) =>
        checkAgainstEverySelection(stackedFromMulti(c), stackedFromMulti(c), dims),
      ),
      { numRuns: 40, seed: 19 },
    );
  });
});
