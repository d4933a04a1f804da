import type { MilpProblem, MilpResult, SolverPlugin } from '@lightcode/cost-model';
import type { Candidate, StackedGraph } from '@lightcode/ir';
import { type DecomposedResult, type Objective, relaxedDecomposition, yalpsSolver } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { handMade } from './hand-made.js';
import { relaxedBruteForce } from './random-stacked.js';

/*
 * relaxedDecomposition on graphs written out by hand: the master MILP it
 * hands the solver (read back through a solver that records it) against its
 * definition, its statistics in closed form, which dimensions its Pareto sets
 * keep, the analysis it keeps per Stacked Graph, what tells block classes
 * apart, the time and size limits, and how it reads a master that stopped
 * early or claims optimality.
 */

const S = [2, 1, 1] as const;
/** A leaf's candidates: A d0 3 s 2 J, B d1 3 s 2 J, C d0 4 s 1 J (slower than A on the same class, but cheaper). */
const Z = [
  [0, 3, 2],
  [1, 3, 2],
  [0, 4, 1],
] as const;

/**
 * s0 -> s1 -> s2 -> s3 -> s4 on d2 (1 s, 1 J each; d2 has 2 instances), and
 * two leaves z off s1 (ops o2, o3; numbered before s2 so s4 is the last op),
 * no bytes on any edge. Blocks: {s0,s1} first, {s1,s2} and {s2,s3} alike in
 * the middle, {s3,s4} last, and the two leaves {s1,z}: 6 blocks, 4 classes.
 * Latency: the spine's 5 s; both leaves on one class would load it 6 s, so
 * one takes A and the other B: 5 s, 9 J. Energy: both take C, 5 + 2 = 7 J.
 */
function spineWithLeaves(staticW: readonly number[] = [0, 0, 0], s1: typeof S | readonly (readonly [number, number, number])[] = S) {
  return handMade(
    [S, s1, Z, Z, S, S, S],
    [
      [0, 1, 0],
      [1, 2, 0],
      [1, 3, 0],
      [1, 4, 0],
      [4, 5, 0],
      [5, 6, 0],
    ],
    [1, 1, 2],
    staticW,
  );
}

/** A solver factory that records each master and answers with yalps' result, or what `answer` makes of it. */
function recording(answer?: (real: MilpResult) => MilpResult) {
  const problems: MilpProblem[] = [];
  const pick = (): SolverPlugin => ({
    ...yalpsSolver,
    solve: async (p, o) => {
      problems.push(p);
      const real = await yalpsSolver.solve(p, o);
      return answer ? answer(real) : real;
    },
  });
  return { problems, pick };
}

function solved(r: DecomposedResult | string): DecomposedResult {
  if (typeof r === 'string') throw new Error(r);
  return r;
}

/** The one master a run handed its solver, with unique, non-empty variable and row names (what a reader of an infeasible master searches by). */
function onlyMaster(problems: readonly MilpProblem[]): MilpProblem {
  expect(problems).toHaveLength(1);
  const p = problems[0] as MilpProblem;
  for (const names of [p.variables.map((v) => v.name), p.rows.map((r) => r.name)]) {
    expect(names.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
  }
  return p;
}

/** A named row: its bounds, its coefficient on T (undefined when absent) and its other coefficients, smallest first. */
function row(p: MilpProblem, name: string) {
  const found = p.rows.filter((r) => r.name === name);
  expect(found, name).toHaveLength(1);
  const r = found[0] as MilpProblem['rows'][number];
  const t = p.variables.findIndex((v) => v.name === 'T');
  return {
    lower: r.lower,
    upper: r.upper,
    T: r.terms.find(([i]) => i === t)?.[1],
    others: r.terms
      .filter(([i]) => i !== t)
      .map(([, c]) => c)
      .sort((a, b) => a - b),
  };
}

const close = (xs: readonly number[]) => xs.map((x) => expect.closeTo(x, 12));

/** The one continuous variable T, lower bound 0; every other variable is of `type`. */
function expectT(p: MilpProblem, type: 'integer' | 'binary') {
  const continuous = p.variables.filter((v) => v.type === 'continuous');
  expect(continuous).toHaveLength(1);
  expect(continuous[0]).toMatchObject({ name: 'T', lower: 0 });
  expect(p.variables.filter((v) => v.type !== 'continuous').every((v) => v.type === type)).toBe(true);
}

// the spine blocks' 2, 1, 1 s (their delays, and their loads on d2) over the 3 s time unit
const SPINE_OVER_3 = close([-2 / 3, -1 / 3, -1 / 3]);
const FIXED_ROWS = ['critical_path', 'load_d0', 'load_d1', 'load_d2', 'load_link_l0', 'load_link_l1'];

describe('the master MILP handed to the solver', () => {
  it('one candidate per articulation op: T, integer counts per class point up to the class size, a count row per class, the critical path over spine blocks only, a load row per class (instances x T) and per link; time in units of the longest delay or load, 3 s', async () => {
    const { problems, pick } = recording();
    const r = solved(await relaxedDecomposition(spineWithLeaves(), 'latency', {}, pick));
    const p = onlyMaster(problems);
    expectT(p, 'integer');
    // only T is priced
    expect(p.variables.filter((v) => (v.cost ?? 0) !== 0)).toEqual([{ name: 'T', type: 'continuous', lower: 0, cost: 1 }]);
    // columns: first, middle (2 blocks), last: one point each; the leaves (2 blocks): A and B
    const columns = p.variables.filter((v) => v.type === 'integer');
    expect(columns.map((v) => v.lower)).toEqual([0, 0, 0, 0, 0]);
    expect(columns.map((v) => v.upper).sort()).toEqual([1, 1, 2, 2, 2]);
    const counts = p.rows.filter((x) => !FIXED_ROWS.includes(x.name as string));
    expect(counts.map((x) => [x.lower, x.upper]).sort()).toEqual([
      [1, 1],
      [1, 1],
      [2, 2],
      [2, 2],
    ]);
    // each column in exactly one count row, bounded by that class's size
    const covered = counts.flatMap((x) =>
      x.terms.map(([i, coef]) => {
        expect(coef).toBe(1);
        expect(p.variables[i]?.upper).toBe(x.lower);
        return i;
      }),
    );
    expect(covered.sort()).toEqual([1, 2, 3, 4, 5]);
    // delays 2, 1, 1 s of the spine blocks; the leaves' 3 s are not on it
    expect(row(p, 'critical_path')).toEqual({ lower: 0, upper: undefined, T: 1, others: SPINE_OVER_3 });
    expect(row(p, 'load_d0')).toEqual({ lower: 0, upper: undefined, T: 1, others: [-1] });
    expect(row(p, 'load_d1')).toEqual({ lower: 0, upper: undefined, T: 1, others: [-1] });
    expect(row(p, 'load_d2')).toEqual({ lower: 0, upper: undefined, T: 2, others: SPINE_OVER_3 });
    expect(row(p, 'load_link_l0')).toEqual({ lower: 0, upper: undefined, T: 1, others: [] });
    expect(row(p, 'load_link_l1')).toEqual({ lower: 0, upper: undefined, T: 1, others: [] });
    // the two leaves, one class, take different points: one on d0 (A), the other on d1 (B)
    expect([r.choice.get('o2'), r.choice.get('o3')].sort()).toEqual([0, 1]);
    expect([0, 1, 4, 5, 6].map((i) => r.choice.get(`o${i}`))).toEqual([0, 0, 0, 0, 0]);
    expect(r.cost).toMatchObject({ latencyS: 5, energyJ: 9 });
    expect(r.bound).toBeCloseTo(5, 6);
    expect(r.proven).toBe(true);
  });

  it('a budget adds its row only when given: energy within 7 s is T <= 7/4 (C makes the time unit 4 s); latency within 8 J sums the points in units of the largest, 2 J, and no static power leaves T out', async () => {
    const latency = recording();
    solved(await relaxedDecomposition(spineWithLeaves(), 'energy', { latencyBudgetS: 7 }, latency.pick));
    const lp = onlyMaster(latency.problems);
    // a budget is the one row with no lower side
    expect(lp.rows.filter((x) => x.lower === undefined)).toHaveLength(1);
    expect(row(lp, 'latency_budget')).toEqual({ lower: undefined, upper: 7 / 4, T: 1, others: [] });

    const energy = recording();
    solved(await relaxedDecomposition(spineWithLeaves(), 'latency', { energyBudgetJ: 8 }, energy.pick));
    const ep = onlyMaster(energy.problems);
    expect(ep.rows.filter((x) => x.lower === undefined)).toHaveLength(1);
    // first 2 J, middle 1 J, last 1 J, leaves A 2 J, B 2 J, C 1 J
    expect(row(ep, 'energy_budget')).toEqual({ lower: undefined, upper: 4, T: undefined, others: close([0.5, 0.5, 0.5, 1, 1, 1]) });
  });

  it('static power: energy in units of the largest energy term, here the static 4 W over one time unit of 4 s (16 J), so T costs 1 and each point its energy over 16 J', async () => {
    const { problems, pick } = recording();
    solved(await relaxedDecomposition(spineWithLeaves([0, 0, 2]), 'energy', {}, pick));
    const p = onlyMaster(problems);
    expect(p.variables.find((v) => v.name === 'T')?.cost).toBeCloseTo(1, 12);
    // C, middle, last 1 J; first, A, B 2 J
    const costs = p.variables.filter((v) => v.name !== 'T').map((v) => v.cost ?? 0);
    expect(costs.sort((a, b) => a - b)).toEqual(close([1 / 16, 1 / 16, 1 / 16, 2 / 16, 2 / 16, 2 / 16]));
    expect(row(p, 'critical_path').others).toEqual(close([-2 / 4, -1 / 4, -1 / 4]));
  });

  it('s1 with a first candidate d0 5 s before its d2 one: a binary per block point, one per block, and a row per candidate of each block entry that its parent agrees on (2 x 3 under s1, 1 each under s2, s3); still 5 s with s1 on d2 and the leaves apart', async () => {
    const { problems, pick } = recording();
    // s1's better candidate second: the blocks below it take points other than their first
    const r = solved(await relaxedDecomposition(spineWithLeaves([0, 0, 0], [[0, 5, 5], S]), 'latency', {}, pick));
    const p = onlyMaster(problems);
    expectT(p, 'binary');
    const binaries = p.variables.flatMap((v, i) => (v.type === 'binary' ? [i] : []));
    const ones = p.rows.filter((x) => x.lower === 1 && x.upper === 1);
    expect(ones).toHaveLength(6);
    expect(ones.flatMap((x) => x.terms.map(([i, coef]) => [i, coef])).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(
      binaries.map((i) => [i, 1]),
    );
    const agree = p.rows.filter((x) => x.lower === 0 && x.upper === 0);
    expect(agree).toHaveLength(8);
    for (const x of agree) expect(x.terms.every(([, coef]) => coef === 1 || coef === -1)).toBe(true);
    expect(r.choice.get('o1')).toBe(1);
    expect([r.choice.get('o2'), r.choice.get('o3')].sort()).toEqual([0, 1]);
    expect(r.cost.latencyS).toBe(5);
    expect(r.proven).toBe(true);
  });
});

describe('stats and the dimensions the Pareto sets keep', () => {
  // every spine block has one selection; a leaf has three (A, B, C)
  const cases: [string, Objective, object, readonly number[], object, number][] = [
    ['latency: the leaves keep A and B (C is slower on the same class)', 'latency', {}, [0, 0, 0], {}, 5],
    ['energy, no static power: the leaves keep C alone', 'energy', {}, [0, 0, 0], {}, 4],
    ['energy with static power: time matters, A, B and C', 'energy', {}, [0, 0, 2], {}, 6],
    ['energy within 7 s: time matters', 'energy', { latencyBudgetS: 7 }, [0, 0, 0], {}, 6],
    ['latency within 8 J: energy matters', 'latency', { energyBudgetJ: 8 }, [0, 0, 0], {}, 6],
    ['1 x latency + 1 x energy', { latencyWeight: 1, energyWeight: 1 }, {}, [0, 0, 0], {}, 6],
  ];
  for (const [name, objective, constraints, staticW, options, points] of cases) {
    it(`${name}: 6 blocks, 4 classes, 1 + 1 + 1 + 3 selections priced, ${points} Pareto points`, async () => {
      const r = solved(await relaxedDecomposition(spineWithLeaves(staticW), objective, constraints, () => yalpsSolver, options));
      expect(r.stats).toEqual({ blocks: 6, classes: 4, enumerated: 6, paretoPoints: points });
    });
  }

  it('latency without reuse: a class per block, 4 x 1 + 2 x 3 = 10 selections priced, 4 + 2 x 2 = 8 points, the same answer', async () => {
    const r = solved(await relaxedDecomposition(spineWithLeaves(), 'latency', {}, () => yalpsSolver, { reuse: false }));
    expect(r.stats).toEqual({ blocks: 6, classes: 6, enumerated: 10, paretoPoints: 8 });
    expect(r.cost.latencyS).toBe(5);
    expect(r.proven).toBe(true);
  });

  it('energy within 7 s, no static power: both leaves on C would load d0 8 s, so one takes C and the other A or B: 8 J, proven', async () => {
    const r = solved(await relaxedDecomposition(spineWithLeaves(), 'energy', { latencyBudgetS: 7 }, () => yalpsSolver));
    expect([r.choice.get('o2'), r.choice.get('o3')]).toContain(2);
    expect(r.cost.energyJ).toBe(8);
    expect(r.cost.latencyS).toBeLessThanOrEqual(7);
    expect(r.bound).toBeCloseTo(8, 6);
    expect(r.proven).toBe(true);
  });

  it("latency within 8 J: one leaf takes C (1 J), the other B: 6 s, the leaf's delay from s1 (2 + 4 s); the master's bound is the spine's 5 s, so not proven", async () => {
    const r = solved(await relaxedDecomposition(spineWithLeaves(), 'latency', { energyBudgetJ: 8 }, () => yalpsSolver));
    expect([r.choice.get('o2'), r.choice.get('o3')].sort()).toEqual([1, 2]);
    expect(r.cost).toMatchObject({ latencyS: 6, energyJ: 8 });
    expect(r.bound).toBeCloseTo(5, 6);
    expect(r.proven).toBe(false);
  });
});

/** p (d2 1 s) -> h1, h2 (d0 2 s 1 J | d1 1 s 3 J) -> q (d2 2 s) -> t (d2 1 s): 4 selections in the first block, 5 s at best. */
const branches = () =>
  handMade(
    [
      S,
      [
        [0, 2, 1],
        [1, 1, 3],
      ],
      [
        [0, 2, 1],
        [1, 1, 3],
      ],
      [2, 2, 1],
      S,
    ],
    [
      [0, 1, 0],
      [0, 2, 0],
      [1, 3, 0],
      [2, 3, 0],
      [3, 4, 0],
    ],
    [1, 1, 1],
  );

const LATE = 'the relaxation by blocks stopped at the time limit';

describe('the analysis kept per Stacked Graph', () => {
  it('asked in turn for energy, latency, latency without reuse, latency with a block limit of 2 and energy within 7 s, one graph answers each as a fresh copy does', async () => {
    const shared = spineWithLeaves();
    const runs: [Objective, object, object][] = [
      ['energy', {}, {}],
      ['latency', {}, {}],
      ['latency', {}, { reuse: false }],
      ['latency', {}, { blockLimit: 2 }],
      ['energy', { latencyBudgetS: 7 }, {}],
    ];
    for (const [objective, constraints, options] of runs) {
      const fresh = await relaxedDecomposition(spineWithLeaves(), objective, constraints, () => yalpsSolver, options);
      expect(await relaxedDecomposition(shared, objective, constraints, () => yalpsSolver, options)).toEqual(fresh);
    }
  });

  it('a deadline already past while a block must be folded (limit 3 < its 4 selections): stopped at the time limit; the same graph given time then finishes, 5 s (the stop is not kept)', async () => {
    const sg = branches();
    expect(await relaxedDecomposition(sg, 'latency', {}, () => yalpsSolver, { blockLimit: 3, deadline: Number.NEGATIVE_INFINITY })).toBe(
      LATE,
    );
    const r = solved(await relaxedDecomposition(sg, 'latency', {}, () => yalpsSolver, { blockLimit: 3 }));
    expect(r.cost.latencyS).toBe(5);
    expect(relaxedBruteForce(sg, 'latency')).toBe(5);
    expect(r.proven).toBe(true);
  });

  it('an analysis finished in time is kept: the same graph then answers past its deadline', async () => {
    const sg = branches();
    const first = solved(await relaxedDecomposition(sg, 'latency', {}, () => yalpsSolver, { blockLimit: 3 }));
    expect(await relaxedDecomposition(sg, 'latency', {}, () => yalpsSolver, { blockLimit: 3, deadline: performance.now() - 1 })).toEqual(
      first,
    );
  });

  it('the deadline stops folding only: blocks enumerated whole (within the default limit) answer past it', async () => {
    const r = solved(await relaxedDecomposition(branches(), 'latency', {}, () => yalpsSolver, { deadline: Number.NEGATIVE_INFINITY }));
    expect(r.cost.latencyS).toBe(5);
    expect(r.proven).toBe(true);
  });

  it("a block limit of 2 under the leaves' 3 selections, with no branches to fold: says so", async () => {
    expect(await relaxedDecomposition(spineWithLeaves(), 'latency', {}, () => yalpsSolver, { blockLimit: 2 })).toBe(
      'a block of 2 ops has over 2 selections and no interchangeable branches to fold',
    );
  });
});

describe('block classes', () => {
  it('two leaves alike but for which op joins them to the spine (u1 -> v1 hangs below u1, u2 -> v2 feeds v2) are two classes: energy with v1, v2 on d1 (1 J), 4 + 2 = 6 J, proven', async () => {
    // r -> u1 -> v2 -> w on d2 (1 s 1 J); v1, v2: d0 1 s 5 J | d1 1 s 1 J; u2 a source into v2
    const Q = [
      [0, 1, 5],
      [1, 1, 1],
    ] as const;
    const sg = handMade(
      [S, S, Q, S, Q, S],
      [
        [0, 1, 0],
        [1, 2, 0],
        [1, 4, 0],
        [3, 4, 0],
        [4, 5, 0],
      ],
      [1, 1, 1],
    );
    const r = solved(await relaxedDecomposition(sg, 'energy', {}, () => yalpsSolver));
    expect(r.stats).toMatchObject({ blocks: 5, classes: 5 });
    expect([r.choice.get('o2'), r.choice.get('o4')]).toEqual([1, 1]);
    expect(r.cost.energyJ).toBe(6);
    expect(relaxedBruteForce(sg, 'energy')).toBe(6);
    expect(r.proven).toBe(true);
  });

  it("a leaf and the last spine block alike are two classes, the leaf's delay off the critical path: a -> b -> c and b -> z, c and z d0 2 s | d1 1 s: 3 s, proven", async () => {
    const R = [
      [0, 2, 1],
      [1, 1, 1],
    ] as const;
    const sg = handMade(
      [S, S, R, R],
      [
        [0, 1, 0],
        [1, 2, 0],
        [1, 3, 0],
      ],
      [1, 1, 1],
    );
    const r = solved(await relaxedDecomposition(sg, 'latency', {}, () => yalpsSolver));
    expect(r.stats).toMatchObject({ blocks: 3, classes: 3 });
    expect(r.cost.latencyS).toBe(3);
    expect(relaxedBruteForce(sg, 'latency')).toBe(3);
    expect(r.bound).toBeCloseTo(3, 6);
    expect(r.proven).toBe(true);
  });
});

describe("reading the master's answer (spine with leaves, latency: the master's optimum is 5/3 time units of 3 s)", () => {
  const run = async (answer: (real: MilpResult) => MilpResult) =>
    relaxedDecomposition(spineWithLeaves(), 'latency', {}, recording(answer).pick);

  it('stopped at its time limit with an incumbent and a dual bound of half: the selection, 5 s, not proven, bound 2.5 s', async () => {
    const r = solved(
      await run((x) => ({ status: 'timeout', values: x.values, objective: x.objective, bound: (x.objective as number) / 2 })),
    );
    expect(r.cost.latencyS).toBe(5);
    expect(r.proven).toBe(false);
    expect(r.bound).toBeCloseTo(2.5, 6);
  });

  it('stopped at its time limit with a dual bound that meets the selection: still not proven, bound 5 s', async () => {
    const r = solved(await run((x) => ({ status: 'timeout', values: x.values, objective: x.objective, bound: x.objective })));
    expect(r.proven).toBe(false);
    expect(r.bound).toBeCloseTo(5, 6);
  });

  it('stopped at its time limit without a bound: the selection, no bound', async () => {
    const r = solved(await run((x) => ({ status: 'timeout', values: x.values })));
    expect(r.cost.latencyS).toBe(5);
    expect(r.proven).toBe(false);
    expect(r).not.toHaveProperty('bound');
  });

  it('optimal a hair above the selection (1e-6, within the certificate): proven, and the bound is the selection, 5 s', async () => {
    const r = solved(await run((x) => ({ status: 'optimal', values: x.values, objective: (x.objective as number) * (1 + 1e-6) })));
    expect(r.proven).toBe(true);
    expect(r.bound).toBe(5);
  });

  it('optimal at half the selection: beyond the certificate, not proven, bound 2.5 s', async () => {
    const r = solved(await run((x) => ({ status: 'optimal', values: x.values, objective: (x.objective as number) / 2 })));
    expect(r.proven).toBe(false);
    expect(r.bound).toBeCloseTo(2.5, 6);
  });

  it('optimal without an objective: not solved', async () => {
    expect(await run((x) => ({ status: 'optimal', values: x.values }))).toBe('the master problem was not solved (optimal)');
  });

  it('a selection costing 0 J is proven at bound 0: o0 -> o1 -> o2, o1 d0 0 J | d1 3 J, the others 0 J', async () => {
    const sg = handMade(
      [
        [2, 1, 0],
        [
          [0, 1, 0],
          [1, 1, 3],
        ],
        [2, 1, 0],
      ],
      [
        [0, 1, 0],
        [1, 2, 0],
      ],
      [1, 1, 1],
    );
    const r = solved(await relaxedDecomposition(sg, 'energy', {}, () => yalpsSolver));
    expect(r.cost.energyJ).toBe(0);
    expect(r.bound).toBe(0);
    expect(r.proven).toBe(true);
  });

  it('a fused realization over o0 and o2, in blocks that share none of its members: the master takes it for o2 alone (0 s against 5 s; 100 s for o0), and says so', async () => {
    const base = handMade(
      [
        [0, 5, 1],
        [0, 1, 1],
        [0, 5, 1],
      ],
      [
        [0, 1, 0],
        [1, 2, 0],
      ],
      [1, 1, 1],
    );
    const fused = (index: number, latencyS: number): Candidate => ({
      device: 'd1',
      target: 't',
      algorithm: 'fused',
      latencyS,
      energy: {},
      energyJ: 0,
      fusion: { id: 'f', index, size: 2 },
    });
    const candidates = new Map([...base.candidates].map(([id, list]) => [id, [...list]]));
    candidates.get('o0')?.push(fused(0, 100));
    candidates.get('o2')?.push(fused(1, 0));
    const sg: StackedGraph = { ...base, candidates };
    expect(await relaxedDecomposition(sg, 'latency', {}, () => yalpsSolver)).toBe(
      "fused realization 'f' spans blocks without a shared member",
    );
  });
});
