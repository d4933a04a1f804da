import { optimize, solveWithYalps } from '@lightcode/optimizer';
import highs, { solveWithHighs, toLpFormat } from '@lightcode/solver-highs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomCase, stackedFrom } from '../../../packages/optimizer/test/random-stacked.js';

describe('HiGHS solver plugin', () => {
  it('writes CPLEX LP format with ranged rows split and bounds', () => {
    const lp = toLpFormat({
      sense: 'minimize',
      variables: [
        { name: 'a', type: 'binary', cost: 2 },
        { name: 'b', type: 'continuous', lower: 0, upper: 4, cost: -1.5 },
        { name: 'c', type: 'integer' },
      ],
      rows: [
        {
          terms: [
            [0, 1],
            [1, -1],
          ],
          lower: 1,
          upper: 3,
        },
        { terms: [[2, 1]], lower: 2, upper: 2 },
      ],
    });
    expect(lp).toBe(
      [
        'Minimize',
        ' obj: 2 v0 - 1.5 v1',
        'Subject To',
        ' r0l: 1 v0 - 1 v1 >= 1',
        ' r0u: 1 v0 - 1 v1 <= 3',
        ' r1: 1 v2 = 2',
        'Bounds',
        ' 0 <= v1 <= 4',
        ' v2 >= 0',
        'Binary',
        ' v0',
        'General',
        ' v2',
        'End',
        '',
      ].join('\n'),
    );
  });

  it('agrees with yalps on a small MILP and reports infeasibility', async () => {
    const p = {
      sense: 'minimize' as const,
      variables: [
        { name: 'x', type: 'binary' as const, cost: 3 },
        { name: 'y', type: 'binary' as const, cost: 2 },
        { name: 'z', type: 'continuous' as const, cost: 1 },
      ],
      rows: [
        {
          terms: [
            [0, 1],
            [1, 1],
          ] as [number, number][],
          lower: 1,
        },
        {
          terms: [
            [2, 1],
            [1, -1],
          ] as [number, number][],
          lower: 0.5,
        },
      ],
    };
    const [h, y] = [await solveWithHighs(p), solveWithYalps(p)];
    expect(h.status).toBe('optimal');
    expect(h.objective).toBeCloseTo(y.objective as number, 9);
    expect(
      (
        await solveWithHighs({
          ...p,
          rows: [
            ...p.rows,
            {
              terms: [
                [0, 1],
                [1, 1],
              ],
              upper: 0,
            },
          ],
        })
      ).status,
    ).toBe('infeasible');
  });

  it('returns the same optimum as yalps on random selection problems (property)', async () => {
    await fc.assert(
      fc.asyncProperty(randomCase, fc.constantFrom('latency' as const, 'energy' as const), async (c, objective) => {
        const sg = stackedFrom(c);
        const [a, b] = await Promise.all([
          optimize(sg, { objective, exhaustiveLimit: 0 }),
          optimize(sg, { objective, exhaustiveLimit: 0, solver: highs }),
        ]);
        expect(a.selection.status).toBe('optimal');
        expect(b.selection.status).toBe('optimal');
        expect(b.selection.objectiveValue).toBeCloseTo(a.selection.objectiveValue, 6);
      }),
      { numRuns: 60 },
    );
  });
});
