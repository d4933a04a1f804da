import type { OpGraph } from './graph.js';

/** The biconnected structure of a graph's undirected skeleton. */
export interface BlockDecomposition {
  /** Ops whose removal disconnects the graph, in topological order. */
  readonly articulationPoints: readonly string[];
  /** Biconnected components (maximal 2-connected subgraphs, or bridges, or isolated ops), each in topological order. */
  readonly blocks: readonly (readonly string[])[];
}

/**
 * Hopcroft and Tarjan's articulation points and biconnected components, on the
 * graph with edge directions ignored. Iterative depth-first search (transformer
 * graphs are tens of thousands of ops deep), O(V + E).
 */
export function biconnectedBlocks(g: OpGraph): BlockDecomposition {
  const order = g.topologicalOrder();
  const pos = new Map(order.map((id, i) => [id, i]));
  const adj = order.map((id) => [...new Set([...g.predecessors(id), ...g.successors(id)])].map((x) => pos.get(x) as number));
  const n = order.length;
  const disc = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const parent = new Int32Array(n).fill(-1);
  const next = new Int32Array(n);
  const isCut = new Uint8Array(n);
  const edgeStack: [number, number][] = [];
  const blocks: number[][] = [];
  let time = 0;

  const popBlock = (u: number, v: number) => {
    const members = new Set<number>();
    for (;;) {
      const e = edgeStack.pop();
      if (!e) break;
      members.add(e[0]);
      members.add(e[1]);
      if (e[0] === u && e[1] === v) break;
    }
    blocks.push([...members]);
  };

  for (let root = 0; root < n; root++) {
    if (disc[root] !== -1) continue;
    disc[root] = low[root] = time++;
    if ((adj[root] as number[]).length === 0) {
      blocks.push([root]);
      continue;
    }
    let rootChildren = 0;
    const stack = [root];
    while (stack.length > 0) {
      const v = stack[stack.length - 1] as number;
      const nbrs = adj[v] as number[];
      const k = next[v] as number;
      if (k < nbrs.length) {
        next[v] = k + 1;
        const w = nbrs[k] as number;
        if (disc[w] === -1) {
          parent[w] = v;
          disc[w] = low[w] = time++;
          edgeStack.push([v, w]);
          if (v === root) rootChildren++;
          stack.push(w);
        } else if (w !== parent[v] && (disc[w] as number) < (disc[v] as number)) {
          edgeStack.push([v, w]);
          low[v] = Math.min(low[v] as number, disc[w] as number);
        }
        continue;
      }
      stack.pop();
      const p = parent[v] as number;
      if (p >= 0) {
        low[p] = Math.min(low[p] as number, low[v] as number);
        if ((low[v] as number) >= (disc[p] as number)) {
          if (p !== root) isCut[p] = 1;
          popBlock(p, v);
        }
      }
    }
    if (rootChildren > 1) isCut[root] = 1;
  }
  const byPos = (a: number, b: number) => a - b;
  return {
    articulationPoints: order.filter((_, i) => isCut[i] === 1),
    blocks: blocks
      .map((b) => b.sort(byPos))
      .sort((a, b) => (a[0] as number) - (b[0] as number) || a.length - b.length)
      .map((b) => b.map((i) => order[i] as string)),
  };
}

/**
 * A canonical signature of a block: its ops' kinds, tensors and attributes and
 * its internal edges, all in the block's topological order with positions
 * relative to the block. Two blocks with equal signatures are isomorphic (the
 * order is the isomorphism) and cost the same on every target, so one solve
 * serves both. Names and layer indices do not enter it.
 */
export function blockSignature(g: OpGraph, block: readonly string[]): string {
  const ids = opSignatureIds(g);
  const at = new Map(block.map((id, i) => [id, i]));
  const ops = block.map((id) => ids.get(id));
  const edges: [number, number, number][] = [];
  for (const id of block) {
    for (const { to, bytes } of g.outEdges(id)) {
      const j = at.get(to);
      if (j !== undefined) edges.push([at.get(id) as number, j, bytes]);
    }
  }
  return JSON.stringify([ops, edges]);
}

// per graph: each op's kind, tensors and attributes as a small integer, equal for equal ops
const signatureIds = new WeakMap<OpGraph, Map<string, number>>();

function opSignatureIds(g: OpGraph): Map<string, number> {
  let ids = signatureIds.get(g);
  if (ids && ids.size === g.size) return ids;
  const texts = new Map<string, number>();
  ids = new Map();
  for (const op of g.ops()) {
    const text = JSON.stringify([op.kind, op.inputs, op.outputs, op.weights, op.attrs]);
    let k = texts.get(text);
    if (k === undefined) {
      k = texts.size;
      texts.set(text, k);
    }
    ids.set(op.id, k);
  }
  signatureIds.set(g, ids);
  return ids;
}
