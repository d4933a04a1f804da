import { formatQuantity, type MilpProblem, type SolverPlugin } from '@lightcode/cost-model';
import { PluginError, type StackedGraph, UserError } from '@lightcode/ir';
import { type Baseline, baselineChoices, baselines } from './baselines.js';
import { meetsBudgets, restrictCandidates, type SelectionConstraints } from './constraints.js';
import { type DecompositionStats, decomposedSelect } from './decompose.js';
import { EXHAUSTIVE_LIMIT, exhaustiveSelect, selectionSpace } from './exhaustive.js';
import { greedySelect } from './greedy.js';
import { buildSelectionMilp } from './milp-model.js';
import { makeSelection, type Objective, type Selection, type SelectionCost } from './selection.js';
import { yalpsSolver } from './yalps-solver.js';

export interface OptimizeOptions {
  readonly objective: Objective;
  readonly constraints?: SelectionConstraints;
  /** MILP solver, or a rule picking one per problem; the built-in yalps when omitted. */
  readonly solver?: SolverPlugin | ((problem: MilpProblem) => SolverPlugin);
  /** Seconds the MILP solver may spend. */
  readonly timeLimitS?: number;
  /** Candidate spaces up to this size are enumerated instead (0 forces the MILP). */
  readonly exhaustiveLimit?: number;
  /** Try the exact block decomposition before the monolithic MILP (default true). */
  readonly decompose?: boolean;
  /** Solve each block separately even when isomorphic to another (for measuring reuse). */
  readonly reuseBlocks?: boolean;
}

/** A selection with how it was found and how it compares. */
export interface OptimizeResult {
  readonly selection: Selection;
  /** The Stacked Graph after pins and excludes (what the selection indexes). */
  readonly stacked: StackedGraph;
  /** (value - bound) / value; 0 when optimal, undefined when no bound is known. */
  readonly gap?: number;
  readonly solveTimeS: number;
  readonly baselines: readonly Baseline[];
  /** Why the result is not proven optimal, when it is not. */
  readonly note?: string;
  /** How the selection was found. */
  readonly method: 'enumeration' | 'decomposition' | 'milp' | 'baseline';
  /** The block decomposition's figures when it solved the problem, or why it could not. */
  readonly decomposition?: DecompositionStats | { readonly skipped: string };
}

export const DEFAULT_TIME_LIMIT_S = 30;

/** (value - bound) / value, or undefined without a bound. */
function relativeGap(value: number, bound: number | undefined): number | undefined {
  if (bound === undefined) return undefined;
  return value > 0 ? Math.max(0, (value - bound) / value) : 0;
}

/** Explains an infeasible budget with the best value that metric can reach. */
async function explainInfeasible(sg: StackedGraph, o: OptimizeOptions): Promise<never> {
  const c = o.constraints ?? {};
  const unbudgeted = { ...c, latencyBudgetS: undefined, energyBudgetJ: undefined };
  const checks = [
    { objective: 'latency', budget: c.latencyBudgetS, unit: 's', what: 'latency budget', best: 'best achievable latency' },
    { objective: 'energy', budget: c.energyBudgetJ, unit: 'J', what: 'energy budget', best: 'least achievable energy' },
  ] as const;
  const parts: string[] = [];
  for (const k of checks) {
    if (k.budget === undefined) continue;
    const r = await optimize(sg, { ...o, objective: k.objective, constraints: unbudgeted });
    const reached = k.objective === 'latency' ? r.selection.latencyS : r.selection.energyJ;
    if (reached > k.budget) parts.push(`${k.what} ${fmt(k.budget, k.unit)} is below the ${k.best} ${fmt(reached, k.unit)}`);
  }
  if (parts.length === 0) parts.push('the latency and energy budgets cannot both be met; loosen one');
  throw new UserError(`infeasible: ${parts.join('; ')}`);
}

/** The best baseline selection (single device classes, greedy) that meets every constraint. */
function bestFeasibleBaseline(sg: StackedGraph, objective: Objective, feasible: (c: SelectionCost) => boolean): Selection | undefined {
  let best: Selection | undefined;
  for (const [name, choice] of baselineChoices(sg)) {
    if (!choice) continue;
    const s = makeSelection(sg, choice, objective, name, 'feasible');
    if (feasible(s) && (!best || s.objectiveValue < best.objectiveValue)) best = s;
  }
  return best;
}

function fmt(v: number, unit: string): string {
  return formatQuantity(v, unit, 4);
}

/**
 * Picks one candidate per op minimizing the objective under the constraints.
 * Small candidate spaces are enumerated; otherwise the block decomposition
 * is tried (see decomposedSelect), and where it does not apply or cannot
 * certify its answer the monolithic selection MILP goes to the solver.
 * `optimal` is reported only when the enumeration, the certificate or the
 * solver proves it; a solver stopped by its time limit returns its best
 * selection with the gap to its bound.
 */
export async function optimize(sgFull: StackedGraph, o: OptimizeOptions): Promise<OptimizeResult> {
  const started = performance.now();
  const c = o.constraints ?? {};
  const sg = restrictCandidates(sgFull, c);
  const feasible = (cost: SelectionCost) => meetsBudgets(c, cost);
  const elapsed = () => (performance.now() - started) / 1000;
  let decomposition: OptimizeResult['decomposition'];
  const done = (selection: Selection, gap: number | undefined, method: OptimizeResult['method'], note?: string): OptimizeResult => ({
    selection,
    stacked: sg,
    ...(gap !== undefined ? { gap } : {}),
    solveTimeS: elapsed(),
    baselines: baselines(sg, c),
    ...(note ? { note } : {}),
    method,
    ...(decomposition ? { decomposition } : {}),
  });

  if (selectionSpace(sg) <= (o.exhaustiveLimit ?? EXHAUSTIVE_LIMIT)) {
    const s = exhaustiveSelect(sg, o.objective, Number.POSITIVE_INFINITY, feasible);
    if (!s) return explainInfeasible(sg, o);
    return done(s, 0, 'enumeration');
  }

  const pick = (p: MilpProblem): SolverPlugin => (typeof o.solver === 'function' ? o.solver(p) : (o.solver ?? yalpsSolver));
  if (o.decompose !== false) {
    const d = await decomposedSelect(sg, o.objective, c, pick, {
      timeLimitS: o.timeLimitS ?? DEFAULT_TIME_LIMIT_S,
      ...(o.reuseBlocks === false ? { reuse: false } : {}),
    });
    if (typeof d === 'string') decomposition = { skipped: d };
    else {
      decomposition = d.stats;
      if (d.proven) return done(makeSelection(sg, d.choice, o.objective, d.solver, 'optimal'), 0, 'decomposition');
      // the master stopped at the time limit: its incumbent, with the gap to its bound
      const s = makeSelection(sg, d.choice, o.objective, d.solver, 'feasible');
      const gap = relativeGap(s.objectiveValue, d.bound);
      const note = `the decomposition's master problem stopped at the ${o.timeLimitS ?? DEFAULT_TIME_LIMIT_S} s limit; the selection is feasible, not proven optimal`;
      return done({ ...s, ...(d.bound !== undefined ? { bound: d.bound } : {}) }, gap, 'decomposition', note);
    }
  }

  const milp = buildSelectionMilp(sg, o.objective, c);
  const solver = pick(milp.problem);
  let result: Awaited<ReturnType<SolverPlugin['solve']>>;
  try {
    result = await solver.solve(milp.problem, { timeLimitS: o.timeLimitS ?? DEFAULT_TIME_LIMIT_S });
  } catch (e) {
    throw new PluginError(solver.id, `solve() failed: ${(e as Error)?.message ?? String(e)}`, 1);
  }
  if (result.status === 'infeasible') {
    // A solver's infeasibility claim is checked against the baselines: if one of
    // them meets every constraint, the claim is numerical trouble, not a fact.
    const rescue = bestFeasibleBaseline(sg, o.objective, feasible);
    if (!rescue) return explainInfeasible(sg, o);
    return done(
      rescue,
      undefined,
      'baseline',
      `solver '${solver.id}' wrongly reported the problem infeasible (numerical trouble); returning the best feasible baseline; try --solver highs`,
    );
  }
  if (result.status === 'unbounded') throw new PluginError(solver.id, 'reported the selection MILP unbounded, which it cannot be', 1);
  if (!result.values) {
    const g = greedySelect(sg, o.objective);
    const note = `solver '${solver.id}' found no selection within ${o.timeLimitS ?? DEFAULT_TIME_LIMIT_S} s; using the per-op greedy selection`;
    return done(g, undefined, 'baseline', feasible(g) ? note : `${note}, which misses the budget`);
  }
  const choice = milp.decode(result.values);
  const proven = result.status === 'optimal';
  const s = makeSelection(sg, choice, o.objective, solver.id, proven ? 'optimal' : 'feasible');
  const boundSI = result.bound !== undefined ? milp.toSI(result.bound) : undefined;
  const bound = proven ? s.objectiveValue : boundSI;
  const gap = proven ? 0 : relativeGap(s.objectiveValue, bound);
  const note = proven
    ? undefined
    : result.status === 'timeout'
      ? `solver '${solver.id}' stopped at its time limit; the selection is feasible but not proven optimal`
      : `solver '${solver.id}' found this selection only at a loosened numerical tolerance; it is not proven optimal`;
  return done({ ...s, ...(bound !== undefined ? { bound } : {}) }, gap, 'milp', note);
}
