import { biconnectedBlocks, type StackedGraph } from '@lightcode/ir';

/**
 * A block of the block-cut tree rooted at the block of the first op: its ops
 * in topological order, its articulation ops, the one it shares with its
 * parent (its entry), and whether it lies on the spine, the path from the
 * root to the block of the last op, where its delay counts toward the
 * critical path (then `exit` is the articulation op toward the next one).
 */
export interface TreeBlock {
  readonly ops: readonly string[];
  /** Its articulation ops, in topological order. */
  readonly cuts: readonly string[];
  readonly entry?: string;
  readonly exit?: string;
  readonly spine: boolean;
  /** Index of the parent block; -1 for the root. */
  readonly parent: number;
}

/**
 * The Stacked Graph's biconnected blocks as a tree rooted at the first op's
 * block, parents before children, or why they cannot be used: the graph must
 * be connected, with more than one block, and every spine block must reach
 * its exit from its entry.
 */
export function blockTree(sg: StackedGraph): TreeBlock[] | string {
  const g = sg.graph;
  const { articulationPoints, blocks } = biconnectedBlocks(g);
  if (blocks.length < 2) return 'the graph is one block';
  const cut = new Set(articulationPoints);
  const blocksOf = new Map<string, number[]>();
  const cuts = blocks.map((b, i) => {
    const mine = b.filter((id) => cut.has(id));
    for (const a of mine) blocksOf.set(a, [...(blocksOf.get(a) ?? []), i]);
    return mine;
  });
  const order = g.topologicalOrder();
  const root = blocks.findIndex((b) => b.includes(order[0] as string));
  const entry = new Map<number, string>();
  const parent = new Map<number, number>([[root, -1]]);
  const visit = [root];
  for (let k = 0; k < visit.length; k++) {
    const b = visit[k] as number;
    for (const a of cuts[b] ?? []) {
      if (a === entry.get(b)) continue;
      for (const child of blocksOf.get(a) ?? []) {
        if (child === b || parent.has(child)) continue;
        parent.set(child, b);
        entry.set(child, a);
        visit.push(child);
      }
    }
  }
  if (visit.length !== blocks.length) return 'the graph is not connected';
  const lastOp = order[order.length - 1] as string;
  const spine: number[] = [];
  for (let b = visit.find((x) => blocks[x]?.includes(lastOp)) as number; b >= 0; b = parent.get(b) ?? -1) spine.unshift(b);
  const exitOf = new Map(spine.slice(0, -1).map((b, i) => [b, entry.get(spine[i + 1] as number) as string]));
  const position = new Map(visit.map((b, i) => [b, i]));
  const tree = visit.map(
    (b): TreeBlock => ({
      ops: blocks[b] as string[],
      cuts: cuts[b] as string[],
      ...(entry.has(b) ? { entry: entry.get(b) as string } : {}),
      ...(exitOf.has(b) ? { exit: exitOf.get(b) as string } : {}),
      spine: spine.includes(b),
      parent: parent.get(b) === -1 ? -1 : (position.get(parent.get(b) as number) as number),
    }),
  );
  for (const b of tree) {
    if (b.spine && b.entry && b.exit && !reaches(sg, b, b.entry, b.exit)) {
      return `block exit '${g.op(b.exit).name}' is not reached from its entry`;
    }
  }
  return tree;
}

export function reaches(sg: StackedGraph, b: TreeBlock, from: string, to: string): boolean {
  const inside = new Set(b.ops);
  const todo = [from];
  const seen = new Set(todo);
  while (todo.length) {
    const v = todo.pop() as string;
    if (v === to) return true;
    for (const s of sg.graph.successors(v)) {
      if (inside.has(s) && !seen.has(s)) {
        seen.add(s);
        todo.push(s);
      }
    }
  }
  return false;
}
