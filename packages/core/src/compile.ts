import fs from 'node:fs';
import path from 'node:path';
import {
  buildStackedGraph,
  type Candidate,
  type DType,
  type MilpProblem,
  memo,
  type OpGraph,
  type ParamValue,
  type ResolvedSystem,
  resolveSystem,
  type SolverPlugin,
  type StackedGraph,
  UserError,
} from '@lightcode/cost-model';
import {
  type Baseline,
  candidateOf,
  OBJECTIVES,
  type Objective,
  type OptimizeResult,
  optimize,
  type ParetoPoint,
  type PlacementRule,
  paretoFront,
  type SegmentStats,
  type SelectionConstraints,
  yalpsSolver,
} from '@lightcode/optimizer';
import { checkMemoryFits, type MemoryUse, memoryUse, type Schedule, simulate, toChromeTrace } from '@lightcode/simulator';
import { readDataFile } from './config.js';
import { buildGraph, type ModelRequest } from './model.js';
import type { PluginRegistry } from './plugins.js';
import { withParams } from './system-params.js';
import { BUILTIN_SYSTEMS, DEFAULT_SYSTEM } from './systems.js';
import { DEFAULT_PLUGIN_TIMEOUT_S, priceUnderWatchdog } from './watchdog.js';

export interface CompileOptions extends ModelRequest {
  /** A built-in system id or a system file (JSON or YAML). */
  readonly system?: string;
  readonly objective?: Objective;
  /** MILP solver id: `auto` (default), `yalps` (built in) or a loaded solver plugin. */
  readonly solver?: string;
  readonly timeLimitS?: number;
  readonly latencyBudgetS?: number;
  readonly energyBudgetJ?: number;
  readonly pins?: readonly PlacementRule[];
  readonly excludes?: readonly PlacementRule[];
  readonly cwd?: string;
  /** System parameters to set, by path (`ptu.wavelengths`), as a parameter sweep does. */
  readonly params?: Readonly<Record<string, ParamValue>>;
  /** Also bound the result by the whole-graph relaxation where the segments' bound leaves a gap (default true). */
  readonly relaxation?: boolean;
  /** Refuse a graph whose peak memory exceeds a memory's capacity (default true; `generate` checks the whole request instead). */
  readonly checkMemory?: boolean;
}

/** MILPs with at most this many binaries and general integers go to yalps under `--solver auto`. */
export const AUTO_YALPS_MAX_BINARIES = 40;
export const AUTO_YALPS_MAX_INTEGERS = 4;

/**
 * The solver for `id`: `yalps` (built in), a loaded solver plugin, or `auto`
 * (the default): yalps for small MILPs, HiGHS for larger ones (or with more
 * than a few general integers, which yalps branches on poorly) when its
 * plugin is loaded. yalps' branch and bound needs minutes where HiGHS needs a second
 * on whole-model MILPs (GPT-2 at 64 tokens on hybrid-a100-ptu: yalps stopped
 * at 30 s, HiGHS 0.9 s).
 */
export function solverFor(reg: PluginRegistry, id = 'auto'): SolverPlugin | ((p: MilpProblem) => SolverPlugin) {
  if (id === 'auto') {
    const highs = reg.solvers.get('highs');
    // general integers (the decomposition's block counts) branch poorly in yalps
    return (p) => {
      const binaries = p.variables.filter((v) => v.type === 'binary').length;
      const integers = p.variables.filter((v) => v.type === 'integer').length;
      return highs && (binaries > AUTO_YALPS_MAX_BINARIES || integers > AUTO_YALPS_MAX_INTEGERS) ? highs : yalpsSolver;
    };
  }
  if (id === yalpsSolver.id) return yalpsSolver;
  const s = reg.solvers.get(id);
  if (!s) throw new UserError(`unknown solver '${id}' (available: auto, ${[yalpsSolver.id, ...reg.solvers.keys()].join(', ')})`);
  return s;
}

function constraintsOf(o: CompileOptions): SelectionConstraints {
  return {
    ...(o.latencyBudgetS !== undefined ? { latencyBudgetS: o.latencyBudgetS } : {}),
    ...(o.energyBudgetJ !== undefined ? { energyBudgetJ: o.energyBudgetJ } : {}),
    ...(o.pins ? { pins: o.pins } : {}),
    ...(o.excludes ? { excludes: o.excludes } : {}),
  };
}

/** A built-in system's spec or a system file's contents (not yet validated), and how to name it in errors. */
export function readSystem(system: string = DEFAULT_SYSTEM, cwd = process.cwd()): { raw: unknown; source: string } {
  const builtin = BUILTIN_SYSTEMS[system];
  if (builtin) return { raw: builtin, source: `system '${system}'` };
  const file = path.resolve(cwd, system);
  if (!fs.existsSync(file)) {
    // a name that reads as a path is a missing file, not an unknown id
    if (/[/\\]|\.(json|ya?ml)$/i.test(system))
      throw new UserError(`system file '${system}' does not exist`, { code: 'E_NO_FILE', option: system });
    throw new UserError(
      `unknown system '${system}' (built-in: ${Object.keys(BUILTIN_SYSTEMS).join(', ')}; or give a .json/.yaml system file)`,
    );
  }
  return { raw: readDataFile(file, 'system file'), source: `system file '${system}'` };
}

/**
 * Loads a built-in system or a system file, sets any swept parameters
 * (`DEVICE.PARAM` paths, see system-params), and resolves it against the
 * loaded targets.
 */
export function loadSystem(
  reg: PluginRegistry,
  system: string = DEFAULT_SYSTEM,
  cwd = process.cwd(),
  params: Readonly<Record<string, ParamValue>> = {},
): ResolvedSystem {
  const { raw, source } = readSystem(system, cwd);
  const base = resolveSystem(raw, reg.targets, source);
  if (Object.keys(params).length === 0) return base;
  return resolveSystem(withParams(base.spec, params, reg.targets), reg.targets, source);
}

/** One op of the result: where it runs, when, and what it costs (SI units). */
export interface CompiledOp {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly layer: number | null;
  readonly device: string;
  readonly instance: string;
  /** Every instance it ran on (several when it tiled across them). */
  readonly instances: string[];
  readonly algorithm: string;
  /** Set when the op runs inside a fused kernel: that kernel's id, shared by its ops (the first carries the cost). */
  readonly fusion?: string;
  readonly startS: number;
  readonly endS: number;
  readonly latencyS: number;
  readonly energyJ: number;
  readonly macs: number;
}

/** The `compile --json` contract; fields are only ever added. */
export interface CompileResult {
  readonly model: {
    id: string;
    family: string;
    phase: string;
    seqLen: number;
    batch: number;
    dtype: DType;
    /** Weight-only quantization: linear weights' format, when given (`--weights`). */
    weightDtype?: DType;
    /** The KV cache's format, when given (`--kv-dtype`). */
    kvDtype?: DType;
    kvLen?: number;
    layers: number;
  };
  readonly system: { id: string; devices: { id: string; target: string; count: number; preset: string }[] };
  readonly objective: Objective;
  readonly options: {
    solver: string;
    latencyBudgetS?: number;
    energyBudgetJ?: number;
    pins: PlacementRule[];
    excludes: PlacementRule[];
  };
  readonly selection: {
    status: string;
    solver: string;
    objectiveValue: number;
    bound: number | null;
    gap: number | null;
    solveTimeS: number;
    /** enumeration, decomposition (by segments), search (relaxation and local search) or baseline (a baseline won). */
    method: string;
    /** The segmented solve's segments, classes and selections scheduled, or why it was skipped. */
    decomposition?: SegmentStats | { skipped: string };
    /** Each baseline priced on its own schedule. */
    baselines: Baseline[];
    note?: string;
  };
  readonly totals: {
    latencyS: number;
    energyJ: number;
    macs: number;
    flops: number;
    paramBytes: number;
    energyBreakdownJ: Record<string, number>;
  };
  readonly opsPerDevice: Record<string, number>;
  readonly devices: { id: string; class: string; busyS: number; utilization: number }[];
  readonly links: { id: string; busyS: number; utilization: number }[];
  /** Peak bytes per memory: weights, KV cache, activations. */
  readonly memories: MemoryUse[];
  readonly ops: CompiledOp[];
}

/** Everything a compile produced, for callers that want more than the JSON. */
export interface Compilation {
  readonly graph: OpGraph;
  readonly system: ResolvedSystem;
  /** The selection, and the Stacked Graph (after pins and excludes) it indexes. */
  readonly optimized: OptimizeResult;
  readonly schedule: Schedule;
  readonly result: CompileResult;
}

/** The compile's schedule as Chrome Trace Event JSON. */
export function traceOf(c: Compilation): ReturnType<typeof toChromeTrace> {
  return toChromeTrace(c.graph, c.schedule);
}

/** The latency-energy front of a model on a system (see `paretoFront`). */
export async function pareto(
  reg: PluginRegistry,
  o: CompileOptions & { points?: number },
): Promise<{ graph: OpGraph; system: ResolvedSystem; points: ParetoPoint[] }> {
  const cwd = o.cwd ?? process.cwd();
  const solver = solverFor(reg, o.solver);
  const system = loadSystem(reg, o.system, cwd, o.params);
  const graph = buildGraph(reg, o, cwd);
  const points = await paretoFront(stackedGraphOf(graph, system, reg.pluginTimeoutS), {
    constraints: constraintsOf(o),
    solver,
    ...(o.timeLimitS ? { timeLimitS: o.timeLimitS } : {}),
    ...(o.points !== undefined ? { points: o.points } : {}),
  });
  return { graph, system, points };
}

/** Stacked Graphs per graph and system: the same (system, length) serves every objective of a sweep. */
const stackedCache = new WeakMap<OpGraph, Map<string, StackedGraph>>();

/**
 * The Stacked Graph of a graph on a system, built once per distinct system;
 * the targets' realize() calls run under the plugin watchdog (`timeoutS`).
 */
export function stackedGraphOf(graph: OpGraph, system: ResolvedSystem, timeoutS = DEFAULT_PLUGIN_TIMEOUT_S): StackedGraph {
  const cache = memo(stackedCache, graph, () => new Map<string, StackedGraph>());
  return memo(cache, JSON.stringify(system.spec), () =>
    priceUnderWatchdog(timeoutS, system, (watched) => buildStackedGraph(graph, watched)),
  );
}

/** model -> OpGraph -> StackedGraph -> Selection -> Schedule -> result. */
export async function compile(reg: PluginRegistry, o: CompileOptions): Promise<Compilation> {
  const cwd = o.cwd ?? process.cwd();
  const objective = o.objective ?? 'latency';
  if (typeof objective === 'string' && !OBJECTIVES.includes(objective)) {
    throw new UserError(`--objective must be one of ${OBJECTIVES.join(', ')} (got '${objective}')`);
  }
  if (typeof objective !== 'string') {
    const { latencyWeight: a, energyWeight: b } = objective;
    if (!(Number.isFinite(a) && Number.isFinite(b) && a >= 0 && b >= 0 && a + b > 0)) {
      throw new UserError(`--latency-weight and --energy-weight must be non-negative numbers, not both 0 (got ${a} and ${b})`);
    }
  }
  if (o.timeLimitS !== undefined && !(Number.isFinite(o.timeLimitS) && o.timeLimitS > 0)) {
    throw new UserError(`the time limit must be a positive number of seconds (got ${o.timeLimitS})`, {
      code: 'E_RANGE',
      option: 'timeLimitS',
    });
  }
  const solver = solverFor(reg, o.solver);
  const system = loadSystem(reg, o.system, cwd, o.params);
  const graph = buildGraph(reg, o, cwd);
  const full = stackedGraphOf(graph, system, reg.pluginTimeoutS);
  const constraints = constraintsOf(o);
  const optimized = await optimize(full, {
    objective,
    constraints,
    solver,
    ...(o.timeLimitS ? { timeLimitS: o.timeLimitS } : {}),
    ...(o.relaxation === false ? { relaxation: false } : {}),
  });
  const { selection, stacked } = optimized;
  const pick = (id: string): Candidate => candidateOf(stacked, selection.choice, id);
  const schedule = simulate(stacked, pick, selection.plan);
  const memory = memoryUse(graph, schedule, pick, system.spec.memories ?? []);
  if (o.checkMemory !== false) checkMemoryFits(memory, graph.meta.id);
  const options = { solver: o.solver ?? 'auto', ...constraints, pins: [...(o.pins ?? [])], excludes: [...(o.excludes ?? [])] };
  return {
    graph,
    system,
    optimized,
    schedule,
    result: toResult(graph, system, optimized, options, schedule, pick, memory),
  };
}

function toResult(
  graph: OpGraph,
  system: ResolvedSystem,
  optimized: OptimizeResult,
  options: CompileResult['options'],
  schedule: Schedule,
  pick: (id: string) => Candidate,
  memory: MemoryUse[],
): CompileResult {
  const selection = optimized.selection;
  const totals = graph.totals();
  const placed = new Map(schedule.ops.map((s) => [s.id, s]));
  const opsPerDevice: Record<string, number> = Object.fromEntries(system.devices.map((d) => [d.id, 0]));
  const ops = graph.ops().map((op): CompiledOp => {
    const c = pick(op.id);
    const s = placed.get(op.id);
    if (!s) throw new Error(`op '${op.id}' was not scheduled`);
    opsPerDevice[c.device] = (opsPerDevice[c.device] ?? 0) + 1;
    return {
      id: op.id,
      name: op.name,
      kind: op.kind,
      layer: op.layer,
      device: c.device,
      instance: `${c.device}#${s.instance}`,
      instances: s.tiles.map((t) => `${c.device}#${t.instance}`),
      algorithm: c.algorithm,
      ...(c.fusion ? { fusion: c.fusion.id } : {}),
      startS: s.startS,
      endS: s.endS,
      latencyS: c.latencyS,
      energyJ: c.energyJ,
      macs: graph.arithmetic(op.id).macs,
    };
  });
  return {
    model: { ...graph.meta },
    system: {
      id: system.spec.id,
      devices: system.devices.map((d) => ({ id: d.id, target: d.target.id, count: d.count, preset: d.preset })),
    },
    objective: selection.objective,
    options,
    selection: {
      status: selection.status,
      solver: selection.solver,
      objectiveValue: selection.objectiveValue,
      bound: selection.bound ?? null,
      gap: optimized.gap ?? null,
      solveTimeS: optimized.solveTimeS,
      method: optimized.method,
      ...(optimized.decomposition ? { decomposition: optimized.decomposition } : {}),
      baselines: [...optimized.baselines],
      ...(optimized.note ? { note: optimized.note } : {}),
    },
    totals: {
      latencyS: schedule.makespanS,
      energyJ: schedule.energyJ,
      macs: totals.macs,
      flops: totals.flops,
      paramBytes: totals.paramBytes,
      energyBreakdownJ: { ...schedule.energyBreakdownJ },
    },
    opsPerDevice,
    devices: schedule.instances.map((i) => ({ id: i.id, class: i.device, busyS: i.busyS, utilization: i.utilization })),
    links: schedule.links.map((l) => ({ ...l })),
    memories: memory,
    ops,
  };
}
