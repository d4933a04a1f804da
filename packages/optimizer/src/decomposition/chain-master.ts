/**
 * The master problem over a chain of segments: one point per segment,
 * neighbours agreeing on the articulation op they share, minimizing the
 * additive objective (the makespan and the energy are sums over segments).
 * Without budgets it is a shortest path over the articulation ops'
 * candidates, solved exactly by dynamic programming; with a latency or energy
 * budget it is a small MILP.
 */
import type { MilpProblem, MilpRow, MilpVariable, SolverPlugin } from '@lightcode/cost-model';
import type { SelectionConstraints } from '../constraints.js';
import { solveMilp } from '../milp/solve.js';
import { type Objective, objectiveScaling, objectiveWeights } from '../selection.js';
import type { SegmentPoint } from './segment-points.js';

/** One segment of the chain: its points per cut combination `entryPick/exitPick`. */
export type ChainLink = ReadonlyMap<string, readonly SegmentPoint[]>;

/** The master's answer: a point per segment and the objective's value. */
export interface ChainSolution {
  readonly points: readonly SegmentPoint[];
  readonly value: number;
  /** Whether the value is proven minimal (dynamic programming always; a MILP when solved to optimality). */
  readonly solved: boolean;
  /** A proven lower bound on the value (the solver's when it stopped early). */
  readonly bound?: number;
  readonly solver: string;
}

function parse(key: string): [number, number] {
  const [a, b] = key.split('/').map(Number);
  return [a as number, b as number];
}

/** The point's share of the objective. */
function pointCost(p: SegmentPoint, objective: Objective, staticW: number): number {
  const w = objectiveWeights(objective);
  return w.latencyWeight * p.timeS + w.energyWeight * (p.energyJ + staticW * p.timeS);
}

/** Minimizes the objective over the chain; undefined when no agreeing choice meets the budgets. */
export async function solveChain(
  chain: readonly ChainLink[],
  objective: Objective,
  staticW: number,
  c: SelectionConstraints,
  solver: (p: MilpProblem) => SolverPlugin,
  timeLimitS: number,
): Promise<ChainSolution | undefined | string> {
  if (c.latencyBudgetS === undefined && c.energyBudgetJ === undefined) return shortestPath(chain, objective, staticW);
  return chainMilp(chain, objective, staticW, c, solver, timeLimitS);
}

function shortestPath(chain: readonly ChainLink[], objective: Objective, staticW: number): ChainSolution | undefined {
  interface State {
    readonly value: number;
    readonly point?: SegmentPoint;
    readonly prev?: State;
  }
  let states = new Map<number, State>([[-1, { value: 0 }]]);
  for (const link of chain) {
    const next = new Map<number, State>();
    for (const [key, points] of link) {
      const [a, b] = parse(key);
      const from = states.get(a);
      if (!from) continue;
      for (const p of points) {
        const value = from.value + pointCost(p, objective, staticW);
        const known = next.get(b);
        if (!known || value < known.value) next.set(b, { value, point: p, prev: from });
      }
    }
    states = next;
  }
  const end = states.get(-1);
  if (!end) return undefined;
  const points: SegmentPoint[] = [];
  for (let s: State | undefined = end; s?.point; s = s.prev) points.unshift(s.point);
  return { points, value: end.value, solved: true, bound: end.value, solver: 'shortest-path' };
}

async function chainMilp(
  chain: readonly ChainLink[],
  objective: Objective,
  staticW: number,
  c: SelectionConstraints,
  solver: (p: MilpProblem) => SolverPlugin,
  timeLimitS: number,
): Promise<ChainSolution | undefined | string> {
  const all = chain.flatMap((l) => [...l.values()].flat());
  const timeUnit = Math.max(...all.map((p) => p.timeS), 1e-30);
  const energyUnit = Math.max(...all.map((p) => p.energyJ), staticW * timeUnit, 1e-30);
  const scale = objectiveScaling(objective, timeUnit, energyUnit);
  const vars: MilpVariable[] = [];
  const rows: MilpRow[] = [];
  const time: [number, number][] = [];
  const energy: [number, number][] = [];
  const cols: { v: number; a: number; b: number; p: SegmentPoint }[][] = chain.map((link, k) => {
    const mine: { v: number; a: number; b: number; p: SegmentPoint }[] = [];
    for (const [key, points] of link) {
      const [a, b] = parse(key);
      points.forEach((p, i) => {
        const t = p.timeS / timeUnit;
        const e = (p.energyJ + staticW * p.timeS) / energyUnit;
        const cost = scale.latency * t + scale.energy * e;
        const v = vars.push({ name: `z_${k}_${a}_${b}_${i}`, type: 'binary', ...(cost ? { cost } : {}) }) - 1;
        if (t) time.push([v, t]);
        if (e) energy.push([v, e]);
        mine.push({ v, a, b, p });
      });
    }
    rows.push({ name: `one_${k}`, terms: mine.map((m) => [m.v, 1] as const), lower: 1, upper: 1 });
    return mine;
  });
  // the articulation op between segments k-1 and k takes one candidate in both
  for (let k = 1; k < cols.length; k++) {
    const cands = new Set([...(cols[k - 1] ?? []).map((m) => m.b), ...(cols[k] ?? []).map((m) => m.a)]);
    for (const s of cands) {
      const terms: [number, number][] = [
        ...(cols[k - 1] ?? []).filter((m) => m.b === s).map((m): [number, number] => [m.v, 1]),
        ...(cols[k] ?? []).filter((m) => m.a === s).map((m): [number, number] => [m.v, -1]),
      ];
      rows.push({ name: `agree_${k}_${s}`, terms, lower: 0, upper: 0 });
    }
  }
  if (c.latencyBudgetS !== undefined) rows.push({ name: 'latency_budget', terms: time, upper: c.latencyBudgetS / timeUnit });
  if (c.energyBudgetJ !== undefined) rows.push({ name: 'energy_budget', terms: energy, upper: c.energyBudgetJ / energyUnit });
  const problem: MilpProblem = { sense: 'minimize', variables: vars, rows };
  const { solver: s, result } = await solveMilp(solver, problem, timeLimitS);
  if (result.status === 'infeasible') return undefined;
  if (!result.values || (result.status !== 'optimal' && result.status !== 'timeout'))
    return `the master problem was not solved (${result.status})`;
  const points = cols.map((mine) => (mine.find((m) => Math.round(result.values?.[m.v] ?? 0) === 1) ?? mine[0])?.p as SegmentPoint);
  const value = points.reduce((sum, p) => sum + pointCost(p, objective, staticW), 0);
  const solved = result.status === 'optimal';
  const raw = solved ? result.objective : result.bound;
  return { points, value, solved, ...(raw !== undefined ? { bound: raw * scale.unit } : {}), solver: s.id };
}
