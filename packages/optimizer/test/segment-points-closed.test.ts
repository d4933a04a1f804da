import { cutKey, front, type SegmentPoint, segmentPoints, segmentSpace, segmentsOf } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { handMade } from './hand-made.js';

/*
 * A segment class reduced to its points, on a two-op segment whose four
 * selections are priced by hand (links 1 s + 1 s/kB, 1 J/kB).
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
