import {
  type Candidate,
  type DType,
  type OpArithmetic,
  type OpGraph,
  type OpNode,
  PluginError,
  type StackedGraph,
  sumEnergy,
  UserError,
} from '@lightcode/ir';
import type { Fusion, Realization, TargetFormats } from './plugin.js';
import type { ResolvedDevice, ResolvedSystem } from './system.js';

/**
 * The number format an op computes in: its output's (the activations'), else
 * its first input's, else its weights'. Weights stored narrower (weight-only
 * quantization) are converted to it as they are read.
 */
export function opDtype(op: OpNode): DType | undefined {
  return (op.outputs[0] ?? op.inputs[0] ?? op.weights[0])?.dtype;
}

/**
 * Formats an op holds in memory and reads, converting them to the format it
 * computes in: its weights', the KV cache's (what `kv_read` and `kv_write`
 * move) and a matrix product's operands stored at another width (keys and
 * values read from the cache).
 */
export function storedDtypes(op: OpNode): DType[] {
  const out = new Set(op.weights.map((w) => w.dtype));
  if (op.kind === 'kv_read') for (const t of op.outputs) out.add(t.dtype);
  if (op.kind === 'kv_write') for (const t of op.inputs) out.add(t.dtype);
  const compute = opDtype(op);
  if (op.kind === 'matmul' || op.kind === 'linear') for (const t of op.inputs) if (t.dtype !== compute) out.add(t.dtype);
  return [...out];
}

/** The formats a device computes in and those it can hold weights and the KV cache in (see {@link TargetPlugin.formats}). */
export function deviceFormats(device: Pick<ResolvedDevice, 'target' | 'params'>): Required<TargetFormats> {
  const f = device.target.formats?.(device.params);
  return { compute: f?.compute ?? device.target.dtypes, storage: f?.storage ?? f?.compute ?? device.target.dtypes };
}

/** Two ops with the same key cost the same on every target. */
function costKey(op: OpNode): string {
  return JSON.stringify([op.kind, op.inputs, op.outputs, op.weights, op.attrs]);
}

function checkRealization(device: ResolvedDevice, op: OpNode, r: Realization, what = `op '${op.name}'`): Candidate {
  if (typeof r !== 'object' || r === null || typeof r.algorithm !== 'string') {
    throw new PluginError(device.target.id, `realize() returned a malformed realization for ${what}`, 1);
  }
  if (!Number.isFinite(r.latencyS) || r.latencyS < 0) {
    throw new PluginError(device.target.id, `returned latency ${r.latencyS} s for ${what}`, 1);
  }
  for (const [k, v] of Object.entries(r.energy ?? {})) {
    if (!Number.isFinite(v) || v < 0) {
      throw new PluginError(device.target.id, `returned ${k} energy ${v} J for ${what}`, 1);
    }
  }
  if (r.parts !== undefined && !(Number.isInteger(r.parts) && r.parts >= 1)) {
    throw new PluginError(device.target.id, `returned ${r.parts} parts for ${what} (a positive integer)`, 1);
  }
  return {
    device: device.id,
    target: device.target.id,
    algorithm: r.algorithm,
    latencyS: r.latencyS,
    energy: { ...r.energy },
    energyJ: sumEnergy(r.energy ?? {}),
    ...(r.parts !== undefined && r.parts > 1 ? { parts: r.parts } : {}),
  };
}

const MEMORY_ONLY: ReadonlySet<string> = new Set(['kv_read', 'kv_write']);

/** Why `device` cannot run `op`'s formats, or null when it can. */
function formatProblem(device: ResolvedDevice, op: OpNode): string | null {
  const f = deviceFormats(device);
  const dtype = opDtype(op);
  if (!MEMORY_ONLY.has(op.kind) && dtype !== undefined && !f.compute.includes(dtype)) {
    return `computes in ${f.compute.join(', ')}, not ${dtype}`;
  }
  const stored = storedDtypes(op).filter((d) => !f.storage.includes(d) && !(d === dtype && f.compute.includes(d)));
  return stored.length > 0 ? `holds ${stored.join(', ')} in none of its formats (${f.storage.join(', ')})` : null;
}

function runsDtype(device: ResolvedDevice, op: OpNode): boolean {
  return formatProblem(device, op) === null;
}

/** Why no device of `system` runs `op`: each device's reason, in one line. */
function unsupported(op: OpNode, system: ResolvedSystem): string {
  const stored = storedDtypes(op).filter((d) => d !== opDtype(op));
  const formats = `${opDtype(op) ?? 'no dtype'}${stored.length > 0 ? `, holding ${stored.join(', ')}` : ''}`;
  const why = system.devices
    .map((d) => {
      const reason = !d.target.opKinds.includes(op.kind) ? `runs no ${op.kind} ops` : (formatProblem(d, op) ?? 'declines it');
      return `${d.id} (target ${d.target.id}, preset ${d.preset}) ${reason}`;
    })
    .join('; ');
  return `op '${op.name}' (${op.kind}, ${formats}) is not supported by any device: ${why}; choose formats a device runs (--dtype, --weights, --kv-dtype) or add a device that runs it`;
}

function realizeOn(device: ResolvedDevice, op: OpNode, arith: OpArithmetic): Candidate[] {
  const t = device.target;
  if (!t.opKinds.includes(op.kind) || !runsDtype(device, op)) return [];
  let rs: readonly Realization[];
  try {
    rs = t.realize(op, arith, device.params);
  } catch (e) {
    throw new PluginError(t.id, `realize() threw on op '${op.name}': ${(e as Error)?.message ?? String(e)}`, 1);
  }
  if (!Array.isArray(rs)) throw new PluginError(t.id, `realize() must return an array for op '${op.name}'`, 1);
  return rs.map((r) => checkRealization(device, op, r));
}

/**
 * The ops of `graph` that match `fusion`'s chain, each match disjoint: from an
 * op of the chain's first kind, every member but the last has exactly one
 * consumer, of the next kind.
 */
export function matchChains(graph: OpGraph, fusion: Fusion): OpNode[][] {
  const used = new Set<string>();
  const out: OpNode[][] = [];
  for (const op of graph.ops()) {
    if (op.kind !== fusion.chain[0] || used.has(op.id)) continue;
    const chain = [op];
    for (let i = 1; i < fusion.chain.length; i++) {
      const next = graph.successors((chain[i - 1] as OpNode).id);
      const nextOp = next.length === 1 ? graph.op(next[0] as string) : undefined;
      if (!nextOp || nextOp.kind !== fusion.chain[i] || used.has(nextOp.id)) break;
      chain.push(nextOp);
    }
    if (chain.length !== fusion.chain.length) continue;
    for (const m of chain) used.add(m.id);
    out.push(chain);
  }
  return out;
}

/**
 * Fused candidates a device offers, keyed by op id: for each chain match and
 * realization, the first member carries the cost and the others ride along at
 * zero cost, all tagged with one fusion id.
 */
function fusedCandidates(graph: OpGraph, device: ResolvedDevice): Map<string, Candidate[]> {
  const out = new Map<string, Candidate[]>();
  const priced = new Map<string, Candidate[]>();
  const t = device.target;
  for (const fusion of t.fusions ?? []) {
    for (const chain of matchChains(graph, fusion)) {
      if (!chain.every((op) => runsDtype(device, op))) continue;
      const what = `fusion '${fusion.id}' at op '${chain[0]?.name}'`;
      const key = `${fusion.id}|${chain.map(costKey).join('|')}`;
      let heads = priced.get(key);
      if (!heads) {
        let rs: readonly Realization[];
        try {
          rs = fusion.realize(
            chain,
            chain.map((op) => graph.arithmetic(op.id)),
            device.params,
          );
        } catch (e) {
          throw new PluginError(t.id, `${what}: realize() threw: ${(e as Error)?.message ?? String(e)}`, 1);
        }
        if (!Array.isArray(rs)) throw new PluginError(t.id, `${what}: realize() must return an array`, 1);
        heads = rs.map((r) => checkRealization(device, chain[0] as OpNode, r, what));
        priced.set(key, heads);
      }
      heads.forEach((head, k) => {
        const id = `${device.id}:${fusion.id}:${chain[0]?.id}:${k}`;
        chain.forEach((op, index) => {
          const c: Candidate =
            index === 0
              ? { ...head, fusion: { id, index, size: chain.length } }
              : {
                  device: device.id,
                  target: t.id,
                  algorithm: head.algorithm,
                  latencyS: 0,
                  energy: {},
                  energyJ: 0,
                  fusion: { id, index, size: chain.length },
                };
          const list = out.get(op.id) ?? [];
          list.push(c);
          out.set(op.id, list);
        });
      });
    }
  }
  return out;
}

/**
 * Builds the Stacked Graph: every realization each device class offers for each
 * op, and the transfer cost model of the system's links. Ops with identical
 * shapes are priced once. Throws naming the op when no device can run it.
 */
export function buildStackedGraph(graph: OpGraph, system: ResolvedSystem): StackedGraph {
  const byKey = new Map<string, Candidate[]>();
  const candidates = new Map<string, readonly Candidate[]>();
  for (const op of graph.ops()) {
    const key = costKey(op);
    let list = byKey.get(key);
    if (!list) {
      const arith = graph.arithmetic(op.id);
      list = system.devices.flatMap((d) => realizeOn(d, op, arith));
      if (list.length === 0) throw new UserError(unsupported(op, system));
      byKey.set(key, list);
    }
    candidates.set(op.id, list);
  }
  for (const device of system.devices) {
    for (const [id, fused] of fusedCandidates(graph, device)) candidates.set(id, [...(candidates.get(id) ?? []), ...fused]);
  }
  return {
    graph,
    devices: system.devices.map((d) => ({ id: d.id, target: d.target.id, count: d.count, staticPowerW: d.staticPowerW })),
    candidates,
    links: (system.spec.links ?? []).map((l) => l.id),
    route: (from, to) => (from === to ? [] : system.path(from, to).links),
    transfer(from, to, bytes) {
      if (from === to || bytes === 0) return { latencyS: 0, energyJ: 0 };
      const p = system.path(from, to);
      return { latencyS: p.fixedS + bytes * p.perByteS, energyJ: bytes * p.perByteJ };
    },
  };
}
