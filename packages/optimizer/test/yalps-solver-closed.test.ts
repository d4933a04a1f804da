import type { MilpProblem } from '@lightcode/cost-model';
import { solveWithYalps, toYalpsModel, yalpsSolver } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';

/*
 * The built-in solver on programs small enough to solve by hand: the model it
 * hands yalps, and the status, objective, bound and values it returns.
 */

/** maximize x + y  s.t.  x + 2y <= 4,  3x + y <= 6,  x, y >= 0: the vertex (1.6, 1.2), 2.8; integers: 2. */
const lp = (type: 'continuous' | 'integer'): MilpProblem => ({
  sense: 'maximize',
  variables: [
    { name: 'x', type, cost: 1 },
    { name: 'y', type, cost: 1 },
  ],
  rows: [
    {
      terms: [
        [0, 1],
        [1, 2],
      ],
      upper: 4,
    },
    {
      terms: [
        [0, 3],
        [1, 1],
      ],
      upper: 6,
    },
  ],
});

describe('toYalpsModel', () => {
  it('one constraint per row with its sides, terms on one variable summed, the objective as a column', () => {
    const m = toYalpsModel({
      sense: 'minimize',
      variables: [
        { name: 'a', type: 'continuous', cost: 2 },
        { name: 'b', type: 'integer' },
      ],
      rows: [
        {
          terms: [
            [0, 1],
            [0, 2],
            [1, -1],
          ],
          lower: 1,
          upper: 5,
        },
        { terms: [[1, 1]], lower: -3 },
      ],
    });
    expect(m.direction).toBe('minimize');
    expect(m.objective).toBe('obj');
    expect([...(m.constraints as Map<string, unknown>)]).toEqual([
      ['r0', { min: 1, max: 5 }],
      ['r1', { min: -3 }],
    ]);
    const vars = new Map([...(m.variables as Iterable<readonly [number, Map<string, number>]>)].map(([j, c]) => [j, [...c]]));
    expect(vars.get(0)).toEqual([
      ['r0', 3],
      ['obj', 2],
    ]);
    // no cost: no objective entry
    expect(vars.get(1)).toEqual([
      ['r0', -1],
      ['r1', 1],
    ]);
    expect([...(m.binaries as Set<number>)]).toEqual([]);
    expect([...(m.integers as Set<number>)]).toEqual([1]);
  });

  it("variable bounds become rows of their own: a lower bound other than 0, any upper bound but a binary's", () => {
    const m = toYalpsModel({
      sense: 'maximize',
      variables: [
        { name: 'free', type: 'continuous' },
        { name: 'boxed', type: 'continuous', lower: 2, upper: 7 },
        { name: 'capped', type: 'integer', upper: 3 },
        { name: 'floored', type: 'continuous', lower: -1 },
        { name: 'bin', type: 'binary', upper: 1 },
      ],
      rows: [],
    });
    expect([...(m.constraints as Map<string, unknown>)]).toEqual([
      ['b1', { min: 2, max: 7 }],
      ['b2', { max: 3 }],
      ['b3', { min: -1 }],
    ]);
    const vars = new Map([...(m.variables as Iterable<readonly [number, Map<string, number>]>)].map(([j, c]) => [j, [...c]]));
    expect([vars.get(0), vars.get(1), vars.get(2), vars.get(3), vars.get(4)]).toEqual([[], [['b1', 1]], [['b2', 1]], [['b3', 1]], []]);
    expect([...(m.binaries as Set<number>)]).toEqual([4]);
    expect([...(m.integers as Set<number>)]).toEqual([2]);
  });
});

describe('solveWithYalps', () => {
  it('a linear program: optimal at the vertex (1.6, 1.2), objective and bound 2.8', () => {
    const r = solveWithYalps(lp('continuous'));
    expect(r.status).toBe('optimal');
    expect(r.objective).toBeCloseTo(2.8, 9);
    expect(r.bound).toBe(r.objective);
    expect(r.values?.[0]).toBeCloseTo(1.6, 9);
    expect(r.values?.[1]).toBeCloseTo(1.2, 9);
  });

  it('integers: 2 (x + y = 2 at an integer point of the polygon)', () => {
    const r = solveWithYalps(lp('integer'), { timeLimitS: 30 });
    expect(r.status).toBe('optimal');
    expect(r.objective).toBe(2);
    const [x, y] = r.values ?? [];
    expect(Number.isInteger(x) && Number.isInteger(y) && (x as number) + (y as number)).toBe(2);
  });

  it('values for every variable, zeros included, in order', () => {
    const r = solveWithYalps({
      sense: 'minimize',
      variables: [
        { name: 'z', type: 'continuous', cost: 1 },
        { name: 'w', type: 'binary', cost: 1, lower: 1 },
        { name: 'v', type: 'continuous', cost: 3, lower: 2 },
      ],
      rows: [],
    });
    expect(r).toEqual({ status: 'optimal', objective: 7, bound: 7, values: [0, 1, 2] });
  });

  it('infeasible: x >= 2 and x <= 1; unbounded: maximize x with nothing above it', () => {
    const x = [{ name: 'x', type: 'continuous', cost: 1 }] as const;
    expect(
      solveWithYalps({
        sense: 'minimize',
        variables: x,
        rows: [
          { terms: [[0, 1]], lower: 2 },
          { terms: [[0, 1]], upper: 1 },
        ],
      }),
    ).toEqual({ status: 'infeasible' });
    expect(solveWithYalps({ sense: 'maximize', variables: x, rows: [] })).toEqual({ status: 'unbounded' });
  });

  it('no time at all: a timeout, not a claim of infeasibility', () => {
    expect(solveWithYalps(lp('integer'), { timeLimitS: 0 })).toEqual({ status: 'timeout' });
    expect(solveWithYalps(lp('integer'), { timeLimitS: -1 })).toEqual({ status: 'timeout' });
  });

  it('the plugin: id yalps, the same answer', async () => {
    expect(yalpsSolver.id).toBe('yalps');
    expect(await yalpsSolver.solve(lp('continuous'), {})).toEqual(solveWithYalps(lp('continuous')));
  });
});
