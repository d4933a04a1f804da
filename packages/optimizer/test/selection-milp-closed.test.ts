import type { MilpProblem, MilpResult, SolveOptions, SolverPlugin } from '@lightcode/cost-model';
import type { Candidate, StackedGraph } from '@lightcode/ir';
import {
  buildSelectionMilp,
  meetsBudgets,
  type Objective,
  objectiveValue,
  relaxedCost,
  type SelectionConstraints,
  yalpsSolver,
} from '@lightcode/optimizer';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MONOLITHIC_OPS_LIMIT, relaxationBound } from '../src/relaxation/bound.js';
import { choiceChain, fuse, graphOf, handMade } from './hand-made.js';
import { multiCase, stackedFromMulti } from './random-multi.js';
import { allChoices, budgetsWithin, randomCase, stackedFrom } from './random-stacked.js';

/*
 * The whole-graph relaxation MILP (buildSelectionMilp) written out by hand:
 * its variables and rows on small graphs, derived from the relaxation's
 * definition (finish times along every edge, T over every sink, each class's
 * load over its instances, each link's transfer time, energy as dynamic plus
 * transfers plus static power x T), in model units (time: the largest latency;
 * energy: the larger of the largest energy and static power over one time unit).
 * Then, over random graphs, that every name is unique, every coefficient
 * finite and none zero where every candidate costs something, and, on 3-4
 * classes with multi-link routes, that the optimum is the relaxation's brute
 * force; and relaxationBound's time limits and fallbacks.
 */

interface Row {
  readonly name?: string;
  readonly terms: Readonly<Record<string, number>>;
  readonly lower?: number;
  readonly upper?: number;
}

/** A row as the model means it: terms by variable name, a variable's coefficients summed. */
function rowOf(p: MilpProblem, r: MilpProblem['rows'][number]): Row {
  const terms: Record<string, number> = {};
  for (const [i, coef] of r.terms) {
    const name = p.variables[i]?.name ?? `#${i}`;
    terms[name] = (terms[name] ?? 0) + coef;
  }
  return {
    ...(r.name !== undefined ? { name: r.name } : {}),
    terms,
    ...(r.lower !== undefined ? { lower: r.lower } : {}),
    ...(r.upper !== undefined ? { upper: r.upper } : {}),
  };
}

const rowKey = (r: Row) =>
  JSON.stringify([r.name ?? '', Object.entries(r.terms).sort(([a], [b]) => a.localeCompare(b)), r.lower ?? null, r.upper ?? null]);

/** The rows in a canonical order: which rows there are matters, not the order they were listed in. */
const sortRows = (rows: readonly Row[]) => [...rows].sort((a, b) => rowKey(a).localeCompare(rowKey(b)));

/** Variables by name (without it) and the rows, canonical. */
function readable(p: MilpProblem) {
  const variables = Object.fromEntries(
    p.variables.map((v) => {
      const { name, ...rest } = v;
      return [name, rest];
    }),
  );
  return { variables, rows: sortRows(p.rows.map((r) => rowOf(p, r))) };
}

/** Every non-finite coefficient or side: what a unit of 0 would leave. */
function nonFinite(p: MilpProblem): string[] {
  const bad: string[] = [];
  p.rows.forEach((r, k) => {
    for (const [i, coef] of r.terms) if (!Number.isFinite(coef)) bad.push(`${r.name ?? `row ${k}`}: ${i} x ${coef}`);
    for (const side of [r.lower, r.upper])
      if (side !== undefined && !Number.isFinite(side)) bad.push(`${r.name ?? `row ${k}`}: side ${side}`);
  });
  for (const v of p.variables) if (v.cost !== undefined && !Number.isFinite(v.cost)) bad.push(`${v.name}: cost ${v.cost}`);
  return bad;
}

/**
 * Every zero coefficient of a row term or a cost: noise a solver reads past.
 * Only a candidate that costs nothing (a fused realization's later members) has
 * zero terms of its own; a transfer or static power that costs nothing adds none.
 */
function zeroTerms(p: MilpProblem): string[] {
  const bad: string[] = [];
  p.rows.forEach((r, k) => {
    for (const [i, coef] of r.terms) if (coef === 0) bad.push(`${r.name ?? `row ${k}`}: ${p.variables[i]?.name}`);
  });
  for (const v of p.variables) if (v.cost === 0) bad.push(`${v.name}: cost 0`);
  return bad;
}

async function solve(sg: StackedGraph, objective: Objective, c: SelectionConstraints = {}) {
  const m = buildSelectionMilp(sg, objective, c);
  const r = await yalpsSolver.solve(m.problem, { timeLimitS: 30 });
  return {
    m,
    r,
    choice: r.values ? [...m.decode(r.values).values()] : undefined,
    value: r.objective !== undefined ? m.toSI(r.objective) : undefined,
  };
}

/**
 * o0 (d0 2 s 4 J, fixed) -1000 B-> o1 (d0 4 s 2 J | d1 1 s 8 J) -2000 B-> o2 (d0 3 s 1 J | d1 2 s 6 J);
 * d0 one instance, d1 two; link l0 1 s + 1 s/kB, 1 J/kB (1000 B: 2 s 1 J, 2000 B: 3 s 2 J).
 * Time unit 4 s (the largest latency), energy unit 8 J (the largest energy).
 */
const chainA = (staticW: readonly number[] = [0, 0]) =>
  handMade(
    [
      [0, 2, 4],
      [
        [0, 4, 2],
        [1, 1, 8],
      ],
      [
        [0, 3, 1],
        [1, 2, 6],
      ],
    ],
    [
      [0, 1, 1000],
      [1, 2, 2000],
    ],
    [1, 2],
    staticW,
  );
// relaxed (o1, o2): d0 d0 path 2 + 4 + 3 = 9 s, 4 + 2 + 1 = 7 J; d1 d1 path 2 + 2 + 1 + 2 = 7 s (d1 load 3 / 2), 4 + 8 + 6 + 1 = 19 J;
// d0 d1 2 + 4 + 3 + 2 = 11 s, 14 J; d1 d0 2 + 2 + 1 + 3 + 3 = 11 s, 16 J

describe('buildSelectionMilp: the problem, written out by hand', () => {
  it('chain A for latency within 10 s and 12 J: binaries only where an op has a choice, joint transfer variables, T the only cost', () => {
    const m = buildSelectionMilp(chainA(), 'latency', { latencyBudgetS: 10, energyBudgetJ: 12 });
    expect([m.timeUnit, m.energyUnit]).toEqual([4, 8]);
    const { variables, rows } = readable(m.problem);
    expect(m.problem.sense).toBe('minimize');
    expect(m.problem.variables).toHaveLength(Object.keys(variables).length);
    expect(variables).toEqual({
      x_o1_0: { type: 'binary' },
      x_o1_1: { type: 'binary' },
      x_o2_0: { type: 'binary' },
      x_o2_1: { type: 'binary' },
      f_o0: { type: 'continuous', lower: 0 },
      f_o1: { type: 'continuous', lower: 0 },
      f_o2: { type: 'continuous', lower: 0 },
      T: { type: 'continuous', lower: 0, cost: 1 },
      // both ends of o1 -> o2 choose: y[a, b] is the joint choice
      y_o1_o2_0_0: { type: 'continuous', lower: 0 },
      y_o1_o2_0_1: { type: 'continuous', lower: 0 },
      y_o1_o2_1_0: { type: 'continuous', lower: 0 },
      y_o1_o2_1_1: { type: 'continuous', lower: 0 },
    });
    expect(rows).toEqual(
      sortRows([
        { name: 'one_o1', terms: { x_o1_0: 1, x_o1_1: 1 }, lower: 1, upper: 1 },
        { name: 'one_o2', terms: { x_o2_0: 1, x_o2_1: 1 }, lower: 1, upper: 1 },
        // f_o0 >= 2 s / 4
        { name: 'src_o0', terms: { f_o0: 1 }, lower: 0.5 },
        // f_o1 >= f_o0 + 4/4 x_o1_0 + (1 + 2)/4 x_o1_1 (o1 on d1 waits 2 s for 1000 B)
        { name: 'edge_o0_o1', terms: { f_o1: 1, f_o0: -1, x_o1_0: -1, x_o1_1: -0.75 }, lower: 0 },
        // f_o2 >= f_o1 + span(o2) + 3 s / 4 on the pairs that cross
        {
          name: 'edge_o1_o2',
          terms: { f_o2: 1, f_o1: -1, x_o2_0: -0.75, x_o2_1: -0.5, y_o1_o2_0_1: -0.75, y_o1_o2_1_0: -0.75 },
          lower: 0,
        },
        // sum_b y[a, b] = x_o1_a, sum_a y[a, b] = x_o2_b
        { terms: { y_o1_o2_0_0: 1, y_o1_o2_0_1: 1, x_o1_0: -1 }, lower: 0, upper: 0 },
        { terms: { y_o1_o2_1_0: 1, y_o1_o2_1_1: 1, x_o1_1: -1 }, lower: 0, upper: 0 },
        { terms: { y_o1_o2_0_0: 1, y_o1_o2_1_0: 1, x_o2_0: -1 }, lower: 0, upper: 0 },
        { terms: { y_o1_o2_0_1: 1, y_o1_o2_1_1: 1, x_o2_1: -1 }, lower: 0, upper: 0 },
        { name: 'sink_o2', terms: { T: 1, f_o2: -1 }, lower: 0 },
        // d0 (one instance): T >= (2 + 4 x_o1_0 + 3 x_o2_0) / 4
        { name: 'load_d0', terms: { T: 1, x_o1_0: -1, x_o2_0: -0.75 }, lower: 0.5 },
        // d1 (two instances): T >= (1 x_o1_1 + 2 x_o2_1) / 4 / 2
        { name: 'load_d1', terms: { T: 1, x_o1_1: -0.125, x_o2_1: -0.25 }, lower: 0 },
        // l0 carries 2 s when o1 is on d1, 3 s when o1 -> o2 crosses
        { name: 'link_l0', terms: { T: 1, x_o1_1: -0.5, y_o1_o2_0_1: -0.75, y_o1_o2_1_0: -0.75 }, lower: 0 },
        { name: 'latency_budget', terms: { T: 1 }, upper: 2.5 },
        // energy / 8 J: o1 2 | 8 + 1 (its input crosses), o2 1 | 6, 2 J on a crossing pair; o0's 4 J is a constant: 12/8 - 4/8
        {
          name: 'energy_budget',
          terms: { x_o1_0: 0.25, x_o1_1: 1.125, x_o2_0: 0.125, x_o2_1: 0.75, y_o1_o2_0_1: 0.25, y_o1_o2_1_0: 0.25 },
          upper: 1,
        },
      ]),
    );
    expect(zeroTerms(m.problem)).toEqual([]);
  });

  it('chain A solved: latency 7 s at d1 d1, within 12 J only d0 d0 at 9 s is left; energy 7 J at d0 d0 (the fixed op in the offset)', async () => {
    const free = await solve(chainA(), 'latency');
    expect(free.choice).toEqual([0, 1, 1]);
    expect(free.value).toBeCloseTo(7, 9);
    const capped = await solve(chainA(), 'latency', { latencyBudgetS: 10, energyBudgetJ: 12 });
    expect(capped.choice).toEqual([0, 0, 0]);
    expect(capped.value).toBeCloseTo(9, 9);
    const energy = await solve(chainA(), 'energy');
    expect(energy.choice).toEqual([0, 0, 0]);
    expect(energy.value).toBeCloseTo(7, 9);
    // a latency budget no selection meets: 7 s is the least
    expect((await solve(chainA(), 'energy', { latencyBudgetS: 6.5 })).r.status).toBe('infeasible');
  });

  it('chain A for energy, no static power: costs are energies / 8 J (transfers on what they ride on), T costs nothing', () => {
    const { variables } = readable(buildSelectionMilp(chainA(), 'energy').problem);
    expect(variables).toMatchObject({
      x_o1_0: { cost: 0.25 },
      x_o1_1: { cost: 1.125 },
      x_o2_0: { cost: 0.125 },
      x_o2_1: { cost: 0.75 },
      y_o1_o2_0_1: { cost: 0.25 },
      y_o1_o2_1_0: { cost: 0.25 },
    });
    for (const name of ['T', 'f_o0', 'f_o1', 'f_o2', 'y_o1_o2_0_0', 'y_o1_o2_1_1']) expect(variables[name]).not.toHaveProperty('cost');
  });

  it('chain A for latency: no energy enters the costs', () => {
    const { variables } = readable(buildSelectionMilp(chainA(), 'latency').problem);
    expect(Object.entries(variables).filter(([, v]) => 'cost' in v)).toEqual([['T', { type: 'continuous', lower: 0, cost: 1 }]]);
  });

  it('static power 4 W on chain A: energy unit 4 W x 4 s = 16 J, T costs 16/16 and enters the energy budget; energy 7 + 4 x 9 = 43 J at d0 d0', async () => {
    const sg = chainA([4, 0]);
    const m = buildSelectionMilp(sg, 'energy', { energyBudgetJ: 60 });
    expect([m.timeUnit, m.energyUnit]).toEqual([4, 16]);
    const { variables, rows } = readable(m.problem);
    expect(variables.T).toEqual({ type: 'continuous', lower: 0, cost: 1 });
    expect(variables.x_o1_1).toEqual({ type: 'binary', cost: 9 / 16 });
    expect(rows.find((r) => r.name === 'energy_budget')).toEqual({
      name: 'energy_budget',
      terms: { x_o1_0: 2 / 16, x_o1_1: 9 / 16, x_o2_0: 1 / 16, x_o2_1: 6 / 16, y_o1_o2_0_1: 2 / 16, y_o1_o2_1_0: 2 / 16, T: 1 },
      upper: 60 / 16 - 4 / 16,
    });
    // d1 d1: 19 + 4 x 7 = 47 J; d0 d1: 14 + 44; d1 d0: 16 + 44
    const s = await solve(sg, 'energy');
    expect(s.choice).toEqual([0, 0, 0]);
    expect(s.value).toBeCloseTo(43, 9);
  });

  it('units: 0 s and 0 J everywhere give units of 1; 0 s with 5 J and 2 W give 1 s and 5 J', async () => {
    const zero = handMade(
      [
        [0, 0, 0],
        [
          [0, 0, 0],
          [1, 0, 0],
        ],
      ],
      [[0, 1, 0]],
      [1, 1],
    );
    const m = buildSelectionMilp(zero, 'latency');
    expect([m.timeUnit, m.energyUnit]).toEqual([1, 1]);
    expect(nonFinite(m.problem)).toEqual([]);
    expect((await solve(zero, 'latency')).value).toBe(0);
    const free = handMade(
      [
        [0, 0, 5],
        [
          [0, 0, 3],
          [1, 0, 1],
        ],
      ],
      [[0, 1, 0]],
      [1, 1],
      [2, 0],
    );
    const e = buildSelectionMilp(free, 'energy');
    expect([e.timeUnit, e.energyUnit]).toEqual([1, 5]);
    // 5 + 1 J, no time, so no static energy
    expect((await solve(free, 'energy')).value).toBeCloseTo(6, 9);
  });
});

describe('buildSelectionMilp: fusion, single-device edges, links', () => {
  /** o0 (d0 3 s 3 J) -> o1 (d0 3 s 3 J), no bytes; one fused realization f on d1 (2 s 2 J unless given) over both. */
  const fused = (latencyS = 2) => {
    const sg = handMade(
      [
        [0, 3, 3],
        [0, 3, 3],
      ],
      [[0, 1, 0]],
      [1, 1],
    );
    fuse(sg, [0, 1], 'f', 'd1', latencyS, 2);
    return sg;
  };
  const fusionRows = (sg: StackedGraph) =>
    readable(buildSelectionMilp(sg, 'latency').problem).rows.filter((r) => r.name?.startsWith('fuse_'));
  /** Drops op o<k>'s own candidate, leaving it only the fused one. */
  const onlyFused = (sg: StackedGraph, k: number) => {
    (sg.candidates.get(`o${k}`) as Candidate[]).shift();
    return sg;
  };

  it('both members choose: x_o0_1 = x_o1_1', () => {
    expect(fusionRows(fused())).toEqual([{ name: 'fuse_f_o1', terms: { x_o0_1: 1, x_o1_1: -1 }, lower: 0, upper: 0 }]);
  });

  it('a member left only the fused candidate forces the other into it: x = 1; fused at 10 s, o0 takes it over its own 3 s', async () => {
    expect(fusionRows(onlyFused(fused(), 0))).toEqual([{ name: 'fuse_f_o1', terms: { x_o1_1: 1 }, lower: 1, upper: 1 }]);
    expect(fusionRows(onlyFused(fused(), 1))).toEqual([{ name: 'fuse_f_o1', terms: { x_o0_1: 1 }, lower: 1, upper: 1 }]);
    // o1's member costs nothing, so o0 alone (3 s) with it would be cheapest, but it breaks the fusion
    const s = await solve(onlyFused(fused(10), 1), 'latency');
    expect(s.choice).toEqual([1, 0]);
    expect(s.value).toBeCloseTo(10, 9);
  });

  it('every member left only the fused candidate: no variable and no fusion row', () => {
    const sg = onlyFused(onlyFused(fused(), 0), 1);
    const m = buildSelectionMilp(sg, 'latency');
    expect(m.problem.variables.map((v) => v.name).sort()).toEqual(['T', 'f_o0', 'f_o1']);
    expect(fusionRows(sg)).toEqual([]);
  });

  it('both ends choose but only on d0: no transfer variables, and no row for the unused d1 or link l0', () => {
    // o0 (d0 1 s 1 J | d0 2 s 1 J) -500 B-> o1 (d0 1 s 1 J | d0 3 s 2 J); time unit 3 s
    const sg = handMade(
      [
        [
          [0, 1, 1],
          [0, 2, 1],
        ],
        [
          [0, 1, 1],
          [0, 3, 2],
        ],
      ],
      [[0, 1, 500]],
      [1, 1],
    );
    const m = buildSelectionMilp(sg, 'latency');
    const { variables, rows } = readable(m.problem);
    expect(Object.keys(variables).sort()).toEqual(['T', 'f_o0', 'f_o1', 'x_o0_0', 'x_o0_1', 'x_o1_0', 'x_o1_1']);
    expect(rows).toEqual(
      sortRows([
        { name: 'one_o0', terms: { x_o0_0: 1, x_o0_1: 1 }, lower: 1, upper: 1 },
        { name: 'one_o1', terms: { x_o1_0: 1, x_o1_1: 1 }, lower: 1, upper: 1 },
        { name: 'src_o0', terms: { f_o0: 1, x_o0_0: -1 / 3, x_o0_1: -2 / 3 }, lower: 0 },
        { name: 'edge_o0_o1', terms: { f_o1: 1, f_o0: -1, x_o1_0: -1 / 3, x_o1_1: -1 }, lower: 0 },
        { name: 'sink_o1', terms: { T: 1, f_o1: -1 }, lower: 0 },
        { name: 'load_d0', terms: { T: 1, x_o0_0: -1 / 3, x_o0_1: -2 / 3, x_o1_0: -1 / 3, x_o1_1: -1 }, lower: 0 },
      ]),
    );
  });

  it('two fixed transfers over one link: T >= 4 s + 4 s of link time = 8 s, above the critical path 2 + 4 + 1 = 7 s', async () => {
    // o0 (d0 2 s) -3000 B-> o1 (d1 1 s), o0 -3000 B-> o2 (d1 1 s); l0 1 s + 1 s/kB: 4 s each; d2 and l1 carry nothing
    const sg = stackedFromMulti({
      n: 3,
      edges: [
        [0, 1, 3000],
        [0, 2, 3000],
      ],
      cands: [[[0, 2, 1]], [[1, 1, 1]], [[1, 1, 1]]],
      counts: [1, 1, 1],
      staticW: [0, 0, 0],
      topology: 'line',
      links: [
        [1, 1, 1],
        [1, 1, 1],
      ],
    });
    const m = buildSelectionMilp(sg, 'latency');
    expect(m.timeUnit).toBe(2);
    expect(readable(m.problem).rows).toEqual(
      sortRows([
        { name: 'src_o0', terms: { f_o0: 1 }, lower: 1 },
        { name: 'edge_o0_o1', terms: { f_o1: 1, f_o0: -1 }, lower: 2.5 },
        { name: 'edge_o0_o2', terms: { f_o2: 1, f_o0: -1 }, lower: 2.5 },
        { name: 'sink_o1', terms: { T: 1, f_o1: -1 }, lower: 0 },
        { name: 'sink_o2', terms: { T: 1, f_o2: -1 }, lower: 0 },
        { name: 'load_d0', terms: { T: 1 }, lower: 1 },
        { name: 'load_d1', terms: { T: 1 }, lower: 1 },
        { name: 'link_l0', terms: { T: 1 }, lower: 4 },
      ]),
    );
    expect((await solve(sg, 'latency')).value).toBeCloseTo(8, 9);
  });

  /** o0 (d0 1 s 1 J) -1000 B-> o1 (d0 2 s 1 J | d1 1 s 1 J), o0 -1000 B-> o2 (d1 1 s 1 J), over one link with the given delay, s/kB, J/kB. */
  const overLink = (link: readonly [number, number, number]) =>
    stackedFromMulti({
      n: 3,
      edges: [
        [0, 1, 1000],
        [0, 2, 1000],
      ],
      cands: [
        [[0, 1, 1]],
        [
          [0, 2, 1],
          [1, 1, 1],
        ],
        [[1, 1, 1]],
      ],
      counts: [1, 1],
      staticW: [0, 0],
      topology: 'line',
      links: [link],
    });

  it('transfers that take no time (1 J/kB, 0 s): no link row and no time term, only energy; 1 + 1 + 1 + 2 = 5 J', async () => {
    const m = buildSelectionMilp(overLink([0, 0, 1]), 'latency', { energyBudgetJ: 10 });
    const { rows } = readable(m.problem);
    expect(rows.map((r) => r.name)).not.toContain('link_l0');
    expect(rows.find((r) => r.name === 'edge_o0_o1')).toEqual({
      name: 'edge_o0_o1',
      terms: { f_o1: 1, f_o0: -1, x_o1_0: -1, x_o1_1: -0.5 },
      lower: 0,
    });
    // energy unit 1 J: o1 1 | 1 + 1 (its input crosses); o0, o2 and o0 -> o2's 1 J are constants
    expect(rows.find((r) => r.name === 'energy_budget')).toEqual({ name: 'energy_budget', terms: { x_o1_0: 1, x_o1_1: 2 }, upper: 10 - 3 });
    expect(zeroTerms(m.problem)).toEqual([]);
    const s = await solve(overLink([0, 0, 1]), 'energy');
    expect(s.value).toBeCloseTo(4, 9);
    expect(s.choice).toEqual([0, 0, 0]);
  });

  it('transfers that cost no energy (1 s + 1 s/kB, 0 J): time terms and link rows, no energy term', () => {
    const m = buildSelectionMilp(overLink([1, 1, 0]), 'energy', { energyBudgetJ: 10 });
    const { rows } = readable(m.problem);
    // time unit 2 s: o0 -> o2 always crosses (2 s), o0 -> o1 when o1 is on d1
    expect(rows.find((r) => r.name === 'link_l0')).toEqual({ name: 'link_l0', terms: { T: 1, x_o1_1: -1 }, lower: 1 });
    expect(rows.find((r) => r.name === 'energy_budget')).toEqual({ name: 'energy_budget', terms: { x_o1_0: 1, x_o1_1: 1 }, upper: 10 - 2 });
    expect(zeroTerms(m.problem)).toEqual([]);
  });
});

describe('buildSelectionMilp: decode', () => {
  const m = buildSelectionMilp(chainA(), 'latency');
  const at = (values: Record<string, number>) => m.problem.variables.map((v) => values[v.name] ?? 0);

  it("reads each op's largest x, as a stopped solver's fractional values have it; a fixed op takes its only candidate", () => {
    expect([...m.decode(at({ x_o1_0: 0.6, x_o1_1: 0.4, x_o2_0: 0.3, x_o2_1: 0.7 })).entries()]).toEqual([
      ['o0', 0],
      ['o1', 0],
      ['o2', 1],
    ]);
  });

  it('ties and missing values read as the first candidate', () => {
    expect([...m.decode(at({ x_o1_0: 0.5, x_o1_1: 0.5 })).values()]).toEqual([0, 0, 0]);
    expect([...m.decode([]).values()]).toEqual([0, 0, 0]);
  });
});

describe('buildSelectionMilp on random graphs (property)', () => {
  /** Unique, non-empty names (a reader of an infeasible model finds each row by its name), finite coefficients; no zero ones where every candidate costs something. */
  const wellFormed = (p: MilpProblem, costly: boolean) => {
    const names = p.variables.map((v) => v.name);
    expect(names.every((n) => typeof n === 'string' && n.length > 0)).toBe(true);
    expect(new Set(names).size).toBe(names.length);
    const rowNames = p.rows.flatMap((r) => (r.name === undefined ? [] : [r.name]));
    expect(rowNames.every((n) => n.length > 0)).toBe(true);
    expect(new Set(rowNames).size).toBe(rowNames.length);
    expect(nonFinite(p)).toEqual([]);
    if (costly) expect(zeroTerms(p)).toEqual([]);
  };

  it('two classes, one link, fused realizations, budgets: names unique; no zero coefficient where every candidate costs something', () => {
    let plain = 0;
    fc.assert(
      fc.property(randomCase, fc.constantFrom<Objective>('latency', 'energy', { latencyWeight: 1, energyWeight: 2 }), (c, objective) => {
        const sg = stackedFrom(c);
        // a fused realization's later members cost nothing
        const costly = [...sg.candidates.values()].flat().every((x) => x.latencyS > 0 && x.energyJ > 0);
        if (costly) plain++;
        wellFormed(buildSelectionMilp(sg, objective, { latencyBudgetS: 100, energyBudgetJ: 1000 }).problem, costly);
      }),
      { numRuns: 100, seed: 7 },
    );
    expect(plain).toBeGreaterThan(30);
  });

  for (const objective of ['latency', 'energy'] as const) {
    it(`3-4 classes, routes over several links, ${objective}, with and without budgets: well formed, and the optimum and its decoded selection are the relaxation's brute force`, async () => {
      let solved = 0;
      let joint = 0;
      await fc.assert(
        fc.asyncProperty(
          multiCase,
          fc.double({ min: 0, max: 1.2, noNaN: true }),
          fc.double({ min: 0, max: 1.2, noNaN: true }),
          fc.constantFrom('none', 'latency', 'energy', 'both'),
          async (mc, lat, en, which) => {
            const sg = stackedFromMulti(mc);
            const costs = [...allChoices(sg)].map((ch) => relaxedCost(sg, ch));
            const constraints = budgetsWithin(costs, which, lat, en);
            const ok = costs.filter((x) => meetsBudgets(constraints, x));
            const m = buildSelectionMilp(sg, objective, constraints);
            wellFormed(m.problem, true);
            const r = await yalpsSolver.solve(m.problem, { timeLimitS: 30 });
            if (ok.length === 0) {
              expect(r.status).toBe('infeasible');
              return;
            }
            expect(r.status).toBe('optimal');
            solved++;
            if (m.problem.variables.some((v) => v.name.startsWith('y_'))) joint++;
            const best = Math.min(...ok.map((x) => objectiveValue(x, objective)));
            expect(Math.abs(m.toSI(r.objective as number) - best)).toBeLessThanOrEqual(1e-6 * best);
            expect(objectiveValue(relaxedCost(sg, m.decode(r.values as number[])), objective)).toBeCloseTo(best, 6);
          },
        ),
        { numRuns: 50, seed: 11 },
      );
      expect(solved).toBeGreaterThan(30);
      expect(joint).toBeGreaterThan(10);
    });
  }
});

/*
 * relaxationBound: what it hands the solver and when it gives up. A recording
 * solver keeps every problem and time limit it was given; a mocked clock pins
 * performance.now() where a deadline must fall exactly.
 */

/** o0 (d0 3 s 5 J | d1 1 s 9 J) -1000 B-> o1 (d0 4 s 2 J | d1 2 s 7 J): one block, so the whole MILP. Time unit 4 s. */
const twoOps = () => choiceChain(2, [1, 1]);

/** twoOps then o1 -1000 B-> o2 (d0 only): two blocks, so the block master. Relaxed latency optimum d1 d1 d0, 6 s. */
const chain3 = () => choiceChain(3, [2, 1], [1, 2]);

interface Call {
  readonly problem: MilpProblem;
  readonly options: SolveOptions;
}

/** A solver that records each call and answers with `answer` (yalps when not given). */
function recording(answer?: (p: MilpProblem) => MilpResult) {
  const calls: Call[] = [];
  const solver: SolverPlugin = {
    kind: 'solver',
    id: 'rec',
    name: 'rec',
    description: '',
    solve: (problem, options) => {
      calls.push({ problem, options });
      return answer ? answer(problem) : yalpsSolver.solve(problem, options);
    },
  };
  return { calls, pick: () => solver };
}

const isWhole = (p: MilpProblem) => p.variables.some((v) => v.name === 'f_o0');

describe('relaxationBound', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('hands the solver the time left in seconds: 5 s before the deadline, a limit in (4, 5] s, to the block master and to the whole MILP', async () => {
    for (const sg of [chain3(), twoOps()]) {
      const rec = recording();
      await relaxationBound(sg, 'latency', {}, rec.pick, performance.now() + 5000, () => true);
      expect(rec.calls).toHaveLength(1);
      const limit = rec.calls[0]?.options.timeLimitS as number;
      expect(limit).toBeGreaterThan(4);
      expect(limit).toBeLessThanOrEqual(5);
    }
  });

  it('where the blocks solve the relaxation (6 s), the whole MILP is never built', async () => {
    const rec = recording();
    const r = await relaxationBound(chain3(), 'latency', {}, rec.pick, Number.POSITIVE_INFINITY, () => true);
    expect(r.bound).toBeCloseTo(6, 6);
    expect(rec.calls.length).toBeGreaterThan(0);
    expect(rec.calls.filter((c) => isWhole(c.problem))).toHaveLength(0);
  });

  it('the deadline exactly now: no time is left, nothing is solved', async () => {
    vi.spyOn(performance, 'now').mockReturnValue(1000);
    const rec = recording();
    expect(await relaxationBound(twoOps(), 'latency', {}, rec.pick, 1000, () => true)).toEqual({
      note: 'no time was left for the relaxation',
    });
    expect(rec.calls).toHaveLength(0);
  });

  it('time running out while the block master is solved: no whole MILP, and the note says why', async () => {
    let clock = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const rec = recording(() => {
      // the master takes until the deadline, exactly
      clock = 1000;
      return { status: 'feasible' };
    });
    expect(await relaxationBound(chain3(), 'latency', {}, rec.pick, 1000, () => true)).toEqual({
      note: 'the relaxation was not solved (the master problem was not solved (feasible))',
    });
    expect(rec.calls.filter((c) => isWhole(c.problem))).toHaveLength(0);
  });

  it(`one block of ${MONOLITHIC_OPS_LIMIT} ops gets the whole MILP; one op more, only a note`, async () => {
    // o0 feeds every middle op, each feeds the last: no articulation op, one block
    const wide = (n: number) =>
      graphOf(
        n,
        Array.from({ length: n - 2 }, (_, k) => [
          [0, k + 1],
          [k + 1, n - 1],
        ]).flat() as [number, number][],
      );
    const at = recording(() => ({ status: 'timeout', bound: 0.5 }));
    // time unit 1 s: the bound is the solver's 0.5
    expect(await relaxationBound(wide(MONOLITHIC_OPS_LIMIT), 'latency', {}, at.pick, Number.POSITIVE_INFINITY, () => true)).toEqual({
      bound: 0.5,
      note: "the relaxation's solver 'rec' ended 'timeout', so the bound is weaker",
    });
    expect(at.calls.filter((c) => isWhole(c.problem))).toHaveLength(1);
    const over = recording(() => ({ status: 'timeout', bound: 0.5 }));
    expect(await relaxationBound(wide(MONOLITHIC_OPS_LIMIT + 1), 'latency', {}, over.pick, Number.POSITIVE_INFINITY, () => true)).toEqual({
      note: 'the relaxation was not solved (the graph is one block)',
    });
    expect(over.calls).toHaveLength(0);
  });

  it('an optimal answer with its objective only: the bound is that objective in seconds (0.75 x 4 s = 3 s), no note', async () => {
    const rec = recording((p) => ({
      status: 'optimal',
      objective: 0.75,
      values: p.variables.map((v) => (v.name === 'x_o0_1' || v.name === 'x_o1_1' ? 1 : 0)),
    }));
    const r = await relaxationBound(twoOps(), 'latency', {}, rec.pick, Number.POSITIVE_INFINITY, () => true);
    expect(r.bound).toBe(3);
    expect([...(r.choice?.values() ?? [])]).toEqual([1, 1]);
    expect(r.note).toBeUndefined();
  });
});
