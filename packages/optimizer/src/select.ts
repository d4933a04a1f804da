import { formatQuantity, type MilpProblem, type SolverPlugin } from '@lightcode/cost-model';
import { brokenFusion, fusionMembers, PluginError, type StackedGraph, UserError } from '@lightcode/ir';
import { type Baseline, baselineChoices, baselines } from './baselines.js';
import { meetsBudgets, restrictCandidates, type SelectionConstraints } from './constraints.js';
import { relaxedDecomposition } from './decompose.js';
import { type SegmentStats, segmentedSelect } from './decomposition/segmented.js';
import { EXHAUSTIVE_LIMIT, exhaustiveSelect, selectionSpace } from './exhaustive.js';
import { buildSelectionMilp } from './milp-model.js';
import {
  type Choice,
  evaluateSelection,
  makeSelection,
  meetsBound,
  type Objective,
  objectiveValue,
  type Selection,
  type SelectionCost,
} from './selection.js';
import { yalpsSolver } from './yalps-solver.js';

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

/** A proven lower bound on the objective from the whole-graph relaxation, and the relaxation's own selection. */
async function relaxationBound(
  sg: StackedGraph,
  o: OptimizeOptions,
  c: SelectionConstraints,
  pick: (p: MilpProblem) => SolverPlugin,
): Promise<{ bound?: number; choice?: Choice; note?: string; infeasible?: boolean }> {
  const timeLimitS = o.timeLimitS ?? DEFAULT_TIME_LIMIT_S;
  const d = await relaxedDecomposition(sg, o.objective, c, pick, { timeLimitS });
  if (d === 'the decomposed master is infeasible') return { infeasible: true };
  if (typeof d !== 'string') return { ...(d.bound !== undefined ? { bound: d.bound } : {}), choice: d.choice };
  const milp = buildSelectionMilp(sg, o.objective, c);
  const solver = pick(milp.problem);
  let result: Awaited<ReturnType<SolverPlugin['solve']>>;
  try {
    result = await solver.solve(milp.problem, { timeLimitS });
  } catch (e) {
    throw new PluginError(solver.id, `solve() failed: ${(e as Error)?.message ?? String(e)}`, 1);
  }
  if (result.status === 'unbounded') throw new PluginError(solver.id, 'reported the selection MILP unbounded, which it cannot be', 1);
  // a solver's infeasibility claim stands unless a baseline meets every budget (then it is numerical trouble)
  if (result.status === 'infeasible') return bestFeasibleBaseline(sg, o, c) ? {} : { infeasible: true };
  const raw = result.status === 'optimal' ? result.objective : result.bound;
  return {
    ...(raw !== undefined ? { bound: milp.toSI(raw) } : {}),
    ...(result.values ? { choice: milp.decode(result.values) } : {}),
    ...(result.status !== 'optimal'
      ? { note: `the relaxation's solver '${solver.id}' ended '${result.status}', so the bound is weaker` }
      : {}),
  };
}

function lexLess(a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);
}

/**
 * The choice with op `id` moved to candidate k: joining a fused realization
 * moves its other members with it; leaving one moves them to their first
 * unfused candidate.
 */
function moveOp(
  sg: StackedGraph,
  members: ReadonlyMap<string, readonly [string, number][]>,
  from: Choice,
  id: string,
  k: number,
): Map<string, number> {
  const list = sg.candidates.get(id) ?? [];
  const choice = new Map(from);
  const leaving = list[from.get(id) ?? -1]?.fusion;
  if (leaving)
    for (const [m] of members.get(leaving.id) ?? [])
      choice.set(
        m,
        (sg.candidates.get(m) ?? []).findIndex((x) => !x.fusion),
      );
  const joining = list[k]?.fusion;
  if (joining) for (const [m, j] of members.get(joining.id) ?? []) choice.set(m, j);
  choice.set(id, k);
  return choice;
}

/**
 * Moves one op (a fused realization whole) to another candidate while the
 * scheduled objective falls, until no move helps or the deadline passes.
 */
function localSearch(sg: StackedGraph, start: Selection, o: OptimizeOptions, deadline: number): Selection {
  const members = fusionMembers(sg.candidates);
  const c = o.constraints ?? {};
  let best = start;
  let score = rank(c, best, o.objective);
  let improved = true;
  while (improved && performance.now() < deadline) {
    improved = false;
    for (const [id, list] of sg.candidates) {
      if (performance.now() >= deadline) break;
      for (let k = 0; k < list.length; k++) {
        if (k === best.choice.get(id)) continue;
        const choice = moveOp(sg, members, best.choice, id, k);
        if ([...choice.values()].some((v) => v < 0)) continue;
        const next = rank(c, evaluateSelection(sg, choice), o.objective);
        if (next[0] < score[0] * (1 - 1e-12) || (next[0] <= score[0] && next[1] < score[1] * (1 - 1e-12))) {
          best = makeSelection(sg, choice, o.objective, 'local-search');
          score = next;
          improved = true;
        }
      }
    }
  }
  return best;
}

/** How far a cost misses the budgets (relative, 0 when it meets them), then its objective value: compared in that order. */
function rank(c: SelectionConstraints, cost: SelectionCost, objective: Objective): [number, number] {
  const over = (v: number, budget: number | undefined) =>
    budget === undefined || v <= budget * (1 + 1e-12) ? 0 : (v - budget) / Math.max(budget, 1e-30);
  return [over(cost.latencyS, c.latencyBudgetS) + over(cost.energyJ, c.energyBudgetJ), objectiveValue(cost, objective)];
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
  const feasible = (cost: SelectionCost) => meetsBudgets(c, cost);
  const timeLimitS = o.timeLimitS ?? DEFAULT_TIME_LIMIT_S;
  const deadline = started + timeLimitS * 1000;
  const elapsed = () => (performance.now() - started) / 1000;
  let decomposition: OptimizeResult['decomposition'];
  const done = (found: Selection, method: OptimizeResult['method'], note?: string): OptimizeResult => {
    // a baseline that meets the budgets and beats the search is the better answer
    let selection = found;
    let how = method;
    const rival = bestFeasibleBaseline(sg, o, c);
    if (rival && rival.objectiveValue < found.objectiveValue * (1 - 1e-12)) {
      selection = makeSelection(sg, rival.choice, o.objective, rival.solver, found.bound);
      how = 'baseline';
    }
    const status = selection.status;
    const why =
      status === 'optimal'
        ? undefined
        : (note ??
          (selection.bound === undefined
            ? 'no lower bound is known for this selection'
            : `the schedule is ${(100 * (relativeGap(selection.objectiveValue, selection.bound) ?? 0)).toFixed(2)} % above the proven lower bound`));
    return {
      selection,
      stacked: sg,
      // optimal within CERTIFICATE_TOLERANCE reads as gap 0
      ...(selection.bound !== undefined ? { gap: status === 'optimal' ? 0 : relativeGap(selection.objectiveValue, selection.bound) } : {}),
      solveTimeS: elapsed(),
      baselines: baselines(sg, c),
      ...(why ? { note: why } : {}),
      method: how,
      ...(decomposition ? { decomposition } : {}),
    };
  };

  if (selectionSpace(sg) <= (o.exhaustiveLimit ?? EXHAUSTIVE_LIMIT)) {
    const s = exhaustiveSelect(sg, o.objective, Number.POSITIVE_INFINITY, feasible);
    if (!s) return explainInfeasible(sg, o);
    return done(s, 'enumeration');
  }

  const pick = (p: MilpProblem): SolverPlugin => (typeof o.solver === 'function' ? o.solver(p) : (o.solver ?? yalpsSolver));
  if (o.decompose !== false) {
    const d = await segmentedSelect(sg, o.objective, c, pick, { timeLimitS, deadline });
    if (d === undefined) return explainInfeasible(sg, o);
    if (typeof d === 'string') decomposition = { skipped: d };
    else {
      decomposition = d.stats;
      let bound = d.bound;
      let note: string | undefined;
      // the segments' bounds leave out ops that could run in another window (a dangling KV-cache write);
      // the whole-graph relaxation counts every op's load, so where the two differ the larger holds
      if (bound === undefined || !meetsBound(d.value, bound)) {
        const r = await relaxationBound(sg, o, c, pick);
        if (r.bound !== undefined) bound = Math.max(bound ?? 0, r.bound);
        if (d.bound === undefined) {
          note = `${d.stats.searched} segment class(es) too large to enumerate were searched locally; the bound is the whole-graph relaxation's`;
        }
      }
      const s = makeSelection(sg, d.choice, o.objective, d.solver, bound);
      if (Math.abs(s.objectiveValue - d.value) > 1e-9 * Math.max(Math.abs(d.value), 1e-30)) {
        throw new Error(`segmented master valued its selection at ${d.value}, its schedule at ${s.objectiveValue}`);
      }
      return done(s, 'decomposition', s.status === 'optimal' ? undefined : note);
    }
  }

  const r = await relaxationBound(sg, o, c, pick);
  // the relaxation bounds every schedule below: if it cannot meet the budgets, nothing can
  if (r.infeasible) return explainInfeasible(sg, o);
  const seeds = [r.choice, ...baselineChoices(sg).map(([, choice]) => choice)].filter(
    (x): x is Choice => x !== undefined && brokenFusion(sg.candidates, x) === undefined,
  );
  let start: Selection | undefined;
  for (const choice of seeds) {
    const s = makeSelection(sg, choice, o.objective, choice === r.choice ? 'relaxation' : 'baseline', r.bound);
    if (!start || lexLess(rank(c, s, o.objective), rank(c, start, o.objective))) start = s;
  }
  if (!start) throw new Error('no selection to start the search from');
  const improved = localSearch(sg, start, o, deadline);
  if (!feasible(improved)) {
    throw new UserError(
      'no selection meeting the budgets was found (the search is not exhaustive on this graph, and no proof of infeasibility exists); loosen a budget or raise --time-limit',
    );
  }
  const s = improved === start ? start : makeSelection(sg, improved.choice, o.objective, improved.solver, r.bound);
  const note =
    s.status === 'optimal'
      ? undefined
      : `${performance.now() >= deadline ? `the ${timeLimitS} s time limit was reached; ` : ''}the best schedule found is ${
          r.bound !== undefined
            ? `${(100 * (relativeGap(s.objectiveValue, r.bound) ?? 0)).toFixed(2)} % above the relaxation's lower bound`
            : 'without a lower bound'
        }${r.note ? ` (${r.note})` : ''}`;
  return done(s, 'search', note);
}
