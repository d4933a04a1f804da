/**
 * Segments: the windows a schedule runs in, one after another.
 *
 * The block-cut tree's spine (the chain of biconnected blocks from the first
 * op to the last, joined at articulation ops) cuts every schedule into
 * windows: the ops of a spine block that lie after its entry articulation op
 * and before its exit can only run between the two. A segment is one spine
 * block with the side blocks that hang off it (a dangling block such as the
 * KV-cache write is scheduled with the block it hangs off). The schedule runs
 * segment after segment, every instance free at each segment's start, so the
 * makespan is the sum of the segments' makespans and each segment can be
 * solved alone. Where the graph has no such chain it is one segment.
 */
import { memo, type StackedGraph } from '@lightcode/ir';
import { blockTree, type TreeBlock } from './block-tree.js';

/** One window of the schedule: its ops and their edges, by position. */
export interface Segment {
  /** Op ids in topological order; the entry (when there is one) first. */
  readonly ops: readonly string[];
  /** Position of the articulation op shared with the previous segment (scheduled there), or -1. */
  readonly entry: number;
  /** Position of the articulation op shared with the next segment, or -1. */
  readonly exit: number;
  /** In-segment producers of each position: (position, bytes). */
  readonly preds: readonly (readonly (readonly [number, number])[])[];
  /** In-segment consumers of each position: (position, bytes). */
  readonly succs: readonly (readonly (readonly [number, number])[])[];
  /**
   * Whether the op lies between the entry and the exit in every schedule
   * (reachable from the entry and reaching the exit). Only these enter the
   * segment's lower bound; the others (a dangling KV-cache write, a source
   * fed from nowhere) could run in another window.
   */
  readonly anchored: readonly boolean[];
}

/** The graph's segments in schedule order, and why there is only one when so. */
export interface Segmentation {
  readonly segments: readonly Segment[];
  /** Set when the graph could not be cut: it is one segment. */
  readonly whole?: string;
}

const cache = new WeakMap<StackedGraph, Segmentation>();

/** The segments of a Stacked Graph's op graph (computed once per Stacked Graph). */
export function segmentsOf(sg: StackedGraph): Segmentation {
  return memo(cache, sg, () => {
    const tree = blockTree(sg);
    const order = sg.graph.topologicalOrder();
    if (typeof tree === 'string') return { segments: [wholeGraphSegment(sg)], whole: tree };
    const groups = groupBySpine(sg, tree);
    const rank = new Map(order.map((id, i) => [id, i]));
    const segments = groups.map(({ ops, entry, exit }) =>
      segment(
        sg,
        [...ops].sort((a, b) => (rank.get(a) as number) - (rank.get(b) as number)),
        entry,
        exit,
      ),
    );
    const closed = openEdge(sg, segments);
    if (closed) return { segments: [wholeGraphSegment(sg)], whole: closed };
    return { segments };
  });
}

/** The whole graph as one segment: what the schedule is where the graph cannot be cut, and a reference for tests. */
export function wholeGraphSegment(sg: StackedGraph): Segment {
  return segment(sg, sg.graph.topologicalOrder(), undefined, undefined);
}

/**
 * Each spine block with the side blocks hanging off it, in spine order. A
 * side subtree hung off an articulation op shared by two spine blocks goes
 * with the earlier one when it feeds that op (the position embedding) and
 * with the later one when it reads it.
 */
function groupBySpine(sg: StackedGraph, tree: readonly TreeBlock[]): { ops: Set<string>; entry?: string; exit?: string }[] {
  const spine = tree.flatMap((b, i) => (b.spine ? [i] : []));
  const groups = spine.map((b) => {
    const blk = tree[b] as TreeBlock;
    return { ops: new Set(blk.ops), ...(blk.entry ? { entry: blk.entry } : {}), ...(blk.exit ? { exit: blk.exit } : {}) };
  });
  const at = new Map(spine.map((b, k) => [b, k]));
  // side subtrees by their root, whose parent is a spine block
  const subtrees = new Map<number, Set<string>>();
  tree.forEach((b, i) => {
    if (b.spine) return;
    let top = i;
    while (!(tree[(tree[top] as TreeBlock).parent] as TreeBlock).spine) top = (tree[top] as TreeBlock).parent;
    const ops = subtrees.get(top) ?? new Set<string>();
    for (const id of b.ops) ops.add(id);
    subtrees.set(top, ops);
  });
  for (const [top, ops] of subtrees) {
    const root = tree[top] as TreeBlock;
    const host = at.get(root.parent) as number;
    const attach = root.entry as string;
    const feeds = sg.graph.predecessors(attach).some((p) => ops.has(p));
    let k = host;
    if (attach === groups[host]?.exit && !feeds) k = host + 1;
    else if (attach === groups[host]?.entry && feeds) k = host - 1;
    for (const id of ops) groups[k]?.ops.add(id);
  }
  return groups;
}

function segment(sg: StackedGraph, ops: readonly string[], entryId: string | undefined, exitId: string | undefined): Segment {
  const g = sg.graph;
  const pos = new Map(ops.map((id, i) => [id, i]));
  const preds = ops.map((id) =>
    g
      .inEdges(id)
      .filter((e) => pos.has(e.from))
      .map((e) => [pos.get(e.from) as number, e.bytes] as const),
  );
  const entry = entryId === undefined ? -1 : (pos.get(entryId) as number);
  const exit = exitId === undefined ? -1 : (pos.get(exitId) as number);
  const n = ops.length;
  const succs: [number, number][][] = ops.map(() => []);
  preds.forEach((ps, i) => {
    for (const [p, bytes] of ps) succs[p]?.push([i, bytes]);
  });
  // forward from the entry (from every source in the first segment), backward from the exit
  const fwd = new Array<boolean>(n).fill(false);
  for (let i = 0; i < n; i++) fwd[i] = entry < 0 || i === entry || (preds[i] ?? []).some(([p]) => fwd[p]);
  const back = new Array<boolean>(n).fill(exit < 0);
  if (exit >= 0) {
    back[exit] = true;
    for (let i = n - 1; i >= 0; i--) if (back[i]) for (const [p] of preds[i] ?? []) back[p] = true;
  }
  return { ops, entry, exit, preds, succs, anchored: ops.map((_, i) => (fwd[i] as boolean) && (back[i] as boolean)) };
}

/** Why the segments cannot stand alone: an op with a producer in another segment (not its entry). */
function openEdge(sg: StackedGraph, segments: readonly Segment[]): string | undefined {
  for (const s of segments) {
    const inside = new Set(s.ops);
    for (const [i, id] of s.ops.entries()) {
      if (i === s.entry) continue;
      for (const p of sg.graph.predecessors(id)) {
        if (!inside.has(p)) return `op '${sg.graph.op(id).name}' reads from another segment`;
      }
    }
  }
  return undefined;
}
