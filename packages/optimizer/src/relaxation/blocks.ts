import type { MilpProblem, MilpRow, MilpVariable, SolverPlugin } from '@lightcode/cost-model';
import { blockSignature, brokenFusion, memo, type StackedGraph } from '@lightcode/ir';
import { meetsBudgets, type SelectionConstraints } from '../constraints.js';
import { solveMilp } from '../milp/solve.js';
import { blockTree, type TreeBlock } from '../model/block-tree.js';
import {
  CERTIFICATE_TOLERANCE,
  type Choice,
  type Dims,
  type Objective,
  objectiveScaling,
  objectiveValue,
  objectiveWeights,
  relaxedCost,
  type SelectionCost,
} from '../selection.js';
import { BLOCK_ENUMERATION_LIMIT, blockPareto } from './block-pareto.js';
import type { BlockPoint } from './block-points.js';
import { Interner } from './block-points.js';

export { blockTree } from '../model/block-tree.js';
export { BLOCK_ENUMERATION_LIMIT } from './block-pareto.js';

/**
 * A block class: isomorphic blocks with the same candidates, solved once. The
 * key is the block's canonical signature with every op's candidate list
 * (devices, algorithms, costs, fusion positions) in the same order.
 */
function classKey(sg: StackedGraph, b: TreeBlock, role: string, lists: Interner): string {
  const cands = b.ops.map((id) => lists.candidates(sg.candidates.get(id) ?? []));
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

/** Said of an analysis stopped by the deadline: not kept, a later call with more time may finish it. */
const LATE = 'the relaxation by blocks stopped at the time limit';

function analyze(sg: StackedGraph, reuse: boolean, limit: number, dims: Dims, deadline: number): Analysis | string {
  const cache = memo(analyses, sg, () => new Map<string, Analysis | string>());
  const key = `${reuse}/${limit}/${dims.time}/${dims.energy}`;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const fresh = analyzeFresh(sg, reuse, limit, dims, deadline);
  if (fresh !== LATE) cache.set(key, fresh);
  return fresh;
}

function analyzeFresh(sg: StackedGraph, reuse: boolean, limit: number, dims: Dims, deadline: number): Analysis | string {
  const tree = blockTree(sg);
  if (typeof tree === 'string') return tree;
  const spineLast = tree.reduce((k, b, i) => (b.spine ? i : k), -1);
  const classes: { points: BlockPoint[]; members: number[]; spine: boolean }[] = [];
  const byKey = new Map<string, number>();
  const classOf: number[] = [];
  let enumerated = 0;
  const lists = new Interner();
  for (const [i, b] of tree.entries()) {
    const role = !b.spine ? 'leaf' : i === spineLast ? (i === 0 ? 'only' : 'last') : i === 0 ? 'first' : 'mid';
    const key = reuse ? classKey(sg, b, role, lists) : String(i);
    let ci = byKey.get(key);
    if (ci === undefined) {
      const found = blockPareto(sg, b, i === spineLast, limit, dims, deadline);
      if (!found && performance.now() > deadline) return LATE;
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
 * The whole-graph relaxation (relaxedCost: critical path, each device class's
 * load over its instances, link occupancy) minimized by blocks: the graph's
 * biconnected blocks form a tree joined at articulation ops; every class of
 * isomorphic blocks is enumerated once and reduced to its Pareto sets over
 * (delay, per-class loads, energy), one per choice of its articulation ops'
 * candidates. A master MILP then picks a Pareto point per block, neighbours
 * agreeing on the articulation op they share. Its optimum is a lower bound
 * on every selection's every schedule; the optimizer uses it where the
 * segmented search cannot give one (a segment too large to enumerate), and
 * its selection as a starting point. `proven` says the selection is optimal
 * for the relaxation, not for the schedule.
 */
export async function relaxedDecomposition(
  sg: StackedGraph,
  objective: Objective,
  c: SelectionConstraints,
  solver: (p: MilpProblem) => SolverPlugin,
  options: {
    readonly timeLimitS?: number;
    readonly reuse?: boolean;
    /** Blocks with larger selection spaces are folded or declined (default BLOCK_ENUMERATION_LIMIT). */
    readonly blockLimit?: number;
    /** performance.now() after which the analysis gives up. */
    readonly deadline?: number;
  } = {},
): Promise<DecomposedResult | string> {
  const w = objectiveWeights(objective);
  const staticW = sg.devices.reduce((s, d) => s + d.count * d.staticPowerW, 0);
  const energy = w.energyWeight > 0 || c.energyBudgetJ !== undefined;
  const dims: Dims = { energy, time: w.latencyWeight > 0 || c.latencyBudgetS !== undefined || (energy && staticW > 0) };
  const analysis = analyze(
    sg,
    options.reuse !== false,
    options.blockLimit ?? BLOCK_ENUMERATION_LIMIT,
    dims,
    options.deadline ?? Number.POSITIVE_INFINITY,
  );
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
  // one row per device class (count x T >= its load) and per link (T >= its transfer time)
  const loadTerms = [...sg.devices.map((d): [number, number][] => [[T, d.count]]), ...sg.links.map((): [number, number][] => [[T, 1]])];
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
  [...sg.devices.map((d) => d.id), ...sg.links.map((l) => `link_${l}`)].forEach((name, k) => {
    rows.push({ name: `load_${name}`, terms: loadTerms[k] as [number, number][], lower: 0 });
  });
  if (c.latencyBudgetS !== undefined) rows.push({ name: 'latency_budget', terms: [[T, 1]], upper: c.latencyBudgetS / timeUnit });
  if (c.energyBudgetJ !== undefined) rows.push({ name: 'energy_budget', terms: energyTerms, upper: c.energyBudgetJ / energyUnit });
  const scale = objectiveScaling(objective, timeUnit, energyUnit);
  const costs = new Map<number, number>();
  const addCost = (i: number, v: number) => costs.set(i, (costs.get(i) ?? 0) + v);
  if (scale.latency) addCost(T, scale.latency);
  if (scale.energy) for (const [i, v] of energyTerms) addCost(i, scale.energy * v);
  const problem: MilpProblem = {
    sense: 'minimize',
    variables: vars.map((v, i) => (costs.has(i) ? { ...v, cost: costs.get(i) } : v)),
    rows,
  };
  const { solver: s, result } = await solveMilp(solver, problem, options.timeLimitS);
  if (result.status === 'infeasible') return 'the decomposed master is infeasible';
  // a master stopped at its time limit still gives a selection and a valid lower bound
  const solved = result.status === 'optimal' && result.objective !== undefined;
  if (!result.values || (!solved && result.status !== 'timeout')) return `the master problem was not solved (${result.status})`;
  const masterBound = solved ? result.objective : result.bound;
  const bound = masterBound === undefined ? undefined : masterBound * scale.unit;

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
  const cost = relaxedCost(sg, choice);
  const achieved = objectiveValue(cost, objective);
  const stats = { blocks: tree.length, classes: classes.length, enumerated, paretoPoints: all.length };
  if (!meetsBudgets(c, cost)) return 'the decomposed selection misses a budget the master met (its critical path is a lower bound)';
  // the master's rows hold to the solver's feasibility tolerance (HiGHS: 1e-6 in model units, and
  // time is in units of the longest block delay), so its optimum can sit that far below a load it
  // must cover: the certificate allows the same relative slack the solver does
  const proven = solved && bound !== undefined && achieved <= bound * (1 + CERTIFICATE_TOLERANCE) + 1e-18;
  // unproven, the master's optimum still bounds the relaxation below (side blocks' delays are what it leaves out)
  return { choice, cost, ...(bound !== undefined ? { bound: Math.min(bound, achieved) } : {}), proven, stats, solver: s.id };
}
