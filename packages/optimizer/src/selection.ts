import { type Candidate, type StackedGraph, spanS } from '@lightcode/ir';
import { assertWholeFusions } from './fusions.js';

export const OBJECTIVES = ['latency', 'energy'] as const;
/** A single metric. */
export type Metric = (typeof OBJECTIVES)[number];
/** Minimize latencyWeight x latency (s) + energyWeight x energy (J), both weights non-negative. */
export interface WeightedObjective {
  readonly latencyWeight: number;
  readonly energyWeight: number;
}
export type Objective = Metric | WeightedObjective;

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
 * `optimal`: proven minimal for the objective model below; `feasible`: a valid
 * selection without a proof (a heuristic's, or a solver's best when it stopped).
 */
export type SelectionStatus = 'optimal' | 'feasible';

/** One candidate index per op id, into `StackedGraph.candidates`. */
export type Choice = ReadonlyMap<string, number>;

/** What a selection costs under the optimizer's model. */
export interface SelectionCost {
  /** max(critical path, busiest device class's load / instances), seconds. */
  readonly latencyS: number;
  /** Longest path through op and transfer delays. */
  readonly criticalPathS: number;
  /** Largest per-class load divided by its instance count, or largest link occupancy. */
  readonly loadBoundS: number;
  /** Dynamic + transfer + static power x latency, joules. */
  readonly energyJ: number;
}

export interface Selection extends SelectionCost {
  readonly choice: Choice;
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

/**
 * Prices a selection. Latency is the critical path through op spans (an op
 * that splits into parts may spread over its class's instances) and the
 * transfer latencies of edges that cross devices, bounded below by each
 * device class's total work spread over its instances and by each link's
 * occupancy (a transfer holds every link on its route, one at a time, as the
 * simulator has it). Energy is the ops'
 * dynamic energy, the transfers' energy, and every instance's static power for
 * the whole latency.
 */
export function evaluateSelection(sg: StackedGraph, choice: Choice): SelectionCost {
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
      if (tr.latencyS > 0) for (const l of sg.route(pc.device, c.device)) linkLoad.set(l, (linkLoad.get(l) ?? 0) + tr.latencyS);
      ready = Math.max(ready, (finish.get(from) ?? 0) + tr.latencyS);
    }
    const f = ready + spanS(c, count.get(c.device) ?? 1);
    finish.set(id, f);
    criticalPathS = Math.max(criticalPathS, f);
    load.set(c.device, (load.get(c.device) ?? 0) + c.latencyS);
    dynamic += c.energyJ;
  }
  let loadBoundS = 0;
  let staticW = 0;
  for (const d of sg.devices) {
    loadBoundS = Math.max(loadBoundS, (load.get(d.id) ?? 0) / d.count);
    staticW += d.count * d.staticPowerW;
  }
  for (const busy of linkLoad.values()) loadBoundS = Math.max(loadBoundS, busy);
  const latencyS = Math.max(criticalPathS, loadBoundS);
  return { latencyS, criticalPathS, loadBoundS, energyJ: dynamic + staticW * latencyS };
}

/** The objective's value of a priced selection. */
export function objectiveValue(cost: { readonly latencyS: number; readonly energyJ: number }, objective: Objective): number {
  if (objective === 'latency') return cost.latencyS;
  if (objective === 'energy') return cost.energyJ;
  return objective.latencyWeight * cost.latencyS + objective.energyWeight * cost.energyJ;
}

export function makeSelection(sg: StackedGraph, choice: Choice, objective: Objective, solver: string, status: SelectionStatus): Selection {
  assertWholeFusions(sg, choice);
  const cost = evaluateSelection(sg, choice);
  const value = objectiveValue(cost, objective);
  return { ...cost, choice, status, solver, objective, objectiveValue: value, ...(status === 'optimal' ? { bound: value } : {}) };
}
