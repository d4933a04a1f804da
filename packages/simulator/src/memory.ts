import { type Candidate, type OpGraph, sumBytes, UserError } from '@lightcode/ir';
import type { Schedule } from './schedule.js';

/** A memory as the simulator needs it. */
export interface MemoryModel {
  readonly id: string;
  readonly capacityBytes: number;
  readonly attachedTo: readonly string[];
}

/** Peak bytes resident in one memory, by kind. */
export interface MemoryUse {
  readonly id: string;
  readonly capacityBytes: number;
  readonly weightsBytes: number;
  readonly kvCacheBytes: number;
  /** Peak of the activations alive at once (from their producer's start to their last consumer's end). */
  readonly activationPeakBytes: number;
  readonly peakBytes: number;
}

/**
 * Peak memory per memory. An op's weights, KV-cache traffic and outputs live in
 * the memory attached to the device class it runs on (the first memory of the
 * system when its class has none). Weights and the KV cache stay resident;
 * an activation lives from its producer's start until its last consumer ends,
 * except the intermediates of a fused kernel, which stay on chip.
 */
export function memoryUse(g: OpGraph, s: Schedule, pick: (id: string) => Candidate, memories: readonly MemoryModel[]): MemoryUse[] {
  if (memories.length === 0) return [];
  const home = (device: string) => (memories.find((m) => m.attachedTo.includes(device)) ?? memories[0]) as MemoryModel;
  const use = new Map(memories.map((m) => [m.id, { weights: 0, kv: 0, events: [] as [number, number][] }]));
  const placed = new Map(s.ops.map((o) => [o.id, o]));
  for (const op of g.ops()) {
    const c = pick(op.id);
    const m = use.get(home(c.device).id);
    const at = placed.get(op.id);
    if (!m || !at) continue;
    m.weights += g.arithmetic(op.id).paramBytes;
    if (op.kind === 'kv_write') m.kv += sumBytes(op.inputs);
    if (op.kind === 'kv_read') m.kv += sumBytes(op.outputs);
    if (op.kind === 'kv_read' || op.kind === 'kv_write') continue;
    // inside a fused kernel (attention scores) an intermediate never reaches memory
    if (c.fusion && c.fusion.index < c.fusion.size - 1) continue;
    const bytes = sumBytes(op.outputs);
    let last = at.endS;
    for (const c of g.successors(op.id)) last = Math.max(last, placed.get(c)?.endS ?? last);
    m.events.push([at.startS, bytes], [last, -bytes]);
  }
  return memories.map((mem) => {
    const m = use.get(mem.id) as { weights: number; kv: number; events: [number, number][] };
    // frees before allocations at the same instant
    m.events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let live = 0;
    let peak = 0;
    for (const [, d] of m.events) {
      live += d;
      peak = Math.max(peak, live);
    }
    return {
      id: mem.id,
      capacityBytes: mem.capacityBytes,
      weightsBytes: m.weights,
      kvCacheBytes: m.kv,
      activationPeakBytes: peak,
      peakBytes: m.weights + m.kv + peak,
    };
  });
}

function gb(bytes: number): string {
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** Throws, saying what does not fit and by how much, when a memory overflows. */
export function checkMemoryFits(uses: readonly MemoryUse[], model: string): void {
  for (const u of uses) {
    if (u.peakBytes > u.capacityBytes) {
      throw new UserError(
        `${model} does not fit in memory '${u.id}': it needs ${gb(u.peakBytes)} (weights ${gb(u.weightsBytes)}, KV cache ${gb(u.kvCacheBytes)}, activations ${gb(u.activationPeakBytes)}) of ${gb(u.capacityBytes)}, ${gb(u.peakBytes - u.capacityBytes)} too much; use a smaller --dtype, --batch or --seq-len, or a system with more memory`,
      );
    }
  }
}
