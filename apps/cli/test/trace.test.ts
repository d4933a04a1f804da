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
    // one latency: no separate simulation estimate, the selection's value is the schedule's
    expect(result).not.toHaveProperty('simulation');
    expect(Math.abs(result.selection.objectiveValue - result.totals.energyJ)).toBeLessThanOrEqual(1e-9 * result.totals.energyJ);
    const { traceEvents } = JSON.parse(fs.readFileSync(file, 'utf8')) as { traceEvents: Ev[] };
    const names = new Set(traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => e.args?.name));
    expect(names.has('cpu#0') && names.has('ptu#0') && names.has('link study-link')).toBe(true);
    expect(result.links.map((l: { id: string }) => l.id)).toEqual(['study-link']);
    const ops = traceEvents.filter((e) => e.ph === 'X' && e.cat !== 'transfer');
    expect(ops.map((e) => e.name).sort()).toEqual(result.ops.map((o: { name: string }) => o.name).sort());
    // the trace is the schedule whose makespan is the reported latency: its last event ends there
    const spans = traceEvents.filter((e) => e.ph === 'X');
    expect(spans.some((e) => e.cat === 'transfer')).toBe(true);
    const end = Math.max(...spans.map((e) => e.ts + e.dur)) / 1e6;
    expect(Math.abs(end - result.totals.latencyS)).toBeLessThanOrEqual(1e-9 * result.totals.latencyS);
    expect(Math.min(...spans.map((e) => e.ts))).toBeGreaterThanOrEqual(0);
    // no two events overlap on one track (an instance or a link), to 1e-9 of the makespan
    const slack = 1e-9 * result.totals.latencyS * 1e6;
    const byTrack = new Map<number, Ev[]>();
    for (const e of spans) byTrack.set(e.tid, [...(byTrack.get(e.tid) ?? []), e]);
    expect(byTrack.size).toBe(3);
    for (const list of byTrack.values()) {
      list.sort((a, b) => a.ts - b.ts);
      for (let i = 1; i < list.length; i++)
        expect((list[i] as Ev).ts).toBeGreaterThanOrEqual((list[i - 1] as Ev).ts + (list[i - 1] as Ev).dur - slack);
    }
    expect(fs.readdirSync(dir)).toEqual(['trace.json']);
  });

  it('reports an unwritable trace path in one line and leaves nothing behind', async () => {
    const dir = tmpDir();
    const r = await run(['compile', '--model', 'gpt2', '--seq-len', '16', '--trace', path.join(dir, 'missing', 'trace.json')]);
    expect(r.code).toBe(2);
    // refused before any work: the folder is checked up front
    expect(r.stderr).toMatch(/^lightcode: --trace '.*trace\.json': folder '.*missing' does not exist\n$/);
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
    const m =
      /llama-2-70b does not fit in memory 'hbm': it needs ([\d.]+) GB \(weights 137\.95 GB, KV cache 0\.17 GB, activations ([\d.]+) GB\) of 80\.00 GB, ([\d.]+) GB too much/.exec(
        r.stderr,
      );
    expect(m).not.toBeNull();
    // the activation peak follows the schedule; the figures must add up (to the printed rounding)
    const [needs, activations, over] = (m as RegExpExecArray).slice(1).map(Number) as [number, number, number];
    expect(activations).toBeGreaterThan(0);
    expect(Math.abs(needs - (137.95 + 0.17 + activations))).toBeLessThanOrEqual(0.015);
    expect(Math.abs(over - (needs - 80))).toBeLessThanOrEqual(0.005);
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
