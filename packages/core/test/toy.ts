import fs from 'node:fs';
import path from 'node:path';
import {
  defineFrontend,
  defineTarget,
  type FrontendPlugin,
  type OpGraphData,
  type OpNode,
  type SolverPlugin,
  type TargetPlugin,
  tensor,
} from '@lightcode/cost-model';
import { PluginRegistry } from '../src/plugins.js';
import { tmpDir } from './fixtures.js';

/*
 * A machine whose costs have closed forms, for core's unit tests.
 *
 * Model `toy-chain` (width W = 64, fp16):
 * - prefill at S tokens, batch B: fc0 -> fc1 -> fc2, each linear [B, S, W] x [W, W]
 *   (MACs B S W^2 each);
 * - decode at KV length K: kv (kv_read of [B, K, W], 2 B K W bytes) -> att
 *   (matmul [B, 1, W] x [B, W, K], MACs B W K) -> fc0 -> fc1 -> fc2 (linear
 *   [B, 1, W] x [W, W], MACs B W^2 each).
 *
 * Target `mac` (ids `fast` and `lean` here): an op takes
 * `spm` x MACs + `spb` x bytes read (kv ops) + `overheadS` (matmul and linear only)
 * + `spk2` x K^2 (a matmul of K output columns) seconds, and `jpm` x MACs joules of compute energy; static power `staticW`.
 */

export const W = 64;

function build(req: { phase: 'prefill' | 'decode'; seqLen: number; batch: number; dtype: string; kvLen?: number }): OpGraphData {
  const dt = req.dtype as 'fp16';
  const B = req.batch;
  const meta = {
    id: 'toy-chain',
    family: 'toy',
    phase: req.phase,
    seqLen: req.seqLen,
    batch: B,
    dtype: dt,
    layers: 3,
    ...(req.kvLen !== undefined ? { kvLen: req.kvLen } : {}),
  };
  const rows = req.phase === 'decode' ? 1 : req.seqLen;
  const x = tensor([B, rows, W], dt);
  const fcs: OpNode[] = [0, 1, 2].map((i) => ({
    id: `fc${i}`,
    name: `fc${i}`,
    kind: 'linear',
    layer: i,
    inputs: [x],
    outputs: [x],
    weights: [tensor([W, W], dt)],
    attrs: {},
  }));
  const chain = [
    { from: 'fc0', to: 'fc1', tensors: [x] },
    { from: 'fc1', to: 'fc2', tensors: [x] },
  ];
  if (req.phase === 'prefill') return { meta, ops: fcs, edges: chain };
  const K = req.kvLen ?? req.seqLen;
  const cache = tensor([B, K, W], dt);
  const scores = tensor([B, 1, K], dt);
  const ops: OpNode[] = [
    { id: 'kv', name: 'kv', kind: 'kv_read', layer: 0, inputs: [], outputs: [cache], weights: [], attrs: {} },
    {
      id: 'att',
      name: 'att',
      kind: 'matmul',
      layer: 0,
      inputs: [x, tensor([B, W, K], dt)],
      outputs: [scores],
      weights: [],
      attrs: {},
    },
    ...fcs,
  ];
  return {
    meta,
    ops,
    edges: [{ from: 'kv', to: 'att', tensors: [cache] }, { from: 'att', to: 'fc0', tensors: [scores] }, ...chain],
  };
}

/** The toy frontend; `models` adds more ids that build the same graph (the study's model names, say). */
export function toyFrontend(models: readonly string[] = []): FrontendPlugin {
  return defineFrontend({
    id: 'toy',
    name: 'Toy',
    description: 'a chain of linear layers, and a decode step with a KV cache',
    models: ['toy-chain', ...models].map((id) => ({ id, description: 'toy', parameters: 3 * W * W })),
    modelTypes: ['toy'],
    build: (req) => build(req),
  });
}

export interface MacCosts {
  readonly spm: number;
  readonly jpm: number;
  readonly spb?: number;
  readonly overheadS?: number;
  readonly staticW?: number;
  /** Seconds per K^2 of a matmul whose output has K columns (a cost not linear in the KV length). */
  readonly spk2?: number;
}

/** A target priced per MAC (see the module header); its figures are its params' defaults. */
export function macTarget(id: string, c: MacCosts, extraParams: Record<string, number> = {}): TargetPlugin {
  const extra = Object.fromEntries(
    Object.entries(extraParams).map(([k, v]) => [k, { unit: '1', default: v, description: k, source: 'fixture', allowZero: true }]),
  );
  return defineTarget({
    id,
    name: id,
    description: 'priced per MAC',
    params: {
      spm: { unit: 's', default: c.spm, description: 'seconds per MAC', source: 'fixture' },
      jpm: { unit: 'J', default: c.jpm, description: 'joules per MAC', source: 'fixture', allowZero: true },
      spb: { unit: 's', default: c.spb ?? 1e-15, description: 'seconds per byte of a KV read', source: 'fixture', allowZero: true },
      overheadS: { unit: 's', default: c.overheadS ?? 0, description: 'seconds per matmul', source: 'fixture', allowZero: true },
      staticW: { unit: 'W', default: c.staticW ?? 0, description: 'static power', source: 'fixture', allowZero: true },
      spk2: { unit: 's', default: c.spk2 ?? 0, description: 'seconds per K^2 of a matmul', source: 'fixture', allowZero: true },
      mode: { unit: 'choice', default: 'a', description: 'a choice', source: 'fixture', choices: ['a', 'b'] },
      ...extra,
    },
    presets: {
      base: { description: 'base', source: 'fixture', values: {} },
      slow: { description: 'twice the seconds per MAC', source: 'fixture', values: { spm: 2 * c.spm } },
    },
    defaultPreset: 'base',
    dtypes: ['fp16'],
    opKinds: ['linear', 'matmul', 'kv_read'],
    realize: (op, a, p) => [
      {
        algorithm: `${id}-mac`,
        latencyS:
          a.macs * p.spm +
          (op.kind === 'kv_read' ? a.bytesRead * p.spb : p.overheadS) +
          (op.kind === 'matmul' ? p.spk2 * (op.outputs[0]?.shape.at(-1) ?? 0) ** 2 : 0),
        energy: { compute: a.macs * p.jpm },
      },
    ],
    staticPowerW: (p) => p.staticW,
  });
}

/**
 * Target `fused`: fast's costs for one linear, and a fused kernel of two
 * linears taking half their summed time (same energy).
 */
export function fusedTarget(): TargetPlugin {
  return defineTarget({
    id: 'fused',
    name: 'fused',
    description: 'fuses two linears',
    params: {},
    presets: { base: { description: 'base', source: 'test', values: {} } },
    defaultPreset: 'base',
    dtypes: ['fp16'],
    opKinds: ['linear'],
    realize: (_op, a) => [{ algorithm: 'one', latencyS: a.macs * FAST.spm, energy: { compute: a.macs * FAST.jpm } }],
    staticPowerW: () => 0,
    fusions: [
      {
        id: 'pair',
        description: 'two linears',
        chain: ['linear', 'linear'],
        realize: (_ops, arith) => {
          const macs = arith.reduce((n, a) => n + a.macs, 0);
          return [{ algorithm: 'pair', latencyS: (macs * FAST.spm) / 2, energy: { compute: macs * FAST.jpm } }];
        },
      },
    ],
  });
}

export const FAST: MacCosts = { spm: 1e-12, jpm: 4e-12 };
/** A quarter of fast's time per MAC but 4.824 ns per matmul or linear: worth it for att from K = 101 on (W = 64). */
export const LEAN: MacCosts = { spm: 0.25e-12, jpm: 1e-12, spb: 2e-15, overheadS: 4.824e-9 };

export interface ToyOptions {
  readonly models?: readonly string[];
  readonly targets?: readonly TargetPlugin[];
  readonly solvers?: readonly SolverPlugin[];
}

/** A registry holding the toy frontend and the `fast` and `lean` targets (and any others given). */
export function toyRegistry(o: ToyOptions = {}): PluginRegistry {
  const reg = new PluginRegistry();
  const plugins = [toyFrontend(o.models), macTarget('fast', FAST), macTarget('lean', LEAN), ...(o.targets ?? []), ...(o.solvers ?? [])];
  for (const plugin of plugins) {
    reg.add({
      manifest: { apiVersion: 1, kind: plugin.kind, id: plugin.id },
      plugin,
      packageName: plugin.id,
      version: '1.0.0',
      path: `/fixture/${plugin.kind}/${plugin.id}`,
      origin: 'flag',
    });
  }
  return reg;
}

/** A free link between two device classes (no latency, no energy, 1e18 B/s). */
export function freeLink(a: string, b: string) {
  return { id: `${a}-${b}`, between: [a, b], bandwidthBps: 1e18, latencyS: 0, energyPerByteJ: 0 };
}

/** Writes a system file (JSON) into a fresh folder; returns its path. */
export function systemFile(spec: Record<string, unknown>, name = 'system.json'): string {
  const file = path.join(tmpDir(), name);
  fs.writeFileSync(file, JSON.stringify(spec));
  return file;
}

/** One `fast` device. */
export const FAST_ONLY = { id: 'fast-only', devices: [{ id: 'f', target: 'fast', preset: 'base', count: 1 }] };
/** One `lean` device. */
export const LEAN_ONLY = { id: 'lean-only', devices: [{ id: 'l', target: 'lean', preset: 'base', count: 1 }] };
/** A `fast` and a `lean` device on a free link. */
export const BOTH = {
  id: 'both',
  devices: [
    { id: 'f', target: 'fast', preset: 'base', count: 1 },
    { id: 'l', target: 'lean', preset: 'base', count: 1 },
  ],
  links: [freeLink('f', 'l')],
};
