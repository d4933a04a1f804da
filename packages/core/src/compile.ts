import fs from 'node:fs';
import path from 'node:path';
import {
  buildStackedGraph,
  type Candidate,
  type DType,
  type OpGraph,
  type ResolvedSystem,
  resolveSystem,
  type StackedGraph,
  UserError,
} from '@lightcode/cost-model';
import { candidateOf, OBJECTIVES, type Objective, type Selection, select } from '@lightcode/optimizer';
import { type Schedule, simulate } from '@lightcode/simulator';
import { readDataFile } from './config.js';
import { buildGraph, type ModelRequest } from './model.js';
import type { PluginRegistry } from './plugins.js';
import { BUILTIN_SYSTEMS, DEFAULT_SYSTEM } from './systems.js';

export interface CompileOptions extends ModelRequest {
  /** A built-in system id or a system file (JSON or YAML). */
  readonly system?: string;
  readonly objective?: Objective;
  /** Selection method: `auto`, `exhaustive`, `greedy`. */
  readonly solver?: string;
  readonly cwd?: string;
}

/** Loads a built-in system or a system file and resolves it against the loaded targets. */
export function loadSystem(reg: PluginRegistry, system: string = DEFAULT_SYSTEM, cwd = process.cwd()): ResolvedSystem {
  const builtin = BUILTIN_SYSTEMS[system];
  if (builtin) return resolveSystem(builtin, reg.targets, `system '${system}'`);
  const file = path.resolve(cwd, system);
  if (!fs.existsSync(file)) {
    throw new UserError(
      `unknown system '${system}' (built-in: ${Object.keys(BUILTIN_SYSTEMS).join(', ')}; or give a .json/.yaml system file)`,
    );
  }
  return resolveSystem(readDataFile(file, 'system file'), reg.targets, `system file '${system}'`);
}

/** One op of the result: where it runs, when, and what it costs (SI units). */
export interface CompiledOp {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly layer: number | null;
  readonly device: string;
  readonly instance: string;
  readonly algorithm: string;
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
    kvLen?: number;
    layers: number;
  };
  readonly system: { id: string; devices: { id: string; target: string; count: number; preset: string }[] };
  readonly objective: Objective;
  readonly selection: { status: string; solver: string; objectiveValue: number; latencyS: number; energyJ: number };
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
  readonly ops: CompiledOp[];
}

/** Everything a compile produced, for callers that want more than the JSON. */
export interface Compilation {
  readonly graph: OpGraph;
  readonly system: ResolvedSystem;
  readonly stacked: StackedGraph;
  readonly selection: Selection;
  readonly schedule: Schedule;
  readonly result: CompileResult;
}

/** model -> OpGraph -> StackedGraph -> Selection -> Schedule -> result. */
export function compile(reg: PluginRegistry, o: CompileOptions): Compilation {
  const cwd = o.cwd ?? process.cwd();
  const objective = o.objective ?? 'latency';
  if (!OBJECTIVES.includes(objective)) throw new UserError(`--objective must be one of ${OBJECTIVES.join(', ')} (got '${objective}')`);
  const system = loadSystem(reg, o.system, cwd);
  const graph = buildGraph(reg, o, cwd);
  const stacked = buildStackedGraph(graph, system);
  const selection = select(stacked, objective, o.solver ?? 'auto');
  const pick = (id: string): Candidate => candidateOf(stacked, selection.choice, id);
  const schedule = simulate(stacked, pick);
  return { graph, system, stacked, selection, schedule, result: toResult(graph, system, selection, schedule, pick) };
}

function toResult(
  graph: OpGraph,
  system: ResolvedSystem,
  selection: Selection,
  schedule: Schedule,
  pick: (id: string) => Candidate,
): CompileResult {
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
      algorithm: c.algorithm,
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
    selection: {
      status: selection.status,
      solver: selection.solver,
      objectiveValue: selection.objectiveValue,
      latencyS: selection.latencyS,
      energyJ: selection.energyJ,
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
    ops,
  };
}
