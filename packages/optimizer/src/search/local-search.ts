/**
 * Local search over selections with the scheduler as the judge: move one op
 * (a fused realization whole) to another candidate while that gets closer to
 * the budgets, then while it lowers the objective, until no move helps or the
 * deadline passes. Used where the graph does not cut into segments.
 */
import { fusionMembers, type StackedGraph } from '@lightcode/ir';
import type { SelectionConstraints } from '../constraints.js';
import {
  type Choice,
  evaluateSelection,
  makeSelection,
  type Objective,
  objectiveValue,
  type Selection,
  type SelectionCost,
} from '../selection.js';

export function lexLess(a: readonly [number, number], b: readonly [number, number]): boolean {
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
export function localSearch(
  sg: StackedGraph,
  start: Selection,
  objective: Objective,
  c: SelectionConstraints,
  deadline: number,
): Selection {
  const members = fusionMembers(sg.candidates);
  let best = start;
  let score = rank(c, best, objective);
  let improved = true;
  while (improved && performance.now() < deadline) {
    improved = false;
    for (const [id, list] of sg.candidates) {
      if (performance.now() >= deadline) break;
      for (let k = 0; k < list.length; k++) {
        if (k === best.choice.get(id)) continue;
        const choice = moveOp(sg, members, best.choice, id, k);
        if ([...choice.values()].some((v) => v < 0)) continue;
        const next = rank(c, evaluateSelection(sg, choice), objective);
        if (next[0] < score[0] * (1 - 1e-12) || (next[0] <= score[0] && next[1] < score[1] * (1 - 1e-12))) {
          best = makeSelection(sg, choice, objective, 'local-search');
          score = next;
          improved = true;
        }
      }
    }
  }
  return best;
}

/** How far a cost misses the budgets (relative, 0 when it meets them), then its objective value: compared in that order. */
export function rank(c: SelectionConstraints, cost: SelectionCost, objective: Objective): [number, number] {
  const over = (v: number, budget: number | undefined) =>
    budget === undefined || v <= budget * (1 + 1e-12) ? 0 : (v - budget) / Math.max(budget, 1e-30);
  return [over(cost.latencyS, c.latencyBudgetS) + over(cost.energyJ, c.energyBudgetJ), objectiveValue(cost, objective)];
}
