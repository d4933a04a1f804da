import type { Candidate, StackedGraph } from '@lightcode/ir';
import type { TreeBlock } from '../model/block-tree.js';
import type { Dims } from '../selection.js';
import {
  type BlockContext,
  type BlockPoint,
  blockContext,
  blockPoint,
  emptyLoads,
  forEachPick,
  Interner,
  paretoFilter,
  priceOp,
  spaceOf,
  wholeFusions,
} from './block-points.js';

/** Largest number of selections enumerated inside one block class (or one part of a folded block). */
export const BLOCK_ENUMERATION_LIMIT = 50_000;

/**
 * Every selection of a block's ops (fused realizations whole), reduced to its
 * Pareto set over (delay, per-class loads, energy) for each choice of its
 * articulation ops' candidates. The objective and every budget only grow with
 * these, so the sets lose no optimum. A block owns its ops but its entry (the
 * previous block owns that as its exit), so every op is counted once. Blocks
 * too large to enumerate are folded when they hold interchangeable parallel
 * branches (attention heads split one chain per head).
 */
export function blockPareto(
  sg: StackedGraph,
  b: TreeBlock,
  last: boolean,
  limit: number,
  dims: Dims,
  /** performance.now() after which folding gives up (returns undefined). */
  deadline = Number.POSITIVE_INFINITY,
): { points: BlockPoint[]; evaluated: number } | undefined {
  const ctx = blockContext(sg, b, last, limit, dims);
  const all = b.ops.map((_, i) => i);
  if (spaceOf(ctx, all) > limit) {
    const folded = foldedPoints(ctx, deadline);
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
export interface BranchGroup {
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
export function branchGroups(ctx: BlockContext): { groups: BranchGroup[]; outer: number[] } | undefined {
  const { b, sg } = ctx;
  const g = sg.graph;
  const n = b.ops.length;
  const texts = new Interner();
  const cls = ctx.lists.map((l) => texts.candidates(l));
  const freq = new Map<number, number>();
  for (const c of cls) freq.set(c, (freq.get(c) ?? 0) + 1);
  const cut = new Set(ctx.cutPos);
  const repeated = b.ops.map((_, i) => !cut.has(i) && (freq.get(cls[i] as number) ?? 0) > 1);
  const pos = new Map(b.ops.map((id, i) => [id, i]));
  const succs = b.ops.map((id) =>
    g
      .outEdges(id)
      .filter((e) => pos.has(e.to))
      .map((e) => [pos.get(e.to) as number, e.bytes] as const),
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
export interface Folded {
  readonly arrive: readonly number[];
  readonly finish: number;
  readonly loads: readonly number[];
  readonly energyJ: number;
  /** How many branches take each branch-local selection. */
  readonly counts: readonly number[];
}

export function foldDominates(a: Folded, b: Folded, dims: Dims): boolean {
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
export function foldedPoints(
  ctx: BlockContext,
  deadline = Number.POSITIVE_INFINITY,
): { points: BlockPoint[]; evaluated: number } | undefined {
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
  let late = false;
  forEachPick(ctx, outer, picks, () => {
    if (late || performance.now() > deadline) {
      late = true;
      return;
    }
    // outer ops the branches hang from: their times with the branches not yet placed
    const pre = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    blockPoint(ctx, picks, pre);
    const folds = groups.map((grp) => {
      const first = grp.branches[0] as number[];
      // each branch-local selection (fused realizations whole), priced once
      const local: Folded[] = [];
      const options: number[][] = [];
      const brPicks = [...picks];
      const brRel = new Float64Array(pre);
      forEachPick(ctx, first, brPicks, () => {
        if (!wholeFusions(ctx, brPicks, first)) return;
        const loads = emptyLoads(sg);
        let energyJ = 0;
        let finish = Number.NEGATIVE_INFINITY;
        for (const v of first) {
          energyJ += priceOp(ctx, v, brPicks, brRel, loads);
          finish = Math.max(finish, brRel[v] as number);
        }
        const arrive = grp.consumers.map((s) => {
          const sc = ctx.lists[s]?.[brPicks[s] as number] as Candidate;
          let a = Number.NEGATIVE_INFINITY;
          for (const [p, bytes] of ctx.preds[s] ?? []) {
            if (!first.includes(p)) continue;
            const pc = ctx.lists[p]?.[brPicks[p] as number] as Candidate;
            const t = sg.transfer(pc.device, sc.device, bytes);
            energyJ += t.energyJ;
            ctx.addLinkLoad(loads, pc.device, sc.device, t.latencyS);
            a = Math.max(a, (brRel[p] as number) + t.latencyS);
          }
          return a;
        });
        local.push({ arrive, finish, loads, energyJ, counts: [] });
        options.push(first.map((v) => brPicks[v] as number));
        evaluated++;
      });
      // combine the branches one at a time, keeping the non-dominated multisets
      let acc: Folded[] = [
        {
          arrive: grp.consumers.map(() => Number.NEGATIVE_INFINITY),
          finish: Number.NEGATIVE_INFINITY,
          loads: emptyLoads(sg),
          energyJ: 0,
          counts: local.map(() => 0),
        },
      ];
      for (let h = 0; h < grp.branches.length && !late; h++) {
        if (performance.now() > deadline) late = true;
        const next: Folded[] = [];
        for (const a of acc) {
          // one step can hold many multisets: the deadline is checked per multiset, not per step
          if (performance.now() > deadline) {
            late = true;
            break;
          }
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
    if (!late) combine(0);
  });
  return late ? undefined : { points, evaluated };
}
