import fs from 'node:fs';
import path from 'node:path';
import { compile, PluginRegistry } from '@lightcode/core';
import { defineFrontend, defineTarget, type OpGraphData, type OpNode, type TargetPlugin, tensor } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import { tmpDir } from './fixtures.js';

/*
 * compile() end to end on a machine whose costs have closed forms: two
 * targets priced per MAC, one link, a chain of linear layers. The result's
 * latency, energy, placement and breakdown are checked against hand sums,
 * not against the code's own totals.
 */

const WIDTH = 64;

/** A chain of `layers` linear layers, each [batch, seq, 64] x [64, 64]. */
const toy = defineFrontend({
  id: 'toy',
  name: 'Toy',
  description: 'a chain of linear layers',
  models: [{ id: 'toy-chain', description: 'linear layers', parameters: 3 * WIDTH * WIDTH }],
  modelTypes: [],
  build: (req): OpGraphData => {
    const x = tensor([req.batch, req.seqLen, WIDTH], req.dtype);
    const ops: OpNode[] = [0, 1, 2].map((i) => ({
      id: String(i),
      name: `fc${i}`,
      kind: 'linear',
      layer: i,
      inputs: [x],
      outputs: [x],
      weights: [tensor([WIDTH, WIDTH], req.dtype)],
      attrs: {},
    }));
    return {
      meta: { id: 'toy-chain', family: 'toy', phase: req.phase, seqLen: req.seqLen, batch: req.batch, dtype: req.dtype, layers: 3 },
      ops,
      edges: [
        { from: '0', to: '1', tensors: [x] },
        { from: '1', to: '2', tensors: [x] },
      ],
    };
  },
});

/** A target that takes `secondsPerMac` and `joulesPerMac`, with a static power. */
function perMac(id: string, secondsPerMac: number, joulesPerMac: number, staticW: number): TargetPlugin {
  return defineTarget({
    id,
    name: id,
    description: 'priced per MAC',
    params: { spm: { unit: 's', default: secondsPerMac, description: 'seconds per MAC', source: 'fixture' } },
    presets: { base: { description: 'base', source: 'fixture', values: {} } },
    defaultPreset: 'base',
    dtypes: ['fp16'],
    opKinds: ['linear'],
    realize: (_op, a, p) => [{ algorithm: `${id}-mac`, latencyS: a.macs * p.spm, energy: { compute: a.macs * joulesPerMac } }],
    staticPowerW: () => staticW,
  });
}

function registry(): PluginRegistry {
  const reg = new PluginRegistry();
  const add = (plugin: TargetPlugin | typeof toy) =>
    reg.add({
      manifest: { apiVersion: 1, kind: plugin.kind, id: plugin.id },
      plugin,
      packageName: plugin.id,
      version: '1.0.0',
      path: '/fixture',
      origin: 'flag',
    });
  add(toy);
  add(perMac('fast', 1e-12, 4e-12, 0.2));
  add(perMac('lean', 4e-12, 1e-12, 0.05));
  return reg;
}

function systemFile(): string {
  const dir = tmpDir();
  const file = path.join(dir, 'two.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      id: 'two',
      description: 'a fast and a lean device on one link',
      devices: [
        { id: 'f', target: 'fast', preset: 'base', count: 1 },
        { id: 'l', target: 'lean', preset: 'base', count: 1 },
      ],
      links: [{ id: 'wire', between: ['f', 'l'], bandwidthBps: 1e12, latencyS: 1e-9, energyPerByteJ: 1e-12 }],
    }),
  );
  return file;
}

describe('compile on a machine with closed-form costs', () => {
  const system = systemFile();
  const seqLen = 32;
  const macs = seqLen * WIDTH * WIDTH;

  it('latency objective: every layer on the fast device, latency = 3 x MACs x 1 ps, energy = ops + static power x latency', async () => {
    const { result: r } = await compile(registry(), { model: 'toy-chain', system, seqLen, objective: 'latency' });
    expect(r.ops.map((o) => [o.name, o.device, o.algorithm])).toEqual([
      ['fc0', 'f', 'fast-mac'],
      ['fc1', 'f', 'fast-mac'],
      ['fc2', 'f', 'fast-mac'],
    ]);
    const latency = 3 * macs * 1e-12;
    expect(r.totals.latencyS).toBeCloseTo(latency, 18);
    expect(r.totals.macs).toBe(3 * macs);
    const staticW = 0.2 + 0.05;
    expect(r.totals.energyJ).toBeCloseTo(3 * macs * 4e-12 + staticW * latency, 18);
    expect(r.totals.energyBreakdownJ.compute).toBeCloseTo(3 * macs * 4e-12, 18);
    expect(r.totals.energyBreakdownJ.static).toBeCloseTo(staticW * latency, 18);
    expect(r.totals.energyBreakdownJ.transfer ?? 0).toBe(0);
    expect(r.opsPerDevice).toEqual({ f: 3, l: 0 });
    expect(r.selection).toMatchObject({ status: 'optimal', objectiveValue: r.totals.latencyS, gap: 0 });
    // the ops run back to back
    expect(r.ops.map((o) => [o.startS, o.endS])).toEqual([
      [0, expect.closeTo(macs * 1e-12, 18)],
      [expect.closeTo(macs * 1e-12, 18), expect.closeTo(2 * macs * 1e-12, 18)],
      [expect.closeTo(2 * macs * 1e-12, 18), expect.closeTo(latency, 18)],
    ]);
    expect(r.devices.map((d) => [d.id, d.busyS])).toEqual([
      ['f#0', expect.closeTo(latency, 18)],
      ['l#0', 0],
    ]);
  });

  it('energy objective: every layer on the lean device (1 pJ/MAC, plus the static power of both over a 4x longer run)', async () => {
    const { result: r } = await compile(registry(), { model: 'toy-chain', system, seqLen, objective: 'energy' });
    expect(r.ops.map((o) => o.device)).toEqual(['l', 'l', 'l']);
    const latency = 3 * macs * 4e-12;
    expect(r.totals.latencyS).toBeCloseTo(latency, 18);
    expect(r.totals.energyJ).toBeCloseTo(3 * macs * 1e-12 + 0.25 * latency, 18);
    // lean everywhere beats fast everywhere on energy: 3 macs (1 pJ + 0.25 W x 4 ps) < 3 macs (4 pJ + 0.25 W x 1 ps)
    expect(r.totals.energyJ).toBeLessThan(3 * macs * 4e-12 + 0.25 * 3 * macs * 1e-12);
  });

  it('a pin moves a layer across the link: each transfer costs 1 ns + bytes / (1 TB/s) and 1 pJ per byte', async () => {
    const { result: r } = await compile(registry(), {
      model: 'toy-chain',
      system,
      seqLen,
      objective: 'latency',
      pins: [{ glob: 'fc1', device: 'l' }],
    });
    expect(r.ops.map((o) => o.device)).toEqual(['f', 'l', 'f']);
    const bytes = 2 * seqLen * WIDTH;
    const hop = 1e-9 + bytes / 1e12;
    expect(r.totals.latencyS).toBeCloseTo(macs * 1e-12 + hop + macs * 4e-12 + hop + macs * 1e-12, 15);
    expect(r.totals.energyBreakdownJ.transfer).toBeCloseTo(2 * bytes * 1e-12, 20);
    expect(r.links).toEqual([
      { id: 'wire', busyS: expect.closeTo(2 * hop, 15), utilization: expect.closeTo((2 * hop) / r.totals.latencyS, 12) },
    ]);
  });

  it('a latency budget the fast device alone meets picks the least energy within it', async () => {
    const fastOnly = 3 * macs * 1e-12;
    const { result: r } = await compile(registry(), {
      model: 'toy-chain',
      system,
      seqLen,
      objective: 'energy',
      latencyBudgetS: fastOnly * 1.01,
    });
    expect(r.ops.map((o) => o.device)).toEqual(['f', 'f', 'f']);
    expect(r.totals.latencyS).toBeLessThanOrEqual(fastOnly * 1.01);
    await expect(
      compile(registry(), { model: 'toy-chain', system, seqLen, objective: 'latency', latencyBudgetS: fastOnly / 2 }),
    ).rejects.toThrow(/latency budget .* is below the best achievable latency/);
  });
});
