/**
 * The whole-graph relaxation as a lower bound: its optimum over selections
 * (by blocks where the graph decomposes, else the relaxation MILP) bounds
 * every selection's every schedule, and its selection is a starting point
 * for the search. A solver stopped early still gives its dual bound.
 */
import type { MilpProblem, SolverPlugin } from '@lightcode/cost-model';
import type { StackedGraph } from '@lightcode/ir';
import type { SelectionConstraints } from '../constraints.js';
import { solveMilp } from '../milp/solve.js';
import type { Choice, Objective } from '../selection.js';
import { relaxedDecomposition } from './blocks.js';
import { buildSelectionMilp } from './milp.js';

/** Graphs with more ops than this get no whole relaxation MILP (it takes minutes to build and solve). */
export const MONOLITHIC_OPS_LIMIT = 4000;

export interface RelaxationBound {
  readonly bound?: number;
  readonly choice?: Choice;
  /** Why the bound is weaker than the relaxation's optimum. */
  readonly note?: string;
  /** The relaxation cannot meet the budgets, so no selection can. */
  readonly infeasible?: boolean;
}

/** A proven lower bound on the objective from the whole-graph relaxation, and the relaxation's own selection. */
export async function relaxationBound(
  sg: StackedGraph,
  objective: Objective,
  c: SelectionConstraints,
  pick: (p: MilpProblem) => SolverPlugin,
  /** performance.now() by which to stop. */
  deadline: number,
  /** Whether some selection is known to meet the budgets (a solver's infeasibility claim is then numerical trouble). */
  someFeasible: () => boolean,
): Promise<RelaxationBound> {
  const left = () => (deadline - performance.now()) / 1000;
  if (left() <= 0) return { note: 'no time was left for the relaxation' };
  const d = await relaxedDecomposition(sg, objective, c, pick, { timeLimitS: left(), deadline });
  if (d === 'the decomposed master is infeasible') return { infeasible: true };
  if (typeof d !== 'string') return { ...(d.bound !== undefined ? { bound: d.bound } : {}), choice: d.choice };
  // the whole relaxation MILP is only worth building for graphs it can solve in the time left
  if (left() <= 0 || sg.graph.size > MONOLITHIC_OPS_LIMIT) return { note: `the relaxation was not solved (${d})` };
  const timeLimitS = left();
  const milp = buildSelectionMilp(sg, objective, c);
  const { solver, result } = await solveMilp(pick, milp.problem, timeLimitS);
  // a solver's infeasibility claim stands unless a baseline meets every budget (then it is numerical trouble)
  if (result.status === 'infeasible') return someFeasible() ? {} : { infeasible: true };
  const raw = result.status === 'optimal' ? result.objective : result.bound;
  return {
    ...(raw !== undefined ? { bound: milp.toSI(raw) } : {}),
    ...(result.values ? { choice: milp.decode(result.values) } : {}),
    ...(result.status !== 'optimal'
      ? { note: `the relaxation's solver '${solver.id}' ended '${result.status}', so the bound is weaker` }
      : {}),
  };
}
