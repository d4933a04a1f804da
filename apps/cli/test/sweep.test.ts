import { parseRange } from '@lightcode/core';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

describe('lightcode sweep', () => {
  it.each([
    ['64:256:64', [64, 128, 192, 256]],
    ['5:7', [5, 6, 7]],
    ['512,128,512', [128, 512]],
  ])('parses %s', (text, values) => {
    expect(parseRange(text, '--seq-len')).toEqual(values);
  });

  it.each(['0:10', '10:5', '1:2:3:4', 'a,b', '64:'])('rejects the malformed range %s', (text) => {
    expect(() => parseRange(text, '--seq-len')).toThrow(/--seq-len takes START:STOP\[:STEP\] or a comma list/);
  });

  it('sweeps lengths over systems and objectives (JSON, CSV); the PTU cuts latency against the CPU alone', async () => {
    const args = ['sweep', '--model', 'gpt2', '--seq-len', '128,512', '--systems', 'lightcode-2025,cpu', '--objectives', 'latency,energy'];
    const j = JSON.parse((await run([...args, '--json'])).stdout);
    expect(j.rows).toHaveLength(8);
    const at = (system: string, objective: string, n: number) =>
      j.rows.find(
        (r: { system: string; objective: string; seqLen: number }) => r.system === system && r.objective === objective && r.seqLen === n,
      );
    for (const n of [128, 512]) {
      expect(at('cpu', 'latency', n).latencyS / at('lightcode-2025', 'latency', n).latencyS).toBeGreaterThan(5);
      expect(at('lightcode-2025', 'energy', n).energyJ).toBeLessThanOrEqual(at('cpu', 'energy', n).energyJ);
    }
    const csv = (await run([...args, '--csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('system,objective,seq_len,latency_s,energy_j,status');
    expect(csv).toHaveLength(9);
  });

  it('needs --seq-len and known objectives', async () => {
    expect((await run(['sweep', '--model', 'gpt2'])).stderr).toMatch(/needs --seq-len/);
    const r = await run(['sweep', '--seq-len', '64', '--objectives', 'speed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--objectives takes latency, energy \(got 'speed'\)/);
  });
});
