import { formatQuantity, type MilpProblem, type SolverPlugin } from '@lightcode/cost-model';
import { brokenFusion, type StackedGraph, UserError } from '@lightcode/ir';
import { type Baseline, baselineChoices, baselines } from '../baselines/baselines.js';
import { meetsBudgets, restrictCandidates, type SelectionConstraints } from '../constraints.js';
import { type SegmentStats, segmentedSelect } from '../decomposition/segmented.js';
import { relaxationBound } from '../relaxation/bound.js';
import { type Choice, makeSelection, meetsBound, type Objective, objectiveValue, type Selection } from '../selection.js';
import { yalpsSolver } from '../yalps-solver.js';
import { EXHAUSTIVE_LIMIT, exhaustiveSelect, selectionSpace } from './exhaustive.js';
import { lexLess, localSearch, rank } from './local-search.js';

export interface OptimizeOptions {
  readonly objective: Objective;
  readonly constraints?: SelectionConstraints;
  /** MILP solver, or a rule picking one per problem; the built-in yalps when omitted. */
  readonly solver?: SolverPlugin | ((problem: MilpProblem) => SolverPlugin);
  /** Seconds the search may spend (MILP solves, local search). */
  readonly timeLimitS?: number;
  /** Candidate spaces up to this size are enumerated instead (0 forces the MILP). */
  readonly exhaustiveLimit?: number;
  /** Try the segmented solve before the whole-graph search (default true). */
  readonly decompose?: boolean;
  /**
   * Solve the whole-graph relaxation where the segments' bound leaves a gap
   * (default true). Off, a segmented result keeps the segments' bound: a
   * weaker proof, much sooner (what each decode step of a request wants).
   */
  readonly relaxation?: boolean;
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
  readonly method: 'enumeration' | 'decomposition' | 'search' | 'baseline';
  /** The segmented solve's figures when it solved the problem, or why it could not. */
  readonly decomposition?: SegmentStats | { readonly skipped: string };
}

export const DEFAULT_TIME_LIMIT_S = 30;

/** (value - bound) / value, or undefined without a bound. */
function relativeGap(value: number, bound: number | undefined): number | undefined {
  if (bound === undefined) return undefined;
  return value > 0 ? (value - bound) / value : 0;
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

/** The best baseline selection (single device classes, greedy, study path) that meets every constraint. */
function bestFeasibleBaseline(sg: StackedGraph, o: OptimizeOptions, c: SelectionConstraints): Selection | undefined {
  const priced = baselines(sg, c);
  let best = -1;
  priced.forEach((b, i) => {
    const v = objectiveValue(b, o.objective);
    if (b.feasible && (best < 0 || v < objectiveValue(priced[best] as Baseline, o.objective))) best = i;
  });
  const [name, choice] = baselineChoices(sg)[best] ?? [];
  return name && choice ? makeSelection(sg, choice, o.objective, name) : undefined;
}

function fmt(v: number, unit: string): string {
  return formatQuantity(v, unit, 4);
}

/** What every step of the search shares. */
interface Run {
  readonly sg: StackedGraph;
  readonly o: OptimizeOptions;
  readonly c: SelectionConstraints;
  readonly timeLimitS: number;
  readonly deadline: number;
  readonly started: number;
  readonly pick: (p: MilpProblem) => SolverPlugin;
}

/** The result: a baseline that meets the budgets and beats the search replaces it; the note says why it is not optimal. */
function finish(
  run: Run,
  found: Selection,
  method: OptimizeResult['method'],
  decomposition?: OptimizeResult['decomposition'],
  note?: string,
): OptimizeResult {
  const { sg, o, c } = run;
  let selection = found;
  let how = method;
  const rival = bestFeasibleBaseline(sg, o, c);
  if (rival && rival.objectiveValue < found.objectiveValue * (1 - 1e-12)) {
    selection = makeSelection(sg, rival.choice, o.objective, rival.solver, found.bound);
    how = 'baseline';
  }
  const optimal = selection.status === 'optimal';
  const gap = relativeGap(selection.objectiveValue, selection.bound);
  // an answer cut short by the time limit says so
  const late = performance.now() >= run.deadline ? `the ${run.timeLimitS} s time limit was reached; ` : '';
  const why = optimal
    ? undefined
    : late +
      (note ??
        (gap === undefined
          ? 'no lower bound is known for this selection'
          : `the schedule is ${(100 * gap).toFixed(2)} % above the proven lower bound`));
  return {
    selection,
    stacked: sg,
    // optimal within CERTIFICATE_TOLERANCE reads as gap 0
    ...(gap !== undefined ? { gap: optimal ? 0 : gap } : {}),
    solveTimeS: (performance.now() - run.started) / 1000,
    baselines: baselines(sg, c),
    ...(why ? { note: why } : {}),
    method: how,
    ...(decomposition ? { decomposition } : {}),
  };
}

/** The segmented solve, or why it does not apply; its bound raised by the relaxation's where that is larger. */
async function fromSegments(run: Run): Promise<OptimizeResult | { skipped: string }> {
  const { sg, o, c } = run;
  const d = await segmentedSelect(sg, o.objective, c, run.pick, { timeLimitS: run.timeLimitS, deadline: run.deadline });
  if (d === undefined) return explainInfeasible(sg, o);
  if (typeof d === 'string') return { skipped: d };
  let bound = d.bound;
  // the segments' bounds leave out ops that could run in another window (a dangling KV-cache write);
  // the whole-graph relaxation counts every op's load, so where the two differ the larger holds
  if (o.relaxation !== false && (bound === undefined || !meetsBound(d.value, bound))) {
    const r = await relaxationBound(sg, o.objective, c, run.pick, run.deadline, () => bestFeasibleBaseline(sg, o, c) !== undefined);
    if (r.bound !== undefined) bound = Math.max(bound ?? 0, r.bound);
  }
  const s = makeSelection(sg, d.choice, o.objective, d.solver, bound);
  if (Math.abs(s.objectiveValue - d.value) > 1e-9 * Math.max(Math.abs(d.value), 1e-30)) {
    throw new Error(`segmented master valued its selection at ${d.value}, its schedule at ${s.objectiveValue}`);
  }
  const note =
    d.stats.searched > 0 && s.status !== 'optimal'
      ? `${d.stats.searched} segment class(es) too large to enumerate were searched locally, and bound with every op at its cheapest`
      : undefined;
  return finish(run, s, 'decomposition', d.stats, note);
}

/** Where the graph does not cut into segments: the relaxation's bound and selection, then local search. */
async function fromSearch(run: Run, skipped?: { skipped: string }): Promise<OptimizeResult> {
  const { sg, o, c, deadline } = run;
  const r = await relaxationBound(sg, o.objective, c, run.pick, run.deadline, () => bestFeasibleBaseline(sg, o, c) !== undefined);
  // the relaxation bounds every schedule below: if it cannot meet the budgets, nothing can
  if (r.infeasible) return explainInfeasible(sg, o);
  const seeds = [r.choice, ...baselineChoices(sg).map(([, choice]) => choice)].filter(
    (x): x is Choice => x !== undefined && brokenFusion(sg.candidates, x) === undefined,
  );
  let start: Selection | undefined;
  for (const choice of seeds) {
    // no bound yet: the relaxation bounds only selections that meet the budgets, and a seed may not
    const s = makeSelection(sg, choice, o.objective, choice === r.choice ? 'relaxation' : 'baseline');
    if (!start || lexLess(rank(c, s, o.objective), rank(c, start, o.objective))) start = s;
  }
  if (!start) throw new Error('no selection to start the search from');
  const improved = localSearch(sg, start, o.objective, c, deadline);
  if (!meetsBudgets(c, improved)) {
    throw new UserError(
      'no selection meeting the budgets was found (the search is not exhaustive on this graph, and no proof of infeasibility exists); loosen a budget or raise --time-limit',
    );
  }
  const s = makeSelection(sg, improved.choice, o.objective, improved.solver, r.bound);
  const gap = relativeGap(s.objectiveValue, r.bound);
  const note = `the best schedule found is ${
    gap !== undefined ? `${(100 * gap).toFixed(2)} % above the relaxation's lower bound` : 'without a lower bound'
  }${r.note ? ` (${r.note})` : ''}`;
  return finish(run, s, 'search', skipped, s.status === 'optimal' ? undefined : note);
}

/**
 * Picks one candidate per op and schedules it, minimizing the objective of the
 * schedule under the constraints. Small candidate spaces are enumerated;
 * graphs that cut into segments are solved segment class by segment class
 * (see segmentedSelect); otherwise the relaxation gives a lower bound and a
 * starting selection that local search improves with the scheduler as judge.
 * `optimal` is reported only when the schedule's value meets a proven lower
 * bound (to CERTIFICATE_TOLERANCE); otherwise the result is `feasible` with
 * its bound and gap. Never worse than a baseline that meets the budgets.
 */
export async function optimize(sgFull: StackedGraph, o: OptimizeOptions): Promise<OptimizeResult> {
  const started = performance.now();
  const c = o.constraints ?? {};
  const sg = restrictCandidates(sgFull, c);
  const timeLimitS = o.timeLimitS ?? DEFAULT_TIME_LIMIT_S;
  const pick = (p: MilpProblem): SolverPlugin => (typeof o.solver === 'function' ? o.solver(p) : (o.solver ?? yalpsSolver));
  const run: Run = { sg, o, c, timeLimitS, deadline: started + timeLimitS * 1000, started, pick };
  if (selectionSpace(sg) <= (o.exhaustiveLimit ?? EXHAUSTIVE_LIMIT)) {
    const s = exhaustiveSelect(sg, o.objective, Number.POSITIVE_INFINITY, (cost) => meetsBudgets(c, cost));
    if (!s) return explainInfeasible(sg, o);
    return finish(run, s, 'enumeration');
  }
  // the baselines are part of every answer: priced first (once per Stacked Graph), so the time limit covers them
  baselines(sg, c);
  const segmented = o.decompose === false ? { skipped: 'decomposition turned off' } : await fromSegments(run);
  return 'selection' in segmented ? segmented : fromSearch(run, segmented);
}
