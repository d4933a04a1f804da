import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

/** llama-2-7b: hidden d, layers L; its weights at fp16 and with int4 linear weights (closed forms in precision.test.ts). */
const [d, L] = [4096, 32];
const W16 = 13_476_831_232;
const W4 = 3_566_215_168;
/** KV cache of one sequence at T tokens, b bytes a number: keys and values, every layer. */
const kv = (T: number, b: number) => 2 * L * T * d * b;

const request = ['generate', '--model', 'llama-2-7b', '--prompt-len', '2048', '--output-len', '2048', '--system', 'gpu-h100'];

describe('generate: memory over the whole request', () => {
  it('a request whose KV cache does not fit fails in one line naming the device and by how much, exit 2', async () => {
    const r = await run([...request, '--batch', '64']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const need = W16 + 64 * kv(4096, 2);
    expect(need).toBe(150_915_784_704);
    expect(r.stderr).toMatch(
      /^lightcode: llama-2-7b \(batch 64, 2048 prompt \+ 2048 output tokens\) does not fit in memory 'hbm' of gpu: it needs 151 GB \(weights 13\.5 GB, KV cache at its largest 137 GB at 4096 tokens\) of 80\.0 GB, 70\.9 GB too much; try --max-batch/,
    );
  });

  it('peak memory per device: weights, the KV cache at the last step, activations; at the declared widths', async () => {
    for (const [args, weights, kvBytes] of [
      [[], W16, 2],
      [['--weights', 'int4', '--kv-dtype', 'fp8'], W4, 1],
    ] as const) {
      const r = await run([...request, '--batch', '4', '--json', ...args]);
      expect(r.code).toBe(0);
      const [hbm] = JSON.parse(r.stdout).memories;
      expect(hbm.weightsBytes).toBe(weights);
      expect(hbm.kvCacheBytes).toBe(4 * kv(4096, kvBytes));
      expect(hbm.peakBytes).toBe(weights + hbm.kvCacheBytes + hbm.activationPeakBytes);
    }
  });

  it('--max-batch: the largest batch that fits, from the weights-and-KV bound and a few compiles', async () => {
    for (const [args, weights, kvBytes] of [
      [[], W16, 2],
      [['--weights', 'int4', '--kv-dtype', 'fp8'], W4, 1],
    ] as const) {
      const r = await run([...request, '--max-batch', '--json', ...args]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      // weights + B x KV per sequence <= 80 GB bounds B; the activations of a decode step are megabytes
      const bound = Math.floor((80e9 - weights) / kv(4096, kvBytes));
      expect(j.maxBatch.batch).toBe(bound);
      expect(j.batch).toBe(bound);
      expect(j.memories[0].peakBytes).toBeLessThanOrEqual(80e9);
      expect(j.maxBatch.limit.nextPeakBytes).toBeGreaterThan(80e9);
      expect(j.maxBatch.compiles).toBeLessThanOrEqual(6);
    }
  });

  it('--max-batch where activations decide: the bound is refined by compiling, and the batch above it fails', async () => {
    const dir = tmpDir('lightcode-small-hbm-');
    const system = {
      id: 'small-h100',
      devices: [{ id: 'gpu', target: 'gpu', preset: 'h100', count: 1 }],
      memories: [{ id: 'hbm', kind: 'hbm', capacityBytes: 24.5e9, bandwidthBps: 3.35e12, energyPerByteJ: 31.2e-12, attachedTo: ['gpu'] }],
    };
    fs.writeFileSync(path.join(dir, 'small.json'), JSON.stringify(system));
    const base = ['generate', '--model', 'llama-2-7b', '--prompt-len', '2048', '--output-len', '16', '--system', 'small.json'];
    const r = await run([...base, '--max-batch', '--json'], dir);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const bound = Math.floor((24.5e9 - W16) / kv(2064, 2));
    expect(j.maxBatch.batch).toBeLessThan(bound);
    expect(j.maxBatch.probes.map((p: { batch: number }) => p.batch)).toContain(j.maxBatch.batch + 1);
    expect(j.maxBatch.compiles).toBeLessThanOrEqual(8);
    const above = await run([...base, '--batch', String(j.maxBatch.batch + 1)], dir);
    expect(above.code).toBe(2);
    expect(above.stderr).toMatch(/does not fit in memory 'hbm' of gpu: .*activations/);
  });

  it('--max-batch with --batch is one line, exit 2', async () => {
    const r = await run([...request, '--batch', '2', '--max-batch']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('lightcode: --max-batch finds the batch itself; drop --batch');
  });
});
