import type { Candidate, StackedGraph } from '@lightcode/ir';
import { studyPathSelect } from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RandomCase, randomCase, stackedFrom } from './random-stacked.js';

/*
 * The study's path heuristic against its definition, by brute force: for each
 * op in topological order not yet on a chosen path, enumerate every
 * source-to-sink path through it and every candidate along that path that
 * agrees with the ops already fixed, take the one of least cost (ops' costs
 * plus transfers' costs in one metric) and fix its ops. The heuristic gets
 * there with forward and backward passes it redoes only when a path disagrees
 * with the fixes; the answers must be the same op for op.
 */

type Metric = 'latency' | 'energy';

function referencePathSelect(sg: StackedGraph, metric: Metric): Map<string, number> {
  const g = sg.graph;
  const order = g.topologicalOrder();
  const cost = (c: Candidate) => (metric === 'latency' ? c.latencyS : c.energyJ);
  const move = (from: Candidate, to: Candidate, bytes: number) => {
    const t = sg.transfer(from.device, to.device, bytes);
    return metric === 'latency' ? t.latencyS : t.energyJ;
  };
  // every maximal path: its ops and the bytes on each of its edges
  const paths: { ops: string[]; bytes: number[] }[] = [];
  const walk = (ops: string[], bytes: number[]) => {
    const last = ops.at(-1) as string;
    const outs = g.outEdges(last);
    if (outs.length === 0) paths.push({ ops, bytes });
    for (const e of outs) walk([...ops, e.to], [...bytes, e.bytes]);
  };
  for (const id of order) if (g.inEdges(id).length === 0) walk([id], []);

  const fixed = new Map<string, number>();
  for (const target of order) {
    if (fixed.has(target)) continue;
    let best: { cost: number; pick: [string, number][] } | undefined;
    for (const p of paths) {
      if (!p.ops.includes(target)) continue;
      const assign = (i: number, ks: number[], sum: number) => {
        if (i === p.ops.length) {
          if (!best || sum < best.cost) best = { cost: sum, pick: p.ops.map((id, j) => [id, ks[j] as number]) };
          return;
        }
        const id = p.ops[i] as string;
        const list = sg.candidates.get(id) ?? [];
        const f = fixed.get(id);
        for (const k of f === undefined ? list.map((_, j) => j) : [f]) {
          const c = list[k] as Candidate;
          const into =
            i === 0
              ? 0
              : move((sg.candidates.get(p.ops[i - 1] as string) ?? [])[ks[i - 1] as number] as Candidate, c, p.bytes[i - 1] as number);
          assign(i + 1, [...ks, k], sum + into + cost(c));
        }
      };
      assign(0, [], 0);
    }
    for (const [id, k] of best?.pick ?? []) fixed.set(id, k);
  }
  return new Map(order.map((id) => [id, fixed.get(id) ?? 0]));
}

/** Costs made distinct by a power of two per (op, candidate), so every path has its own cost and the optimum is unique. */
function untied(c: RandomCase): RandomCase {
  return {
    ...c,
    fused: null,
    cands: c.cands.map((list, i) =>
      list.map(([d, lat, en, parts]) => [d, lat + 2 ** -(2 * i + d + 8), en + 2 ** -(2 * i + d + 8), parts] as const),
    ),
  };
}

describe("the study's path heuristic equals its definition by brute force over paths", () => {
  it('each uncovered op in topological order fixes the cheapest source-to-sink path through it that agrees with the fixes (property)', () => {
    fc.assert(
      fc.property(randomCase, fc.constantFrom<Metric>('latency', 'energy'), (c, metric) => {
        const sg = stackedFrom(untied(c));
        expect(Object.fromEntries(studyPathSelect(sg, metric))).toEqual(Object.fromEntries(referencePathSelect(sg, metric)));
      }),
      { numRuns: 300 },
    );
  });

  it('a path that disagrees with an op fixed by an earlier path is searched again under the fixes', () => {
    // o0 -> o2 <- o1, o2 -> o3; a transfer costs 101 s or 100 J. The path through o0 (only on d1) fixes
    // o2 and o3 on d1. Under the first passes the path through o1 is o1, o2, o3 all on d0 (1 + 5 + 1),
    // which disagrees with o2 on d1: searched again, o1 moves to d1 (30 + 1 + 1 < 1 + 101 + 1 + 1),
    // and o2 stays on d1. Taking the stale path would have put o1 and o2 on d0.
    const sg = stackedFrom({
      n: 4,
      edges: [
        [0, 2, 1000],
        [1, 2, 1000],
        [2, 3, 1000],
      ],
      cands: [
        [[1, 1, 1]],
        [
          [0, 1, 1],
          [1, 30, 30],
        ],
        [
          [0, 5, 5],
          [1, 1, 1],
        ],
        [
          [0, 1, 1],
          [1, 1, 1],
        ],
      ],
      counts: [1, 1],
      staticW: [0, 0],
      link: [100, 1, 100],
    });
    for (const metric of ['latency', 'energy'] as const) {
      expect(Object.fromEntries(studyPathSelect(sg, metric)), metric).toEqual({ o0: 0, o1: 1, o2: 1, o3: 1 });
      expect(Object.fromEntries(referencePathSelect(sg, metric)), metric).toEqual({ o0: 0, o1: 1, o2: 1, o3: 1 });
    }
  });
});
