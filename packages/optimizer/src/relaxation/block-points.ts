import { type Candidate, memo, type StackedGraph, spanS } from '@lightcode/ir';
import type { TreeBlock } from '../model/block-tree.js';
import type { Dims } from '../selection.js';

/** What one selection inside a block adds to the totals. */
export interface BlockPoint {
  /**
   * Delay from the entry's finish to the exit's (the last spine block: to its
   * last finish): a lower bound on its share of the critical path. Off the
   * spine it does not enter the bound and only breaks ties.
   */
  readonly delayS: number;
  /**
   * Per device class, in `sg.devices` order, the summed latency of the block's
   * own ops; then per link, in `sg.links` order, the transfer time it carries.
   */
  readonly loads: readonly number[];
  /** Dynamic energy of its own ops and of the transfers on its edges. */
  readonly energyJ: number;
  /** Candidate index per block position. */
  readonly picks: readonly number[];
  /** Its articulation ops' candidates, in `cuts` order: neighbours must agree on them. */
  readonly cutPicks: readonly number[];
}

export function samePicks(a: BlockPoint, b: BlockPoint): boolean {
  return a.cutPicks.every((x, i) => x === b.cutPicks[i]);
}

export function dominates(a: BlockPoint, b: BlockPoint, withDelay: boolean, dims: Dims): boolean {
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
export function paretoFilter(points: BlockPoint[], withDelay: boolean, dims: Dims): BlockPoint[] {
  const sorted = [...points].sort((a, b) =>
    dims.time ? a.delayS - b.delayS || a.energyJ - b.energyJ : a.energyJ - b.energyJ || a.delayS - b.delayS,
  );
  const kept: BlockPoint[] = [];
  for (const p of sorted) if (!kept.some((k) => samePicks(k, p) && dominates(k, p, withDelay, dims))) kept.push(p);
  return kept;
}

/** What evaluating selections of one block needs, computed once. */
export interface BlockContext {
  readonly sg: StackedGraph;
  readonly b: TreeBlock;
  readonly last: boolean;
  readonly lists: readonly (readonly Candidate[])[];
  /** In-block producers of each position: (position, bytes). */
  readonly preds: readonly (readonly (readonly [number, number])[])[];
  readonly own: readonly boolean[];
  readonly deviceIndex: ReadonlyMap<string, number>;
  /** Adds a transfer's time to the loads of the links on its route (after the device entries). */
  readonly addLinkLoad: (loads: number[], from: string, to: string, latencyS: number) => void;
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

export function blockContext(sg: StackedGraph, b: TreeBlock, last: boolean, limit: number, dims: Dims): BlockContext {
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
    addLinkLoad: linkLoader(sg),
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
 * Whether the picks at `positions` (default: the whole block) take every
 * fused realization chosen there for all its members in the block (members
 * in a neighbour agree through the shared op).
 */
export function wholeFusions(ctx: BlockContext, picks: readonly number[], positions?: readonly number[]): boolean {
  const chosen = new Map<string, number>();
  for (const i of positions ?? picks.keys()) {
    const f = ((ctx.lists[i] as Candidate[])[picks[i] as number] as Candidate).fusion;
    if (f) chosen.set(f.id, (chosen.get(f.id) ?? 0) + 1);
  }
  for (const [id, n] of chosen) if (n !== ctx.membersHere.get(id)) return false;
  return true;
}

/** Zeroed loads: one entry per device class, then one per link. */
export function emptyLoads(sg: StackedGraph): number[] {
  return new Array<number>(sg.devices.length + sg.links.length).fill(0);
}

function linkLoader(sg: StackedGraph): BlockContext['addLinkLoad'] {
  const at = new Map(sg.links.map((l, i) => [l, sg.devices.length + i]));
  return (loads, from, to, latencyS) => {
    if (latencyS <= 0) return;
    for (const l of sg.route(from, to)) {
      const k = at.get(l) as number;
      loads[k] = (loads[k] as number) + latencyS;
    }
  };
}

/**
 * Prices the op at position i under `picks`: sets its finish time in `rel`
 * (relative to the block's entry), adds its own latency and the transfers on
 * its in-block input edges to `loads`, and returns the energy it adds. In the
 * first block sources start at 0; elsewhere only the entry anchors time, so
 * other sources (and ops fed only from outside) are left unconstrained: a
 * lower bound.
 */
export function priceOp(ctx: BlockContext, i: number, picks: readonly number[], rel: Float64Array, loads: number[]): number {
  const { sg, lists, preds, entry } = ctx;
  const c = lists[i]?.[picks[i] as number] as Candidate;
  const d = ctx.deviceIndex.get(c.device) as number;
  let energyJ = 0;
  let ready = i === entry ? 0 : entry < 0 && (preds[i] as []).length === 0 ? 0 : Number.NEGATIVE_INFINITY;
  for (const [p, bytes] of preds[i] as (readonly [number, number])[]) {
    const pc = lists[p]?.[picks[p] as number] as Candidate;
    const t = sg.transfer(pc.device, c.device, bytes);
    energyJ += t.energyJ;
    ctx.addLinkLoad(loads, pc.device, c.device, t.latencyS);
    if (i !== entry) ready = Math.max(ready, (rel[p] as number) + t.latencyS);
  }
  rel[i] = i === entry ? 0 : ready + spanS(c, ctx.count[d] as number);
  if (ctx.own[i]) {
    loads[d] = (loads[d] as number) + c.latencyS;
    energyJ += c.energyJ;
  }
  return energyJ;
}

/** Prices one selection of the block (candidate index per position). */
export function blockPoint(ctx: BlockContext, picks: readonly number[], rel: Float64Array): BlockPoint {
  const { sg, exit } = ctx;
  const loads = emptyLoads(sg);
  let energyJ = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < picks.length; i++) {
    energyJ += priceOp(ctx, i, picks, rel, loads);
    end = Math.max(end, rel[i] as number);
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
export function forEachPick(ctx: BlockContext, positions: readonly number[], picks: number[], visit: () => void): void {
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

export function spaceOf(ctx: BlockContext, positions: readonly number[]): number {
  let n = 1;
  for (const i of positions) n *= ctx.lists[i]?.length ?? 1;
  return n;
}

/** Small integers for equal JSON texts, so class keys stay short. */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly lists = new Map<readonly Candidate[], number>();

  id(text: string): number {
    return memo(this.ids, text, () => this.ids.size);
  }

  /** Equal for candidate lists that cost the same: devices, algorithms, costs, parts and fusion positions, in order. */
  candidates(list: readonly Candidate[]): number {
    return memo(this.lists, list, () =>
      this.id(
        JSON.stringify(list.map((c) => [c.device, c.algorithm, c.latencyS, c.energyJ, c.parts ?? 1, c.fusion?.index, c.fusion?.size])),
      ),
    );
  }
}
