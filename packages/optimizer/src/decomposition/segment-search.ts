/**
 * Local search inside one segment too large to enumerate (attention split
 * into one chain per head, for example): from simple starting selections, move
 * one op (or one fused realization, whole) to another candidate while the
 * segment's scheduled cost falls. The scheduler is the judge, so every point
 * it returns is achieved; none is claimed optimal.
 */
import type { Candidate, StackedGraph } from '@lightcode/ir';
import { heftMakespan, scheduleSegment, segmentEnergy } from '../model/schedule.js';
import type { Segment } from '../model/segments.js';
import { cutKey, type SegmentPoint } from './segment-points.js';

/** Weights of the segment's additive cost: latencyWeight x makespan + energyWeight x (energy + staticW x makespan). */
export interface SegmentCostWeights {
  readonly latencyWeight: number;
  readonly energyWeight: number;
  readonly staticW: number;
}

/** The best selection found per cut combination, by local search until `deadline` (ms, performance.now()). */
export function searchSegment(sg: StackedGraph, seg: Segment, w: SegmentCostWeights, deadline: number): Map<string, SegmentPoint[]> {
  const lists = seg.ops.map((id) => sg.candidates.get(id) ?? []);
  const out = new Map<string, SegmentPoint[]>();
  const entryRange = seg.entry >= 0 ? (lists[seg.entry] as Candidate[]).map((_, k) => k) : [-1];
  const exitRange = seg.exit >= 0 ? (lists[seg.exit] as Candidate[]).map((_, k) => k) : [-1];
  for (const a of entryRange) {
    for (const b of exitRange) {
      const fixed = new Map<number, number>();
      if (a >= 0) fixed.set(seg.entry, a);
      if (b >= 0) fixed.set(seg.exit, b);
      const best = improve(sg, seg, lists, fixed, w, deadline);
      // judged by HEFT while searching; the point carries the full scheduler's makespan, which the plan replays
      if (best) {
        const cands = best.picks.map((k, i) => lists[i]?.[k] as Candidate);
        out.set(cutKey(a, b), [{ ...best, timeS: scheduleSegment(sg, seg, cands).makespanS }]);
      }
    }
  }
  return out;
}

function improve(
  sg: StackedGraph,
  seg: Segment,
  lists: readonly (readonly Candidate[])[],
  fixed: ReadonlyMap<number, number>,
  w: SegmentCostWeights,
  deadline: number,
): SegmentPoint | undefined {
  const price = (picks: readonly number[]): SegmentPoint | undefined => {
    if (!wholeFusions(lists, picks)) return undefined;
    const cands = picks.map((k, i) => lists[i]?.[k] as Candidate);
    return { timeS: heftMakespan(sg, seg, cands), energyJ: segmentEnergy(sg, seg, cands), picks: [...picks] };
  };
  const cost = (p: SegmentPoint) => w.latencyWeight * p.timeS + w.energyWeight * (p.energyJ + w.staticW * p.timeS);
  let best: SegmentPoint | undefined;
  for (const start of starts(sg, lists, fixed, w)) {
    const p = price(start);
    if (p && (!best || cost(p) < cost(best))) best = p;
  }
  if (!best) return undefined;
  let improved = true;
  while (improved && performance.now() < deadline) {
    improved = false;
    for (let i = 0; i < lists.length && performance.now() < deadline; i++) {
      if (fixed.has(i)) continue;
      for (let k = 0; k < (lists[i]?.length ?? 0); k++) {
        if (k === best.picks[i]) continue;
        const next = withFusion(lists, best.picks, i, k);
        if (!next || [...fixed].some(([j, v]) => next[j] !== v)) continue;
        const p = price(next);
        if (p && cost(p) < cost(best) * (1 - 1e-12)) {
          best = p;
          improved = true;
        }
      }
    }
  }
  return best;
}

/** Starting selections: each device class where it can run the op (else the op's cheapest), and per-op cheapest. */
function starts(
  sg: StackedGraph,
  lists: readonly (readonly Candidate[])[],
  fixed: ReadonlyMap<number, number>,
  w: SegmentCostWeights,
): number[][] {
  const score = (c: Candidate) => w.latencyWeight * c.latencyS + w.energyWeight * (c.energyJ + w.staticW * c.latencyS);
  const cheapest = (l: readonly Candidate[], ok: (c: Candidate) => boolean) => {
    let best = -1;
    l.forEach((c, k) => {
      if (ok(c) && (best < 0 || score(c) < score(l[best] as Candidate))) best = k;
    });
    return best;
  };
  const make = (ok: (c: Candidate) => boolean) =>
    lists.map((l, i) => {
      if (fixed.has(i)) return fixed.get(i) as number;
      const k = cheapest(l, ok);
      return k >= 0 ? k : cheapest(l, () => true);
    });
  return [
    ...sg.devices.map((d) => make((c) => c.device === d.id && !c.fusion)),
    ...sg.devices.map((d) => make((c) => c.device === d.id)),
    make((c) => !c.fusion),
  ];
}

/** The picks with position i set to candidate k, moving the other members of a fusion left or joined with it. */
function withFusion(lists: readonly (readonly Candidate[])[], picks: readonly number[], i: number, k: number): number[] | undefined {
  const next = [...picks];
  const leaving = lists[i]?.[picks[i] as number]?.fusion;
  const joining = lists[i]?.[k]?.fusion;
  next[i] = k;
  if (leaving) {
    // the other members fall back to their first unfused candidate
    lists.forEach((l, j) => {
      if (j !== i && l[next[j] as number]?.fusion?.id === leaving.id) next[j] = l.findIndex((c) => !c.fusion);
    });
  }
  if (joining) {
    lists.forEach((l, j) => {
      const m = l.findIndex((c) => c.fusion?.id === joining.id);
      if (m >= 0) next[j] = m;
    });
  }
  return next.every((v) => v >= 0) ? next : undefined;
}

function wholeFusions(lists: readonly (readonly Candidate[])[], picks: readonly number[]): boolean {
  const chosen = new Map<string, number>();
  const size = new Map<string, number>();
  lists.forEach((l, i) => {
    for (const c of l) if (c.fusion) size.set(c.fusion.id, (size.get(c.fusion.id) ?? 0) + 1);
    const f = l[picks[i] as number]?.fusion;
    if (f) chosen.set(f.id, (chosen.get(f.id) ?? 0) + 1);
  });
  for (const [id, n] of chosen) if (n !== size.get(id)) return false;
  return true;
}
