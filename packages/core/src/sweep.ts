import { createHash } from 'node:crypto';
import { memo, type ParamValue, resolveSystem, UserError } from '@lightcode/cost-model';
import type { Metric } from '@lightcode/optimizer';
import { type CompileOptions, compile, readSystem } from './compile.js';
import { generate } from './generate.js';
import { LIMITS, shown } from './limits.js';
import { checkLengths } from './model.js';
import type { DiscoveryOptions, PluginRegistry } from './plugins.js';
import { compileInWorkers } from './sweep-pool.js';
import { paramGrid, parseParamAxis } from './system-params.js';

/**
 * Parses `64:4096:64` (start:stop:step, inclusive), `128:1024` (step 1) or
 * `128,512,2048`: every value at most LIMITS.seqLen, and a range counted
 * before it is expanded, refused (code `E_PLAN_TOO_LARGE`) above `maxCount`.
 */
export function parseRange(text: string, flag: string, maxCount: number = LIMITS.points): number[] {
  const bad = () =>
    new UserError(
      `${flag} takes START:STOP[:STEP] or a comma list of positive integers, e.g. 64:4096:64 or 128,512 (got '${shown(text)}')`,
      {
        code: 'E_SYNTAX',
        option: flag,
      },
    );
  const int = (s: string) => {
    if (!/^\d+$/.test(s.trim())) throw bad();
    const n = Number(s);
    if (n < 1) throw bad();
    if (n > LIMITS.seqLen) {
      throw new UserError(
        `${flag} '${shown(text)}': ${shown(s.trim())} is above the longest sequence LightCode takes (${LIMITS.seqLen} tokens)`,
        {
          code: 'E_RANGE',
          option: flag,
        },
      );
    }
    return n;
  };
  const tooMany = (n: number) =>
    new UserError(`${flag} '${shown(text)}' has ${n} values, over the limit of ${maxCount} points`, {
      code: 'E_PLAN_TOO_LARGE',
      option: flag,
    });
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length > 3) throw bad();
    const [start, stop, step] = [int(parts[0] ?? ''), int(parts[1] ?? ''), parts[2] === undefined ? 1 : int(parts[2])];
    if (stop < start) throw bad();
    const count = Math.floor((stop - start) / step) + 1;
    if (count > maxCount) throw tooMany(count);
    const out: number[] = [];
    for (let v = start; v <= stop; v += step) out.push(v);
    return out;
  }
  const texts = text.split(',');
  if (texts.length > maxCount) throw tooMany(texts.length);
  const list = texts.map(int);
  return [...new Set(list)].sort((a, b) => a - b);
}

/**
 * What each point of a sweep runs: one compile at the point's sequence length
 * (the default), or a whole request (`generate`) of `promptLen` prompt tokens
 * whose output length is the point's length.
 */
export type Workload = { readonly kind: 'compile' } | { readonly kind: 'generate'; readonly promptLen: number };

/** The options every point of a sweep shares: a compile's, and the workload. */
export type SweepBase = CompileOptions & { readonly workload?: Workload };

/** One compile of a sweep: where it sits in the plan and what it varies. */
export interface SweepPoint {
  /** Position in the whole (unsharded) plan, from 0. */
  readonly index: number;
  readonly system: string;
  readonly objective: Metric;
  /** The swept length: the sequence length, or with a generate workload the output length. */
  readonly seqLen: number;
  /** Swept system parameters by path (`ptu.wavelengths`); empty without --param. */
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** A point with its result. */
export interface SweepRow extends SweepPoint {
  /** The compile's latency, or the request's end-to-end latency. */
  readonly latencyS: number;
  /** The compile's energy, or the request's. */
  readonly energyJ: number;
  readonly status: string;
  readonly opsPerDevice: Readonly<Record<string, number>>;
  /** With a generate workload: the request's figures. */
  readonly generate?: {
    readonly promptLen: number;
    readonly ttftS: number;
    readonly tpotMeanS: number | null;
    readonly tokensPerS: number;
    readonly energyPerOutputTokenJ: number;
    readonly compiles: number;
  };
}

/** What a sweep varies, on top of one compile's options. */
export type SweepSpec = Omit<CompileOptions, 'seqLen' | 'system' | 'objective' | 'params' | 'cwd'> & {
  /** Sequence lengths, or with a generate workload output lengths. */
  readonly seqLens: readonly number[];
  readonly workload?: Workload;
  readonly systems: readonly string[];
  readonly objectives: readonly Metric[];
  /** `PATH=V1,V2` texts; several make a grid. */
  readonly params?: readonly string[];
};

/** `--shard I/N`: the I-th of N interleaved slices of a plan (1-based). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** A sweep's results: all of them, or one shard's. */
export interface SweepResult {
  /** Identifies the plan (model, options, points): shards of one sweep share it. */
  readonly id: string;
  /** Points in the whole plan. */
  readonly points: number;
  readonly shard?: Shard;
  readonly rows: readonly SweepRow[];
}

/**
 * Every point of a sweep, systems outermost, then the parameter grid, then
 * objectives, then sequence lengths. Parameter paths are checked against
 * every system (the error lists the valid ones).
 */
export function planSweep(reg: PluginRegistry, spec: SweepSpec, cwd = process.cwd(), maxPoints: number = LIMITS.points): SweepPoint[] {
  if (spec.systems.length === 0) throw new UserError('a sweep needs at least one system', { code: 'E_EMPTY', option: 'systems' });
  if (spec.objectives.length === 0) throw new UserError('a sweep needs at least one objective', { code: 'E_EMPTY', option: 'objectives' });
  if (spec.seqLens.length === 0) throw new UserError('a sweep needs at least one sequence length', { code: 'E_EMPTY', option: 'seqLens' });
  // every system's parameter axes first: the plan is counted before it is expanded
  const axes = spec.systems.map((system) => {
    if (!(spec.params ?? []).length) return [];
    const base = resolveSystem(readSystem(system, cwd).raw, reg.targets, `system '${system}'`).spec;
    return (spec.params ?? []).map((t) => parseParamAxis(t, base, reg.targets));
  });
  const total = axes.reduce((n, a) => n + a.reduce((m, x) => m * x.values.length, 1), 0) * spec.objectives.length * spec.seqLens.length;
  if (total > maxPoints) {
    throw new UserError(
      `the sweep has ${total} points (${spec.systems.length} system(s), their parameter grids, ${spec.objectives.length} objective(s), ${spec.seqLens.length} length(s)), over the limit of ${maxPoints}`,
      { code: 'E_PLAN_TOO_LARGE', option: 'points' },
    );
  }
  const points: SweepPoint[] = [];
  for (const [k, system] of spec.systems.entries()) {
    const own = axes[k] ?? [];
    const grid = own.length ? paramGrid(own) : [{}];
    for (const params of grid) {
      for (const objective of spec.objectives) {
        for (const seqLen of spec.seqLens) points.push({ index: points.length, system, objective, seqLen, params });
      }
    }
  }
  return points;
}

/** A stable id of a sweep: a hash of its options and points, the same in every shard. */
export function sweepId(spec: SweepSpec, points: readonly SweepPoint[]): string {
  const { seqLens: _s, systems: _y, objectives: _o, params: _p, ...options } = spec;
  const canonical = JSON.stringify({ options: Object.entries(options).sort(([a], [b]) => a.localeCompare(b)), points });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Parses `I/N` with 1 <= I <= N. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1) throw new UserError(`--shard takes I/N with 1 <= I <= N, e.g. --shard 3/8 (got '${text}')`);
  if (index < 1 || index > count) throw new UserError(`--shard ${text}: shard index ${index} is out of range 1..${count}`);
  return { index, count };
}

/** The points of one shard: every count-th point, so each shard gets short and long lengths alike. */
export function shardPoints(points: readonly SweepPoint[], shard: Shard): SweepPoint[] {
  return points.filter((p) => p.index % shard.count === shard.index - 1);
}

/** Compiles one point (or, with a generate workload, runs its request). */
export async function compilePoint(reg: PluginRegistry, sweepBase: SweepBase, p: SweepPoint): Promise<SweepRow> {
  const { workload, ...base } = sweepBase;
  if (workload?.kind === 'generate') {
    const { seqLen: _s, phase: _p, kvLen: _k, ...request } = base;
    const r = await generate(reg, {
      ...request,
      system: p.system,
      objective: p.objective,
      params: p.params,
      promptLen: workload.promptLen,
      outputLen: p.seqLen,
    });
    return {
      ...p,
      latencyS: r.endToEndS,
      energyJ: r.energy.requestJ,
      status: r.prefill.status,
      opsPerDevice: r.prefill.opsPerDevice,
      generate: {
        promptLen: r.promptLen,
        ttftS: r.ttftS,
        tpotMeanS: r.tpot.meanS,
        tokensPerS: r.tokensPerS,
        energyPerOutputTokenJ: r.energy.perOutputTokenJ,
        compiles: r.compiles,
      },
    };
  }
  const { result } = await compile(reg, { ...base, system: p.system, objective: p.objective, seqLen: p.seqLen, params: p.params });
  return {
    ...p,
    latencyS: result.totals.latencyS,
    energyJ: result.totals.energyJ,
    status: result.selection.status,
    opsPerDevice: result.opsPerDevice,
  };
}

export interface SweepRun {
  readonly shard?: Shard;
  /** Worker threads; 1 (or no `discovery`) compiles in this thread. */
  readonly workers?: number;
  /** How workers load the same plugins as this thread. */
  readonly discovery?: DiscoveryOptions;
  readonly cwd?: string;
  readonly progress?: (done: number, total: number) => void;
  /** Most points the plan may hold (default LIMITS.points). */
  readonly maxPoints?: number;
}

/**
 * Runs a sweep (or one shard of it), in worker threads when asked. Rows come
 * back in plan order whatever the workers' finishing order, so the result is
 * the same for any worker count and merged shards equal an unsharded run.
 */
export async function sweep(reg: PluginRegistry, spec: SweepSpec, run: SweepRun = {}): Promise<SweepResult> {
  const cwd = run.cwd ?? process.cwd();
  const plan = planSweep(reg, spec, cwd, run.maxPoints);
  const id = sweepId(spec, plan);
  const mine = run.shard ? shardPoints(plan, run.shard) : plan;
  const { seqLens: _s, systems: _y, objectives: _o, params: _p, ...options } = spec;
  const base: SweepBase = { ...options, cwd };
  // every length against the model before the first compile (a request's output lengths are checked by generate)
  if (spec.workload?.kind !== 'generate') checkLengths(reg, options, spec.seqLens, cwd);
  const groups = groupBySeqLen(mine);
  const workers = Math.min(run.workers ?? 1, groups.length);
  const done =
    workers > 1 && run.discovery
      ? await compileInWorkers(run.discovery, base, groups, workers, run.progress)
      : await compileHere(reg, base, groups, run.progress);
  const rows = [...done].sort((a, b) => a.index - b.index);
  return { id, points: plan.length, ...(run.shard ? { shard: run.shard } : {}), rows };
}

/**
 * The points grouped by sequence length, in plan order within a group: one
 * group builds its graph once and each system's Stacked Graph once for all
 * objectives, so a group is the unit of work a worker takes.
 */
export function groupBySeqLen(points: readonly SweepPoint[]): SweepPoint[][] {
  const by = new Map<number, SweepPoint[]>();
  for (const p of points) memo(by, p.seqLen, () => []).push(p);
  return [...by.values()];
}

async function compileHere(
  reg: PluginRegistry,
  base: SweepBase,
  groups: readonly (readonly SweepPoint[])[],
  progress?: (done: number, total: number) => void,
): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const total = groups.reduce((n, g) => n + g.length, 0);
  for (const g of groups) {
    for (const p of g) {
      rows.push(await compilePoint(reg, base, p));
      progress?.(rows.length, total);
    }
  }
  return rows;
}

/**
 * Merges the shards of one sweep into the result an unsharded run gives:
 * every shard present once, all from the same plan, every point covered.
 */
export function mergeSweeps(parts: readonly SweepResult[]): SweepResult {
  const first = parts[0];
  if (!first) throw new UserError('lightcode merge needs the result.json of every shard');
  const count = first.shard?.count;
  const seen = new Set<number>();
  for (const p of parts) {
    if (p.id !== first.id || p.points !== first.points) {
      throw new UserError(`cannot merge shards of different sweeps (ids ${first.id} and ${p.id}); run every shard with the same options`);
    }
    if (!p.shard || p.shard.count !== count)
      throw new UserError('lightcode merge takes the results of one --shard I/N run per shard, all with the same N');
    if (seen.has(p.shard.index)) throw new UserError(`shard ${p.shard.index}/${count} is given twice`);
    seen.add(p.shard.index);
  }
  // a shard count is only trusted up to the shards given: the first few missing are named, never all of a huge count listed
  const missing: number[] = [];
  for (let i = 1; i <= (count ?? 0) && missing.length < 10; i++) if (!seen.has(i)) missing.push(i);
  if (missing.length) {
    const more = (count ?? 0) - seen.size - missing.length;
    throw new UserError(`shards missing: ${missing.map((i) => `${i}/${count}`).join(', ')}${more > 0 ? ` and ${more} more` : ''}`, {
      code: 'E_SHARDS_MISSING',
    });
  }
  const rows = parts.flatMap((p) => p.rows).sort((a, b) => a.index - b.index);
  if (rows.length !== first.points || rows.some((r, i) => r.index !== i)) {
    throw new UserError(`the shards hold ${rows.length} of the sweep's ${first.points} points; rerun the incomplete shards`);
  }
  return { id: first.id, points: first.points, rows };
}
