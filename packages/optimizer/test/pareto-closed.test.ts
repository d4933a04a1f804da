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
