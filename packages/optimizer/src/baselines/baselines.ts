import { memo, type StackedGraph } from '@lightcode/ir';
import { meetsBudgets, type SelectionConstraints } from '../constraints.js';
import { mendFusions } from '../fusions.js';
import { type Choice, evaluateSelection, type SelectionCost } from '../selection.js';
import { greedySelect } from './greedy.js';
import { studyPathSelect } from './path-heuristic.js';

/** A simple selection to measure the optimizer's gain against. */
export interface Baseline {
  readonly name: string;
  readonly latencyS: number;
  readonly energyJ: number;
  /** Every op has a candidate and the budgets hold. */
  readonly feasible: boolean;
}

/**
 * The baseline selections by name: everything on each single device class that
 * can run every op (its fastest candidate per op), per-op greedy for latency
 * and for energy, and the original study's path heuristic on each metric.
 */
export function baselineChoices(sg: StackedGraph): readonly [string, Choice | undefined][] {
  return memo(chosen, sg, () => freshChoices(sg));
}

// every objective, budget and search on one Stacked Graph starts from the same baselines
const chosen = new WeakMap<StackedGraph, readonly [string, Choice | undefined][]>();

function freshChoices(sg: StackedGraph): [string, Choice | undefined][] {
  const out: [string, Choice | undefined][] = [];
  for (const d of sg.devices) {
    const choice = new Map<string, number>();
    for (const [id, list] of sg.candidates) {
      let best = -1;
      list.forEach((x, k) => {
        if (x.device === d.id && (best < 0 || x.latencyS < (list[best]?.latencyS ?? 0))) best = k;
      });
      if (best < 0) break;
      choice.set(id, best);
    }
    out.push([`all-${d.id}`, choice.size === sg.candidates.size ? mendFusions(sg, choice, (x) => x.latencyS) : undefined]);
  }
  for (const objective of ['latency', 'energy'] as const) out.push([`greedy-${objective}`, greedySelect(sg, objective).choice]);
  for (const metric of ['latency', 'energy'] as const) out.push([`study-path-${metric}`, studyPathSelect(sg, metric)]);
  return out;
}

// priced once per Stacked Graph: every objective and budget compares against the same baselines
const priced = new WeakMap<StackedGraph, { name: string; cost?: SelectionCost }[]>();

/** The baselines priced; an impossible one (some op cannot run there) is infeasible with NaN costs. */
export function baselines(sg: StackedGraph, c: SelectionConstraints = {}): Baseline[] {
  const list = memo(priced, sg, () =>
    baselineChoices(sg).map(([name, choice]) => (choice ? { name, cost: evaluateSelection(sg, choice) } : { name })),
  );
  return list.map(({ name, cost }) =>
    cost
      ? { name, latencyS: cost.latencyS, energyJ: cost.energyJ, feasible: meetsBudgets(c, cost) }
      : { name, latencyS: Number.NaN, energyJ: Number.NaN, feasible: false },
  );
}
