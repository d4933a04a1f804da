import type { MilpProblem, MilpRow, MilpVariable, SolverPlugin } from '@lightcode/cost-model';
import { biconnectedBlocks, blockSignature, brokenFusion, type Candidate, type StackedGraph, spanS } from '@lightcode/ir';
import type { SelectionConstraints } from './constraints.js';
import { type Choice, evaluateSelection, type Objective, objectiveValue, objectiveWeights, type SelectionCost } from './selection.js';

/**
 * A block of the block-cut tree rooted at the block of the first op: its ops
 * in topological order, its articulation ops, the one it shares with its
 * parent (its entry), and whether it lies on the spine, the path from the
 * root to the block of the last op, where its delay counts toward the
 * critical path (then `exit` is the articulation op toward the next one).
 */
interface TreeBlock {
  readonly ops: readonly string[];
  /** Its articulation ops, in topological order. */
  readonly cuts: readonly string[];
  readonly entry?: string;
  readonly exit?: string;
  readonly spine: boolean;
  /** Index of the parent block; -1 for the root. */
  readonly parent: number;
}

/** Largest number of selections enumerated inside one block class. */
export const BLOCK_ENUMERATION_LIMIT = 50_000;

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

function reaches(sg: StackedGraph, b: TreeBlock, from: string, to: string): boolean {
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

/** What one selection inside a block adds to the totals. */
interface BlockPoint {
  /**
   * Delay from the entry's finish to the exit's (the last spine block: to its
   * last finish): a lower bound on its share of the critical path. Off the
   * spine it does not enter the bound and only breaks ties.
   */
  readonly delayS: number;
  /** Per device class, in `sg.devices` order: summed latency of the block's own ops. */
  readonly loads: readonly number[];
  /** Dynamic energy of its own ops and of the transfers on its edges. */
  readonly energyJ: number;
  /** Candidate index per block position. */
  readonly picks: readonly number[];
  /** Its articulation ops' candidates, in `cuts` order: neighbours must agree on them. */
  readonly cutPicks: readonly number[];
}

function samePicks(a: BlockPoint, b: BlockPoint): boolean {
  return a.cutPicks.every((x, i) => x === b.cutPicks[i]);
}

/**
 * Which totals the objective and the budgets depend on: time (the critical
 * path and the loads) and energy. Pareto sets need only those, and are much
 * smaller for a pure latency or a pure energy objective.
 */
export interface Dims {
  readonly time: boolean;
  readonly energy: boolean;
}

function dominates(a: BlockPoint, b: BlockPoint, withDelay: boolean, dims: Dims): boolean {
  if (dims.energy && a.energyJ > b.energyJ) return false;
  if (!dims.time) return true;
  if (withDelay && a.delayS > b.delayS) return false;
  for (let i = 0; i < a.loads.length; i++) if ((a.loads[i] as number) > (b.loads[i] as number)) return false;
  return true;
}

/**
 * The points no other point with the same articulation candidates is at least
 * as good as in every component that matters (ties keep the shorter delay, or
 * the lower energy when time does not matter).
 */
function paretoFilter(points: BlockPoint[], withDelay: boolean, dims: Dims): BlockPoint[] {
  const sorted = [...points].sort((a, b) =>
    dims.time ? a.delayS - b.delayS || a.energyJ - b.energyJ : a.energyJ - b.energyJ || a.delayS - b.delayS,
  );
  const kept: BlockPoint[] = [];
  for (const p of sorted) if (!kept.some((k) => samePicks(k, p) && dominates(k, p, withDelay, dims))) kept.push(p);
  return kept;
}

/** What evaluating selections of one block needs, computed once. */
interface BlockContext {
  readonly sg: StackedGraph;
  readonly b: TreeBlock;
  readonly last: boolean;
  readonly lists: readonly (readonly Candidate[])[];
  /** In-block producers of each position: (position, bytes). */
  readonly preds: readonly (readonly (readonly [number, number])[])[];
  readonly own: readonly boolean[];
  readonly deviceIndex: ReadonlyMap<string, number>;
  readonly count: readonly number[];
  readonly entry: number;
  readonly exit: number;
  readonly cutPos: readonly number[];
  /** Members of each fusion inside the block. */
  readonly membersHere: ReadonlyMap<string, number>;
  /** Largest selection space enumerated whole; larger blocks are folded (whose parts stay within BLOCK_ENUMERATION_LIMIT). */
  readonly limit: number;
  readonly dims: Dims;
}

function blockContext(sg: StackedGraph, b: TreeBlock, last: boolean, limit: number, dims: Dims): BlockContext {
  const g = sg.graph;
  const pos = new Map(b.ops.map((id, i) => [id, i]));
  const lists = b.ops.map((id) => sg.candidates.get(id) ?? []);
  const membersHere = new Map<string, number>();
  for (const l of lists) for (const c of l) if (c.fusion) membersHere.set(c.fusion.id, (membersHere.get(c.fusion.id) ?? 0) + 1);
  return {
    sg,
    b,
    last,
    lists,
    preds: b.ops.map((id) =>
      g
        .inEdges(id)
        .filter((e) => pos.has(e.from))
        .map((e) => [pos.get(e.from) as number, e.bytes] as const),
    ),
    own: b.ops.map((id) => id !== b.entry),
    deviceIndex: new Map(sg.devices.map((d, i) => [d.id, i])),
    count: sg.devices.map((d) => d.count),
    entry: b.entry !== undefined ? (pos.get(b.entry) as number) : -1,
    exit: b.exit !== undefined ? (pos.get(b.exit) as number) : -1,
    cutPos: b.cuts.map((id) => pos.get(id) as number),
    membersHere,
    limit,
    dims,
  };
}

/**
 * Whether the picks take every fused realization chosen in the block for all
 * its members here (members in a neighbour agree through the shared op).
 */
function wholeFusions(ctx: BlockContext, picks: readonly number[]): boolean {
  const chosen = new Map<string, number>();
  for (let i = 0; i < picks.length; i++) {
    const f = ((ctx.lists[i] as Candidate[])[picks[i] as number] as Candidate).fusion;
    if (f) chosen.set(f.id, (chosen.get(f.id) ?? 0) + 1);
  }
  for (const [id, n] of chosen) if (n !== ctx.membersHere.get(id)) return false;
  return true;
}

/** Prices one selection of the block (candidate index per position). */
function blockPoint(ctx: BlockContext, picks: readonly number[], rel: Float64Array): BlockPoint {
  const { sg, lists, preds, entry, exit } = ctx;
  const loads = sg.devices.map(() => 0);
  let energyJ = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < picks.length; i++) {
    const c = lists[i]?.[picks[i] as number] as Candidate;
    const d = ctx.deviceIndex.get(c.device) as number;
    // in the first block sources start at 0; elsewhere only the entry anchors time, so
    // other sources (and ops fed only from outside) are left unconstrained: a lower bound
    let ready = i === entry ? 0 : entry < 0 && (preds[i] as []).length === 0 ? 0 : Number.NEGATIVE_INFINITY;
    for (const [p, bytes] of preds[i] as (readonly [number, number])[]) {
      const pc = lists[p]?.[picks[p] as number] as Candidate;
      const t = sg.transfer(pc.device, c.device, bytes);
      energyJ += t.energyJ;
      if (i !== entry) ready = Math.max(ready, (rel[p] as number) + t.latencyS);
    }
    rel[i] = i === entry ? 0 : ready + spanS(c, ctx.count[d] as number);
    end = Math.max(end, rel[i] as number);
    if (ctx.own[i]) {
      loads[d] = (loads[d] as number) + c.latencyS;
      energyJ += c.energyJ;
    }
  }
  return {
    delayS: ctx.last || exit < 0 ? end : (rel[exit] as number),
    loads,
    energyJ,
    picks: [...picks],
    cutPicks: ctx.cutPos.map((i) => picks[i] as number),
  };
}

/** Calls `visit` with every combination of candidate indices at the given positions (odometer order). */
function forEachPick(ctx: BlockContext, positions: readonly number[], picks: number[], visit: () => void): void {
  for (const i of positions) picks[i] = 0;
  for (;;) {
    visit();
    let k = 0;
    while (k < positions.length) {
      const i = positions[k] as number;
      const next = (picks[i] as number) + 1;
      if (next < (ctx.lists[i]?.length ?? 1)) {
        picks[i] = next;
        break;
      }
      picks[i] = 0;
      k++;
    }
    if (k === positions.length) return;
  }
}

function spaceOf(ctx: BlockContext, positions: readonly number[]): number {
  let n = 1;
  for (const i of positions) n *= ctx.lists[i]?.length ?? 1;
  return n;
}

/**
 * Every selection of a block's ops (fused realizations whole), reduced to its
 * Pareto set over (delay, per-class loads, energy) for each choice of its
 * articulation ops' candidates. The objective and every budget only grow with
 * these, so the sets lose no optimum. A block owns its ops but its entry (the
 * previous block owns that as its exit), so every op is counted once. Blocks
 * too large to enumerate are folded when they hold interchangeable parallel
 * branches (attention heads split one chain per head).
 */
function blockPareto(
  sg: StackedGraph,
  b: TreeBlock,
  last: boolean,
  limit: number,
  dims: Dims,
): { points: BlockPoint[]; evaluated: number } | undefined {
  const ctx = blockContext(sg, b, last, limit, dims);
  const all = b.ops.map((_, i) => i);
  if (spaceOf(ctx, all) > limit) {
    const folded = foldedPoints(ctx);
    return folded && { points: paretoFilter(folded.points, b.spine, ctx.dims), evaluated: folded.evaluated };
  }
  const picks = all.map(() => 0);
  const rel = new Float64Array(all.length);
  const points: BlockPoint[] = [];
  forEachPick(ctx, all, picks, () => {
    if (wholeFusions(ctx, picks)) points.push(blockPoint(ctx, picks, rel));
  });
  return { points: paretoFilter(points, b.spine, ctx.dims), evaluated: spaceOf(ctx, all) };
}

/** Interchangeable parallel branches of a block: same costs, same shape, same neighbours outside. */
interface BranchGroup {
  /** Block positions of each branch's ops, in the same (topological) order for every branch. */
  readonly branches: readonly (readonly number[])[];
  /** Outside positions the branches feed, in a fixed order. */
  readonly consumers: readonly number[];
}

/**
 * The groups of interchangeable branches in a block, or undefined when there
 * are none. Ops whose candidate list occurs more than once in the block (and
 * are not articulation ops) form the branches, as connected components of
 * ops repeated equally often; two branches are interchangeable when their
 * ops, internal edges and edges to the rest of the block match position by
 * position.
 */
function branchGroups(ctx: BlockContext): { groups: BranchGroup[]; outer: number[] } | undefined {
  const { b, sg } = ctx;
  const g = sg.graph;
  const n = b.ops.length;
  const texts = new Interner();
  const cls = ctx.lists.map((l) =>
    texts.id(JSON.stringify(l.map((c) => [c.device, c.algorithm, c.latencyS, c.energyJ, c.parts ?? 1, c.fusion?.index, c.fusion?.size]))),
  );
  const freq = new Map<number, number>();
  for (const c of cls) freq.set(c, (freq.get(c) ?? 0) + 1);
  const cut = new Set(ctx.cutPos);
  const repeated = b.ops.map((_, i) => !cut.has(i) && (freq.get(cls[i] as number) ?? 0) > 1);
  const pos = new Map(b.ops.map((id, i) => [id, i]));
  const succs = b.ops.map((id) =>
    g
      .successors(id)
      .filter((s) => pos.has(s))
      .map((s) => [pos.get(s) as number, g.edge(id, s)?.bytes ?? 0] as const),
  );
  // connected components of the repeated ops
  const comp = new Array<number>(n).fill(-1);
  const comps: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (!repeated[i] || (comp[i] as number) >= 0) continue;
    const members: number[] = [];
    const todo = [i];
    comp[i] = comps.length;
    while (todo.length) {
      const v = todo.pop() as number;
      members.push(v);
      // a branch follows one-to-one edges only: a shared producer (V feeding every head) stays outside
      const oneToOne = (u: number, w: number) =>
        (succs[u] ?? []).filter(([x]) => cls[x] === cls[w]).length === 1 &&
        (ctx.preds[w] ?? []).filter(([x]) => cls[x] === cls[u]).length === 1;
      const nbrs = [
        ...(ctx.preds[v] ?? []).filter(([p]) => oneToOne(p, v)).map(([p]) => p),
        ...(succs[v] ?? []).filter(([x]) => oneToOne(v, x)).map(([x]) => x),
      ];
      for (const w of nbrs) {
        if (repeated[w] && comp[w] === -1) {
          comp[w] = comps.length;
          todo.push(w);
        }
      }
    }
    comps.push(members.sort((x, y) => x - y));
  }
  const byShape = new Map<string, number[][]>();
  for (const members of comps) {
    const at = new Map(members.map((v, k) => [v, k]));
    const shape = members.map((v) => [
      cls[v],
      (ctx.preds[v] ?? []).map(([p, bytes]) => [at.has(p) ? `b${at.get(p)}` : `o${p}`, bytes]),
      (succs[v] ?? []).filter(([s]) => !at.has(s)).map(([s, bytes]) => [`o${s}`, bytes]),
    ]);
    const key = JSON.stringify(shape);
    byShape.set(key, [...(byShape.get(key) ?? []), members]);
  }
  const candidates = [...byShape.values()].filter((branches) => branches.length > 1);
  // fold only groups with no other group downstream: a group fed through another's output cannot
  // be priced before that one is placed, so the upstream one stays with the outer ops
  const descendants = (from: readonly number[]) => {
    const seen = new Set<number>();
    const todo = [...from];
    while (todo.length) {
      const v = todo.pop() as number;
      for (const [s] of succs[v] ?? []) {
        if (!seen.has(s)) {
          seen.add(s);
          todo.push(s);
        }
      }
    }
    return seen;
  };
  const groups: BranchGroup[] = [];
  const inGroup = new Set<number>();
  for (const branches of candidates) {
    const below = descendants(branches.flat());
    if (candidates.some((other) => other !== branches && other.flat().some((v) => below.has(v)))) continue;
    const first = branches[0] as number[];
    const inside = new Set(first);
    const consumers = [...new Set(first.flatMap((v) => (succs[v] ?? []).map(([s]) => s).filter((s) => !inside.has(s))))];
    groups.push({ branches, consumers });
    for (const br of branches) for (const v of br) inGroup.add(v);
  }
  if (groups.length === 0) return undefined;
  return { groups, outer: b.ops.map((_, i) => i).filter((i) => !inGroup.has(i)) };
}

/** A multiset of branch selections and what it adds up to: arrival at each consumer, last finish, loads, energy. */
interface Folded {
  readonly arrive: readonly number[];
  readonly finish: number;
  readonly loads: readonly number[];
  readonly energyJ: number;
  /** How many branches take each branch-local selection. */
  readonly counts: readonly number[];
}

function foldDominates(a: Folded, b: Folded, dims: Dims): boolean {
  if (dims.energy && a.energyJ > b.energyJ) return false;
  if (!dims.time) return true;
  if (a.finish > b.finish) return false;
  for (let i = 0; i < a.arrive.length; i++) if ((a.arrive[i] as number) > (b.arrive[i] as number)) return false;
  for (let i = 0; i < a.loads.length; i++) if ((a.loads[i] as number) > (b.loads[i] as number)) return false;
  return true;
}

/**
 * The block's points by folding its interchangeable branches: for every
 * selection of the other ("outer") ops, each branch-local selection is priced
 * once, the branches are combined one at a time keeping only multisets not
 * dominated in (arrival at each consumer, last finish, loads, energy), which
 * is all the rest of the block and the totals depend on, and each survivor
 * is priced exactly as a whole-block selection. Undefined when the block has
 * no such branches, its parts are still too large, or a fused realization
 * straddles a branch's boundary.
 */
function foldedPoints(ctx: BlockContext): { points: BlockPoint[]; evaluated: number } | undefined {
  const found = branchGroups(ctx);
  if (!found) return undefined;
  const { groups, outer } = found;
  if (spaceOf(ctx, outer) > BLOCK_ENUMERATION_LIMIT) return undefined;
  for (const grp of groups) {
    if (spaceOf(ctx, grp.branches[0] as number[]) > BLOCK_ENUMERATION_LIMIT) return undefined;
    // a fusion must lie inside one branch
    for (const br of grp.branches) {
      const inside = new Set(br);
      const ids = new Set(br.flatMap((v) => (ctx.lists[v] ?? []).flatMap((c) => (c.fusion ? [c.fusion.id] : []))));
      for (let i = 0; i < ctx.lists.length; i++) {
        if (inside.has(i)) continue;
        if ((ctx.lists[i] ?? []).some((c) => c.fusion && ids.has(c.fusion.id))) return undefined;
      }
    }
  }
  // the ops feeding a branch must not depend on any branch: their times are fixed before folding
  const grouped = new Set(groups.flatMap((grp) => grp.branches.flat()));
  const downstream = new Set<number>();
  for (let i = 0; i < ctx.lists.length; i++) {
    if ((ctx.preds[i] ?? []).some(([p]) => grouped.has(p) || downstream.has(p))) downstream.add(i);
  }
  for (const grp of groups) {
    for (const v of grp.branches.flat()) {
      if ((ctx.preds[v] ?? []).some(([p]) => !grouped.has(p) && downstream.has(p))) return undefined;
    }
  }
  const { sg } = ctx;
  const n = ctx.lists.length;
  const picks = new Array<number>(n).fill(0);
  const rel = new Float64Array(n);
  const points: BlockPoint[] = [];
  let evaluated = 0;
  const D = sg.devices.length;
  forEachPick(ctx, outer, picks, () => {
    // outer ops the branches hang from: their times with the branches not yet placed
    const pre = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    blockPoint(ctx, picks, pre);
    const folds = groups.map((grp) => {
      const first = grp.branches[0] as number[];
      const local: Folded[] = [];
      const brPicks = [...picks];
      const brRel = new Float64Array(pre);
      forEachPick(ctx, first, brPicks, () => {
        const chosen = first.map((v) => ctx.lists[v]?.[brPicks[v] as number] as Candidate);
        const fusionIds = new Map<string, number>();
        for (const c of chosen) if (c.fusion) fusionIds.set(c.fusion.id, (fusionIds.get(c.fusion.id) ?? 0) + 1);
        for (const [id, k] of fusionIds) if (k !== ctx.membersHere.get(id)) return;
        const loads = new Array<number>(D).fill(0);
        let energyJ = 0;
        let finish = Number.NEGATIVE_INFINITY;
        for (const v of first) {
          const c = ctx.lists[v]?.[brPicks[v] as number] as Candidate;
          const d = ctx.deviceIndex.get(c.device) as number;
          let ready = Number.NEGATIVE_INFINITY;
          for (const [p, bytes] of ctx.preds[v] ?? []) {
            const pc = ctx.lists[p]?.[brPicks[p] as number] as Candidate;
            const t = sg.transfer(pc.device, c.device, bytes);
            energyJ += t.energyJ;
            ready = Math.max(ready, (brRel[p] as number) + t.latencyS);
          }
          brRel[v] = ready + spanS(c, ctx.count[d] as number);
          finish = Math.max(finish, brRel[v] as number);
          loads[d] = (loads[d] as number) + c.latencyS;
          energyJ += c.energyJ;
        }
        const arrive = grp.consumers.map((s) => {
          const sc = ctx.lists[s]?.[brPicks[s] as number] as Candidate;
          let a = Number.NEGATIVE_INFINITY;
          for (const [p, bytes] of ctx.preds[s] ?? []) {
            if (!first.includes(p)) continue;
            const pc = ctx.lists[p]?.[brPicks[p] as number] as Candidate;
            const t = sg.transfer(pc.device, sc.device, bytes);
            energyJ += t.energyJ;
            a = Math.max(a, (brRel[p] as number) + t.latencyS);
          }
          return a;
        });
        local.push({ arrive, finish, loads, energyJ, counts: [] });
        evaluated++;
      });
      // combine the branches one at a time, keeping the non-dominated multisets
      let acc: Folded[] = [
        {
          arrive: grp.consumers.map(() => Number.NEGATIVE_INFINITY),
          finish: Number.NEGATIVE_INFINITY,
          loads: new Array<number>(D).fill(0),
          energyJ: 0,
          counts: local.map(() => 0),
        },
      ];
      for (let h = 0; h < grp.branches.length; h++) {
        const next: Folded[] = [];
        for (const a of acc) {
          local.forEach((q, qi) => {
            const c: Folded = {
              arrive: a.arrive.map((x, k) => Math.max(x, q.arrive[k] as number)),
              finish: Math.max(a.finish, q.finish),
              loads: a.loads.map((x, k) => x + (q.loads[k] as number)),
              energyJ: a.energyJ + q.energyJ,
              counts: a.counts.map((x, k) => (k === qi ? x + 1 : x)),
            };
            if (!next.some((o) => foldDominates(o, c, ctx.dims))) {
              for (let k = next.length - 1; k >= 0; k--) if (foldDominates(c, next[k] as Folded, ctx.dims)) next.splice(k, 1);
              next.push(c);
            }
          });
        }
        acc = next;
      }
      // the branch-local selections, to hand out by count
      const options: number[][] = [];
      const tmp = [...picks];
      forEachPick(ctx, first, tmp, () => {
        const chosen = first.map((v) => ctx.lists[v]?.[tmp[v] as number] as Candidate);
        const fusionIds = new Map<string, number>();
        for (const c of chosen) if (c.fusion) fusionIds.set(c.fusion.id, (fusionIds.get(c.fusion.id) ?? 0) + 1);
        for (const [id, k] of fusionIds) if (k !== ctx.membersHere.get(id)) return;
        options.push(first.map((v) => tmp[v] as number));
      });
      return { grp, acc, options };
    });
    // every combination of the groups' surviving multisets, priced exactly
    const combine = (gi: number) => {
      if (gi === folds.length) {
        evaluated++;
        if (wholeFusions(ctx, picks)) points.push(blockPoint(ctx, picks, rel));
        return;
      }
      const { grp, acc, options } = folds[gi] as (typeof folds)[number];
      for (const f of acc) {
        let br = 0;
        f.counts.forEach((k, qi) => {
          for (let r = 0; r < k; r++, br++) {
            const branch = grp.branches[br] as number[];
            branch.forEach((v, j) => {
              picks[v] = (options[qi] as number[])[j] as number;
            });
          }
        });
        combine(gi + 1);
      }
    };
    combine(0);
  });
  return { points, evaluated };
}

/** Small integers for equal JSON texts, so class keys stay short. */
class Interner {
  private readonly ids = new Map<string, number>();
  id(text: string): number {
    let i = this.ids.get(text);
    if (i === undefined) {
      i = this.ids.size;
      this.ids.set(text, i);
    }
    return i;
  }
}

/**
 * A block class: isomorphic blocks with the same candidates, solved once. The
 * key is the block's canonical signature with every op's candidate list
 * (devices, algorithms, costs, fusion positions) in the same order.
 */
function classKey(sg: StackedGraph, b: TreeBlock, role: string, lists: Interner, listIds: Map<readonly Candidate[], number>): string {
  const cands = b.ops.map((id) => {
    const list = sg.candidates.get(id) ?? [];
    let k = listIds.get(list);
    if (k === undefined) {
      k = lists.id(
        JSON.stringify(list.map((c) => [c.device, c.algorithm, c.latencyS, c.energyJ, c.parts ?? 1, c.fusion?.index, c.fusion?.size])),
      );
      listIds.set(list, k);
    }
    return k;
  });
  const at = (id?: string) => (id === undefined ? -1 : b.ops.indexOf(id));
  return JSON.stringify([role, at(b.entry), at(b.exit), b.cuts.map(at), cands, blockSignature(sg.graph, b.ops)]);
}

/** The block tree and each class's Pareto sets: all that depends on the Stacked Graph alone. */
interface Analysis {
  readonly tree: readonly TreeBlock[];
  readonly classes: readonly { readonly points: readonly BlockPoint[]; readonly members: readonly number[]; readonly spine: boolean }[];
  readonly classOf: readonly number[];
  readonly enumerated: number;
}

// one analysis serves every objective, budget and solver run on the same Stacked Graph
const analyses = new WeakMap<StackedGraph, Map<string, Analysis | string>>();

function analyze(sg: StackedGraph, reuse: boolean, limit: number, dims: Dims): Analysis | string {
  const cache = analyses.get(sg) ?? new Map<string, Analysis | string>();
  analyses.set(sg, cache);
  const key = `${reuse}/${limit}/${dims.time}/${dims.energy}`;
  let a = cache.get(key);
  if (a === undefined) {
    a = analyzeFresh(sg, reuse, limit, dims);
    cache.set(key, a);
  }
  return a;
}

function analyzeFresh(sg: StackedGraph, reuse: boolean, limit: number, dims: Dims): Analysis | string {
  const tree = blockTree(sg);
  if (typeof tree === 'string') return tree;
  const spineLast = tree.reduce((k, b, i) => (b.spine ? i : k), -1);
  const classes: { points: BlockPoint[]; members: number[]; spine: boolean }[] = [];
  const byKey = new Map<string, number>();
  const classOf: number[] = [];
  let enumerated = 0;
  const lists = new Interner();
  const listIds = new Map<readonly Candidate[], number>();
  for (const [i, b] of tree.entries()) {
    const role = !b.spine ? 'leaf' : i === spineLast ? (i === 0 ? 'only' : 'last') : i === 0 ? 'first' : 'mid';
    const key = reuse ? classKey(sg, b, role, lists, listIds) : String(i);
    let ci = byKey.get(key);
    if (ci === undefined) {
      const found = blockPareto(sg, b, i === spineLast, limit, dims);
      if (!found) return `a block of ${b.ops.length} ops has over ${limit} selections and no interchangeable branches to fold`;
      enumerated += found.evaluated;
      ci = classes.push({ points: found.points, members: [], spine: b.spine }) - 1;
      byKey.set(key, ci);
    }
    classes[ci]?.members.push(i);
    classOf.push(ci);
  }
  return { tree, classes, classOf, enumerated };
}

/** How a decomposed solve went, for reports and benchmarks. */
export interface DecompositionStats {
  readonly blocks: number;
  /** Distinct block classes solved (isomorphic blocks share one). */
  readonly classes: number;
  /** Selections priced over all classes (whole blocks, and branches when folded). */
  readonly enumerated: number;
  /** Pareto points kept over all classes: the master problem's columns. */
  readonly paretoPoints: number;
}

export interface DecomposedResult {
  readonly choice: Choice;
  readonly cost: SelectionCost;
  /** A proven lower bound on the objective: the master's optimum, or its dual bound when it stopped early. */
  readonly bound?: number;
  /** Whether the selection is proven optimal (the master solved and the certificate held). */
  readonly proven: boolean;
  readonly stats: DecompositionStats;
  /** The solver of the master problem. */
  readonly solver: string;
}

/**
 * Exact selection by decomposition. The graph's biconnected blocks form a
 * tree joined at articulation ops; every class of isomorphic blocks is
 * enumerated once and reduced to its Pareto sets over (delay, per-class loads,
 * energy), one per choice of its articulation ops' candidates. A master MILP
 * then picks a Pareto point per block, neighbours agreeing on the articulation
 * op they share, minimizing the objective with the critical path bounded
 * below by the sum of the spine blocks' delays. When every articulation op has one candidate the
 * blocks of a class are interchangeable and the master only counts how many
 * take each point. The master is a relaxation: the assembled selection is
 * priced exactly, and when it meets the master's optimum (and the budgets) it
 * is optimal. Otherwise, or when the structure does not allow it, a block is
 * too large to enumerate, or the master is not solved to optimality, this
 * returns the reason and the caller solves the monolithic MILP.
 */
export async function decomposedSelect(
  sg: StackedGraph,
  objective: Objective,
  c: SelectionConstraints,
  solver: (p: MilpProblem) => SolverPlugin,
  options: {
    readonly timeLimitS?: number;
    readonly reuse?: boolean;
    /** Blocks with larger selection spaces are folded or declined (default BLOCK_ENUMERATION_LIMIT). */
    readonly blockLimit?: number;
  } = {},
): Promise<DecomposedResult | string> {
  const w = objectiveWeights(objective);
  const staticW = sg.devices.reduce((s, d) => s + d.count * d.staticPowerW, 0);
  const energy = w.energyWeight > 0 || c.energyBudgetJ !== undefined;
  const dims: Dims = { energy, time: w.latencyWeight > 0 || c.latencyBudgetS !== undefined || (energy && staticW > 0) };
  const analysis = analyze(sg, options.reuse !== false, options.blockLimit ?? BLOCK_ENUMERATION_LIMIT, dims);
  if (typeof analysis === 'string') return analysis;
  const { tree, classes, classOf, enumerated } = analysis;
  // with one candidate per articulation op, blocks of a class are interchangeable
  const counting = tree.every((b) => b.entry === undefined || (sg.candidates.get(b.entry)?.length ?? 0) === 1);

  const all = classes.flatMap((k) => k.points);
  const timeUnit = Math.max(...all.map((p) => Math.abs(p.delayS)), ...all.flatMap((p) => p.loads), 1e-30);
  const energyUnit = Math.max(...all.map((p) => p.energyJ), staticW * timeUnit, 1e-30);

  const vars: MilpVariable[] = [];
  const rows: MilpRow[] = [];
  const T = vars.push({ name: 'T', type: 'continuous', lower: 0 }) - 1;
  const cpTerms: [number, number][] = [[T, 1]];
  const loadTerms = sg.devices.map((d): [number, number][] => [[T, d.count]]);
  const energyTerms: [number, number][] = staticW > 0 ? [[T, (staticW * timeUnit) / energyUnit]] : [];
  /** Adds a column: `weight` blocks taking point p, as a variable or (one point only) a constant. */
  const addColumn = (p: BlockPoint, v: number, spine: boolean) => {
    if (spine && p.delayS !== 0) cpTerms.push([v, -p.delayS / timeUnit]);
    p.loads.forEach((l, d) => {
      if (l !== 0) loadTerms[d]?.push([v, -l / timeUnit]);
    });
    if (p.energyJ !== 0) energyTerms.push([v, p.energyJ / energyUnit]);
  };
  // column variables: per (class, point) counts, or per (block, point) binaries
  const columns: number[][] = [];
  if (counting) {
    classes.forEach((k, ci) => {
      const m = k.members.length;
      const idx = k.points.map((p, pi) => {
        const v = vars.push({ name: `n_${ci}_${pi}`, type: 'integer', lower: 0, upper: m }) - 1;
        addColumn(p, v, k.spine);
        return v;
      });
      rows.push({ name: `count_${ci}`, terms: idx.map((i) => [i, 1] as const), lower: m, upper: m });
      columns.push(idx);
    });
  } else {
    tree.forEach((b, bi) => {
      const k = classes[classOf[bi] as number] as (typeof classes)[number];
      const idx = k.points.map((p, pi) => {
        const v = vars.push({ name: `z_${bi}_${pi}`, type: 'binary' }) - 1;
        addColumn(p, v, b.spine);
        return v;
      });
      rows.push({ name: `one_${bi}`, terms: idx.map((i) => [i, 1] as const), lower: 1, upper: 1 });
      columns.push(idx);
      if (b.entry === undefined) return;
      // the articulation op shared with the parent block takes one candidate in both
      const parent = tree[b.parent] as TreeBlock;
      const pk = classes[classOf[b.parent] as number] as (typeof classes)[number];
      const inParent = parent.cuts.indexOf(b.entry);
      const inChild = b.cuts.indexOf(b.entry);
      for (let cand = 0; cand < (sg.candidates.get(b.entry)?.length ?? 0); cand++) {
        const terms: [number, number][] = [];
        pk.points.forEach((p, pi) => {
          if (p.cutPicks[inParent] === cand) terms.push([(columns[b.parent] as number[])[pi] as number, 1]);
        });
        k.points.forEach((p, pi) => {
          if (p.cutPicks[inChild] === cand) terms.push([idx[pi] as number, -1]);
        });
        if (terms.length) rows.push({ name: `agree_${bi}_${cand}`, terms, lower: 0, upper: 0 });
      }
    });
  }
  rows.push({ name: 'critical_path', terms: cpTerms, lower: 0 });
  sg.devices.forEach((d, di) => {
    rows.push({ name: `load_${d.id}`, terms: loadTerms[di] as [number, number][], lower: 0 });
  });
  if (c.latencyBudgetS !== undefined) rows.push({ name: 'latency_budget', terms: [[T, 1]], upper: c.latencyBudgetS / timeUnit });
  if (c.energyBudgetJ !== undefined) rows.push({ name: 'energy_budget', terms: energyTerms, upper: c.energyBudgetJ / energyUnit });
  // a single metric in model units; a weighted sum in SI divided by its larger term's scale,
  // so its coefficients stay near 1 (solver tolerances are absolute)
  const wScale = Math.max(w.latencyWeight * timeUnit, w.energyWeight * energyUnit) || 1;
  const [tScale, eScale] = typeof objective === 'string' ? [1, 1] : [timeUnit / wScale, energyUnit / wScale];
  const costs = new Map<number, number>();
  const addCost = (i: number, v: number) => costs.set(i, (costs.get(i) ?? 0) + v);
  if (w.latencyWeight) addCost(T, w.latencyWeight * tScale);
  if (w.energyWeight) for (const [i, v] of energyTerms) addCost(i, w.energyWeight * eScale * v);
  const problem: MilpProblem = {
    sense: 'minimize',
    variables: vars.map((v, i) => (costs.has(i) ? { ...v, cost: costs.get(i) } : v)),
    rows,
  };
  const s = solver(problem);
  let result: Awaited<ReturnType<SolverPlugin['solve']>>;
  try {
    result = await s.solve(problem, { ...(options.timeLimitS ? { timeLimitS: options.timeLimitS } : {}) });
  } catch (e) {
    return `solver '${s.id}' failed on the master problem: ${(e as Error)?.message ?? String(e)}`;
  }
  if (result.status === 'infeasible') return 'the decomposed master is infeasible';
  // a master stopped at its time limit still gives a selection and a valid lower bound
  const solved = result.status === 'optimal' && result.objective !== undefined;
  if (!result.values || (!solved && result.status !== 'timeout')) return `the master problem was not solved (${result.status})`;
  const unit = objective === 'latency' ? timeUnit : objective === 'energy' ? energyUnit : wScale;
  const masterBound = solved ? result.objective : result.bound;
  const bound = masterBound === undefined ? undefined : masterBound * unit;

  // assemble the selection the master chose
  const value = (v: number) => Math.round(result.values?.[v] ?? 0);
  const pointOf: number[] = [];
  if (counting) {
    classes.forEach((k, ci) => {
      const queue: number[] = [];
      (columns[ci] as number[]).forEach((v, pi) => {
        for (let r = 0; r < value(v); r++) queue.push(pi);
      });
      k.members.forEach((bi, j) => {
        pointOf[bi] = queue[j] ?? 0;
      });
    });
  } else {
    tree.forEach((_, bi) => {
      pointOf[bi] = Math.max(
        0,
        (columns[bi] as number[]).findIndex((v) => value(v) === 1),
      );
    });
  }
  const choice = new Map<string, number>();
  tree.forEach((b, bi) => {
    const p = classes[classOf[bi] as number]?.points[pointOf[bi] as number] as BlockPoint;
    b.ops.forEach((id, pos) => {
      choice.set(id, p.picks[pos] as number);
    });
  });
  // a fusion whose members sit in blocks that do not share one of them is not held together by the master
  const broken = brokenFusion(sg.candidates, choice);
  if (broken !== undefined) return `fused realization '${broken}' spans blocks without a shared member`;
  const cost = evaluateSelection(sg, choice);
  const achieved = objectiveValue(cost, objective);
  const stats = { blocks: tree.length, classes: classes.length, enumerated, paretoPoints: all.length };
  const withinBudgets =
    (c.latencyBudgetS === undefined || cost.latencyS <= c.latencyBudgetS * (1 + 1e-12)) &&
    (c.energyBudgetJ === undefined || cost.energyJ <= c.energyBudgetJ * (1 + 1e-12));
  if (!withinBudgets) return 'the decomposed selection misses a budget the master met (its critical path is a lower bound)';
  const proven = solved && bound !== undefined && achieved <= bound * (1 + 1e-9) + 1e-18;
  if (solved && !proven) return `the decomposed selection (${achieved}) did not meet the master's bound (${bound})`;
  return { choice, cost, ...(bound !== undefined ? { bound: Math.min(bound, achieved) } : {}), proven, stats, solver: s.id };
}
