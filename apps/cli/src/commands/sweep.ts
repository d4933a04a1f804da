import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkSweepDocument,
  loadSystem,
  mergeSweeps,
  OBJECTIVES,
  type ObjectiveMetric,
  parseRange,
  parseShard,
  readDataFile,
  type SweepResult,
  type SweepRow,
  sweep,
  type Workload,
} from '@lightcode/core';
import { formatQuantity, UserError } from '@lightcode/cost-model';
import { renderSweepReport, renderTable, type SystemSummary, systemSummary } from '@lightcode/report';
import { choiceFlag, type FlagValues, intFlag, maxPointsFlag, type PluginFlags, parse } from '../args.js';
import { checkOutDir, csvCell, discoveryOf, type Io, jsonText, loadRegistry, writeOutputs } from '../context.js';
import { MODEL_HELP, MODEL_OPTIONS, modelWithoutLength, SELECTION_OPTIONS, selectionFlags } from './compile.js';

export const SWEEP_HELP = `lightcode sweep --seq-len 64:4096:64|LIST [--param PATH=V1,V2] [--systems A,B] [--objectives latency,energy] [--json | --csv]
lightcode sweep --workload generate --prompt-len P --output-len 64:1024:64|LIST [...]

Compiles a model at every sequence length and parameter combination, on each system, for each objective.
With --workload generate each point is a whole request (as lightcode generate) of P prompt tokens and
each listed output length: end-to-end latency, energy per request and per output token, TTFT and TPOT.

${MODEL_HELP}  --workload compile|generate   (default compile)
  --prompt-len P, --output-len RANGE   the requests of --workload generate
  --systems A,B          built-in systems or files (default hybrid-a100-ptu)
  --objectives LIST      latency, energy or both (default latency); --objective is the same
  --param PATH=V1,V2     vary a system parameter: DEVICE.PARAM (any target parameter,
                         e.g. ptu.wavelengths=1,2,4,8), DEVICE.count, DEVICE.preset, or
                         LINK.bandwidthBps|latencyS|energyPerByteJ; several make a grid
  --workers N            worker threads (default: the number of cores)
  --shard I/N            run only the I-th of N interleaved slices (array jobs); join with 'lightcode merge'
  --pin, --exclude, budgets, --solver, --time-limit: as for compile
  --out DIR              write result.json, sweep.csv and report.html there
  --max-points N         plan at most N compiles (default 10000; see docs/limits.md)
`;

/** The JSON document of a sweep (`result.json`): the same for a whole run and for merged shards. */
export interface SweepDocument {
  readonly kind: 'sweep';
  readonly model: Readonly<Record<string, unknown>>;
  readonly sweep: { readonly id: string; readonly points: number; readonly shard?: { index: number; count: number } };
  readonly rows: readonly SweepRow[];
  /** The swept systems as given (before --param values), for the report. */
  readonly systems: readonly SystemSummary[];
}

function paramColumns(rows: readonly SweepRow[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r.params)))];
}

/** result.json, sweep.csv and report.html of a sweep, and its table for the terminal. */
export function sweepOutputs(doc: SweepDocument): { json: string; csv: string; html: string; table: string } {
  const params = paramColumns(doc.rows);
  // one finite-number check on the document every output below is made from
  const json = jsonText(doc, 'the sweep result');
  const requests = doc.rows.some((r) => r.generate);
  // a generate workload adds the request's figures
  const extraHead = requests ? ['ttft_s', 'tpot_mean_s', 'tokens_per_s', 'energy_per_output_token_j'] : [];
  const extra = (r: SweepRow) =>
    requests
      ? [r.generate?.ttftS ?? '', r.generate?.tpotMeanS ?? '', r.generate?.tokensPerS ?? '', r.generate?.energyPerOutputTokenJ ?? '']
      : [];
  const q = (x: number | null | undefined, unit: string) => (typeof x === 'number' ? formatQuantity(x, unit, 4) : 'n/a');
  const csv = `${[
    ['system', 'objective', requests ? 'output_len' : 'seq_len', ...params, 'latency_s', 'energy_j', 'status', ...extraHead]
      .map(csvCell)
      .join(','),
    ...doc.rows.map((r) =>
      [
        csvCell(r.system),
        r.objective,
        r.seqLen,
        ...params.map((p) => csvCell(r.params[p] ?? '')),
        r.latencyS,
        r.energyJ,
        r.status,
        ...extra(r),
      ].join(','),
    ),
  ].join('\n')}\n`;
  const table = renderTable(
    [
      'system',
      'objective',
      requests ? 'output len' : 'seq len',
      ...params,
      requests ? 'end-to-end' : 'latency',
      'energy',
      'status',
      ...(requests ? ['TTFT', 'TPOT', 'J / token'] : []),
    ],
    doc.rows.map((r) => [
      r.system,
      r.objective,
      String(r.seqLen),
      ...params.map((p) => String(r.params[p] ?? '')),
      formatQuantity(r.latencyS, 's', 4),
      formatQuantity(r.energyJ, 'J', 4),
      r.status,
      ...(requests ? [q(r.generate?.ttftS, 's'), q(r.generate?.tpotMeanS, 's'), q(r.generate?.energyPerOutputTokenJ, 'J')] : []),
    ]),
  );
  return { json, csv, html: renderSweepReport(doc), table: `${table}\n` };
}

/** What a sweep's or a merge's `--out DIR` holds. */
const SWEEP_OUTPUTS = ['result.json', 'sweep.csv', 'report.html'];

/** Prints and writes a sweep's outputs as the flags ask. */
export function emitSweep(io: Io, doc: SweepDocument, v: { json?: unknown; csv?: unknown; out?: unknown }): void {
  const o = sweepOutputs(doc);
  writeOutputs(io, v.out, { 'result.json': o.json, 'sweep.csv': o.csv, 'report.html': o.html });
  io.out(v.json ? o.json : v.csv ? o.csv : o.table);
}

export async function sweepCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('sweep', argv, {
    ...MODEL_OPTIONS,
    ...SELECTION_OPTIONS,
    systems: { type: 'string' },
    objectives: { type: 'string' },
    objective: { type: 'string' },
    param: { type: 'string', multiple: true },
    workers: { type: 'string' },
    shard: { type: 'string' },
    csv: { type: 'boolean' },
    out: { type: 'string' },
    'max-points': { type: 'string' },
    workload: { type: 'string' },
    'prompt-len': { type: 'string' },
    'output-len': { type: 'string' },
  });
  const maxPoints = maxPointsFlag(v);
  const { workload, lengths: seqLens } = workloadFlags(v, 'sweep', maxPoints);
  const systems =
    typeof v.systems === 'string' ? v.systems.split(',').filter(Boolean) : typeof v.system === 'string' ? [v.system] : ['hybrid-a100-ptu'];
  if (systems.length === 0)
    throw new UserError(`--systems '${v.systems}' names no system; give one or more, e.g. --systems cpu,lightcode-2025`);
  // --objective as compile spells it, --objectives for a list; either takes one or several
  if (typeof v.objective === 'string' && typeof v.objectives === 'string') {
    throw new UserError('give --objective or --objectives, not both (each takes one objective or a list)');
  }
  const flag = typeof v.objective === 'string' ? '--objective' : '--objectives';
  const listed = typeof v.objective === 'string' ? v.objective : v.objectives;
  const objectives = (typeof listed === 'string' ? listed.split(',') : ['latency']).map((x) => {
    if (!(OBJECTIVES as readonly string[]).includes(x)) throw new UserError(`${flag} takes ${OBJECTIVES.join(', ')} (got '${x}')`);
    return x as ObjectiveMetric;
  });
  const shard = typeof v.shard === 'string' ? parseShard(v.shard) : undefined;
  const workers = intFlag(v.workers as string | undefined, '--workers') ?? os.availableParallelism();
  const model = modelWithoutLength(v);
  checkOutDir(io, v.out, SWEEP_OUTPUTS);
  const reg = await loadRegistry(io, v as PluginFlags);
  const result = await sweep(
    reg,
    {
      ...model,
      ...selectionFlags(v),
      seqLens,
      systems,
      objectives,
      params: (v.param as string[] | undefined) ?? [],
      ...(workload ? { workload } : {}),
    },
    {
      ...(shard ? { shard } : {}),
      workers,
      maxPoints,
      discovery: discoveryOf(io, v as PluginFlags),
      cwd: io.cwd,
      ...(io.interactive
        ? { progress: (done: number, total: number) => io.err(`\rsweep ${done}/${total}${done === total ? '\n' : ''}`) }
        : {}),
    },
  );
  const summaries = systems.map((s) => systemSummary(loadSystem(reg, s, io.cwd)));
  emitSweep(io, documentOf(workload ? { ...model, workload: 'generate', promptLen: workload.promptLen } : model, result, summaries), v);
  return 0;
}

/**
 * `--workload compile|generate` and the lengths a sweep or crossover runs:
 * `--seq-len` for compiles, `--prompt-len P` with `--output-len` lengths for
 * whole requests (the swept length is then the output length).
 */
export function workloadFlags(
  v: FlagValues,
  command: string,
  maxPoints?: number,
): { workload?: Workload & { kind: 'generate' }; lengths: number[] } {
  const kind = choiceFlag(v.workload as string | undefined, '--workload', ['compile', 'generate'] as const) ?? 'compile';
  if (kind === 'compile') {
    for (const flag of ['prompt-len', 'output-len'] as const) {
      if (v[flag] !== undefined) throw new UserError(`--${flag} goes with --workload generate`);
    }
    if (command !== 'sweep') return { lengths: [] };
    if (typeof v['seq-len'] !== 'string')
      throw new UserError('lightcode sweep needs --seq-len, e.g. --seq-len 64:1024:64 or --seq-len 128,512');
    return { lengths: parseRange(v['seq-len'], '--seq-len', maxPoints) };
  }
  if (v['seq-len'] !== undefined || v.phase !== undefined || v['kv-len'] !== undefined) {
    throw new UserError('--workload generate takes --prompt-len and --output-len, not --seq-len, --phase or --kv-len');
  }
  const promptLen = intFlag(v['prompt-len'] as string | undefined, '--prompt-len');
  if (promptLen === undefined) throw new UserError('--workload generate needs --prompt-len P (a positive integer)');
  if (command !== 'sweep') return { workload: { kind, promptLen }, lengths: [] };
  if (typeof v['output-len'] !== 'string')
    throw new UserError('lightcode sweep --workload generate needs --output-len, e.g. --output-len 64:1024:64 or --output-len 128,512');
  return { workload: { kind, promptLen }, lengths: parseRange(v['output-len'], '--output-len', maxPoints) };
}

function documentOf(model: Readonly<Record<string, unknown>>, r: SweepResult, systems: readonly SystemSummary[]): SweepDocument {
  return { kind: 'sweep', model, sweep: { id: r.id, points: r.points, ...(r.shard ? { shard: r.shard } : {}) }, rows: r.rows, systems };
}

export const MERGE_HELP = `lightcode merge SHARD... [--out DIR] [--json | --csv]

Joins the results of a sweep run as shards (--shard I/N) into the result of one
unsharded run. Each SHARD is a result.json or the --out folder holding it.
`;

/** A shard's result.json: a regular file within the data-file cap, every row checked against the result schema before it is merged. */
function readShard(io: Io, arg: string): SweepDocument {
  let file = path.resolve(io.cwd, arg);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'result.json');
  const doc = readDataFile(file, 'shard') as SweepDocument;
  if ((doc as { kind?: unknown } | null)?.kind !== 'sweep') {
    throw new UserError(`'${arg}' is not the result.json of a sweep (write one with lightcode sweep --shard I/N --out DIR)`);
  }
  checkSweepDocument(doc, `shard '${arg}'`);
  return doc;
}

export async function mergeCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('merge', argv, { csv: { type: 'boolean' }, out: { type: 'string' } }, true);
  if (positionals.length === 0) throw new UserError('lightcode merge needs the result.json (or --out folder) of every shard');
  checkOutDir(io, v.out, SWEEP_OUTPUTS);
  const docs = positionals.map((a) => readShard(io, a));
  const merged = mergeSweeps(
    docs.map((d) => ({ id: d.sweep.id, points: d.sweep.points, ...(d.sweep.shard ? { shard: d.sweep.shard } : {}), rows: d.rows })),
  );
  const first = docs[0] as SweepDocument;
  emitSweep(io, documentOf(first.model, merged, first.systems ?? []), v);
  return 0;
}
