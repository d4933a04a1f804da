/**
 * Segment points: what each selection of one segment costs, reduced to the
 * few that can be part of an optimum.
 *
 * For every choice of the segment's articulation ops' candidates (its cut
 * combination) two sets are kept: the achieved points, (makespan of the
 * segment's schedule, energy) of selections actually scheduled, and the bound
 * points, (lower bound on any schedule's makespan, energy) over every
 * selection. The objective and every budget grow with both coordinates, so
 * each set's Pareto front loses nothing: the master over achieved points
 * gives the best schedule, the master over bound points a proven lower bound.
 * Selections are scheduled in order of their bound, and one is skipped when
 * an achieved point already beats its bound (the bound never exceeds the
 * makespan), so few are scheduled.
 */
import type { Candidate, StackedGraph } from '@lightcode/ir';
import { scheduleSegment, segmentBound, segmentEnergy } from '../model/schedule.js';
import type { Segment } from '../model/segments.js';
import type { Dims } from '../selection.js';

/** One selection of a segment, priced. */
export interface SegmentPoint {
  /** The segment's makespan (achieved points) or a lower bound on it (bound points), seconds. */
  readonly timeS: number;
  /** Dynamic energy of the segment's own ops and transfers, joules. */
  readonly energyJ: number;
  /** Candidate index per segment position. */
  readonly picks: readonly number[];
  /** Work per device class (in `sg.devices` order) of the segment's own ops, then transfer time per link (in `sg.links` order), seconds: load points only. */
  readonly loads?: readonly number[];
}

/** A segment's points per cut combination (`entryPick/exitPick`, -1 where there is none). */
export interface SegmentPoints {
  readonly achieved: ReadonlyMap<string, readonly SegmentPoint[]>;
  readonly bounds: ReadonlyMap<string, readonly SegmentPoint[]>;
  /** Bound points with each class's load, for the bound that counts every op's work (when time matters and the class is small). */
  readonly loads?: ReadonlyMap<string, readonly SegmentPoint[]>;
  /** Selections priced and scheduled. */
  readonly evaluated: number;
  readonly scheduled: number;
}

/** The key of a cut combination. */
export function cutKey(entryPick: number, exitPick: number): string {
  return `${entryPick}/${exitPick}`;
}

/** Number of selections of the segment (may be Infinity). */
export function segmentSpace(sg: StackedGraph, seg: Segment): number {
  let n = 1;
  for (const id of seg.ops) n *= sg.candidates.get(id)?.length ?? 1;
  return n;
}

interface Priced {
  /** A lower bound on the selection's makespan; its exact makespan once scheduled and proven. */
  bound: number;
  readonly energy: number;
  readonly picks: number[];
  readonly loads: number[];
}

/** Selections per segment class up to which load points are kept (their front has one dimension per device class). */
export const LOAD_POINTS_LIMIT = 5000;

/**
 * Work per device class of the segment's own ops (dangling ones included: they
 * run in some window), then per link the transfer time it carries.
 */
function loadsOf(sg: StackedGraph, seg: Segment, cands: readonly Candidate[]): number[] {
  const loads = new Array<number>(sg.devices.length + sg.links.length).fill(0);
  cands.forEach((c, i) => {
    if (i === seg.entry) return;
    const d = sg.devices.findIndex((x) => x.id === c.device);
    loads[d] = (loads[d] as number) + c.latencyS;
    for (const [p, bytes] of seg.preds[i] ?? []) {
      const from = (cands[p] as Candidate).device;
      if (from === c.device || bytes <= 0) continue;
      const t = sg.transfer(from, c.device, bytes).latencyS;
      for (const l of sg.route(from, c.device)) {
        const k = sg.devices.length + sg.links.indexOf(l);
        loads[k] = (loads[k] as number) + t;
      }
    }
  });
  return loads;
}

/** The points no other is at least as good as in time, energy (when it matters) and every class's load. */
function loadFront(points: readonly SegmentPoint[], dims: Dims): SegmentPoint[] {
  const sorted = [...points].sort((a, b) => a.timeS - b.timeS || a.energyJ - b.energyJ);
  let kept: SegmentPoint[] = [];
  const atMost = (q: SegmentPoint, p: SegmentPoint) =>
    q.timeS <= p.timeS && (!dims.energy || q.energyJ <= p.energyJ) && (q.loads ?? []).every((l, i) => l <= (p.loads?.[i] ?? 0));
  for (const p of sorted) {
    if (kept.some((q) => atMost(q, p))) continue;
    // a later point can only match an earlier one in time, and may then be lighter: it replaces it
    kept = kept.filter((q) => !atMost(p, q));
    kept.push(p);
  }
  return kept;
}

/** Every selection of the segment (fusions inside it taken whole), reduced to its achieved and bound points. */
export function segmentPoints(sg: StackedGraph, seg: Segment, dims: Dims): SegmentPoints {
  const lists = seg.ops.map((id) => sg.candidates.get(id) ?? []);
  const members = new Map<string, number>();
  for (const l of lists) for (const c of l) if (c.fusion) members.set(c.fusion.id, (members.get(c.fusion.id) ?? 0) + 1);
  const byCut = new Map<string, Priced[]>();
  const picks = lists.map(() => 0);
  const cands: Candidate[] = lists.map((l) => l[0] as Candidate);
  let evaluated = 0;
  for (;;) {
    if (wholeFusions(cands, members)) {
      evaluated++;
      const key = cutKey(seg.entry >= 0 ? (picks[seg.entry] as number) : -1, seg.exit >= 0 ? (picks[seg.exit] as number) : -1);
      const list = byCut.get(key) ?? [];
      list.push({
        bound: segmentBound(sg, seg, cands),
        energy: segmentEnergy(sg, seg, cands),
        picks: [...picks],
        loads: loadsOf(sg, seg, cands),
      });
      byCut.set(key, list);
    }
    let k = 0;
    while (k < picks.length) {
      const next = (picks[k] as number) + 1;
      if (next < (lists[k]?.length ?? 1)) {
        picks[k] = next;
        cands[k] = lists[k]?.[next] as Candidate;
        break;
      }
      picks[k] = 0;
      cands[k] = lists[k]?.[0] as Candidate;
      k++;
    }
    if (k === picks.length) break;
  }
  const achieved = new Map<string, SegmentPoint[]>();
  const bounds = new Map<string, SegmentPoint[]>();
  let scheduled = 0;
  /** Schedules p unless it cannot beat `cutoff`: then only its bound rises (the search proved no schedule under it). */
  const schedule = (p: Priced, cutoff: number): SegmentPoint | undefined => {
    scheduled++;
    const cs = p.picks.map((k, i) => lists[i]?.[k] as Candidate);
    const cost = scheduleSegment(sg, seg, cs, cutoff);
    // a schedule proven shortest for its selection is that selection's bound
    p.bound = Math.max(p.bound, cost.boundS);
    if (cost.makespanS >= cutoff) return undefined;
    return { timeS: cost.makespanS, energyJ: p.energy, picks: p.picks };
  };
  const loads = dims.time && evaluated <= LOAD_POINTS_LIMIT ? new Map<string, SegmentPoint[]>() : undefined;
  for (const [key, list] of byCut) {
    achieved.set(key, front(achievedPoints(list, dims, schedule), dims));
    loads?.set(
      key,
      loadFront(
        list.map((p) => ({ timeS: p.bound, energyJ: p.energy, picks: p.picks, loads: p.loads })),
        dims,
      ),
    );
    bounds.set(
      key,
      front(
        list.map((p) => ({ timeS: p.bound, energyJ: p.energy, picks: p.picks })),
        dims,
      ),
    );
  }
  return { achieved, bounds, ...(loads ? { loads } : {}), evaluated, scheduled };
}

/**
 * Schedules the selections that can still be on the achieved front, in order
 * of their bounds: one whose bound some achieved point already matches in
 * every dimension that matters is skipped.
 */
function achievedPoints(list: Priced[], dims: Dims, schedule: (p: Priced, cutoff: number) => SegmentPoint | undefined): SegmentPoint[] {
  const sorted = [...list].sort((a, b) =>
    dims.time ? a.bound - b.bound || a.energy - b.energy : a.energy - b.energy || a.bound - b.bound,
  );
  const out: SegmentPoint[] = [];
  const add = (q: SegmentPoint | undefined) => {
    if (q) out.push(q);
  };
  // the shortest schedule among points at most as costly in energy (when energy matters)
  const cutoff = (p: Priced, energy: boolean) =>
    Math.min(...out.filter((q) => !energy || q.energyJ <= p.energy).map((q) => q.timeS), Number.POSITIVE_INFINITY);
  if (!dims.time) {
    // energy alone: the least-energy selections, the shortest schedule among them breaking the tie
    const least = sorted[0]?.energy ?? 0;
    for (const p of sorted) {
      if (p.energy > least) break;
      if (cutoff(p, false) <= p.bound) continue;
      add(schedule(p, cutoff(p, false)));
    }
    return out;
  }
  for (const p of sorted) {
    const c = cutoff(p, dims.energy);
    if (c <= p.bound) {
      if (!dims.energy) break;
      continue;
    }
    add(schedule(p, c));
  }
  // a selection scheduled before a better one was found kept a loose bound: search it again under the best
  for (const p of sorted) {
    const c = cutoff(p, dims.energy);
    if (p.bound < c * (1 - 1e-9)) add(schedule(p, c));
  }
  return out;
}

/** The points no other point is at least as good as in every dimension that matters (ties keep the first in order). */
export function front(points: readonly SegmentPoint[], dims: Dims): SegmentPoint[] {
  const sorted = [...points].sort((a, b) =>
    dims.time ? a.timeS - b.timeS || a.energyJ - b.energyJ : a.energyJ - b.energyJ || a.timeS - b.timeS,
  );
  if (!dims.time || !dims.energy) return sorted.slice(0, 1);
  const kept: SegmentPoint[] = [];
  let least = Number.POSITIVE_INFINITY;
  for (const p of sorted) {
    if (p.energyJ < least) {
      kept.push(p);
      least = p.energyJ;
    }
  }
  return kept;
}

/** Whether every fused realization taken in the segment is taken for all its members there. */
function wholeFusions(cands: readonly Candidate[], members: ReadonlyMap<string, number>): boolean {
  if (members.size === 0) return true;
  const chosen = new Map<string, number>();
  for (const c of cands) if (c.fusion) chosen.set(c.fusion.id, (chosen.get(c.fusion.id) ?? 0) + 1);
  for (const [id, n] of chosen) if (n !== members.get(id)) return false;
  return true;
}
