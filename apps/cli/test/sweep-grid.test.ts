import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseShard } from '@lightcode/core';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

type Row = { index: number; system: string; objective: string; seqLen: number; params: Record<string, number | string>; latencyS: number };
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'lightcode-sweep-'));
const BASE = ['sweep', '--model', 'gpt2', '--seq-len', '64,128', '--systems', 'lightcode-2025', '--objectives', 'latency,energy'];

describe('parameter sweeps', () => {
  it('makes a grid of --param values and reports each point; more wavelengths make the PTU faster', async () => {
    const r = await run([...BASE, '--param', 'ptu.wavelengths=10,40', '--param', 'ptu.preset=lightcode-2025', '--workers', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.sweep.points).toBe(8);
    expect(j.rows.map((x: Row) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(j.rows[0].params).toEqual({ 'ptu.wavelengths': 10, 'ptu.preset': 'lightcode-2025' });
    const at = (wl: number, n: number) =>
      j.rows.find((x: Row) => x.params['ptu.wavelengths'] === wl && x.seqLen === n && x.objective === 'latency') as Row;
    for (const n of [64, 128]) expect(at(40, n).latencyS).toBeLessThan(at(10, n).latencyS);
    const csv = (await run([...BASE, '--param', 'ptu.wavelengths=10,40', '--workers', '1', '--csv'])).stdout.split('\n');
    expect(csv[0]).toBe('system,objective,seq_len,ptu.wavelengths,latency_s,energy_j,status');
  });

  it('sweeps instance counts and link figures with units', async () => {
    const r = await run([
      'sweep',
      '--model',
      'gpt2',
      '--seq-len',
      '64',
      '--systems',
      'hybrid-a100-ptu',
      '--param',
      'ptu.count=1,8',
      '--param',
      'pcie.bandwidthBps=16GB/s,64GB/s',
      '--workers',
      '1',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows: Row[] = JSON.parse(r.stdout).rows;
    expect(rows.map((x) => [x.params['ptu.count'], x.params['pcie.bandwidthBps']])).toEqual([
      [1, 16e9],
      [1, 64e9],
      [8, 16e9],
      [8, 64e9],
    ]);
  });

  it.each([
    [
      ['--param', 'ptu.colour=1'],
      /system 'lightcode-2025' has no parameter 'ptu.colour'; valid paths: cpu.count, cpu.preset, cpu.model, .*ptu.wavelengths/,
    ],
    [['--param', 'ptu.wavelengths=0'], /--param ptu.wavelengths: parameter 'wavelengths' must be > 0 \(got 0\)/],
    [['--param', 'ptu.wavelengths=2.5'], /must be an integer/],
    [['--param', 'ptu.clockHz=fast'], /--param ptu.clockHz value 'fast' is not a quantity in Hz/],
    [['--param', 'ptu.preset=best'], /no preset 'best' \(presets: lightcode-2025, device-2025, mrr-thermal-2025, lightmatter-2025\)/],
    [['--param', 'wavelengths'], /--param takes PATH=V1,V2/],
    [['--shard', '3/2'], /--shard 3\/2: shard index 3 is out of range 1..2/],
    [['--shard', 'x'], /--shard takes I\/N/],
    [['--workers', '0'], /--workers must be a positive integer/],
  ])('rejects bad input %j with one line and exit 2', async (extra, message) => {
    const r = await run([...BASE, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('parallel and sharded sweeps', () => {
  it('gives the same rows with 2 worker threads as with 1', async () => {
    const one = await run([...BASE, '--workers', '1', '--json']);
    const two = await run([...BASE, '--workers', '2', '--json']);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  });

  it('merges shards into exactly the unsharded result', async () => {
    const dir = tmp();
    const whole = await run([...BASE, '--workers', '1', '--out', path.join(dir, 'whole')]);
    expect(whole.code, whole.stderr).toBe(0);
    for (const s of ['1/3', '2/3', '3/3']) {
      const r = await run([...BASE, '--workers', '1', '--shard', s, '--out', path.join(dir, `s${s[0]}`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const shard1 = JSON.parse(fs.readFileSync(path.join(dir, 's1/result.json'), 'utf8'));
    expect(shard1.sweep.shard).toEqual({ index: 1, count: 3 });
    expect(shard1.rows.map((x: Row) => x.index)).toEqual([0, 3]);
    const merged = await run([
      'merge',
      path.join(dir, 's3'),
      path.join(dir, 's1/result.json'),
      path.join(dir, 's2'),
      '--out',
      path.join(dir, 'merged'),
    ]);
    expect(merged.code, merged.stderr).toBe(0);
    for (const f of ['result.json', 'sweep.csv', 'report.html']) {
      expect(fs.readFileSync(path.join(dir, 'merged', f), 'utf8')).toBe(fs.readFileSync(path.join(dir, 'whole', f), 'utf8'));
    }

    const missing = await run(['merge', path.join(dir, 's1'), path.join(dir, 's2')]);
    expect([missing.code, missing.stderr.trim()]).toEqual([2, 'lightcode: shards missing: 3/3']);
    const twice = await run(['merge', path.join(dir, 's1'), path.join(dir, 's1'), path.join(dir, 's3')]);
    expect(twice.stderr).toMatch(/shard 1\/3 is given twice/);
    const other = await run([...BASE, '--seq-len', '64,256', '--workers', '1', '--shard', '2/3', '--out', path.join(dir, 'other')]);
    expect(other.code, other.stderr).toBe(0);
    const mixed = await run(['merge', path.join(dir, 's1'), path.join(dir, 'other'), path.join(dir, 's3')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/cannot merge shards of different sweeps/);
    const notSweep = await run(['merge', path.join(dir, 'nothing.json')]);
    expect(notSweep.stderr).toMatch(/cannot read shard/);
  });

  it('parses shards', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(() => parseShard('0/5')).toThrow(/out of range 1..5/);
  });
});
