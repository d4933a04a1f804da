/**
 * Memory over a whole request: the weights, the KV cache at its largest (the
 * last decode step holds the prompt and every generated token but the last)
 * and the activations at their peak, per memory; the one-line refusal of a
 * request that does not fit, naming the memory's devices and by how much; and
 * the largest batch that fits.
 */
import { formatQuantity, type OpGraph, type ResolvedSystem, sumBytes, UserError } from '@lightcode/cost-model';
import type { MemoryUse } from '@lightcode/simulator';
import { type CompileOptions, type CompileResult, compile, loadSystem } from './compile.js';
import { buildGraph } from './model.js';
import type { PluginRegistry } from './plugins.js';

/** A request as the memory check sees it. */
export interface RequestShape extends Omit<CompileOptions, 'phase' | 'seqLen' | 'kvLen'> {
  readonly promptLen: number;
  readonly outputLen: number;
}

/** Weights and KV cache of a graph: what stays resident whatever the mapping. */
export function residentBytes(g: OpGraph): { weightsBytes: number; kvCacheBytes: number } {
  let kv = 0;
  for (const op of g.ops()) {
    if (op.kind === 'kv_write') kv += sumBytes(op.inputs);
    if (op.kind === 'kv_read') kv += sumBytes(op.outputs);
  }
  return { weightsBytes: g.totals().paramBytes, kvCacheBytes: kv };
}

/** The device classes whose data a memory holds: those attached to it, and for the first memory those attached to none. */
export function memoryDevices(system: ResolvedSystem, memoryId: string): string[] {
  const memories = system.spec.memories ?? [];
  const attached = new Set(memories.flatMap((m) => m.attachedTo));
  return system.devices
    .filter(
      (d) => memories.find((m) => m.id === memoryId)?.attachedTo.includes(d.id) || (memories[0]?.id === memoryId && !attached.has(d.id)),
    )
    .map((d) => d.id);
}

const gb = (bytes: number) => formatQuantity(bytes, 'B');

/** The request in words, for messages. */
function requestText(model: string, o: RequestShape): string {
  return `${model} (batch ${o.batch ?? 1}, ${o.promptLen} prompt + ${o.outputLen} output tokens)`;
}

function refusal(model: string, o: RequestShape, where: string, use: Omit<MemoryUse, 'id'>, hint: string): UserError {
  const activations = use.activationPeakBytes > 0 ? `, activations ${gb(use.activationPeakBytes)}` : '';
  return new UserError(
    `${requestText(model, o)} does not fit in ${where}: it needs ${gb(use.peakBytes)} (weights ${gb(use.weightsBytes)}, KV cache at its largest ${gb(use.kvCacheBytes)} at ${o.promptLen + o.outputLen} tokens${activations}) of ${gb(use.capacityBytes)}, ${gb(use.peakBytes - use.capacityBytes)} too much; ${hint}`,
  );
}

const HINT = 'try --max-batch, a smaller --batch or --output-len, --kv-dtype fp8, --weights int4, or a system with more memory';

/** Where a memory is, in words: `memory 'hbm' of gpu`. */
function place(system: ResolvedSystem, memoryId: string): string {
  const devices = memoryDevices(system, memoryId);
  return `memory '${memoryId}'${devices.length ? ` of ${devices.join(', ')}` : ''}`;
}

/**
 * Checks before compiling that the weights and the KV cache of the request's
 * last step fit: with one memory, in it; with several, in all of them
 * together (each byte lives in one). Throws the one-line refusal.
 */
export function checkResidentFits(reg: PluginRegistry, o: RequestShape, system: ResolvedSystem, cwd: string): void {
  const memories = system.spec.memories ?? [];
  if (memories.length === 0) return;
  const last = buildGraph(reg, { ...o, phase: 'decode', kvLen: o.promptLen + o.outputLen - 1 }, cwd);
  const { weightsBytes, kvCacheBytes } = residentBytes(last);
  const capacityBytes = memories.reduce((s, m) => s + m.capacityBytes, 0);
  const peakBytes = weightsBytes + kvCacheBytes;
  if (peakBytes <= capacityBytes) return;
  const where =
    memories.length === 1
      ? place(system, memories[0]?.id ?? '')
      : `the memories of ${system.spec.id} together (${memories.map((m) => place(system, m.id)).join('; ')})`;
  throw refusal(last.meta.id, o, where, { capacityBytes, weightsBytes, kvCacheBytes, activationPeakBytes: 0, peakBytes }, HINT);
}

/** Throws the one-line refusal when a memory's peak over the request exceeds its capacity. */
export function checkPeaksFit(model: string, o: RequestShape, system: ResolvedSystem, memories: readonly MemoryUse[]): void {
  for (const m of memories) if (m.peakBytes > m.capacityBytes) throw refusal(model, o, place(system, m.id), m, HINT);
}

/** Per memory, the larger of two phases' peaks (the KV cache is largest at the last step). */
export function peakOverRequest(a: readonly MemoryUse[], b: readonly MemoryUse[]): MemoryUse[] {
  return a.map((m) => {
    const other = b.find((x) => x.id === m.id);
    return other && other.peakBytes > m.peakBytes ? other : m;
  });
}

/** One batch the search tried. */
export interface BatchProbe {
  readonly batch: number;
  readonly fits: boolean;
  /** Peak bytes per memory over the request (the prefill and the last step), by memory id. */
  readonly peakBytes: Readonly<Record<string, number>>;
}

/** The largest batch whose whole request fits in memory. */
export interface MaxBatch {
  readonly batch: number;
  /** Peak use per memory at that batch. */
  readonly memories: readonly MemoryUse[];
  /** The memory the next batch overflows, with its peak there (or the weights-and-KV bound that rules it out). */
  readonly limit: {
    readonly memory: string;
    readonly devices: readonly string[];
    readonly capacityBytes: number;
    readonly nextPeakBytes: number;
  };
  readonly probes: readonly BatchProbe[];
  /** Compiles the search ran (a prefill and a last step per batch tried). */
  readonly compiles: number;
}

/**
 * The largest batch B whose request fits in every memory: weights, the KV
 * cache at the last step and the activations at their peak in the prefill or
 * the last step. Weights do not grow with B and the KV cache grows exactly
 * linearly, so weights + B x (KV per sequence) <= total capacity bounds B from
 * above without compiling. Each batch tried compiles the last step (and, when
 * that fits, the prefill); the next batch tried is where the line through the
 * measured peak (weights fixed, the rest per sequence) meets the capacity,
 * kept inside the bracket of batches known to fit and not to fit, else its
 * middle. A handful of compiles, not one per batch.
 */
export async function maxBatch(reg: PluginRegistry, o: RequestShape): Promise<MaxBatch> {
  const cwd = o.cwd ?? process.cwd();
  const system = loadSystem(reg, o.system, cwd, o.params);
  const memories = system.spec.memories ?? [];
  const one = { ...o, batch: 1 };
  const last = o.promptLen + o.outputLen - 1;
  if (memories.length === 0) throw new UserError(`--max-batch: system '${system.spec.id}' declares no memory, so every batch fits`);
  const g1 = buildGraph(reg, { ...one, phase: 'decode', kvLen: last }, cwd);
  const { weightsBytes, kvCacheBytes: kvPerSeq } = residentBytes(g1);
  const total = memories.reduce((s, m) => s + m.capacityBytes, 0);
  checkResidentFits(reg, one, system, cwd);
  const bound = Math.floor((total - weightsBytes) / kvPerSeq);
  let compiles = 0;
  const probes: BatchProbe[] = [];
  const seen = new Map<number, { fits: boolean; memories: MemoryUse[] }>();
  const tryBatch = async (batch: number) => {
    const known = seen.get(batch);
    if (known) return known;
    const common = { ...o, batch, checkMemory: false } as const;
    const step = (await compile(reg, { ...common, phase: 'decode', kvLen: last, relaxation: false })).result;
    compiles++;
    let use: MemoryUse[] = step.memories;
    if (use.every((m) => m.peakBytes <= m.capacityBytes)) {
      const prefill: CompileResult = (await compile(reg, { ...common, phase: 'prefill', seqLen: o.promptLen })).result;
      compiles++;
      use = peakOverRequest(prefill.memories, step.memories);
    }
    const r = { fits: use.every((m) => m.peakBytes <= m.capacityBytes), memories: use };
    seen.set(batch, r);
    probes.push({ batch, fits: r.fits, peakBytes: Object.fromEntries(use.map((m) => [m.id, m.peakBytes])) });
    return r;
  };
  // the line through a measured point: weights fixed, everything else per sequence
  const guess = (batch: number, use: readonly MemoryUse[]) =>
    Math.min(...use.map((m) => Math.floor((batch * (m.capacityBytes - m.weightsBytes)) / Math.max(1, m.peakBytes - m.weightsBytes))));
  let lo = 0;
  let hi = bound + 1;
  let next = bound;
  while (hi - lo > 1) {
    const b = next > lo && next < hi && !seen.has(next) ? next : Math.floor((lo + hi) / 2);
    const r = await tryBatch(b);
    if (r.fits) lo = b;
    else hi = b;
    const g = guess(b, r.memories);
    // from a fitting batch the line says how far up; from a failing one, how far down
    next = r.fits ? Math.max(g, b + 1) : Math.min(g, b - 1);
  }
  if (lo === 0) {
    const r = await tryBatch(1);
    const over = r.memories.find((m) => m.peakBytes > m.capacityBytes) ?? r.memories[0];
    if (over) throw refusal(g1.meta.id, one, place(system, over.id), over, HINT);
  }
  const at = (await tryBatch(lo)).memories;
  const above = seen.get(hi);
  const limiting = above?.memories.find((m) => m.peakBytes > m.capacityBytes);
  const limit = limiting
    ? {
        memory: limiting.id,
        devices: memoryDevices(system, limiting.id),
        capacityBytes: limiting.capacityBytes,
        nextPeakBytes: limiting.peakBytes,
      }
    : {
        memory: memories.length === 1 ? (memories[0]?.id ?? '') : memories.map((m) => m.id).join('+'),
        devices: memories.length === 1 ? memoryDevices(system, memories[0]?.id ?? '') : system.devices.map((d) => d.id),
        capacityBytes: total,
        nextPeakBytes: weightsBytes + hi * kvPerSeq,
      };
  return { batch: lo, memories: at, limit, probes, compiles };
}
