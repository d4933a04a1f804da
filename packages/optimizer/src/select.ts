import { type StackedGraph, UserError } from '@lightcode/ir';
import { EXHAUSTIVE_LIMIT, exhaustiveSelect, selectionSpace } from './exhaustive.js';
import { greedySelect } from './greedy.js';
import type { Objective, Selection } from './selection.js';

/** Built-in selection methods. `auto`: exhaustive when the space is small, else greedy. */
export const SELECTORS = ['auto', 'exhaustive', 'greedy'] as const;
export type SelectorId = (typeof SELECTORS)[number];

export function select(sg: StackedGraph, objective: Objective, method: string = 'auto'): Selection {
  switch (method) {
    case 'exhaustive':
      return exhaustiveSelect(sg, objective);
    case 'greedy':
      return greedySelect(sg, objective);
    case 'auto':
      return selectionSpace(sg) <= EXHAUSTIVE_LIMIT ? exhaustiveSelect(sg, objective) : greedySelect(sg, objective);
    default:
      throw new UserError(`unknown solver '${method}' (known: ${SELECTORS.join(', ')})`);
  }
}
