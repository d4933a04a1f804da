import type { StackedGraph } from '@lightcode/ir';
import { candidateOf, type Selection } from '../selection.js';
import { type OptimizeOptions, optimize } from './optimize.js';

/** One point of the latency-energy front. */
export interface ParetoPoint {
  readonly latencyS: number;
  readonly energyJ: number;
  /** `optimal` when both solves behind the point were proven. */
  readonly status: string;
  readonly selection: Selection;
  /** Ops per device class. */
  readonly opsPerDevice: Readonly<Record<string, number>>;
}

/** Relative slack that keeps a budget set at a solved value feasible despite rounding. */
const SLACK = 1e-9;

function summarize(sg: StackedGraph, s: Selection): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(sg.devices.map((d) => [d.id, 0]));
  for (const id of sg.candidates.keys()) {
    const d = candidateOf(sg, s.choice, id).device;
    out[d] = (out[d] ?? 0) + 1;
  }
  return out;
}

/**
 * The latency-energy Pareto front by the epsilon-constraint method: the
 * latency-optimal and energy-optimal extremes (each refined lexicographically,
 * so neither is dominated), then, for `points` latency budgets evenly spaced
 * between them, the least energy within each budget. Dominated and repeated
 * points are dropped; the result is sorted by latency.
 */
export async function paretoFront(
  sgFull: StackedGraph,
  o: Omit<OptimizeOptions, 'objective'> & { points?: number },
): Promise<ParetoPoint[]> {
  const base = o.constraints ?? {};
  const run = async (objective: 'latency' | 'energy', extra: { latencyBudgetS?: number; energyBudgetJ?: number }) =>
    optimize(sgFull, { ...o, objective, constraints: { ...base, ...extra } });
  const fast = await run('latency', {});
  const fastLean = await run('energy', { latencyBudgetS: fast.selection.latencyS * (1 + SLACK) });
  const lean = await run('energy', {});
  const leanFast = await run('latency', { energyBudgetJ: lean.selection.energyJ * (1 + SLACK) });
  const results = [
    { r: fastLean, proven: fast.selection.status === 'optimal' && fastLean.selection.status === 'optimal' },
    { r: leanFast, proven: lean.selection.status === 'optimal' && leanFast.selection.status === 'optimal' },
  ];
  const lo = fastLean.selection.latencyS;
  const hi = leanFast.selection.latencyS;
  const n = Math.max(0, Math.floor(o.points ?? 8));
  for (let i = 1; i <= n && hi > lo * (1 + 1e-6); i++) {
    const r = await run('energy', { latencyBudgetS: lo + ((hi - lo) * i) / (n + 1) });
    results.push({ r, proven: r.selection.status === 'optimal' });
  }
  const points = results.map(({ r, proven }) => ({
    latencyS: r.selection.latencyS,
    energyJ: r.selection.energyJ,
    status: proven ? 'optimal' : 'feasible',
    selection: r.selection,
    opsPerDevice: summarize(r.stacked, r.selection),
  }));
  points.sort((a, b) => a.latencyS - b.latencyS || a.energyJ - b.energyJ);
  const front: ParetoPoint[] = [];
  for (const p of points) {
    const last = front[front.length - 1];
    if (last && p.energyJ >= last.energyJ * (1 - 1e-12)) continue;
    front.push(p);
  }
  return front;
}
