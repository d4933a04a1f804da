import fs from 'node:fs';
import path from 'node:path';
import {
  type BuildRequest,
  type DType,
  type FrontendPlugin,
  graphFromData,
  isLightcodeError,
  type OpGraph,
  type OpGraphData,
  PluginError,
  type Precision,
  UserError,
  withPrecision,
} from '@lightcode/cost-model';
import { readDataFile } from './config.js';
import { checkConfigSizes, checkGraph, checkModelFile } from './limits.js';
import type { PluginRegistry } from './plugins.js';
import { buildUnderWatchdog } from './watchdog.js';

/** What model graph to build. */
export interface ModelRequest {
  /** A built-in model id, a Hugging Face config.json (or a folder holding one), or a model file a frontend reads (ONNX, TVM graph JSON). */
  readonly model: string;
  readonly phase?: 'prefill' | 'decode';
  readonly seqLen?: number;
  readonly batch?: number;
  /** The activations' format, which ops compute in (default fp16). */
  readonly dtype?: DType;
  /** Weight-only quantization: the format linear layers' weight matrices are stored and read in (default: `dtype`). */
  readonly weights?: DType;
  /** The KV cache's format (default: `dtype`). */
  readonly kvDtype?: DType;
  readonly kvLen?: number;
  readonly logits?: 'last' | 'all';
  readonly splitHeads?: boolean;
  /** Shapes of named inputs of a model file (`--input-shape NAME=1x3x224x224`). */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

export const DEFAULT_SEQ_LEN = 1024;

/** Formats activations may take (`--dtype`): fp8 is E4M3. */
export const ACTIVATION_DTYPES: readonly DType[] = ['fp32', 'fp16', 'bf16', 'fp8', 'int8'];
/** Formats weights and the KV cache may be stored in (`--weights`, `--kv-dtype`). */
export const STORAGE_DTYPES: readonly DType[] = ['fp32', 'fp16', 'bf16', 'fp8', 'int8', 'int4'];

function positiveInt(v: unknown, flag: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new UserError(`${flag} must be a positive integer (got ${typeof v === 'number' ? String(v) : JSON.stringify(v)})`);
  }
  return v;
}

/** Every built-in model id, with the frontend that builds it. */
export function listModels(reg: PluginRegistry): { id: string; frontend: string; description: string; parameters: number }[] {
  return [...reg.frontends.values()].flatMap((f) => f.models.map((m) => ({ ...m, frontend: f.id })));
}

function fromConfigFile(
  reg: PluginRegistry,
  spec: string,
  cwd: string,
): { frontend: FrontendPlugin; config: Record<string, unknown>; source: string } {
  const abs = path.resolve(cwd, spec);
  const file = fs.statSync(abs).isDirectory() ? path.join(abs, 'config.json') : abs;
  const config = readDataFile(file, 'model config');
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new UserError(`model config '${file}' must be a JSON object`);
  const source = `model config '${file}'`;
  checkConfigSizes(config as Record<string, unknown>, source);
  const type = (config as Record<string, unknown>).model_type;
  const frontend = [...reg.frontends.values()].find((f) => f.modelTypes.includes(String(type)));
  if (!frontend) {
    const known = [...reg.frontends.values()].flatMap((f) => f.modelTypes);
    const formats = [...reg.frontends.values()].flatMap((f) => (f.files ?? []).map((ff) => `${ff.name} (${ff.extensions.join(', ')})`));
    const files = type === undefined && formats.length > 0 ? `; nor is it a model file LightCode reads: ${formats.join(', ')}` : '';
    throw new UserError(`model config '${file}': unknown model_type ${JSON.stringify(type)} (frontends read: ${known.join(', ')})${files}`);
  }
  return { frontend, config: { _name_or_path: path.basename(path.dirname(file)), ...(config as Record<string, unknown>) }, source };
}

/** The frontend whose file formats claim `file`: by the file's ending, then by its first bytes. */
function fileFrontend(reg: PluginRegistry, file: string): FrontendPlugin | undefined {
  if (!fs.statSync(file).isFile()) return undefined;
  const lower = file.toLowerCase();
  const formats = [...reg.frontends.values()].flatMap((frontend) =>
    (frontend.files ?? []).filter((f) => f.extensions.some((e) => lower.endsWith(e))).map((format) => ({ frontend, format })),
  );
  if (formats.length === 0) return undefined;
  checkModelFile(file);
  const head = Buffer.alloc(65536);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  return formats.find(({ format }) => !format.sniff || format.sniff(head.subarray(0, n)))?.frontend;
}

/** Normalizes and checks a model request; picks its frontend. */
export function resolveModel(reg: PluginRegistry, req: ModelRequest, cwd: string): { frontend: FrontendPlugin; build: BuildRequest } {
  const phase = req.phase ?? 'prefill';
  if (phase !== 'prefill' && phase !== 'decode') throw new UserError(`--phase must be prefill or decode (got '${phase}')`);
  const dtype = req.dtype ?? 'fp16';
  if (!ACTIVATION_DTYPES.includes(dtype)) throw new UserError(`--dtype must be one of ${ACTIVATION_DTYPES.join(', ')} (got '${dtype}')`);
  for (const [flag, d] of [
    ['--weights', req.weights],
    ['--kv-dtype', req.kvDtype],
  ] as const) {
    if (d !== undefined && !STORAGE_DTYPES.includes(d))
      throw new UserError(`${flag} must be one of ${STORAGE_DTYPES.join(', ')} (got '${d}')`);
  }
  const logits = req.logits ?? 'last';
  if (logits !== 'last' && logits !== 'all') throw new UserError(`--logits must be last or all (got '${logits}')`);
  const common = {
    phase,
    dtype,
    logits,
    seqLen: positiveInt(req.seqLen ?? DEFAULT_SEQ_LEN, '--seq-len'),
    batch: positiveInt(req.batch ?? 1, '--batch'),
    splitHeads: req.splitHeads ?? false,
    ...(req.kvLen !== undefined ? { kvLen: req.kvLen } : {}),
  } as const;
  if (req.kvLen !== undefined && (!Number.isInteger(req.kvLen) || req.kvLen < 0)) {
    throw new UserError(
      `--kv-len must be a non-negative integer (got ${typeof req.kvLen === 'number' ? String(req.kvLen) : JSON.stringify(req.kvLen)})`,
    );
  }
  const shapes = req.inputShapes && Object.keys(req.inputShapes).length > 0 ? req.inputShapes : undefined;
  const noShapes = (what: string) => {
    if (shapes) throw new UserError(`--input-shape applies to model files (ONNX, TVM graph JSON), not to ${what}`);
  };
  for (const f of reg.frontends.values()) {
    if (f.models.some((m) => m.id === req.model)) {
      noShapes('built-in models');
      return { frontend: f, build: { ...common, modelId: req.model } };
    }
  }
  const looksLikePath = /[/\\]|\.(json|onnx)$/i.test(req.model) || fs.existsSync(path.resolve(cwd, req.model));
  if (looksLikePath) {
    const abs = path.resolve(cwd, req.model);
    if (!fs.existsSync(abs)) throw new UserError(`model config '${req.model}' does not exist`);
    const fileReader = fileFrontend(reg, abs);
    if (fileReader) return { frontend: fileReader, build: { ...common, file: abs, ...(shapes ? { inputShapes: shapes } : {}) } };
    noShapes('Hugging Face configs');
    const { frontend, config, source } = fromConfigFile(reg, req.model, cwd);
    return { frontend, build: { ...common, config, source } };
  }
  const known = listModels(reg).map((m) => m.id);
  throw new UserError(`unknown model '${req.model}' (known: ${known.join(', ')}; or give a Hugging Face config.json path)`);
}

/** Recently built graphs per registry: sweeps and crossovers ask for the same one per system and objective. */
const built = new WeakMap<PluginRegistry, Map<string, OpGraph>>();
const GRAPH_CACHE_SIZE = 8;

/**
 * Builds the model's operator graph with its frontend; a misbehaving frontend
 * is named. Frontends are deterministic, so a recent identical request
 * returns the same (never mutated) graph.
 */
export function buildGraph(reg: PluginRegistry, req: ModelRequest, cwd = process.cwd()): OpGraph {
  const { frontend, build } = resolveModel(reg, req, cwd);
  const precision = { ...(req.weights ? { weights: req.weights } : {}), ...(req.kvDtype ? { kv: req.kvDtype } : {}) };
  const key = JSON.stringify([frontend.id, build, precision]);
  const cache = built.get(reg) ?? new Map<string, OpGraph>();
  built.set(reg, cache);
  const hit = cache.get(key);
  if (hit) return hit;
  const graph = buildFresh(frontend, build, precision, reg.pluginTimeoutS);
  if (cache.size >= GRAPH_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(key, graph);
  return graph;
}

function buildFresh(frontend: FrontendPlugin, build: BuildRequest, precision: Precision, timeoutS: number): OpGraph {
  let data: OpGraphData;
  try {
    data = withPrecision(
      buildUnderWatchdog(timeoutS, frontend.id, () => frontend.build(build)),
      precision,
    );
  } catch (e) {
    if (isLightcodeError(e)) throw e;
    throw new PluginError(frontend.id, `build() threw: ${(e as Error)?.message ?? String(e)}`, 1);
  }
  let graph: OpGraph;
  try {
    graph = graphFromData(data, `graph from frontend '${frontend.id}'`);
  } catch (e) {
    throw new PluginError(frontend.id, (e as Error).message, 1);
  }
  // a size too large for the arithmetic is the input's fault, named before any target prices it
  checkGraph(graph, build.source ?? (build.file ? `model '${build.file}'` : `model '${graph.meta.id}'`));
  return graph;
}

/**
 * Checks a study's sequence lengths against the model before its first
 * compile: the longest and the shortest (a model limits positions, so every
 * length between them passes when both do). A length the model refuses is an
 * error with code `E_LENGTH_REFUSED` and the length as its `option`, its
 * cause the model's own error. The graphs built stay cached for the compiles.
 */
export function checkLengths(reg: PluginRegistry, req: ModelRequest, lengths: readonly number[], cwd = process.cwd()): void {
  if (lengths.length === 0) return;
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const n of lengths) {
    lo = Math.min(lo, n);
    hi = Math.max(hi, n);
  }
  for (const seqLen of hi === lo ? [hi] : [hi, lo]) {
    try {
      buildGraph(reg, { ...req, seqLen }, cwd);
    } catch (e) {
      if (!isLightcodeError(e) || e.exitCode !== 2) throw e;
      throw new UserError(e.message, { code: 'E_LENGTH_REFUSED', option: String(seqLen), cause: e });
    }
  }
}
