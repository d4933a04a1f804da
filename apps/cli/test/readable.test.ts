import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

/** What people read: quantities with SI prefixes and units, infeasible baselines with a reason, one flag spelling. */
describe('readable output', () => {
  it('targets ID prints parameter defaults and preset values with prefixes and units', async () => {
    const r = await run(['targets', 'gpu']);
    expect(r.code).toBe(0);
    const row = (name: string) => r.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
    expect(row('peakFlopsFp16')).toMatch(/^peakFlopsFp16\s+312 TFLOP\/s\s+FLOP\/s\s/);
    expect(row('bandwidthBps')).toMatch(/^bandwidthBps\s+2\.04 TB\/s\s+B\/s\s/);
    expect(row('kernelOverheadS')).toMatch(/^kernelOverheadS\s+3 µs\s+s\s/);
    expect(row('bandwidthEfficiency')).toMatch(/^bandwidthEfficiency\s+0\.8\s+1\s/);
    expect(row('h100')).toContain('peakFlopsFp16=989 TFLOP/s');
    expect(row('h100')).toContain('bandwidthBps=3.35 TB/s');
    expect(r.stdout).not.toMatch(/\d{10,}/);
  });

  it('systems prints links with bandwidth and latency', async () => {
    const r = await run(['systems']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').find((l) => l.startsWith('hybrid-a100-ptu'))).toContain('pcie 31.5 GB/s, 1 µs');
    expect(r.stdout).not.toMatch(/\d{10,}/);
  });

  it('an infeasible baseline says which op its device cannot run, in JSON and in the report, never NaN', async () => {
    const dir = tmpDir('lightcode-baselines-');
    const r = await run(['compile', '--model', 'gpt2', '--seq-len', '64', '--json', '--out', dir]);
    expect(r.code).toBe(0);
    const allPtu = JSON.parse(r.stdout).selection.baselines.find((b: { name: string }) => b.name === 'all-ptu');
    expect(allPtu).toMatchObject({ feasible: false, latencyS: null, energyJ: null });
    expect(allPtu.why).toMatch(/^no realization on ptu for op 'transformer\.wte' \(embedding, fp16\) and \d+ more of \d+ ops$/);
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('no: no realization on ptu for op');
    expect(html).not.toContain('NaN');
    // the system table prints values with their units too
    expect(html).toContain('312 TFLOP/s');
  });

  it('a baseline over a budget says which budget it misses', async () => {
    const r = await run(['compile', '--model', 'gpt2', '--seq-len', '64', '--objective', 'energy', '--latency-budget', '0.7ms', '--json']);
    expect(r.code).toBe(0);
    const greedy = JSON.parse(r.stdout).selection.baselines.find((b: { name: string }) => b.name === 'greedy-energy');
    expect(greedy.feasible).toBe(false);
    expect(greedy.why).toMatch(/^latency \S+ ms is over the budget 700 µs$/);
  });

  it('sweep takes --objective as compile does, as well as --objectives', async () => {
    const args = ['sweep', '--model', 'gpt2', '--seq-len', '64', '--system', 'lightcode-2025', '--csv'];
    const one = await run([...args, '--objective', 'energy']);
    const many = await run([...args, '--objectives', 'energy']);
    expect(one.code).toBe(0);
    expect(one.stdout).toBe(many.stdout);
    expect(one.stdout).toContain('lightcode-2025,energy,64,');
    const both = await run([...args, '--objective', 'energy', '--objectives', 'latency']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('lightcode: give --objective or --objectives, not both (each takes one objective or a list)\n');
  });
});
