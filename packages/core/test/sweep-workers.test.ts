import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import { discoverPlugins } from '../src/plugins.js';
import { type SweepSpec, sweep } from '../src/sweep.js';
import { rejection, targetCode, tmpDir, writePlugin } from './fixtures.js';

/*
 * A sweep on worker threads (sweep-pool.ts, sweep-worker.ts): each worker
 * loads the plugins itself from the discovery options; rows come back in
 * plan order, equal to a run in this thread; a failure in a worker stops the
 * sweep with its message and exit code. The plugins are packages on disk:
 * a one-layer frontend and the fixture target (1e12 FLOP/s, 0.1 pJ per MAC).
 */

const FRONTEND = `export default {
  kind: 'frontend', id: 'one', name: 'one', description: 'one linear layer', modelTypes: [],
  models: [{ id: 'one-layer', description: 'one linear layer', parameters: 4096 }],
  build: (req) => {
    const x = { shape: [req.batch, req.seqLen, 64], dtype: req.dtype };
    return {
      meta: { id: 'one-layer', family: 'test', phase: req.phase, seqLen: req.seqLen, batch: req.batch, dtype: req.dtype, layers: 1 },
      ops: [{ id: '0', name: 'fc', kind: 'linear', layer: 0, inputs: [x], outputs: [x], weights: [{ shape: [64, 64], dtype: req.dtype }], attrs: {} }],
      edges: [],
    };
  },
};
`;

function plugins(): { root: string; flags: string[] } {
  const root = tmpDir();
  writePlugin(path.join(root, 'fe'), { name: 'fe', manifest: { apiVersion: 1, kind: 'frontend', id: 'one' }, code: FRONTEND });
  writePlugin(path.join(root, 'tg'), { name: 'tg', manifest: { apiVersion: 1, kind: 'target', id: 'fake' }, code: targetCode('fake') });
  return { root, flags: ['./fe', './tg'] };
}

describe('a sweep on worker threads', () => {
  it('equals the same sweep in this thread: latency = 2 S 64^2 FLOPs / 1e12 FLOP/s, energy = S 64^2 x 0.1 pJ', async () => {
    const { root, flags } = plugins();
    const discovery = { flags, cwd: root };
    const reg = await discoverPlugins(discovery);
    const system = path.join(root, 'sys.json');
    fs.writeFileSync(system, JSON.stringify({ id: 'sys', devices: [{ id: 'd', target: 'fake', count: 1 }] }));
    const spec: SweepSpec = { model: 'one-layer', seqLens: [8, 16, 32], systems: [system], objectives: ['latency', 'energy'] };
    const progress: number[] = [];
    const workers = await sweep(reg, spec, { workers: 2, discovery, cwd: root, progress: (done, total) => progress.push(done / total) });
    const here = await sweep(reg, spec, { cwd: root });
    expect(workers).toEqual(here);
    expect(workers.rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of workers.rows) {
      expect(r.latencyS).toBeCloseTo((2 * r.seqLen * 64 * 64) / 1e12, 20);
      expect(r.energyJ).toBeCloseTo(r.seqLen * 64 * 64 * 1e-13, 24);
    }
    // groups of one length (two objectives each) come back whole
    expect(progress).toHaveLength(3);
    expect(progress.at(-1)).toBe(1);
    expect(progress.every((p) => Math.round(p * 6) % 2 === 0)).toBe(true);
  }, 120_000);

  it("a point a worker cannot compile stops the sweep with the worker's message and exit code", async () => {
    const { root, flags } = plugins();
    const discovery = { flags, cwd: root };
    const reg = await discoverPlugins(discovery);
    const spec: SweepSpec = { model: 'one-layer', seqLens: [8, 16], systems: ['no-such-system'], objectives: ['latency'] };
    const e = await rejection(sweep(reg, spec, { workers: 2, discovery, cwd: root }));
    expect(e.message).toMatch(/^unknown system 'no-such-system' \(built-in: /);
    expect(e.exitCode).toBe(2);
    // rebuilt from the worker's reply: a LightcodeError, not the worker's UserError
    expect(e).not.toBeInstanceOf(UserError);
  }, 120_000);

  it('one worker, or no discovery options, compiles in this thread', async () => {
    const { root, flags } = plugins();
    const reg = await discoverPlugins({ flags, cwd: root });
    const spec: SweepSpec = { model: 'one-layer', seqLens: [8], systems: ['no-such-system'], objectives: ['latency'] };
    // in this thread the error is the compile's own UserError
    expect(await rejection(sweep(reg, spec, { workers: 4, cwd: root }))).toBeInstanceOf(UserError);
    expect(await rejection(sweep(reg, spec, { workers: 1, discovery: { flags, cwd: root }, cwd: root }))).toBeInstanceOf(UserError);
    // one length is one group: never more workers than groups, so one, in this thread
    expect(
      await rejection(sweep(reg, { ...spec, seqLens: [8] }, { workers: 8, discovery: { flags, cwd: root }, cwd: root })),
    ).toBeInstanceOf(UserError);
  });
});
