import type { StackedGraph } from '@lightcode/ir';
import { makeSelection, type Objective, type Selection } from './selection.js';

/**
 * Per-op greedy: each op takes its cheapest candidate for the objective,
 * ignoring transfers and contention. A baseline, never claimed optimal.
 */
export function greedySelect(sg: StackedGraph, objective: Objective): Selection {
  const choice = new Map<string, number>();
  for (const [id, list] of sg.candidates) {
    let best = 0;
    for (let i = 1; i < list.length; i++) {
      const a = list[i];
      const b = list[best];
      if (!a || !b) continue;
      const better = objective === 'latency' ? a.latencyS < b.latencyS : a.energyJ < b.energyJ;
      if (better) best = i;
    }
    choice.set(id, best);
  }
  return makeSelection(sg, choice, objective, 'greedy', 'feasible');
}
