import path from 'node:path';
import {
  ACTIVATION_DTYPES,
  compile,
  DEFAULT_SYSTEM,
  LIMITS,
  OBJECTIVES,
  type Objective,
  parseRule,
  STORAGE_DTYPES,
  shown,
  traceOf,
} from '@lightcode/core';
import { parseQuantity, UserError } from '@lightcode/cost-model';
import { explainBaselines, renderCompile, renderCompileReport, systemSummary } from '@lightcode/report';
import { choiceFlag, type FlagValues, intFlag, type PluginFlags, parse, secondsFlag } from '../args.js';
import {
  checkOutDir,
  checkOutFile,
  csvCell,
  type Io,
  jsonText,
  loadRegistry,
  warnOpaqueOps,
  writeFileAtomic,
  writeOutputs,
} from '../context.js';

export const MODEL_OPTIONS = {
  model: { type: 'string', default: 'gpt2' },
  'seq-len': { type: 'string' },
  phase: { type: 'string' },
  batch: { type: 'string' },
  dtype: { type: 'string' },
  weights: { type: 'string' },
  'kv-dtype': { type: 'string' },
  'kv-len': { type: 'string' },
  logits: { type: 'string' },
  'split-heads': { type: 'boolean' },
  'input-shape': { type: 'string', multiple: true },
} as const;

export const MODEL_HELP = `  --model ID|PATH        built-in model id, a Hugging Face config.json, an ONNX file or a TVM graph JSON (default gpt2)
  --seq-len N            prompt tokens per sequence (default 1024)
  --phase prefill|decode decode: one new token per sequence against --kv-len cached tokens
  --kv-len N             cached tokens for decode (default: --seq-len)
  --batch N              sequences (default 1)
  --dtype fp32|fp16|bf16|fp8|int8   activations, the format ops compute in (default fp16; fp8 is E4M3)
  --weights int4|int8|fp8|...   weight-only quantization: linear weights stored and read at that width (default: --dtype)
  --kv-dtype fp8|int8|...       the KV cache's format (default: --dtype)
  --logits last|all      LM head on the last position only (default) or every position
  --split-heads          one attention chain per head
  --input-shape NAME=1x3x224x224   shape of a model file's input (repeatable); binds its symbolic dims
`;

export const COMPILE_HELP = `lightcode compile [options]

Builds the model graph, selects a realization per op, schedules it, reports latency and energy.

${MODEL_HELP}  --system ID|FILE       built-in system or a system file (default ${DEFAULT_SYSTEM})
  --objective latency|energy|weighted    (default latency)
  --latency-weight A, --energy-weight B   weighted: minimize A x latency (s) + B x energy (J)
  --latency-budget T     e.g. 5ms: the latency may not exceed it
  --energy-budget E      e.g. 300mJ: the energy may not exceed it
  --pin GLOB=DEVICE      run ops whose names match on DEVICE (repeatable)
  --exclude GLOB=DEVICE  never run matching ops on DEVICE (repeatable)
  --solver ID            auto (default: yalps for small MILPs, else highs), yalps, or a solver plugin such as highs
  --time-limit S         seconds the solver may spend (default 30)
  --trace FILE           write the schedule as Chrome Trace Event JSON (Perfetto opens it)
  --out DIR              write result.json, ops.csv, trace.json and report.html there
  --json                 one JSON document on stdout
  --config FILE, --plugin NAME|PATH, --debug
  --plugin-timeout S     seconds plugin code may take to build or price one graph (default 60; see docs/limits.md)
`;

/** `--objective latency|energy|weighted` with `--latency-weight` (per s) and `--energy-weight` (per J). */
export function objectiveFlag(v: FlagValues): Objective | undefined {
  const choice = choiceFlag(v.objective as string | undefined, '--objective', [...OBJECTIVES, 'weighted'] as const);
  const weight = (flag: string) => {
    const text = v[flag];
    if (text === undefined) return 0;
    const n = Number(text);
    if (typeof text !== 'string' || text.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new UserError(`--${flag} must be a non-negative number (got '${String(text)}')`);
    }
    return n;
  };
  const weighted = v['latency-weight'] !== undefined || v['energy-weight'] !== undefined;
  if (choice === 'weighted' || (choice === undefined && weighted)) {
    return { latencyWeight: weight('latency-weight'), energyWeight: weight('energy-weight') };
  }
  if (weighted) throw new UserError(`--latency-weight and --energy-weight need --objective weighted (got --objective ${choice})`);
  return choice;
}

/** `--input-shape NAME=1x3x224x224` values, by input name; undefined when none is given. */
export function inputShapes(values: unknown): Record<string, number[]> | undefined {
  if (!Array.isArray(values) || values.length === 0) return undefined;
  const shapes: Record<string, number[]> = {};
  for (const text of values as string[]) {
    const eq = text.lastIndexOf('=');
    const name = text.slice(0, eq);
    const dims = text.slice(eq + 1).split(/[x,]/);
    if (eq < 1 || dims.some((d) => !/^\d+$/.test(d) || Number(d) < 1)) {
      throw new UserError(`--input-shape must be NAME=DIMS with positive dims, e.g. input=1x3x224x224 (got '${shown(text)}')`);
    }
    if (dims.some((d) => Number(d) > LIMITS.size)) {
      throw new UserError(`--input-shape '${shown(text)}': each dim is at most ${LIMITS.size}`, {
        code: 'E_RANGE',
        option: '--input-shape',
      });
    }
    shapes[name] = dims.map(Number);
  }
  return shapes;
}

/** Model flags shared by every command that builds a graph. */
export function modelRequest(v: FlagValues) {
  const shapes = inputShapes(v['input-shape']);
  return {
    ...(shapes ? { inputShapes: shapes } : {}),
    model: String(v.model),
    seqLen: intFlag(v['seq-len'] as string | undefined, '--seq-len'),
    phase: choiceFlag(v.phase as string | undefined, '--phase', ['prefill', 'decode'] as const),
    batch: intFlag(v.batch as string | undefined, '--batch'),
    dtype: choiceFlag(v.dtype as string | undefined, '--dtype', ACTIVATION_DTYPES),
    weights: choiceFlag(v.weights as string | undefined, '--weights', STORAGE_DTYPES),
    kvDtype: choiceFlag(v['kv-dtype'] as string | undefined, '--kv-dtype', STORAGE_DTYPES),
    kvLen: intFlag(v['kv-len'] as string | undefined, '--kv-len', 0),
    logits: choiceFlag(v.logits as string | undefined, '--logits', ['last', 'all'] as const),
    splitHeads: v['split-heads'] === true,
  };
}

/** Flags of every command that selects realizations. */
export const SELECTION_OPTIONS = {
  system: { type: 'string' },
  solver: { type: 'string' },
  'latency-budget': { type: 'string' },
  'energy-budget': { type: 'string' },
  pin: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'time-limit': { type: 'string' },
} as const;

/** The model flags of a command that chooses the lengths itself (sweep, crossover). */
export function modelWithoutLength(v: FlagValues) {
  const { seqLen: _chosenByTheCommand, ...model } = modelRequest({ ...v, 'seq-len': undefined });
  return model;
}

/** Budgets, pins, excludes and the time limit, from flags. */
export function selectionFlags(v: FlagValues) {
  const q = (name: string, unit: string) => {
    const text = v[name];
    if (typeof text !== 'string') return undefined;
    const value = parseQuantity(text, unit, `--${name}`);
    // 1e400 parses as Infinity: refused here, naming the flag and the value as typed
    if (!Number.isFinite(value))
      throw new UserError(`--${name} '${shown(text)}' is not a finite number`, { code: 'E_NOT_FINITE', option: `--${name}` });
    if (!(value > 0)) throw new UserError(`--${name} must be positive (got '${shown(text)}')`, { code: 'E_RANGE', option: `--${name}` });
    return value;
  };
  const latencyBudgetS = q('latency-budget', 's');
  const energyBudgetJ = q('energy-budget', 'J');
  const timeLimitS = typeof v['time-limit'] === 'string' ? secondsFlag(v['time-limit'], '--time-limit') : undefined;
  return {
    ...(typeof v.solver === 'string' ? { solver: v.solver } : {}),
    ...(latencyBudgetS !== undefined ? { latencyBudgetS } : {}),
    ...(energyBudgetJ !== undefined ? { energyBudgetJ } : {}),
    ...(timeLimitS !== undefined ? { timeLimitS } : {}),
    pins: ((v.pin as string[] | undefined) ?? []).map((r) => parseRule(r, '--pin')),
    excludes: ((v.exclude as string[] | undefined) ?? []).map((r) => parseRule(r, '--exclude')),
  };
}

/** What `compile --out DIR` writes. */
const COMPILE_OUTPUTS = ['result.json', 'ops.csv', 'trace.json', 'report.html'];

export async function compileCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values: v } = parse('compile', argv, {
    ...MODEL_OPTIONS,
    ...SELECTION_OPTIONS,
    objective: { type: 'string' },
    'latency-weight': { type: 'string' },
    'energy-weight': { type: 'string' },
    trace: { type: 'string' },
    out: { type: 'string' },
  });
  const req = modelRequest(v);
  const objective = objectiveFlag(v);
  checkOutFile(io, v.trace, '--trace');
  checkOutDir(io, v.out, COMPILE_OUTPUTS);
  const reg = await loadRegistry(io, v as PluginFlags);
  const compilation = await compile(reg, {
    ...req,
    ...selectionFlags(v),
    ...(typeof v.system === 'string' ? { system: v.system } : {}),
    ...(objective ? { objective } : {}),
    cwd: io.cwd,
  });
  // an infeasible baseline says why (the op its device cannot run, the budget it misses)
  const result = explainBaselines(compilation);
  warnOpaqueOps(io, compilation.graph);
  const json = jsonText(result, 'the compile result');
  const trace = jsonText(traceOf(compilation), 'the trace', undefined);
  if (typeof v.trace === 'string') writeFileAtomic(path.resolve(io.cwd, v.trace), trace, '--trace');
  const header = 'id,name,kind,layer,device,instance,algorithm,start_s,end_s,latency_s,energy_j,macs';
  const rows = result.ops.map((o) =>
    [o.id, csvCell(o.name), o.kind, o.layer ?? '', o.device, o.instance, o.algorithm, o.startS, o.endS, o.latencyS, o.energyJ, o.macs].join(
      ',',
    ),
  );
  writeOutputs(io, v.out, {
    'result.json': json,
    'ops.csv': `${[header, ...rows].join('\n')}\n`,
    'trace.json': trace,
    ...(typeof v.out === 'string' ? { 'report.html': renderCompileReport(result, systemSummary(compilation.system)) } : {}),
  });
  io.out(v.json ? json : renderCompile(result));
  return 0;
}
