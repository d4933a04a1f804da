import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  loadSystem,
  mergeSweeps,
  OBJECTIVES,
  type ObjectiveMetric,
  parseRange,
  parseShard,
  type SweepResult,
  type SweepRow,
  sweep,
} from '@lightcode/core';
import { formatQuantity, UserError } from '@lightcode/cost-model';
import { renderSweepReport, renderTable, type SystemSummary, systemSummary } from '@lightcode/report';
import { intFlag, type PluginFlags, parse } from '../args.js';
import { csvCell, discoveryOf, type Io, loadRegistry, writeOutputs } from '../context.js';
import { MODEL_HELP, MODEL_OPTIONS, modelWithoutLength, SELECTION_OPTIONS, selectionFlags } from './compile.js';

export const SWEEP_HELP = `lightcode sweep --seq-len 64:4096:64|LIST [--param PATH=V1,V2] [--systems A,B] [--objectives latency,energy] [--json | --csv]

Compiles a model at every sequence length and parameter combination, on each system, for each objective.

${MODEL_HELP}  --systems A,B          built-in systems or files (default hybrid-a100-ptu)
  --objectives LIST      latency, energy or both (default latency); --objective is the same
  --param PATH=V1,V2     vary a system parameter: DEVICE.PARAM (any target parameter,
                         e.g. ptu.wavelengths=1,2,4,8), DEVICE.count, DEVICE.preset, or
                         LINK.bandwidthBps|latencyS|energyPerByteJ; several make a grid
  --workers N            worker threads (default: the number of cores)
  --shard I/N            run only the I-th of N interleaved slices (array jobs); join with 'lightcode merge'
  --pin, --exclude, budgets, --solver, --time-limit: as for compile
  --out DIR              write result.json, sweep.csv and report.html there
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
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  const csv = `${[
    ['system', 'objective', 'seq_len', ...params, 'latency_s', 'energy_j', 'status'].map(csvCell).join(','),
    ...doc.rows.map((r) =>
      [csvCell(r.system), r.objective, r.seqLen, ...params.map((p) => csvCell(r.params[p] ?? '')), r.latencyS, r.energyJ, r.status].join(
        ',',
      ),
    ),
  ].join('\n')}\n`;
  const table = renderTable(
    ['system', 'objective', 'seq len', ...params, 'latency', 'energy', 'status'],
    doc.rows.map((r) => [
      r.system,
      r.objective,
      String(r.seqLen),
      ...params.map((p) => String(r.params[p] ?? '')),
      formatQuantity(r.latencyS, 's', 4),
      formatQuantity(r.energyJ, 'J', 4),
      r.status,
    ]),
  );
  return { json, csv, html: renderSweepReport(doc), table: `${table}\n` };
}

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
  });
  if (typeof v['seq-len'] !== 'string')
    throw new UserError('lightcode sweep needs --seq-len, e.g. --seq-len 64:1024:64 or --seq-len 128,512');
  const seqLens = parseRange(v['seq-len'], '--seq-len');
  const systems =
    typeof v.systems === 'string' ? v.systems.split(',').filter(Boolean) : typeof v.system === 'string' ? [v.system] : ['hybrid-a100-ptu'];
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
  const reg = await loadRegistry(io, v as PluginFlags);
  const result = await sweep(
    reg,
    { ...model, ...selectionFlags(v), seqLens, systems, objectives, params: (v.param as string[] | undefined) ?? [] },
    {
      ...(shard ? { shard } : {}),
      workers,
      discovery: discoveryOf(io, v as PluginFlags),
      cwd: io.cwd,
      ...(io.interactive
        ? { progress: (done: number, total: number) => io.err(`\rsweep ${done}/${total}${done === total ? '\n' : ''}`) }
        : {}),
    },
  );
  const summaries = systems.map((s) => systemSummary(loadSystem(reg, s, io.cwd)));
  emitSweep(io, documentOf(model, result, summaries), v);
  return 0;
}

function documentOf(model: Readonly<Record<string, unknown>>, r: SweepResult, systems: readonly SystemSummary[]): SweepDocument {
  return { kind: 'sweep', model, sweep: { id: r.id, points: r.points, ...(r.shard ? { shard: r.shard } : {}) }, rows: r.rows, systems };
}

export const MERGE_HELP = `lightcode merge SHARD... [--out DIR] [--json | --csv]

Joins the results of a sweep run as shards (--shard I/N) into the result of one
unsharded run. Each SHARD is a result.json or the --out folder holding it.
`;

function readShard(io: Io, arg: string): SweepDocument {
  let file = path.resolve(io.cwd, arg);
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'result.json');
  let doc: SweepDocument;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot read shard '${arg}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (doc?.kind !== 'sweep' || !doc.sweep || !Array.isArray(doc.rows)) {
    throw new UserError(`'${arg}' is not the result.json of a sweep (write one with lightcode sweep --shard I/N --out DIR)`);
  }
  return doc;
}

export async function mergeCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v, positionals } = parse('merge', argv, { csv: { type: 'boolean' }, out: { type: 'string' } }, true);
  if (positionals.length === 0) throw new UserError('lightcode merge needs the result.json (or --out folder) of every shard');
  const docs = positionals.map((a) => readShard(io, a));
  const merged = mergeSweeps(
    docs.map((d) => ({ id: d.sweep.id, points: d.sweep.points, ...(d.sweep.shard ? { shard: d.sweep.shard } : {}), rows: d.rows })),
  );
  const first = docs[0] as SweepDocument;
  emitSweep(io, documentOf(first.model, merged, first.systems ?? []), v);
  return 0;
}
