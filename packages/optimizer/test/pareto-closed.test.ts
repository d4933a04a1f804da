import { paretoFront } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { handMade } from './hand-made.js';

/*
 * The latency-energy front of one op with four candidates, read off by hand:
 * (1 s, 10 J), (5 s, 4 J), (6 s, 5 J) dominated by (5 s, 4 J), (10 s, 1 J).
 */
const oneOp = () =>
  handMade(
    [
      [
        [0, 1, 10],
        [1, 5, 4],
        [1, 6, 5],
        [2, 10, 1],
      ],
    ],
    [],
    [1, 1, 1],
  );

describe('paretoFront by hand', () => {
  it('3 budgets between 1 s and 10 s (3.25, 5.5, 7.75 s) find the middle point; the dominated one never appears', async () => {
    const front = await paretoFront(oneOp(), { points: 3 });
    expect(front.map((p) => [p.latencyS, p.energyJ, p.status])).toEqual([
      [1, 10, 'optimal'],
      [5, 4, 'optimal'],
      [10, 1, 'optimal'],
    ]);
    expect(front.map((p) => p.opsPerDevice)).toEqual([
      { d0: 1, d1: 0, d2: 0 },
      { d0: 0, d1: 1, d2: 0 },
      { d0: 0, d1: 0, d2: 1 },
    ]);
  });

  it('no budgets between: the two extremes only', async () => {
    const front = await paretoFront(oneOp(), { points: 0 });
    expect(front.map((p) => [p.latencyS, p.energyJ])).toEqual([
      [1, 10],
      [10, 1],
    ]);
  });

  it('one budget in the middle (5.5 s) finds (5 s, 4 J)', async () => {
    const front = await paretoFront(oneOp(), { points: 1 });
    expect(front.map((p) => [p.latencyS, p.energyJ])).toEqual([
      [1, 10],
      [5, 4],
      [10, 1],
    ]);
  });

  it('where one selection is best in both, the front is that point alone', async () => {
    const sg = handMade(
      [
        [
          [0, 1, 1],
          [1, 2, 2],
        ],
      ],
      [],
      [1, 1],
    );
    const front = await paretoFront(sg, {});
    expect(front.map((p) => [p.latencyS, p.energyJ])).toEqual([[1, 1]]);
  });
});

describe('paretoFront: budgets, status and counts', () => {
  // (1 s, 10 J), (3 s, 6 J), (6 s, 3 J), (10 s, 1 J), one op on four classes
  const four = () =>
    handMade(
      [
        [
          [0, 1, 10],
          [1, 3, 6],
          [2, 6, 3],
          [3, 10, 1],
        ],
      ],
      [],
      [1, 1, 1, 1],
    );

  it('one budget at 1 + 9 / 2 = 5.5 s finds (3 s, 6 J), not (6 s, 3 J)', async () => {
    const front = await paretoFront(four(), { points: 1 });
    expect(front.map((p) => [p.latencyS, p.energyJ])).toEqual([
      [1, 10],
      [3, 6],
      [10, 1],
    ]);
  });

  it('by default 8 budgets (2, 3, ..., 9 s) find all four', async () => {
    const front = await paretoFront(four(), {});
    expect(front.map((p) => [p.latencyS, p.energyJ])).toEqual([
      [1, 10],
      [3, 6],
      [6, 3],
      [10, 1],
    ]);
  });

  it('pins hold for every solve: pinned to d1 and d2, the front is (3 s, 6 J) and (6 s, 3 J)', async () => {
    const front = await paretoFront(four(), {
      points: 2,
      constraints: {
        excludes: [
          { glob: 'op0', device: 'd0' },
          { glob: 'op0', device: 'd3' },
        ],
      },
    });
    expect(front.map((p) => [p.latencyS, p.energyJ])).toEqual([
      [3, 6],
      [6, 3],
    ]);
  });

  it('ops per class count every op: two ops on d1', async () => {
    const sg = handMade(
      [
        [
          [0, 3, 5],
          [1, 1, 1],
        ],
        [
          [0, 4, 2],
          [1, 2, 1],
        ],
      ],
      [[0, 1, 0]],
      [1, 1],
    );
    const front = await paretoFront(sg, { points: 0 });
    expect(front.map((p) => [p.latencyS, p.energyJ, p.opsPerDevice])).toEqual([[3, 2, { d0: 0, d1: 2 }]]);
  });

  it('a point is optimal only when both solves behind it are: 7 ops of 2 s on 2 instances take 8 s against a bound of 7', async () => {
    const sg = handMade(
      Array.from({ length: 7 }, () => [0, 2, 1] as const),
      [],
      [2],
    );
    const front = await paretoFront(sg, { points: 0 });
    expect(front.map((p) => [p.latencyS, p.energyJ, p.status])).toEqual([[8, 7, 'feasible']]);
  });
});
