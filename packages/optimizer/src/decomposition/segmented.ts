/**
 * Joint selection and scheduling by segments.
 *
 * The schedule runs segment after segment (model/segments.ts), so the
 * makespan and the energy are sums over segments, and segments that are the
 * same problem (same ops by position, same edges, same candidates: the
 * layers of a transformer) are solved once. Each class of segments is
 * enumerated and reduced to its achieved and bound points
 * (segment-points.ts), or, when too large to enumerate, searched locally
 * (segment-search.ts) and then has no bound points. The chain master picks a
 * point per segment: over achieved points it gives the selection and its
 * schedule's value, over bound points a proven lower bound on every
 * selection's every schedule. They meet when every chosen segment's schedule
 * meets its bound.
 */
import type { MilpProblem, SolverPlugin } from '@lightcode/cost-model';
import { brokenFusion, memo, type StackedGraph, spanS } from '@lightcode/ir';
import type { SelectionConstraints } from '../constraints.js';
import { type Segment, segmentsOf } from '../model/segments.js';
import { Interner } from '../relaxation/block-points.js';
import { type Choice, type Dims, meetsBound, type Objective, objectiveWeights, staticPowerW } from '../selection.js';
import { type ChainLink, solveChain } from './chain-master.js';
import { type SegmentPoint, type SegmentPoints, segmentPoints, segmentSpace } from './segment-points.js';
import { searchSegment } from './segment-search.js';

/** Largest number of selections enumerated for one segment class. */
export const SEGMENT_ENUMERATION_LIMIT = 50_000;

/** How a segmented solve went, for reports and benchmarks. */
export interface SegmentStats {
  readonly segments: number;
  /** Distinct segment classes solved (identical segments share one). */
  readonly classes: number;
  /** Selections priced over all classes. */
  readonly evaluated: number;
  /** Selections scheduled over all classes (the rest were beaten by their bounds). */
  readonly scheduled: number;
  /** Classes too large to enumerate, searched locally instead (no bound from them). */
  readonly searched: number;
}

export interface SegmentedResult {
  readonly choice: Choice;
  /** The objective's value of the assembled selection's schedule. */
  readonly value: number;
  /** A proven lower bound on the objective; absent when a class was searched rather than enumerated. */
  readonly bound?: number;
  readonly stats: SegmentStats;
  readonly solver: string;
}

interface ClassPoints {
  readonly achieved: ReadonlyMap<string, readonly SegmentPoint[]>;
  /** Searched, not enumerated: its bound points are the selection-free bound. */
  readonly searched?: boolean;
  readonly bounds?: SegmentPoints['bounds'];
  readonly loads?: SegmentPoints['loads'];
  readonly evaluated: number;
  readonly scheduled: number;
}

/** Identical segments: the same ops by position, with the same edges and the same candidate lists. */
function classKey(sg: StackedGraph, seg: Segment, lists: Interner): string {
  return JSON.stringify([seg.entry, seg.exit, seg.anchored, seg.preds, seg.ops.map((id) => lists.candidates(sg.candidates.get(id) ?? []))]);
}

const analyses = new WeakMap<StackedGraph, Map<string, { classOf: number[]; classes: ClassPoints[] }>>();

/** Which totals the objective and budgets depend on. */
export function dimsOf(sg: StackedGraph, objective: Objective, c: SelectionConstraints): Dims {
  const w = objectiveWeights(objective);
  const energy = w.energyWeight > 0 || c.energyBudgetJ !== undefined;
  return { energy, time: w.latencyWeight > 0 || c.latencyBudgetS !== undefined || (energy && staticPowerW(sg) > 0) };
}

/** Exact selection by segments, or why it does not apply (the graph is one segment). */
export async function segmentedSelect(
  sg: StackedGraph,
  objective: Objective,
  c: SelectionConstraints,
  solver: (p: MilpProblem) => SolverPlugin,
  options: { readonly timeLimitS: number; readonly limit?: number; readonly deadline: number },
): Promise<SegmentedResult | string | undefined> {
  const { segments, whole } = segmentsOf(sg);
  if (whole !== undefined) return whole;
  if (segments.length < 2) return 'the graph is one segment';
  const dims = dimsOf(sg, objective, c);
  const limit = options.limit ?? SEGMENT_ENUMERATION_LIMIT;
  const w = objectiveWeights(objective);
  const staticW = staticPowerW(sg);
  const searchKey = dims.energy && dims.time ? `${w.latencyWeight}/${w.energyWeight}` : '';
  const cache = memo(analyses, sg, () => new Map<string, { classOf: number[]; classes: ClassPoints[] }>());
  const { classOf, classes } = memo(cache, `${limit}/${dims.time}/${dims.energy}/${searchKey}`, () => {
    const lists = new Interner();
    const byKey = new Map<string, number>();
    const classOf: number[] = [];
    const classes: ClassPoints[] = [];
    for (const seg of segments) {
      const key = classKey(sg, seg, lists);
      let k = byKey.get(key);
      if (k === undefined) {
        k = classes.push(classPoints(sg, seg, dims, limit, { ...w, staticW }, options.deadline)) - 1;
        byKey.set(key, k);
      }
      classOf.push(k);
    }
    return { classOf, classes };
  });
  const achieved: ChainLink[] = classOf.map((k) => (classes[k] as ClassPoints).achieved);
  const best = await solveChain(achieved, objective, staticW, c, solver, options.timeLimitS);
  if (best === undefined || typeof best === 'string') return best;
  const choice = new Map<string, number>();
  segments.forEach((seg, k) => {
    const p = best.points[k];
    seg.ops.forEach((id, i) => {
      choice.set(id, p?.picks[i] as number);
    });
  });
  // a fusion whose members lie in two segments is not held together by the master
  const broken = brokenFusion(sg.candidates, choice);
  if (broken !== undefined) return `fused realization '${broken}' spans two segments`;
  let bound: number | undefined;
  {
    const low = await solveChain(
      classOf.map((k) => (classes[k] as ClassPoints).bounds as ChainLink),
      objective,
      staticW,
      c,
      solver,
      options.timeLimitS,
    );
    if (low && typeof low !== 'string') bound = low.bound;
    // only where the plain bound leaves a gap: each mix is a shortest path over every class's load points
    if (bound !== undefined && !meetsBound(best.value, bound) && c.latencyBudgetS === undefined && c.energyBudgetJ === undefined) {
      bound = Math.max(bound, await loadBound(sg, classOf, classes, objective, staticW, c, solver, options.timeLimitS));
    }
  }
  const stats: SegmentStats = {
    segments: segments.length,
    classes: classes.length,
    evaluated: classes.reduce((s, k) => s + k.evaluated, 0),
    scheduled: classes.reduce((s, k) => s + k.scheduled, 0),
    searched: classes.filter((k) => k.searched).length,
  };
  return { choice, value: best.value, ...(bound !== undefined ? { bound } : {}), stats, solver: best.solver };
}

function classPoints(
  sg: StackedGraph,
  seg: Segment,
  dims: Dims,
  limit: number,
  weights: { latencyWeight: number; energyWeight: number; staticW: number },
  deadline: number,
): ClassPoints {
  if (segmentSpace(sg, seg) <= limit) return segmentPoints(sg, seg, dims);
  const achieved = searchSegment(sg, seg, weights, deadline);
  const floor = selectionFreeBound(sg, seg);
  const bounds = new Map([...achieved.keys()].map((key) => [key, [floor]]));
  return { achieved, bounds, evaluated: 0, scheduled: 0, searched: true };
}

/**
 * A bound on a segment whatever its selection, for a class too large to
 * enumerate: every op at its cheapest. Time: the longest path through the
 * anchored ops at their shortest spans, with free transfers, and the anchored
 * work at each op's least work per instance spread over the device classes
 * (the busiest class carries at least its share). Energy: each op's least.
 */
function selectionFreeBound(sg: StackedGraph, seg: Segment): SegmentPoint {
  const count = new Map(sg.devices.map((d) => [d.id, d.count]));
  const lists = seg.ops.map((id) => sg.candidates.get(id) ?? []);
  const rel = new Float64Array(seg.ops.length);
  let cp = 0;
  let work = 0;
  let energyJ = 0;
  for (let i = 0; i < seg.ops.length; i++) {
    if (i === seg.entry) continue;
    const list = lists[i] ?? [];
    energyJ += Math.min(...list.map((c) => c.energyJ));
    if (!seg.anchored[i]) continue;
    let ready = 0;
    for (const [p] of seg.preds[i] ?? []) if (seg.anchored[p]) ready = Math.max(ready, rel[p] as number);
    rel[i] = ready + Math.min(...list.map((c) => spanS(c, count.get(c.device) ?? 1)));
    cp = Math.max(cp, rel[i] as number);
    work += Math.min(...list.map((c) => c.latencyS / (count.get(c.device) ?? 1)));
  }
  return { timeS: Math.max(cp, work / sg.devices.length), energyJ, picks: [] };
}

/** Steps of the grid of weights over the segments' bound and each class's load. */
const MIX_STEPS = 4;

/** Every weight vector over `n` terms with entries in multiples of 1/MIX_STEPS summing to 1. */
function simplexGrid(n: number): number[][] {
  const out: number[][] = [];
  const rec = (left: number, acc: number[]) => {
    if (acc.length === n - 1) {
      out.push([...acc, left / MIX_STEPS]);
      return;
    }
    for (let k = 0; k <= left; k++) rec(left - k, [...acc, k / MIX_STEPS]);
  };
  rec(MIX_STEPS, []);
  return out;
}

/**
 * A bound that also counts ops that may run outside their window (a dangling
 * KV-cache write, a KV-cache read that could be fetched early): every
 * schedule's makespan is at least the sum of the segments' bounds and at least
 * each device class's total work over its instances, so at least any convex
 * mix of them, which adds up over segments; the least such mix over
 * selections, a shortest path, bounds the objective below. The best over a
 * grid of mixes is kept.
 */
async function loadBound(
  sg: StackedGraph,
  classOf: readonly number[],
  classes: readonly ClassPoints[],
  objective: Objective,
  staticW: number,
  c: SelectionConstraints,
  solver: (p: MilpProblem) => SolverPlugin,
  timeLimitS: number,
): Promise<number> {
  if (!classes.every((k) => k.loads)) return 0;
  let best = 0;
  // a link carries one transfer at a time: its occupancy bounds the makespan as a class's work does
  const capacity = [...sg.devices.map((d) => d.count), ...sg.links.map(() => 1)];
  for (const [w0, ...wd] of simplexGrid(1 + capacity.length)) {
    if (w0 === 1) continue;
    const chain: ChainLink[] = classOf.map((k) => {
      const mixed = new Map<string, SegmentPoint[]>();
      for (const [key, points] of (classes[k] as ClassPoints).loads ?? []) {
        const time = (p: SegmentPoint) =>
          (w0 as number) * p.timeS + capacity.reduce((sum, n, i) => sum + ((wd[i] as number) * (p.loads?.[i] ?? 0)) / n, 0);
        mixed.set(
          key,
          points.map((p) => ({ ...p, timeS: time(p) })),
        );
      }
      return mixed;
    });
    const low = await solveChain(chain, objective, staticW, c, solver, timeLimitS);
    if (low && typeof low !== 'string' && low.bound !== undefined) best = Math.max(best, low.bound);
  }
  return best;
}
