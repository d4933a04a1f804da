import { type Candidate, OpGraph, type StackedGraph, tensor } from '@lightcode/ir';
import { type MultiCand, stackedFromMulti } from './random-multi.js';

/*
 * Small Stacked Graphs written out by hand, for tests that pin closed forms:
 * classes d0, d1, ... joined in a line (link li between di and d(i+1)), each
 * link 1 s fixed + 1 s per kB and 1 J per kB, no static power unless given.
 */

/** Ops o0..o(n-1) with the given candidates (one, or a list), edges [from, to, bytes]. */
export function handMade(
  ops: readonly (MultiCand | readonly MultiCand[])[],
  edges: readonly (readonly [number, number, number])[],
  counts: readonly number[],
  staticW: readonly number[] = counts.map(() => 0),
): StackedGraph {
  return stackedFromMulti({
    n: ops.length,
    edges,
    cands: ops.map((c) => (Array.isArray(c[0]) ? (c as readonly MultiCand[]) : [c as MultiCand])),
    counts,
    staticW,
    topology: 'line',
    links: counts.slice(1).map(() => [1, 1, 1] as const),
  });
}

/**
 * The chain the closed tests price by hand: o0 (d0 3 s 5 J | d1 1 s 9 J)
 * -1000 B-> o1 (d0 4 s 2 J | d1 2 s 7 J), and with three ops -1000 B-> o2
 * (d0 1 s 1 J).
 */
export function choiceChain(ops: 2 | 3, counts: readonly number[], staticW?: readonly number[]): StackedGraph {
  const o2: MultiCand[] = ops === 3 ? [[0, 1, 1]] : [];
  return handMade(
    [
      [
        [0, 3, 5],
        [1, 1, 9],
      ],
      [
        [0, 4, 2],
        [1, 2, 7],
      ],
      ...o2,
    ],
    ops === 3
      ? [
          [0, 1, 1000],
          [1, 2, 1000],
        ]
      : [[0, 1, 1000]],
    counts,
    staticW,
  );
}

/** Adds a fused realization over ops o<k> (the first carries its cost, the rest none), as a backend fusing kernels offers. */
export function fuse(sg: StackedGraph, ops: readonly number[], id: string, device: string, latencyS: number, energyJ: number): void {
  ops.forEach((op, index) => {
    (sg.candidates.get(`o${op}`) as Candidate[]).push({
      device,
      target: 't',
      algorithm: 'fused',
      latencyS: index === 0 ? latencyS : 0,
      energy: index === 0 ? { compute: energyJ } : {},
      energyJ: index === 0 ? energyJ : 0,
      fusion: { id, index, size: ops.length },
    });
  });
}

/** The first candidate of every op. */
export function firstChoice(sg: StackedGraph): Map<string, number> {
  return new Map([...sg.candidates.keys()].map((id) => [id, 0]));
}

/** The first candidate of an op. */
export function firstOf(sg: StackedGraph): (id: string) => Candidate {
  return (id) => sg.candidates.get(id)?.[0] as Candidate;
}

/** An op graph with named ops o0..o(n-1) and the given edges (bytes), for block and segment structure. */
export function graphOf(n: number, edges: readonly (readonly [number, number])[]): StackedGraph {
  const g = new OpGraph({ id: 'hand', family: 'hand', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'int8', layers: 0 });
  for (let i = 0; i < n; i++)
    g.addOp({ id: `o${i}`, name: `op${i}`, kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: {} });
  for (const [a, b] of edges) g.connect(`o${a}`, `o${b}`, tensor([1], 'int8'));
  const cand: Candidate = { device: 'd0', target: 't', algorithm: 'a', latencyS: 1, energy: { compute: 1 }, energyJ: 1 };
  return {
    graph: g,
    devices: [{ id: 'd0', target: 't', count: 1, staticPowerW: 0 }],
    candidates: new Map(g.topologicalOrder().map((id) => [id, [cand]])),
    links: [],
    route: () => [],
    transfer: () => ({ latencyS: 0, energyJ: 0 }),
  };
}
