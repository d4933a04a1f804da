import type { Compilation, CompileResult } from '@lightcode/core';
import { formatQuantity, opDtype, type StackedGraph } from '@lightcode/cost-model';

type Baseline = CompileResult['selection']['baselines'][number];

/** A baseline of a compile, with why it is infeasible where it is. */
export type ExplainedBaseline = Baseline & { readonly why?: string };

/**
 * Why a baseline is infeasible, in one line, or undefined when it is
 * feasible: `all-DEVICE` baselines name the ops that device class cannot run
 * (no target realization), others the budget they miss.
 */
export function baselineWhy(sg: StackedGraph, b: Baseline, options: CompileResult['options']): string | undefined {
  if (b.feasible) return undefined;
  if (!Number.isFinite(b.latencyS) || !Number.isFinite(b.energyJ)) {
    const device = /^all-(.+)$/.exec(b.name)?.[1];
    if (device !== undefined) {
      const missing = [...sg.candidates].filter(([, list]) => !list.some((c) => c.device === device)).map(([id]) => sg.graph.op(id));
      const first = missing[0];
      if (first) {
        const more = missing.length > 1 ? ` and ${missing.length - 1} more of ${sg.candidates.size} ops` : '';
        return `no realization on ${device} for op '${first.name}' (${[first.kind, opDtype(first)].filter(Boolean).join(', ')})${more}`;
      }
    }
    return 'no selection of this kind exists for this graph and system';
  }
  const misses: string[] = [];
  if (options.latencyBudgetS !== undefined && b.latencyS > options.latencyBudgetS) {
    misses.push(`latency ${formatQuantity(b.latencyS, 's')} is over the budget ${formatQuantity(options.latencyBudgetS, 's')}`);
  }
  if (options.energyBudgetJ !== undefined && b.energyJ > options.energyBudgetJ) {
    misses.push(`energy ${formatQuantity(b.energyJ, 'J')} is over the budget ${formatQuantity(options.energyBudgetJ, 'J')}`);
  }
  return misses.length > 0 ? misses.join('; ') : 'it breaks a constraint of the compile (a pin or an exclude)';
}

/** The compile's result with each infeasible baseline saying why (`why`), for JSON and reports. */
export function explainBaselines(
  c: Compilation,
): CompileResult & { readonly selection: { readonly baselines: readonly ExplainedBaseline[] } } {
  const r = c.result;
  const baselines = r.selection.baselines.map((b) => {
    const why = baselineWhy(c.optimized.stacked, b, r.options);
    return why === undefined ? b : { ...b, why };
  });
  return { ...r, selection: { ...r.selection, baselines } };
}
