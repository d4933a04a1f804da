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

describe('memory', () => {
  it('reports peak bytes per memory: weights, KV cache and activations', async () => {
    const j = JSON.parse((await run(['compile', '--model', 'llama-2-7b', '--seq-len', '512', '--system', 'gpu-a100', '--json'])).stdout);
    const [hbm] = j.memories;
    expect(hbm.id).toBe('hbm');
    expect(hbm.weightsBytes).toBe(2 * 6_738_415_616);
    expect(hbm.kvCacheBytes).toBe(2 * 32 * 512 * 4096 * 2);
    expect(hbm.activationPeakBytes).toBeGreaterThan(0);
    expect(hbm.peakBytes).toBe(hbm.weightsBytes + hbm.kvCacheBytes + hbm.activationPeakBytes);
  });

  it('says what does not fit and by how much', async () => {
    const r = await run(['compile', '--model', 'llama-2-70b', '--seq-len', '512', '--system', 'gpu-a100']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /llama-2-70b does not fit in memory 'hbm': it needs 139\.\d\d GB \(weights 137\.95 GB.*of 80\.00 GB, 59\.\d\d GB too much/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('tiling', () => {
  it('spreads an op that splits into parts (batch x heads) across free instances', async () => {
    const r = await run([
      'compile',
      '--model',
      'gpt2',
      '--seq-len',
      '128',
      '--system',
      'hybrid-a100-ptu',
      '--pin',
      '*.attn.qk=ptu',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const qk = j.ops.find((o: { name: string }) => o.name === 'transformer.h.0.attn.qk');
    // 12 heads on 4 PTUs: 3 heads each, a quarter of the single-unit latency
    expect(qk.instances).toEqual(['ptu#0', 'ptu#1', 'ptu#2', 'ptu#3']);
    expect(qk.endS - qk.startS).toBeCloseTo(qk.latencyS / 4, 12);
  });
});

describe('--out DIR', () => {
  it('writes compile results, per-op CSV, the trace and the report; sweeps and fronts write JSON and CSV', async () => {
    const dir = path.join(tmpDir(), 'out', 'nested');
    const c = await run(['compile', '--model', 'gpt2', '--seq-len', '32', '--system', 'lightcode-2025', '--out', dir]);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['ops.csv', 'report.html', 'result.json', 'trace.json']);
    const result = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8'));
    const csv = fs.readFileSync(path.join(dir, 'ops.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('id,name,kind,layer,device,instance,algorithm,start_s,end_s,latency_s,energy_j,macs');
    expect(csv).toHaveLength(result.ops.length + 1);
    const s = await run(['sweep', '--model', 'gpt2', '--seq-len', '16,32', '--system', 'lightcode-2025', '--out', dir]);
    expect(s.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'sweep.csv'), 'utf8').trim().split('\n')).toHaveLength(3);
    const p = await run(['pareto', '--model', 'gpt2', '--seq-len', '32', '--system', 'lightcode-2025', '--points', '1', '--out', dir]);
    expect(p.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'pareto.csv'))).toBe(true);
  });
});
