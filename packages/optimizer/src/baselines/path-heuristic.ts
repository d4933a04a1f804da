import type { Candidate, StackedGraph } from '@lightcode/ir';
import { mendFusions } from '../fusions.js';
import type { Choice, Metric } from '../selection.js';

/**
 * The original LightCode study's selection, as a baseline: cheapest
 * source-to-sink paths through the Stacked Graph, where a path costs the sum
 * of its ops' costs and its edges' transfer costs in one metric, combined
 * until every op is covered; ops already on a chosen path keep their choice.
 * Here each uncovered op, in topological order, takes the cheapest path
 * through it (a forward and a backward pass over the candidates, redone only
 * when the path disagrees with ops already fixed) instead of the study's
 * exponential enumeration. It minimizes path sums, which is neither the makespan nor
 * the total energy, so it is a baseline and never claimed optimal.
 */
export function studyPathSelect(sg: StackedGraph, metric: Metric): Choice {
  const g = sg.graph;
  const order = g.topologicalOrder();
  const cost = (c: Candidate) => (metric === 'latency' ? c.latencyS : c.energyJ);
  const move = (from: Candidate, to: Candidate, bytes: number) => {
    const t = sg.transfer(from.device, to.device, bytes);
    return metric === 'latency' ? t.latencyS : t.energyJ;
  };
  const fixed = new Map<string, number>();
  const allowed = (id: string) => {
    const list = sg.candidates.get(id) ?? [];
    const f = fixed.get(id);
    return f === undefined ? list.map((_, k) => k) : [f];
  };
  type Step = { cost: number; next?: [string, number] };
  /** Cheapest paths under the current fixes: from the sources into each (op, candidate), and from it on to the sinks. */
  const passes = () => {
    const fwd = new Map<string, Step[]>();
    for (const id of order) {
      const list = sg.candidates.get(id) ?? [];
      const row: Step[] = list.map(() => ({ cost: Number.POSITIVE_INFINITY }));
      const ins = g.inEdges(id);
      for (const k of allowed(id)) {
        const c = list[k] as Candidate;
        if (ins.length === 0) row[k] = { cost: cost(c) };
        for (const { from, bytes } of ins) {
          const pl = sg.candidates.get(from) ?? [];
          for (const j of allowed(from)) {
            const via = (fwd.get(from)?.[j]?.cost ?? Number.POSITIVE_INFINITY) + move(pl[j] as Candidate, c, bytes) + cost(c);
            if (via < (row[k]?.cost ?? Number.POSITIVE_INFINITY)) row[k] = { cost: via, next: [from, j] };
          }
        }
      }
      fwd.set(id, row);
    }
    const bwd = new Map<string, Step[]>();
    for (let i = order.length - 1; i >= 0; i--) {
      const id = order[i] as string;
      const list = sg.candidates.get(id) ?? [];
      const row: Step[] = list.map(() => ({ cost: Number.POSITIVE_INFINITY }));
      const outs = g.outEdges(id);
      for (const k of allowed(id)) {
        const c = list[k] as Candidate;
        if (outs.length === 0) row[k] = { cost: 0 };
        for (const { to: s, bytes } of outs) {
          const sl = sg.candidates.get(s) ?? [];
          for (const j of allowed(s)) {
            const via = move(c, sl[j] as Candidate, bytes) + cost(sl[j] as Candidate) + (bwd.get(s)?.[j]?.cost ?? Number.POSITIVE_INFINITY);
            if (via < (row[k]?.cost ?? Number.POSITIVE_INFINITY)) row[k] = { cost: via, next: [s, j] };
          }
        }
      }
      bwd.set(id, row);
    }
    return { fwd, bwd };
  };
  /** The cheapest path through an op: its candidate and every (op, candidate) on the path. */
  const pathThrough = (p: ReturnType<typeof passes>, target: string): [string, number][] => {
    let best = -1;
    let bestCost = Number.POSITIVE_INFINITY;
    for (const k of allowed(target)) {
      const through =
        (p.fwd.get(target)?.[k]?.cost ?? Number.POSITIVE_INFINITY) + (p.bwd.get(target)?.[k]?.cost ?? Number.POSITIVE_INFINITY);
      if (through < bestCost) {
        bestCost = through;
        best = k;
      }
    }
    if (best < 0) best = allowed(target)[0] ?? 0;
    const path: [string, number][] = [[target, best]];
    for (let at = p.fwd.get(target)?.[best]?.next; at; at = p.fwd.get(at[0])?.[at[1]]?.next) path.push(at);
    for (let at = p.bwd.get(target)?.[best]?.next; at; at = p.bwd.get(at[0])?.[at[1]]?.next) path.push(at);
    return path;
  };
  // paths are taken in topological order of their first uncovered op; one pair of passes serves
  // every path that agrees with the ops already fixed, and a disagreeing one is searched again
  let p = passes();
  const chosen = new Map<string, number>();
  for (const target of order) {
    if (fixed.has(target)) continue;
    let path = pathThrough(p, target);
    if (path.some(([id, k]) => fixed.has(id) && fixed.get(id) !== k)) {
      p = passes();
      path = pathThrough(p, target);
    }
    for (const [id, k] of path) fixed.set(id, k);
  }
  for (const id of order) chosen.set(id, fixed.get(id) ?? 0);
  return mendFusions(sg, chosen, cost);
}
