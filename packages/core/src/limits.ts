/**
 * Bounded resources: the caps every input is checked against before any
 * work, the one finite-number check every output passes, and reading only
 * regular files of bounded size. One bad point of a sweep or an array job
 * fails fast, in one line, instead of exhausting a node. The caps are
 * documented in docs/limits.md.
 */
import fs from 'node:fs';
import { type OpGraph, SYSTEM_LIMITS, UserError } from '@lightcode/cost-model';

/** The documented caps (docs/limits.md). */
export const LIMITS = {
  /** Compiles one command may plan (sweep points, Pareto points, crossover scan points); `--max-points` raises it. */
  points: 10_000,
  /** Tokens per sequence: `--seq-len`, `--kv-len`, `--prompt-len`, `--output-len` and every length of a range. */
  seqLen: 16_777_216,
  /** Sequences per batch. */
  batch: 1_048_576,
  /** Sweep worker threads. */
  workers: 1024,
  /** Seconds a `--time-limit` may give the optimizer (one day). */
  timeLimitS: 86_400,
  /** Layers of a model config (`num_hidden_layers`, `n_layer`). */
  layers: 1024,
  /** Any other size in a model config (`hidden_size`, `vocab_size`, heads, positions) and any dim of `--input-shape`. */
  size: 16_777_216,
  /** Ops of one model graph. */
  graphOps: 2_000_000,
  /** Bytes of a JSON or YAML document read: a system, a model config, lightcode.config, a shard's result.json. */
  dataFileBytes: 128 * 1024 * 1024,
  /** Bytes of a model file handed to a frontend (ONNX, TVM graph JSON): protobuf's own limit. */
  modelFileBytes: 2 * 1024 * 1024 * 1024,
  ...SYSTEM_LIMITS,
} as const;

/** How a number a user typed is shown back: as typed, cut to one readable line. */
export function shown(text: string): string {
  const t = String(text);
  return t.length > 40 ? `${t.slice(0, 20)}...${t.slice(-8)} (${t.length} characters)` : t;
}

/** Where a document holds a number that is not finite, as a path (`rows[3].latencyS`), or undefined. */
export function nonFinitePath(value: unknown, at = ''): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : at || '(the value)';
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = nonFinitePath(value[i], `${at}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  const o = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    // an infeasible baseline has no cost: JSON carries null there, by contract
    if (o.feasible === false && (k === 'latencyS' || k === 'energyJ') && Number.isNaN(v)) continue;
    const p = nonFinitePath(v, at ? `${at}.${k}` : k);
    if (p) return p;
  }
  return undefined;
}

/** The value at a path `nonFinitePath` returned. */
function valueAt(doc: unknown, p: string): unknown {
  let cur: unknown = doc;
  for (const part of p.match(/[^.[\]]+/g) ?? []) cur = (cur as Record<string, unknown> | undefined)?.[part];
  return cur;
}

/**
 * The one finite-number check every output passes (JSON, CSV, HTML, the
 * terminal): a NaN or an infinity is an error naming where it is, and the op
 * when it sits in an op's row, never a number printed as `NaN s`.
 */
export function assertFinite(doc: unknown, what: string): void {
  const p = nonFinitePath(doc);
  if (p === undefined) return;
  const op = /^ops\[(\d+)\]/.exec(p);
  const opName = op ? (valueAt(doc, `ops[${op[1]}].name`) as string | undefined) : undefined;
  throw new UserError(
    `${what}: ${p}${opName ? ` (op '${opName}')` : ''} is ${String(valueAt(doc, p))}, not a finite number; an input or a plugin gave a value out of range`,
    { code: 'E_NOT_FINITE', option: p },
  );
}

const KINDS: [(s: fs.Stats) => boolean, string][] = [
  [(s) => s.isDirectory(), 'a folder'],
  [(s) => s.isFIFO(), 'a FIFO'],
  [(s) => s.isCharacterDevice() || s.isBlockDevice(), 'a device'],
  [(s) => s.isSocket(), 'a socket'],
];

/** What a file system entry is, in words, when it is not a regular file. */
export function notRegular(st: fs.Stats): string | undefined {
  if (st.isFile()) return undefined;
  return KINDS.find(([is]) => is(st))?.[1] ?? 'not a regular file';
}

/**
 * Reads a regular file of at most `maxBytes`: a FIFO, a device or a folder is
 * refused without blocking on it (opened non-blocking, checked on the open
 * descriptor), and a file larger than the cap is refused before it is read.
 */
export function readRegularFile(file: string, what: string, maxBytes: number = LIMITS.dataFileBytes): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new UserError(`cannot read ${what} '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      code: 'E_READ',
      option: file,
      cause: e,
    });
  }
  try {
    const st = fs.fstatSync(fd);
    const kind = notRegular(st);
    if (kind) throw new UserError(`${what} '${file}' is ${kind}, not a regular file`, { code: 'E_NOT_A_FILE', option: file });
    if (st.size > maxBytes) {
      throw new UserError(`${what} '${file}' is ${st.size} bytes, over the ${maxBytes}-byte limit for ${what}s`, {
        code: 'E_FILE_TOO_LARGE',
        option: file,
      });
    }
    // read at most one byte past the cap: a file that grows while read is refused too
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const k = fs.readSync(fd, buf, n, buf.length - n, null);
      if (k === 0) break;
      n += k;
      if (n === buf.length) {
        throw new UserError(`${what} '${file}' is over the ${maxBytes}-byte limit for ${what}s`, {
          code: 'E_FILE_TOO_LARGE',
          option: file,
        });
      }
    }
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** A model file handed to a frontend: a regular file within the model-file cap. */
export function checkModelFile(file: string): void {
  const st = fs.statSync(file);
  const kind = notRegular(st);
  if (kind) throw new UserError(`model '${file}' is ${kind}, not a regular file`, { code: 'E_NOT_A_FILE', option: file });
  if (st.size > LIMITS.modelFileBytes) {
    throw new UserError(`model file '${file}' is ${st.size} bytes, over the ${LIMITS.modelFileBytes}-byte limit`, {
      code: 'E_FILE_TOO_LARGE',
      option: file,
    });
  }
}

/** Config keys that count layers; other size keys are capped at LIMITS.size. */
const LAYER_KEYS = /^(num_hidden_layers|n_layer|num_layers|n_layers)$/;
const SIZE_KEYS =
  /(_size|_dim|_heads|_positions|_experts|_tok|_window|^n_embd|^n_head|^n_inner|^n_ctx|^n_positions|^d_model|^d_ff|^num_heads)$/;

/**
 * Checks a Hugging Face config's sizes before a frontend sees it: layer
 * counts at most LIMITS.layers, every other size at most LIMITS.size (a
 * `hidden_size` of 1e200 made every op cost Infinity, blamed on a target).
 */
export function checkConfigSizes(config: Readonly<Record<string, unknown>>, source: string): void {
  for (const [key, v] of Object.entries(config)) {
    if (typeof v !== 'number') continue;
    const cap = LAYER_KEYS.test(key) ? LIMITS.layers : SIZE_KEYS.test(key) ? LIMITS.size : undefined;
    if (cap !== undefined && v > cap) {
      throw new UserError(
        `${source}: '${key}' is ${v}, above the largest ${cap === LIMITS.layers ? 'layer count' : 'size'} LightCode takes (${cap})`,
        {
          code: 'E_MODEL_TOO_LARGE',
          option: key,
        },
      );
    }
  }
}

/**
 * Checks a built graph: at most LIMITS.graphOps ops, and every op's
 * arithmetic (MACs, FLOPs, bytes) finite, else an error naming the op and the
 * model input that made it.
 */
export function checkGraph(graph: OpGraph, source: string): void {
  const ops = graph.ops();
  if (ops.length > LIMITS.graphOps) {
    throw new UserError(`${source}: the graph has ${ops.length} ops, over the limit of ${LIMITS.graphOps}`, { code: 'E_MODEL_TOO_LARGE' });
  }
  for (const op of ops) {
    const a = graph.arithmetic(op.id) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(a)) {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new UserError(`${source}: op '${op.name}' has ${k} ${v}; a size in the model input is too large`, {
          code: 'E_NOT_FINITE',
          option: k,
        });
      }
    }
  }
}
