import { type Candidate, type StackedGraph, spanS } from '@lightcode/ir';
import { assertWholeFusions } from './fusions.js';
import { type Plan, planSelection, scheduledLatency } from './model/schedule.js';

export const OBJECTIVES = ['latency', 'energy'] as const;
/** A single metric. */
export type Metric = (typeof OBJECTIVES)[number];
/** Minimize latencyWeight x latency (s) + energyWeight x energy (J), both weights non-negative. */
export interface WeightedObjective {
  readonly latencyWeight: number;
  readonly energyWeight: number;
}
export type Objective = Metric | WeightedObjective;

/**
 * Which totals the objective and the budgets depend on: time (the critical
 * path and the loads) and energy. Pareto sets need only those, and are much
 * smaller for a pure latency or a pure energy objective.
 */
export interface Dims {
  readonly time: boolean;
  readonly energy: boolean;
}

/** How to name an objective to a person: `latency`, `energy` or `2 x latency + 0.5 x energy`. */
export function objectiveLabel(o: Objective): string {
  return typeof o === 'string' ? o : `${o.latencyWeight} x latency (s) + ${o.energyWeight} x energy (J)`;
}

/**
 * The objective's coefficients in a MILP whose time and energy are in units of
 * `timeUnit` seconds and `energyUnit` joules: per unit of latency, per unit of
 * energy, and the SI value of one unit of the objective. A single metric is
 * its own unit; a weighted sum is divided by its larger term's scale, so its
 * coefficients stay near 1 (solver tolerances are absolute: raw SI weights let
 * a small latency term vanish under them).
 */
export function objectiveScaling(o: Objective, timeUnit: number, energyUnit: number): { latency: number; energy: number; unit: number } {
  if (o === 'latency') return { latency: 1, energy: 0, unit: timeUnit };
  if (o === 'energy') return { latency: 0, energy: 1, unit: energyUnit };
  const unit = Math.max(o.latencyWeight * timeUnit, o.energyWeight * energyUnit) || 1;
  return { latency: (o.latencyWeight * timeUnit) / unit, energy: (o.energyWeight * energyUnit) / unit, unit };
}

/** The objective as weights on latency (per second) and energy (per joule). */
export function objectiveWeights(o: Objective): WeightedObjective {
  if (o === 'latency') return { latencyWeight: 1, energyWeight: 0 };
  if (o === 'energy') return { latencyWeight: 0, energyWeight: 1 };
  return o;
}

/**
 * `optimal`: the makespan (or objective) meets a proven lower bound;
 * `feasible`: a valid selection and schedule without that proof (a
 * heuristic's, or a search stopped early), with its gap where a bound is known.
 */
export type SelectionStatus = 'optimal' | 'feasible';

/** One candidate index per op id, into `StackedGraph.candidates`. */
export type Choice = ReadonlyMap<string, number>;

/** What a selection costs: the makespan of its schedule, and its energy. */
export interface SelectionCost {
  /** Makespan of the selection's schedule (see model/schedule.ts), seconds. */
  readonly latencyS: number;
  /** Dynamic + transfer + static power x latency, joules. */
  readonly energyJ: number;
}

export interface Selection extends SelectionCost {
  readonly choice: Choice;
  /** The schedule whose makespan is `latencyS`; the simulator replays it. */
  readonly plan: Plan;
  readonly status: SelectionStatus;
  readonly solver: string;
  readonly objective: Objective;
  readonly objectiveValue: number;
  /** Proven lower bound on the objective (equals the value when optimal); undefined when unknown. */
  readonly bound?: number;
}

export function candidateOf(sg: StackedGraph, choice: Choice, opId: string): Candidate {
  const list = sg.candidates.get(opId);
  const c = list?.[choice.get(opId) ?? -1];
  if (!c) throw new Error(`selection has no valid candidate for op '${opId}'`);
  return c;
}

/** Total static power of every instance, watts. */
export function staticPowerW(sg: StackedGraph): number {
  return sg.devices.reduce((s, d) => s + d.count * d.staticPowerW, 0);
}

/** Dynamic energy of a selection: its ops and the transfers on its edges, joules. */
export function dynamicEnergyJ(sg: StackedGraph, choice: Choice): number {
  let e = 0;
  for (const id of sg.graph.topologicalOrder()) {
    const c = candidateOf(sg, choice, id);
    e += c.energyJ;
    for (const { from, bytes } of sg.graph.inEdges(id)) e += sg.transfer(candidateOf(sg, choice, from).device, c.device, bytes).energyJ;
  }
  return e;
}

/**
 * Prices a selection on its schedule: latency is the makespan of the
 * schedule the latency model builds for it, energy the dynamic energy plus
 * every instance's static power over that makespan.
 */
export function evaluateSelection(sg: StackedGraph, choice: Choice): SelectionCost {
  const latencyS = scheduledLatency(sg, (id) => candidateOf(sg, choice, id));
  return { latencyS, energyJ: dynamicEnergyJ(sg, choice) + staticPowerW(sg) * latencyS };
}

/** A relaxation of a selection's cost: a lower bound on every schedule's makespan and energy. */
export interface RelaxedCost extends SelectionCost {
  /** Longest path through op spans and transfer delays. */
  readonly criticalPathS: number;
  /** Largest per-class load divided by its instance count, or largest link occupancy. */
  readonly loadBoundS: number;
}

/**
 * The relaxation the selection MILP models: latency bounded below by the
 * critical path through op spans (an op that splits into parts may spread over
 * its class's instances) and transfer latencies, by each device class's total
 * work spread over its instances and by each link's occupancy. Every schedule
 * of the selection takes at least this long.
 */
export function relaxedCost(sg: StackedGraph, choice: Choice): RelaxedCost {
  const g = sg.graph;
  const count = new Map(sg.devices.map((d) => [d.id, d.count]));
  const finish = new Map<string, number>();
  const load = new Map<string, number>();
  const linkLoad = new Map<string, number>();
  let dynamic = 0;
  let criticalPathS = 0;
  for (const id of g.topologicalOrder()) {
    const c = candidateOf(sg, choice, id);
    let ready = 0;
    for (const { from, bytes } of g.inEdges(id)) {
      const pc = candidateOf(sg, choice, from);
      const tr = sg.transfer(pc.device, c.device, bytes);
      dynamic += tr.energyJ;
      if (tr.latencyS > 0 && bytes > 0 && pc.device !== c.device) {
        for (const l of sg.route(pc.device, c.device)) linkLoad.set(l, (linkLoad.get(l) ?? 0) + tr.latencyS);
      }
      ready = Math.max(ready, (finish.get(from) ?? 0) + tr.latencyS);
    }
    const f = ready + spanS(c, count.get(c.device) ?? 1);
    finish.set(id, f);
    criticalPathS = Math.max(criticalPathS, f);
    load.set(c.device, (load.get(c.device) ?? 0) + c.latencyS);
    dynamic += c.energyJ;
  }
  let loadBoundS = 0;
  for (const d of sg.devices) loadBoundS = Math.max(loadBoundS, (load.get(d.id) ?? 0) / d.count);
  for (const busy of linkLoad.values()) loadBoundS = Math.max(loadBoundS, busy);
  const latencyS = Math.max(criticalPathS, loadBoundS);
  return { latencyS, criticalPathS, loadBoundS, energyJ: dynamic + staticPowerW(sg) * latencyS };
}

/** The objective's value of a priced selection. */
export function objectiveValue(cost: { readonly latencyS: number; readonly energyJ: number }, objective: Objective): number {
  if (objective === 'latency') return cost.latencyS;
  if (objective === 'energy') return cost.energyJ;
  return objective.latencyWeight * cost.latencyS + objective.energyWeight * cost.energyJ;
}

/**
 * A selection with its schedule and cost. `bound` is a proven lower bound on
 * the objective; the status is `optimal` only when the value meets it.
 */
export function makeSelection(sg: StackedGraph, choice: Choice, objective: Objective, solver: string, bound?: number): Selection {
  assertWholeFusions(sg, choice);
  const plan = planSelection(sg, (id) => candidateOf(sg, choice, id));
  const latencyS = plan.makespanS;
  const energyJ = dynamicEnergyJ(sg, choice) + staticPowerW(sg) * latencyS;
  const value = objectiveValue({ latencyS, energyJ }, objective);
  // a schedule shorter than a proven lower bound means the bound or the schedule is wrong: say so, never clamp it away
  if (bound !== undefined && value < bound / (1 + CERTIFICATE_TOLERANCE) - 1e-18) {
    throw new Error(`lower bound ${bound} is above the value ${value} of the schedule it bounds (objective ${JSON.stringify(objective)})`);
  }
  const proven = bound !== undefined && meetsBound(value, bound);
  return {
    latencyS,
    energyJ,
    choice,
    plan,
    status: proven ? 'optimal' : 'feasible',
    solver,
    objective,
    objectiveValue: value,
    // within the solvers' tolerance a bound may sit above the value it proves optimal: reported as the value
    ...(bound !== undefined ? { bound: Math.min(bound, value) } : {}),
  };
}

/**
 * Relative slack within which a value counts as meeting its lower bound: the
 * MILP solvers' feasibility tolerance (HiGHS: 1e-6 in model units near 1),
 * which a bound from a solved master can sit below the true optimum by.
 */
export const CERTIFICATE_TOLERANCE = 1e-5;

/** Whether a value meets a proven lower bound (to CERTIFICATE_TOLERANCE). */
export function meetsBound(value: number, bound: number): boolean {
  return value <= bound * (1 + CERTIFICATE_TOLERANCE) + 1e-18;
}
