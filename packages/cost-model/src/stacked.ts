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
import type { Realization } from './plugin.js';
import type { ResolvedDevice, ResolvedSystem } from './system.js';

/** The number format an op computes in: its weights', else its output's, else its input's. */
export function opDtype(op: OpNode): DType | undefined {
  return (op.weights[0] ?? op.outputs[0] ?? op.inputs[0])?.dtype;
}

/** Two ops with the same key cost the same on every target. */
function costKey(op: OpNode): string {
  return JSON.stringify([op.kind, op.inputs, op.outputs, op.weights, op.attrs]);
}

function checkRealization(device: ResolvedDevice, op: OpNode, r: Realization): Candidate {
  if (typeof r !== 'object' || r === null || typeof r.algorithm !== 'string') {
    throw new PluginError(device.target.id, `realize() returned a malformed realization for op '${op.name}'`, 1);
  }
  if (!Number.isFinite(r.latencyS) || r.latencyS < 0) {
    throw new PluginError(device.target.id, `returned latency ${r.latencyS} s for op '${op.name}'`, 1);
  }
  for (const [k, v] of Object.entries(r.energy ?? {})) {
    if (!Number.isFinite(v) || v < 0) {
      throw new PluginError(device.target.id, `returned ${k} energy ${v} J for op '${op.name}'`, 1);
    }
  }
  if (r.parts !== undefined && !(Number.isInteger(r.parts) && r.parts >= 1)) {
    throw new PluginError(device.target.id, `returned ${r.parts} parts for op '${op.name}' (a positive integer)`, 1);
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

function realizeOn(device: ResolvedDevice, op: OpNode, arith: OpArithmetic): Candidate[] {
  const t = device.target;
  const dtype = opDtype(op);
  if (!t.opKinds.includes(op.kind) || (dtype !== undefined && !t.dtypes.includes(dtype))) return [];
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
      if (list.length === 0) {
        const tried = system.devices.map((d) => `${d.id} (${d.target.id})`).join(', ');
        throw new UserError(
          `op '${op.name}' (${op.kind}, ${opDtype(op) ?? 'no dtype'}) is not supported by any device; tried ${tried}: add a device that runs it`,
        );
      }
      byKey.set(key, list);
    }
    candidates.set(op.id, list);
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
