import type { StackedGraph } from '@lightcode/ir';
import { mendFusions } from '../fusions.js';
import { makeSelection, type Objective, objectiveValue, type Selection } from '../selection.js';

/**
 * Per-op greedy: each op takes its cheapest candidate for the objective,
 * ignoring transfers and contention; a fused realization is taken whole when
 * it beats its members' best unfused candidates. A baseline, never claimed optimal.
 */
export function greedySelect(sg: StackedGraph, objective: Objective): Selection {
  const choice = new Map<string, number>();
  for (const [id, list] of sg.candidates) {
    let best = 0;
    for (let i = 1; i < list.length; i++) {
      const a = list[i];
      const b = list[best];
      if (!a || !b) continue;
      const better = objectiveValue(a, objective) < objectiveValue(b, objective);
      if (better) best = i;
    }
    choice.set(id, best);
  }
  mendFusions(sg, choice, (c) => objectiveValue(c, objective));
  return makeSelection(sg, choice, objective, 'greedy');
}
