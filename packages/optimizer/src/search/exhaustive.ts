import { brokenFusion, fusionMembers, type StackedGraph, UserError } from '@lightcode/ir';
import { selectionBound } from '../model/bound.js';
import { evaluateSelection, makeSelection, type Objective, objectiveValue, type Selection, type SelectionCost } from '../selection.js';

/** Largest candidate space the exhaustive solver will enumerate. */
export const EXHAUSTIVE_LIMIT = 20_000;

/** Number of distinct selections of a Stacked Graph (may be Infinity). */
export function selectionSpace(sg: StackedGraph): number {
  let n = 1;
  for (const list of sg.candidates.values()) n *= list.length;
  return n;
}

/**
 * Enumerates every selection, schedules each, and keeps the best; ties go to
 * the first found, in odometer order over ops in insertion order. The bound
 * is the least objective any selection's lower bound (model/bound.ts) allows
 * within the budgets, so the result is `optimal` when its schedule meets it.
 * Selections that `feasible` rejects, or that take a fused realization in
 * part, are skipped; undefined when none is feasible.
 */
export function exhaustiveSelect(
  sg: StackedGraph,
  objective: Objective,
  limit = EXHAUSTIVE_LIMIT,
  feasible: (cost: SelectionCost) => boolean = () => true,
): Selection | undefined {
  const space = selectionSpace(sg);
  if (space > limit) {
    throw new UserError(`exhaustive search needs ${space.toExponential(2)} evaluations, over its limit of ${limit}; use another solver`);
  }
  const ids = [...sg.candidates.keys()];
  const sizes = ids.map((id) => sg.candidates.get(id)?.length ?? 1);
  const digits = ids.map(() => 0);
  const choice = new Map<string, number>(ids.map((id) => [id, 0]));
  let best = new Map(choice);
  let bestValue = Number.POSITIVE_INFINITY;
  let bound = Number.POSITIVE_INFINITY;
  const members = fusionMembers(sg.candidates);
  for (;;) {
    if (members.size === 0 || brokenFusion(sg.candidates, choice, members) === undefined) {
      const cost = evaluateSelection(sg, choice);
      const v = objectiveValue(cost, objective);
      if (v < bestValue && feasible(cost)) {
        bestValue = v;
        best = new Map(choice);
      }
      const low = selectionBound(sg, choice);
      if (feasible(low)) bound = Math.min(bound, objectiveValue(low, objective));
    }
    let i = 0;
    while (i < ids.length) {
      const next = (digits[i] ?? 0) + 1;
      if (next < (sizes[i] ?? 1)) {
        digits[i] = next;
        choice.set(ids[i] as string, next);
        break;
      }
      digits[i] = 0;
      choice.set(ids[i] as string, 0);
      i++;
    }
    if (i === ids.length) break;
  }
  if (bestValue === Number.POSITIVE_INFINITY) return undefined;
  return makeSelection(sg, best, objective, 'exhaustive', bound);
}
