import { dimsOf, segmentedSelect, segmentsOf, yalpsSolver } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { searchSegment } from '../src/decomposition/segment-search.js';
import { graphOf, handMade } from './hand-made.js';

/*
 * The segmented solve on hand-made chains: the optimum and its bound, the
 * selection-free floor of a class too large to enumerate, and the load bound
 * that counts a dangling op's work.
 */

const pick = () => yalpsSolver;
const opts = { timeLimitS: 10, deadline: Number.POSITIVE_INFINITY };

/**
 * o0 (d0 3 s 5 J | d1 1 s 9 J) -1000 B-> o1 (d0 4 s 2 J | d1 2 s 7 J) -1000 B-> o2 (d0 1 s 1 J); d0 2 instances
 * of 1 W, d1 one of 2 W (4 W in all). Latency optimum d1 d1 d0: 1 + 2 + 2 + 1 = 6 s; energy optimum d0 d0 d0:
 * 8 J + 4 W x 8 s = 40 J.
 */
const chain3 = () =>
  handMade(
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
    [1, 2],
  );

describe('dimsOf', () => {
  it('time matters for latency, a latency budget, or energy with static power; energy for energy or an energy budget', () => {
    const sg = chain3();
    expect(dimsOf(sg, 'latency', {})).toEqual({ time: true, energy: false });
    expect(dimsOf(sg, 'energy', {})).toEqual({ time: true, energy: true });
    expect(dimsOf(sg, 'latency', { energyBudgetJ: 1 })).toEqual({ time: true, energy: true });
    const cold = handMade([[0, 1, 1]], [], [1]);
    expect(dimsOf(cold, 'energy', {})).toEqual({ time: false, energy: true });
    expect(dimsOf(cold, 'energy', { latencyBudgetS: 1 })).toEqual({ time: true, energy: true });
    expect(dimsOf(cold, { latencyWeight: 0, energyWeight: 0 }, {})).toEqual({ time: false, energy: false });
  });
});

describe('segmentedSelect', () => {
  it('latency: 6 s, bound 6 s; both segments enumerated (4 + 2 selections)', async () => {
    const r = await segmentedSelect(chain3(), 'latency', {}, pick, opts);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect([r.value, r.bound, r.solver]).toEqual([6, 6, 'shortest-path']);
    expect([r.choice.get('o0'), r.choice.get('o1'), r.choice.get('o2')]).toEqual([1, 1, 0]);
    expect(r.stats).toMatchObject({ segments: 2, classes: 2, evaluated: 6, searched: 0 });
  });

  it('energy: 40 J, bound 40 J', async () => {
    const r = await segmentedSelect(chain3(), 'energy', {}, pick, opts);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect([r.value, r.bound]).toEqual([40, 40]);
  });

  it('least latency within 41 J: d0 d0 d0 at 8 s (d1 d1 d0 takes 42 J); within 30 J: none', async () => {
    const r = await segmentedSelect(chain3(), 'latency', { energyBudgetJ: 41 }, pick, opts);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect(r.value).toBe(8);
    expect(await segmentedSelect(chain3(), 'latency', { energyBudgetJ: 30 }, pick, opts)).toBeUndefined();
  });

  it('over the enumeration limit: searched, bound by every op at its cheapest (spans 1 + 2, then 1: 4 s)', async () => {
    const r = await segmentedSelect(chain3(), 'latency', {}, pick, { ...opts, limit: 0 });
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect(r.value).toBe(6);
    expect(r.bound).toBe(4);
    expect(r.stats).toMatchObject({ searched: 2, evaluated: 0, scheduled: 0 });
    // energy: least energies 5 + 2 and 1 J, with 4 W over those 3 s and 1 s
    const e = await segmentedSelect(chain3(), 'energy', {}, pick, { ...opts, limit: 0 });
    if (!e || typeof e === 'string') throw new Error(String(e));
    expect(e.value).toBe(40);
    expect(e.bound).toBe(7 + 4 * 3 + 1 + 4 * 1);
  });

  it('over the limit with more work than path: each class carries at least its share, (1/2 + 4 x min(4/2, 3/1) + 1/2) / 2 classes = 4.5 s; then 1 s', async () => {
    // o0 -> o1..o4 -> o5 -> o6; d0 has 2 instances, d1 one; o1..o4 take 4 s on d0 in 2 parts (a 2 s span) or 3 s on d1
    const fan: [number, number, number, number?][] = [
      [0, 4, 2, 2],
      [1, 3, 1],
    ];
    const sg = handMade(
      [[0, 1, 1], fan, fan, fan, fan, [0, 1, 1], [0, 1, 1]],
      [
        [0, 1, 0],
        [0, 2, 0],
        [0, 3, 0],
        [0, 4, 0],
        [1, 5, 0],
        [2, 5, 0],
        [3, 5, 0],
        [4, 5, 0],
        [5, 6, 0],
      ],
      [2, 1],
    );
    const r = await segmentedSelect(sg, 'latency', {}, pick, { ...opts, limit: 0 });
    if (!r || typeof r === 'string') throw new Error(String(r));
    // the longest path at shortest spans, 1 + 2 + 1 = 4 s, is below the work share
    expect(r.bound).toBe(4.5 + 1);
    expect(r.value).toBeGreaterThanOrEqual(5.5);
    // energy: each op's least, 1 + 4 x 1 + 1, then 1 J
    const e = await segmentedSelect(sg, 'energy', {}, pick, { ...opts, limit: 0 });
    if (!e || typeof e === 'string') throw new Error(String(e));
    expect(e.bound).toBe(7);
  });

  it('graphs that do not cut: said why', async () => {
    const tri = graphOf(3, [
      [0, 1],
      [1, 2],
      [0, 2],
    ]);
    expect(await segmentedSelect(tri, 'latency', {}, pick, opts)).toBe('the graph is one block');
    // o0 -> o2 and o0 -> o1: two blocks, but the spine (first op to last) is one of them
    const fork = graphOf(3, [
      [0, 2],
      [0, 1],
    ]);
    expect(segmentsOf(fork).segments).toHaveLength(1);
    expect(await segmentedSelect(fork, 'latency', {}, pick, opts)).toBe('the graph is one segment');
  });

  it('a dangling sink: the segments bound 6 + 4, but the work of every op on the one instance is 1 + 2 + 3 + 100 + 4 = 110', async () => {
    const sg = handMade(
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
    const r = await segmentedSelect(sg, 'latency', {}, pick, opts);
    if (!r || typeof r === 'string') throw new Error(String(r));
    expect([r.value, r.bound]).toEqual([110, 110]);
  });
});

describe('searchSegment: per exit pick, the best selection local moves reach', () => {
  const first = () => {
    const sg = chain3();
    const seg = segmentsOf(sg).segments[0];
    if (!seg) throw new Error('no segment');
    return { sg, seg };
  };

  it('latency: o1 on d0, 7 s either way (the first start, all on d0, is kept); o1 on d1, d1 d1 at 3 s', () => {
    const { sg, seg } = first();
    const r = searchSegment(sg, seg, { latencyWeight: 1, energyWeight: 0, staticW: 0 }, Number.POSITIVE_INFINITY);
    expect([...r.keys()].sort()).toEqual(['-1/0', '-1/1']);
    expect(r.get('-1/0')).toEqual([{ timeS: 7, energyJ: 7, picks: [0, 0] }]);
    expect(r.get('-1/1')).toEqual([{ timeS: 3, energyJ: 16, picks: [1, 1] }]);
  });

  it('energy with 4 W static: o1 on d1, d1 d1 (16 J + 4 W x 3 s = 28) beats d0 d1 (13 J + 4 W x 7 s = 41)', () => {
    const { sg, seg } = first();
    const r = searchSegment(sg, seg, { latencyWeight: 0, energyWeight: 1, staticW: 4 }, Number.POSITIVE_INFINITY);
    expect(r.get('-1/1')?.[0]?.picks).toEqual([1, 1]);
    // without static power: d0 d1 (13 J) beats d1 d1 (16 J)
    const cold = searchSegment(sg, seg, { latencyWeight: 0, energyWeight: 1, staticW: 0 }, Number.POSITIVE_INFINITY);
    expect(cold.get('-1/1')).toEqual([{ timeS: 7, energyJ: 13, picks: [0, 1] }]);
  });

  it('the second segment, entered at o1: o2 after o1 on d1 waits 2 s for the transfer', () => {
    const sg = chain3();
    const seg = segmentsOf(sg).segments[1];
    if (!seg) throw new Error('no segment');
    const r = searchSegment(sg, seg, { latencyWeight: 1, energyWeight: 0, staticW: 0 }, Number.POSITIVE_INFINITY);
    expect(r.get('0/-1')).toEqual([{ timeS: 1, energyJ: 1, picks: [0, 0] }]);
    expect(r.get('1/-1')).toEqual([{ timeS: 3, energyJ: 2, picks: [1, 0] }]);
  });
});
