/**
 * The latency model: the makespan of a concrete schedule.
 *
 * A selection is scheduled segment by segment (see segments.ts). Inside a
 * segment, ops are placed one at a time in a priority order: each on the
 * instances of its device class that free up first (tiled over several when
 * it splits into parts and that ends it sooner), once those are free and every
 * input has arrived. A transfer between device classes starts when its
 * producer ends and every link of its route is free, and holds those links
 * until it arrives. The order is HEFT's upward rank; where that does not meet
 * the segment's lower bound and the segment has few topological orders, every
 * order is tried and the best kept. The optimizer minimizes this makespan, the
 * simulator replays the schedule it produces: there is one latency.
 */
import { type Candidate, MinHeap, type StackedGraph, spanS } from '@lightcode/ir';
import type { Segment } from './segments.js';
import { segmentsOf } from './segments.js';

/** Part of an op on one instance. */
export interface Tile {
  readonly instance: number;
  readonly startS: number;
  readonly endS: number;
}

/** One op placed on one or more instances of its class. */
export interface PlannedOp {
  readonly id: string;
  readonly device: string;
  /** Instance index within the device class, from 0 (the first tile's). */
  readonly instance: number;
  readonly startS: number;
  readonly endS: number;
  /** Where its parts ran: one tile unless the op split across instances. */
  readonly tiles: readonly Tile[];
}

/** A transfer between device classes on an edge. */
export interface PlannedTransfer {
  readonly from: string;
  readonly to: string;
  /** Links it occupies, for its whole duration. */
  readonly links: readonly string[];
  readonly bytes: number;
  readonly startS: number;
  readonly endS: number;
  readonly energyJ: number;
}

/** A concrete schedule of a selection. */
export interface Plan {
  readonly makespanS: number;
  /** In schedule order. */
  readonly ops: readonly PlannedOp[];
  readonly transfers: readonly PlannedTransfer[];
  /** Each segment's window. */
  readonly windows: readonly { readonly startS: number; readonly makespanS: number }[];
}

/** Relative slack within which a makespan counts as meeting a lower bound (floating-point sums). */
export const BOUND_TOLERANCE = 1e-9;

/** A segment's best schedule for one selection, and the lower bound every schedule of that selection meets. */
export interface SegmentCost {
  readonly makespanS: number;
  /** A lower bound on every schedule of the selection: the makespan itself when `exact`. */
  readonly boundS: number;
  /** Whether no schedule of this selection is shorter (see scheduleSegment). */
  readonly exact: boolean;
  /** The placement list that achieves the makespan (see runItems). */
  readonly order: readonly number[];
}

/**
 * The lower bound every schedule of a segment meets for one selection: the
 * longest path through its anchored ops (spans and transfer delays, from the
 * entry's end); for each device class, its anchored work over its instances
 * plus the earliest any of that work can start and the least time that must
 * follow the last of it (head + body + tail); and each link's anchored
 * transfer time.
 */
export function segmentBound(sg: StackedGraph, seg: Segment, cands: readonly Candidate[]): number {
  const n = seg.ops.length;
  const head = new Float64Array(n);
  const rel = new Float64Array(n);
  const linkLoad = new Map<string, number>();
  const count = countsOf(sg);
  let bound = 0;
  for (let i = 0; i < n; i++) {
    if (!seg.anchored[i] || i === seg.entry) continue;
    const c = cands[i] as Candidate;
    let ready = 0;
    for (const [p, bytes] of seg.preds[i] ?? []) {
      if (!seg.anchored[p]) continue;
      const pc = cands[p] as Candidate;
      const tr = sg.transfer(pc.device, c.device, bytes);
      ready = Math.max(ready, (rel[p] as number) + tr.latencyS);
      if (tr.latencyS > 0 && bytes > 0 && pc.device !== c.device) {
        for (const l of sg.route(pc.device, c.device)) linkLoad.set(l, (linkLoad.get(l) ?? 0) + tr.latencyS);
      }
    }
    head[i] = ready;
    rel[i] = ready + spanS(c, count.get(c.device) ?? 1);
    bound = Math.max(bound, rel[i] as number);
  }
  // tail: the longest chain of transfers and spans that must follow an op's end
  const tail = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    if (!seg.anchored[i]) continue;
    const c = cands[i] as Candidate;
    let t = 0;
    for (const [s, bytes] of seg.succs[i] ?? []) {
      if (!seg.anchored[s]) continue;
      const sc = cands[s] as Candidate;
      t = Math.max(t, sg.transfer(c.device, sc.device, bytes).latencyS + spanS(sc, count.get(sc.device) ?? 1) + (tail[s] as number));
    }
    tail[i] = t;
  }
  const perClass = new Map<string, { load: number; head: number; tail: number }>();
  for (let i = 0; i < n; i++) {
    if (!seg.anchored[i] || i === seg.entry) continue;
    const c = cands[i] as Candidate;
    const k = perClass.get(c.device) ?? { load: 0, head: Number.POSITIVE_INFINITY, tail: Number.POSITIVE_INFINITY };
    k.load += c.latencyS;
    k.head = Math.min(k.head, head[i] as number);
    k.tail = Math.min(k.tail, tail[i] as number);
    perClass.set(c.device, k);
  }
  for (const [d, k] of perClass) bound = Math.max(bound, k.head + k.load / (count.get(d) ?? 1) + k.tail);
  for (const l of linkLoad.values()) bound = Math.max(bound, l);
  return bound;
}

const counts = new WeakMap<StackedGraph, Map<string, number>>();

/** Instances per device class. */
function countsOf(sg: StackedGraph): Map<string, number> {
  let m = counts.get(sg);
  if (!m) {
    m = new Map(sg.devices.map((d) => [d.id, d.count]));
    counts.set(sg, m);
  }
  return m;
}

/** Dynamic energy a segment adds: its own ops (not the entry) and the transfers into them. */
export function segmentEnergy(sg: StackedGraph, seg: Segment, cands: readonly Candidate[]): number {
  let e = 0;
  for (let i = 0; i < seg.ops.length; i++) {
    if (i === seg.entry) continue;
    const c = cands[i] as Candidate;
    e += c.energyJ;
    for (const [p, bytes] of seg.preds[i] ?? []) e += sg.transfer((cands[p] as Candidate).device, c.device, bytes).energyJ;
  }
  return e;
}

/** Placements the exact order search may try per segment schedule before it settles for the best found. */
export const SEARCH_BUDGET = 50_000;

/**
 * The segment's best schedule for one selection (see the module header).
 *
 * HEFT's order first; when it misses the lower bound, a depth-first search
 * over placement lists of ops and timed transfers, each item placed at its
 * earliest, keeping only lists whose start times never decrease (ties by item
 * number): for any schedule, placing its items in start order starts each no
 * later (inputs arrive no later, an instance or link frees no later), and
 * repeating that ends at such a list, so the search misses no better
 * schedule. An op that splits into parts is tried on each number of
 * instances (the earliest-free ones). It is exact when it finishes within
 * SEARCH_BUDGET.
 */
export function scheduleSegment(
  sg: StackedGraph,
  seg: Segment,
  cands: readonly Candidate[],
  cutoff = Number.POSITIVE_INFINITY,
): SegmentCost {
  const key = scheduleKey(seg, cands);
  const known = scheduleCache(sg).get(key);
  if (known && (known.exact || cutoff >= known.makespanS)) return known;
  const lower = segmentBound(sg, seg, cands);
  const t = timedTransfers(sg, seg, cands);
  const heft = heftOrder(sg, seg, cands);
  const first = runItems(sg, seg, cands, t, heft);
  let cost: SegmentCost;
  if (first <= lower * (1 + BOUND_TOLERANCE)) cost = { makespanS: first, order: heft, boundS: lower, exact: true };
  else {
    const incumbent = Math.min(known?.makespanS ?? first, cutoff);
    const found = searchItems(sg, seg, cands, t, incumbent, lower);
    const proven = found.complete;
    // what the search proved holds for schedules kept inside the window; a bound for every schedule needs more
    const bound = (shortest: number) => (proven ? windowBound(sg, seg, cands, lower, shortest) : lower);
    if (found.order.length > 0) {
      cost = { makespanS: found.makespanS, order: found.order, boundS: bound(found.makespanS), exact: proven };
    } else if (known || incumbent < first) {
      // nothing beats the cutoff: a bound for the caller, not a schedule to keep
      return { ...(known ?? { makespanS: first, order: heft }), boundS: bound(incumbent), exact: false };
    } else cost = { makespanS: first, order: heft, boundS: bound(first), exact: proven };
  }
  scheduleCache(sg).set(key, cost);
  return cost;
}

/**
 * A lower bound on the window of every schedule, given that no schedule kept
 * inside the window beats `shortest`. With every op anchored that is
 * `shortest` itself. Ops that are not anchored (a dangling KV-cache write)
 * could run in another window, so then it is the shortest schedule of the
 * anchored ops alone (which every schedule's window holds), when the search
 * proves it, else the segment's simple bound.
 */
function windowBound(sg: StackedGraph, seg: Segment, cands: readonly Candidate[], lower: number, shortest: number): number {
  if (seg.anchored.every(Boolean)) return shortest;
  const part = anchoredPart(seg);
  const sub = scheduleSegment(
    sg,
    part.seg,
    part.positions.map((i) => cands[i] as Candidate),
  );
  return Math.max(lower, sub.exact ? sub.makespanS : sub.boundS);
}

const parts = new WeakMap<Segment, { seg: Segment; positions: number[] }>();

/** The segment's anchored ops alone (all of them anchored), with their positions in the segment. */
function anchoredPart(seg: Segment): { seg: Segment; positions: number[] } {
  let part = parts.get(seg);
  if (!part) {
    const positions = seg.ops.flatMap((_, i) => (seg.anchored[i] ? [i] : []));
    const at = new Map(positions.map((i, k) => [i, k]));
    const keep = (list: readonly (readonly [number, number])[]) =>
      list.filter(([x]) => at.has(x)).map(([x, b]) => [at.get(x) as number, b] as const);
    part = {
      positions,
      seg: {
        ops: positions.map((i) => seg.ops[i] as string),
        entry: seg.entry >= 0 ? (at.get(seg.entry) as number) : -1,
        exit: seg.exit >= 0 ? (at.get(seg.exit) as number) : -1,
        preds: positions.map((i) => keep(seg.preds[i] ?? [])),
        succs: positions.map((i) => keep(seg.succs[i] ?? [])),
        anchored: positions.map(() => true),
      },
    };
    parts.set(seg, part);
  }
  return part;
}

const caches = new WeakMap<StackedGraph, Map<string, SegmentCost>>();

/** Schedules found per segment shape and candidates, so a plan replays exactly what the search priced. */
function scheduleCache(sg: StackedGraph): Map<string, SegmentCost> {
  let m = caches.get(sg);
  if (!m) {
    m = new Map();
    caches.set(sg, m);
  }
  return m;
}

const shapes = new WeakMap<Segment, string>();

/** Equal for segments that are the same problem: shape by position and the same candidates' costs. */
function scheduleKey(seg: Segment, cands: readonly Candidate[]): string {
  let shape = shapes.get(seg);
  if (shape === undefined) {
    shape = JSON.stringify([seg.entry, seg.exit, seg.anchored, seg.preds]);
    shapes.set(seg, shape);
  }
  return `${shape}|${cands.map((c) => `${c.device}/${c.algorithm}/${c.latencyS}/${c.energyJ}/${c.parts ?? 1}`).join('|')}`;
}

/** Per position, the longest chain of transfers and spans that must follow the op's end inside the segment. */
function tailsOf(sg: StackedGraph, seg: Segment, cands: readonly Candidate[]): Float64Array {
  const tail = new Float64Array(seg.ops.length);
  for (let i = seg.ops.length - 1; i >= 0; i--) {
    const c = cands[i] as Candidate;
    let t = 0;
    for (const [s, bytes] of seg.succs[i] ?? []) {
      const sc = cands[s] as Candidate;
      t = Math.max(t, sg.transfer(c.device, sc.device, bytes).latencyS + spanS(sc, countOf(sg, sc.device)) + (tail[s] as number));
    }
    tail[i] = t;
  }
  return tail;
}

/** An op item placed on exactly `width` instances (0: the width that ends it earliest). */
const WIDTH = 1 << 20;

function opItem(i: number, width: number): number {
  return i + width * WIDTH;
}

/** The item's op position or transfer index, and its width. */
function decode(x: number): [number, number] {
  return [x % WIDTH, Math.floor(x / WIDTH)];
}

/** The widths an op may tile over: 0 (earliest end) when it cannot split, else each of 1..min(parts, instances). */
function widths(sg: StackedGraph, c: Candidate): number[] {
  const most = Math.min(c.parts ?? 1, countOf(sg, c.device));
  return most <= 1 ? [0] : Array.from({ length: most }, (_, k) => k + 1);
}

/** Edges that hold links for a time: between device classes, with bytes and a positive transfer time. */
export interface Timed {
  readonly edges: readonly { readonly p: number; readonly i: number; readonly route: readonly string[]; readonly latencyS: number }[];
  /** Per position, the timed edges into it. */
  readonly into: readonly number[][];
}

export function timedTransfers(sg: StackedGraph, seg: Segment, cands: readonly Candidate[]): Timed {
  const edges: Timed['edges'][number][] = [];
  const into: number[][] = seg.ops.map(() => []);
  seg.preds.forEach((ps, i) => {
    const c = cands[i] as Candidate;
    for (const [p, bytes] of ps) {
      const pc = cands[p] as Candidate;
      if (pc.device === c.device || bytes <= 0) continue;
      const latencyS = sg.transfer(pc.device, c.device, bytes).latencyS;
      const route = sg.route(pc.device, c.device);
      if (latencyS <= 0 || route.length === 0) continue;
      into[i]?.push(edges.push({ p, i, route, latencyS }) - 1);
    }
  });
  return { edges, into };
}

/**
 * Depth-first search over placement lists in non-decreasing start order
 * (see scheduleSegment), pruned by the best makespan found; stops at the
 * lower bound or after SEARCH_BUDGET placements (then `complete` is false).
 */
function searchItems(
  sg: StackedGraph,
  seg: Segment,
  cands: readonly Candidate[],
  t: Timed,
  incumbent: number,
  lower: number,
): { makespanS: number; order: number[]; complete: boolean } {
  const n = seg.ops.length;
  const state = new RunState(sg, seg, cands, t);
  // items: op positions 0..n-1 (not the entry), then n + timed edge index
  const waiting = new Int32Array(n + t.edges.length);
  for (let i = 0; i < n; i++) waiting[i] = (seg.preds[i]?.length ?? 0) + (t.into[i]?.length ?? 0);
  t.edges.forEach((_, e) => {
    waiting[n + e] = 1;
  });
  const outs: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) for (const [s] of seg.succs[i] ?? []) outs[i]?.push(s);
  t.edges.forEach((e, k) => {
    outs[e.p]?.push(n + k);
  });
  const release = (x: number, d: number) => {
    if (x >= n) {
      const i = t.edges[x - n]?.i as number;
      waiting[i] = (waiting[i] as number) + d;
      return;
    }
    for (const s of outs[x] ?? []) waiting[s] = (waiting[s] as number) + d;
  };
  if (seg.entry >= 0) release(seg.entry, -1);
  const total = n - (seg.entry >= 0 ? 1 : 0) + t.edges.length;
  const placed = new Uint8Array(n + t.edges.length);
  if (seg.entry >= 0) placed[seg.entry] = 1;
  let best = incumbent;
  let bestOrder: number[] = [];
  let budget = SEARCH_BUDGET;
  let stop = false;
  const stack: number[] = [];
  const tail = tailsOf(sg, seg, cands);
  const choices = cands.map((c) => widths(sg, c));
  const dfs = (lastStart: number, lastItem: number, span: number) => {
    if (stack.length < total && state.remainingBound(placed, tail) >= best * (1 - BOUND_TOLERANCE)) return;
    if (stack.length === total) {
      if (span < best * (1 - BOUND_TOLERANCE)) {
        best = span;
        bestOrder = [...stack];
        if (best <= lower * (1 + BOUND_TOLERANCE)) stop = true;
      }
      return;
    }
    for (let x = 0; x < waiting.length && !stop; x++) {
      if (placed[x] || waiting[x] !== 0) continue;
      for (const w of x < n ? (choices[x] as number[]) : [0]) {
        const item = x < n ? opItem(x, w) : x;
        const start = state.startOf(item);
        if (start < lastStart || (start === lastStart && x < lastItem)) continue;
        if (--budget < 0) {
          stop = true;
          return;
        }
        const mark = state.mark();
        const end = state.place(item, start);
        if (Math.max(span, end) < best * (1 - BOUND_TOLERANCE)) {
          placed[x] = 1;
          stack.push(item);
          release(x, -1);
          dfs(start, x, Math.max(span, end));
          release(x, 1);
          stack.pop();
          placed[x] = 0;
        }
        state.undo(mark);
        if (stop) return;
      }
    }
  };
  dfs(Number.NEGATIVE_INFINITY, -1, 0);
  return { makespanS: best, order: bestOrder, complete: budget >= 0 };
}

/** Instance and link availability during a run, with undo for the search. */
class RunState {
  readonly end: Float64Array;
  readonly arrival: Float64Array;
  private readonly slots = new Map<string, Float64Array>();
  private readonly linkFree = new Map<string, number>();
  private readonly log: (() => void)[] = [];

  constructor(
    private readonly sg: StackedGraph,
    private readonly seg: Segment,
    private readonly cands: readonly Candidate[],
    private readonly t: Timed,
  ) {
    this.end = new Float64Array(seg.ops.length);
    this.arrival = new Float64Array(t.edges.length);
    for (const c of cands) if (!this.slots.has(c.device)) this.slots.set(c.device, new Float64Array(countOf(sg, c.device)));
  }

  mark(): number {
    return this.log.length;
  }

  /**
   * A lower bound on the makespan of any completion: per device class, its
   * earliest free instance, plus its unplaced work over its instances, plus
   * the least tail that must follow the last of that work.
   */
  remainingBound(placed: Uint8Array, tail: Float64Array): number {
    let bound = 0;
    const per = new Map<string, { load: number; tail: number }>();
    for (let i = 0; i < this.seg.ops.length; i++) {
      if (placed[i]) continue;
      const c = this.cands[i] as Candidate;
      const k = per.get(c.device) ?? { load: 0, tail: Number.POSITIVE_INFINITY };
      k.load += c.latencyS;
      k.tail = Math.min(k.tail, tail[i] as number);
      per.set(c.device, k);
    }
    for (const [d, k] of per) {
      const slots = this.slots.get(d) as Float64Array;
      let free = Number.POSITIVE_INFINITY;
      for (const v of slots) free = Math.min(free, v);
      bound = Math.max(bound, free + k.load / slots.length + k.tail);
    }
    return bound;
  }

  undo(mark: number): void {
    while (this.log.length > mark) (this.log.pop() as () => void)();
  }

  /** When item x (op position, or ops.length + timed edge) would start if placed now. */
  startOf(item: number): number {
    const n = this.seg.ops.length;
    const [x, width] = decode(item);
    if (x >= n) {
      const e = this.t.edges[x - n] as Timed['edges'][number];
      let s = this.end[e.p] as number;
      for (const l of e.route) s = Math.max(s, this.linkFree.get(l) ?? 0);
      return s;
    }
    const slots = this.slots.get((this.cands[x] as Candidate).device) as Float64Array;
    return place(slots, this.arrive(x), this.cands[x] as Candidate, width).startS;
  }

  /** When every input of op i is there (its timed transfers placed). */
  arrive(i: number): number {
    const c = this.cands[i] as Candidate;
    const timed = this.t.into[i] ?? [];
    let a = 0;
    for (const [p, bytes] of this.seg.preds[i] ?? []) {
      const pc = this.cands[p] as Candidate;
      if (timed.some((k) => this.t.edges[k]?.p === p)) continue;
      a = Math.max(a, (this.end[p] as number) + this.sg.transfer(pc.device, c.device, bytes).latencyS);
    }
    for (const k of timed) a = Math.max(a, this.arrival[k] as number);
    return a;
  }

  /** Places item x at `start` (from startOf); returns its end. */
  place(item: number, start: number): number {
    const n = this.seg.ops.length;
    const [x, width] = decode(item);
    if (x >= n) {
      const k = x - n;
      const e = this.t.edges[k] as Timed['edges'][number];
      const end = start + e.latencyS;
      for (const l of e.route) this.setLink(l, end);
      this.set(this.arrival, k, end);
      return end;
    }
    const c = this.cands[x] as Candidate;
    const slots = this.slots.get(c.device) as Float64Array;
    const { tiles: ts } = place(slots, this.arrive(x), c, width);
    let end = start;
    for (const tile of ts) {
      this.set(slots, tile.instance, tile.endS);
      end = Math.max(end, tile.endS);
    }
    this.set(this.end, x, end);
    return end;
  }

  /** Places op i, its timed inputs not yet placed first (in edge order); returns where it runs. */
  placeOp(item: number, placedEdges: Uint8Array, onTransfer?: (k: number, start: number) => void): { startS: number; tiles: Tile[] } {
    const n = this.seg.ops.length;
    const [i, width] = decode(item);
    for (const k of this.t.into[i] ?? []) {
      if (placedEdges[k]) continue;
      const s = this.startOf(n + k);
      this.place(n + k, s);
      placedEdges[k] = 1;
      onTransfer?.(k, s);
    }
    const c = this.cands[i] as Candidate;
    const slots = this.slots.get(c.device) as Float64Array;
    const r = place(slots, this.arrive(i), c, width);
    this.place(item, r.startS);
    return r;
  }

  private set(a: Float64Array, k: number, v: number): void {
    const old = a[k] as number;
    this.log.push(() => {
      a[k] = old;
    });
    a[k] = v;
  }

  private setLink(l: string, v: number): void {
    const old = this.linkFree.get(l);
    this.log.push(() => {
      if (old === undefined) this.linkFree.delete(l);
      else this.linkFree.set(l, old);
    });
    this.linkFree.set(l, v);
  }
}

/** What a recorded run writes, shifted to the segment's start. */
interface Recorder {
  readonly offset: number;
  readonly ops: PlannedOp[];
  readonly transfers: PlannedTransfer[];
}

function countOf(sg: StackedGraph, device: string): number {
  return countsOf(sg).get(device) ?? 1;
}

/**
 * Places the segment's items in `items` order (op positions, and ops.length +
 * timed edge for a transfer placed ahead of its consumer; a timed transfer not
 * listed goes just before its consumer) with every instance and link free at
 * time 0 and the entry's output ready then; returns the makespan (0 for a
 * segment with nothing to run), recording the placements when asked.
 */
export function runItems(
  sg: StackedGraph,
  seg: Segment,
  cands: readonly Candidate[],
  t: Timed,
  items: readonly number[],
  rec?: Recorder,
): number {
  const n = seg.ops.length;
  const state = new RunState(sg, seg, cands, t);
  const placedEdges = new Uint8Array(t.edges.length);
  const record = (k: number, start: number) => {
    if (!rec) return;
    const e = t.edges[k] as Timed['edges'][number];
    rec.transfers.push(transferOf(sg, seg, cands, e.p, e.i, rec.offset + start, rec.offset + start + e.latencyS));
  };
  let makespan = 0;
  for (const item of items) {
    const [x] = decode(item);
    if (x >= n) {
      const s = state.startOf(x);
      state.place(x, s);
      placedEdges[x - n] = 1;
      record(x - n, s);
      continue;
    }
    const { startS, tiles: ts } = state.placeOp(item, placedEdges, record);
    const e = state.end[x] as number;
    makespan = Math.max(makespan, e);
    if (rec) {
      const o = rec.offset;
      // bytes between classes that hold no link for a time: recorded, with the transfer's own delay
      for (const [p, bytes] of seg.preds[x] ?? []) {
        const from = (cands[p] as Candidate).device;
        const to = (cands[x] as Candidate).device;
        if (from === to || bytes <= 0 || t.into[x]?.some((k) => t.edges[k]?.p === p)) continue;
        const at = o + (state.end[p] as number);
        rec.transfers.push(transferOf(sg, seg, cands, p, x, at, at + sg.transfer(from, to, bytes).latencyS));
      }
      rec.ops.push({
        id: seg.ops[x] as string,
        device: (cands[x] as Candidate).device,
        instance: ts[0]?.instance ?? 0,
        startS: o + startS,
        endS: o + e,
        tiles: ts.map((tile) => ({ instance: tile.instance, startS: o + tile.startS, endS: o + tile.endS })),
      });
    }
  }
  return makespan;
}

function transferOf(
  sg: StackedGraph,
  seg: Segment,
  cands: readonly Candidate[],
  p: number,
  i: number,
  startS: number,
  endS: number,
): PlannedTransfer {
  const from = (cands[p] as Candidate).device;
  const to = (cands[i] as Candidate).device;
  const bytes = seg.preds[i]?.find(([q]) => q === p)?.[1] ?? 0;
  return {
    from: seg.ops[p] as string,
    to: seg.ops[i] as string,
    links: sg.route(from, to),
    bytes,
    startS,
    endS,
    energyJ: sg.transfer(from, to, bytes).energyJ,
  };
}

/**
 * Where and when an op runs: on the k instances that free up first, for the k
 * (up to its parts) that ends it earliest, or for the given width; parts
 * spread evenly, the first (parts mod k) instances taking one more, every
 * tile starting together (one kernel split over units). Ties keep fewer
 * instances.
 */
function place(slots: Float64Array, arrive: number, c: Candidate, width = 0): { startS: number; tiles: Tile[] } {
  const parts = c.parts ?? 1;
  if ((parts <= 1 || slots.length === 1) && width <= 1) {
    let k = 0;
    for (let j = 1; j < slots.length; j++) if ((slots[j] as number) < (slots[k] as number)) k = j;
    const startS = Math.max(arrive, slots[k] as number);
    return { startS, tiles: [{ instance: k, startS, endS: startS + c.latencyS }] };
  }
  const byFree = [...slots.keys()].sort((a, b) => (slots[a] as number) - (slots[b] as number) || a - b);
  const most = Math.min(parts, byFree.length);
  let bestK = width > 0 ? Math.min(width, most) : 1;
  let bestStart = Math.max(arrive, slots[byFree[bestK - 1] as number] as number);
  let bestEnd = bestStart + (c.latencyS * Math.ceil(parts / bestK)) / parts;
  for (let k = 2; width === 0 && k <= most; k++) {
    const start = Math.max(arrive, slots[byFree[k - 1] as number] as number);
    const end = start + (c.latencyS * Math.ceil(parts / k)) / parts;
    if (end < bestEnd * (1 - 1e-12)) {
      bestK = k;
      bestStart = start;
      bestEnd = end;
    }
  }
  const tiles: Tile[] = [];
  for (let j = 0; j < bestK; j++) {
    const share = Math.floor(parts / bestK) + (j < parts % bestK ? 1 : 0);
    tiles.push({ instance: byFree[j] as number, startS: bestStart, endS: bestStart + (c.latencyS * share) / parts });
  }
  return { startS: bestStart, tiles };
}

/** The makespan of HEFT's order alone: a quick judge for searches over selections (an upper bound on scheduleSegment's). */
export function heftMakespan(sg: StackedGraph, seg: Segment, cands: readonly Candidate[]): number {
  return runItems(sg, seg, cands, timedTransfers(sg, seg, cands), heftOrder(sg, seg, cands));
}

/**
 * HEFT's order: ready ops by upward rank (an op's latency plus the longest
 * chain of transfer and op latencies after it), ties by position.
 */
export function heftOrder(sg: StackedGraph, seg: Segment, cands: readonly Candidate[]): number[] {
  const n = seg.ops.length;
  const rank = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const c = cands[i] as Candidate;
    let tail = 0;
    for (const [s, bytes] of seg.succs[i] ?? []) {
      tail = Math.max(tail, sg.transfer(c.device, (cands[s] as Candidate).device, bytes).latencyS + (rank[s] as number));
    }
    rank[i] = c.latencyS + tail;
  }
  const waiting = seg.preds.map((ps) => ps.length);
  const ready = new MinHeap<number>((a, b) => (rank[b] as number) - (rank[a] as number) || a - b);
  for (let i = 0; i < n; i++) if (waiting[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.size > 0) {
    const i = ready.pop() as number;
    if (i !== seg.entry) order.push(i);
    for (const [s] of seg.succs[i] ?? []) {
      waiting[s] = (waiting[s] as number) - 1;
      if (waiting[s] === 0) ready.push(s);
    }
  }
  return order;
}

/**
 * The schedule of a whole selection: each segment's best schedule, one after
 * another. Its makespan is the latency of the selection.
 */
export function planSelection(sg: StackedGraph, pick: (id: string) => Candidate): Plan {
  const ops: PlannedOp[] = [];
  const transfers: PlannedTransfer[] = [];
  const windows: { startS: number; makespanS: number }[] = [];
  let offset = 0;
  for (const seg of segmentsOf(sg).segments) {
    const cands = seg.ops.map(pick);
    const { order } = scheduleSegment(sg, seg, cands);
    const m = runItems(sg, seg, cands, timedTransfers(sg, seg, cands), order, { offset, ops, transfers });
    windows.push({ startS: offset, makespanS: m });
    offset += m;
  }
  return { makespanS: offset, ops, transfers, windows };
}

/** The latency of a selection: the makespan of its plan, without recording it. */
export function scheduledLatency(sg: StackedGraph, pick: (id: string) => Candidate): number {
  let total = 0;
  for (const seg of segmentsOf(sg).segments) total += scheduleSegment(sg, seg, seg.ops.map(pick)).makespanS;
  return total;
}
