import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

type Ev = { name: string; ph: string; ts: number; dur: number; tid: number; cat?: string; args?: { name?: string } };

describe('compile --trace', () => {
  it('writes Chrome Trace Event JSON: a track per instance, every op once, no overlap on a track', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'trace.json');
    const r = await run([
      'compile',
      '--model',
      'gpt2',
      '--seq-len',
      '64',
      '--system',
      'lightcode-2025',
      '--objective',
      'energy',
      '--trace',
      file,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.simulation.makespanS).toBe(result.totals.latencyS);
    expect(result.simulation.gap).toBeGreaterThanOrEqual(0);
    const { traceEvents } = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: Ev[] };
    const names = new Set(traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name));
    expect(names.has('cpu#0') && names.has('ptu#0') && names.has('link study-link')).toBe(true);
    expect(result.links.map((l: { id: string }) => l.id)).toEqual(['study-link']);
    const ops = traceEvents.filter((e) => e.ph === 'X' && e.cat !== 'transfer');
    expect(ops.map((e) => e.name).sort()).toEqual(result.ops.map((o: { name: string }) => o.name).sort());
    const byTrack = new Map<number, Ev[]>();
    for (const e of ops) byTrack.set(e.tid, [...(byTrack.get(e.tid) ?? []), e]);
    for (const list of byTrack.values()) {
      list.sort((a, b) => a.ts - b.ts);
      for (let i = 1; i < list.length; i++)
        expect((list[i] as Ev).ts).toBeGreaterThanOrEqual((list[i - 1] as Ev).ts + (list[i - 1] as Ev).dur - 1e-6);
    }
    expect(fs.readdirSync(dir)).toEqual(['trace.json']);
  });

  it('reports an unwritable trace path in one line and leaves nothing behind', async () => {
    const dir = tmpDir();
    const r = await run(['compile', '--model', 'gpt2', '--seq-len', '16', '--trace', path.join(dir, 'missing', 'trace.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write '.*trace\.json': ENOENT/);
    expect(r.stdout).toBe('');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
