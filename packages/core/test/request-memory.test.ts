import path from 'node:path';
import { defineTarget, resolveSystem } from '@lightcode/cost-model';
import type { MemoryUse } from '@lightcode/simulator';
import { describe, expect, it } from 'vitest';
import { generate } from '../src/generate.js';
import { buildGraph } from '../src/model.js';
import { maxBatch, memoryDevices, peakOverRequest, residentBytes } from '../src/request-memory.js';
import { rejection } from './fixtures.js';
import { freeLink, systemFile, toyRegistry, W } from './toy.js';

/*
 * Memory over a whole request on the toy model (test/toy.ts), fp16, batch B:
 *   weights 3 x 2 W^2 = 24,576 B (the three fc layers);
 *   the KV cache of the step at KV length K: 2 B K W bytes;
 *   the prefill of S tokens: two [B, S, W] activations live at once, 4 B S W bytes;
 *   a decode step: att's [B, 1, K] and fc0's [B, 1, W] live at once, 2 B K + 2 B W bytes.
 * The largest batch is found here by walking B up these closed forms.
 */

const WEIGHTS = 3 * 2 * W * W;
const prefillPeak = (S: number, B: number) => WEIGHTS + 4 * B * S * W;
const decodePeak = (K: number, B: number) => WEIGHTS + 2 * B * K * W + 2 * B * K + 2 * B * W;

const mem = (id: string, capacityBytes: number, attachedTo: string[]) => ({
  id,
  kind: 'hbm',
  capacityBytes,
  bandwidthBps: 1e12,
  energyPerByteJ: 0,
  attachedTo,
});

function oneMemory(capacityBytes: number): string {
  return systemFile({
    id: 'with-mem',
    devices: [{ id: 'f', target: 'fast', preset: 'base', count: 1 }],
    memories: [mem('hbm', capacityBytes, ['f'])],
  });
}

describe('residentBytes: weights and KV cache of a graph', () => {
  it('decode at K: weights 6 W^2, KV 2 B K W; a prefill holds no KV read', () => {
    const reg = toyRegistry();
    expect(residentBytes(buildGraph(reg, { model: 'toy-chain', phase: 'decode', seqLen: 1, kvLen: 100, batch: 2 }))).toEqual({
      weightsBytes: WEIGHTS,
      kvCacheBytes: 2 * 2 * 100 * W,
    });
    expect(residentBytes(buildGraph(reg, { model: 'toy-chain', phase: 'prefill', seqLen: 100 }))).toEqual({
      weightsBytes: WEIGHTS,
      kvCacheBytes: 0,
    });
  });

  it('a kv_write counts its inputs', async () => {
    const { graphFromData, tensor } = await import('@lightcode/cost-model');
    const t = tensor([1, 10, 4], 'fp16');
    const g = graphFromData({
      meta: { id: 'w', family: 'toy', phase: 'prefill', seqLen: 10, batch: 1, dtype: 'fp16', layers: 1 },
      ops: [
        { id: 'w', name: 'w', kind: 'kv_write', layer: 0, inputs: [t, t], outputs: [], weights: [], attrs: {} },
        { id: 'r', name: 'r', kind: 'kv_read', layer: 0, inputs: [], outputs: [t], weights: [], attrs: {} },
      ],
      edges: [],
    });
    expect(residentBytes(g)).toEqual({ weightsBytes: 0, kvCacheBytes: 3 * 80 });
  });
});

describe('memoryDevices: the devices whose data a memory holds', () => {
  const reg = toyRegistry();
  const system = (memories: unknown[]) =>
    resolveSystem(
      {
        id: 's',
        devices: [
          { id: 'a', target: 'fast', count: 1 },
          { id: 'b', target: 'fast', count: 1 },
          { id: 'c', target: 'lean', count: 1 },
        ],
        links: [freeLink('a', 'b'), freeLink('b', 'c')],
        memories,
      },
      reg.targets,
      'test',
    );

  it('those attached to it; the first memory also holds the devices attached to none', () => {
    const s = system([mem('m1', 1, ['b']), mem('m2', 1, ['c'])]);
    expect(memoryDevices(s, 'm1')).toEqual(['a', 'b']);
    expect(memoryDevices(s, 'm2')).toEqual(['c']);
    expect(memoryDevices(s, 'nope')).toEqual([]);
  });

  it('a memory attached to several devices, and none left over', () => {
    const s = system([mem('m1', 1, ['c']), mem('m2', 1, ['a', 'b'])]);
    expect(memoryDevices(s, 'm1')).toEqual(['c']);
    expect(memoryDevices(s, 'm2')).toEqual(['a', 'b']);
  });

  it('no memories: none', () => {
    expect(memoryDevices(system([]), 'm')).toEqual([]);
  });
});

describe('peakOverRequest: per memory, the phase with the larger peak', () => {
  const use = (id: string, peakBytes: number, kvCacheBytes = 0): MemoryUse => ({
    id,
    capacityBytes: 100,
    weightsBytes: 1,
    kvCacheBytes,
    activationPeakBytes: peakBytes - 1 - kvCacheBytes,
    peakBytes,
  });

  it('takes the whole use of the larger phase, keeps the first on a tie or when the second lacks the memory', () => {
    const a = [use('x', 10), use('y', 20, 5), use('z', 7)];
    const b = [use('y', 25, 9), use('x', 10, 3)];
    expect(peakOverRequest(a, b)).toEqual([a[0], b[0], a[2]]);
    expect(peakOverRequest([], b)).toEqual([]);
  });
});

describe('generate checks memory over the whole request', () => {
  const reg = toyRegistry();

  it('weights and the last step KV over the capacity are refused before any compile', async () => {
    // P = 64, N = 37: the last step holds K = 100: 24,576 + 12,800 = 37,376 bytes
    const e = await rejection(generate(reg, { model: 'toy-chain', system: oneMemory(37_375), promptLen: 64, outputLen: 37 }));
    expect(e.message).toBe(
      "toy-chain (batch 1, 64 prompt + 37 output tokens) does not fit in memory 'hbm' of f: it needs 37.4 kB (weights 24.6 kB, KV cache at its largest 12.8 kB at 101 tokens) of 37.4 kB, 1.00 B too much; try --max-batch, a smaller --batch or --output-len, --kv-dtype fp8, --weights int4, or a system with more memory",
    );
  });

  it('resident bytes exactly at the capacity pass that check; the activations then overflow it, named with their peak', async () => {
    const cap = WEIGHTS + 2 * 100 * W;
    const e = await rejection(generate(reg, { model: 'toy-chain', system: oneMemory(cap), promptLen: 64, outputLen: 37 }));
    // the prefill of 64 tokens peaks at 24,576 + 16,384 = 40,960 bytes, above the last step's 24,576 + 12,800 + 200 + 128
    expect(prefillPeak(64, 1)).toBeGreaterThan(decodePeak(100, 1));
    expect(e.message).toBe(
      "toy-chain (batch 1, 64 prompt + 37 output tokens) does not fit in memory 'hbm' of f: it needs 41.0 kB (weights 24.6 kB, KV cache at its largest 0 B at 101 tokens, activations 16.4 kB) of 37.4 kB, 3.58 kB too much; try --max-batch, a smaller --batch or --output-len, --kv-dtype fp8, --weights int4, or a system with more memory",
    );
  });

  it('a request whose peak fits reports the peak per memory: the larger of the prefill and the last step', async () => {
    // the capacity is exactly the peak: it fits
    const r = await generate(reg, { model: 'toy-chain', system: oneMemory(decodePeak(100, 1)), promptLen: 8, outputLen: 93 });
    // last step K = 100: 24,576 + 12,800 + 200 + 128 = 37,704 > the prefill's 24,576 + 2,048
    expect(r.memories).toEqual([
      {
        id: 'hbm',
        capacityBytes: decodePeak(100, 1),
        weightsBytes: WEIGHTS,
        kvCacheBytes: 2 * 100 * W,
        activationPeakBytes: 2 * 100 + 2 * W,
        peakBytes: decodePeak(100, 1),
      },
    ]);
  });

  it('several memories: the resident check is against all of them together, each named', async () => {
    const system = systemFile({
      id: 'two-mem',
      devices: [
        { id: 'f', target: 'fast', count: 1 },
        { id: 'l', target: 'lean', count: 1 },
      ],
      links: [freeLink('f', 'l')],
      memories: [mem('m1', 20_000, ['f']), mem('m2', 17_375, ['l'])],
    });
    const e = await rejection(generate(reg, { model: 'toy-chain', system, promptLen: 64, outputLen: 37 }));
    expect(e.message).toMatch(
      /^toy-chain \(batch 1, 64 prompt \+ 37 output tokens\) does not fit in the memories of two-mem together \(memory 'm1' of f; memory 'm2' of l\): it needs 37\.4 kB/,
    );
  });
});

describe('maxBatch: the largest batch whose whole request fits', () => {
  const reg = toyRegistry();
  /** The largest B with both phases' peaks within the capacity, walking B up. */
  const largest = (cap: number, P: number, K: number) => {
    let B = 0;
    while (Math.max(prefillPeak(P, B + 1), decodePeak(K, B + 1)) <= cap) B++;
    return B;
  };

  it('the batch is the largest that fits by the closed forms; the limit is the memory the next batch overflows', async () => {
    const cap = 400_000;
    const P = 16;
    const N = 85; // last step K = 100
    const want = largest(cap, P, 100);
    expect(want).toBeGreaterThan(1);
    const r = await maxBatch(reg, { model: 'toy-chain', system: oneMemory(cap), promptLen: P, outputLen: N });
    expect(r.batch).toBe(want);
    expect(r.memories[0]?.peakBytes).toBe(Math.max(prefillPeak(P, want), decodePeak(100, want)));
    expect(r.limit).toEqual({ memory: 'hbm', devices: ['f'], capacityBytes: cap, nextPeakBytes: decodePeak(100, want + 1) });
    // each batch probed fits exactly when its closed-form peak does
    for (const p of r.probes) {
      expect(p.fits, `batch ${p.batch}`).toBe(Math.max(prefillPeak(P, p.batch), decodePeak(100, p.batch)) <= cap);
    }
    expect(r.probes.some((p) => p.batch === want && p.fits)).toBe(true);
    expect(r.probes.some((p) => p.batch === want + 1 && !p.fits)).toBe(true);
    // a last step, and a prefill for each that fit
    expect(r.compiles).toBe(r.probes.length + r.probes.filter((p) => p.fits).length);
    // the search: weights + B x 12,800 <= 400,000 bounds B by 29, tried first (405,288 bytes: too many); the line
    // through that peak, weights fixed, meets the capacity at floor(29 x 375,424 / 380,712) = 28, which fits: done
    expect(want).toBe(28);
    expect(r.probes.map((p) => p.batch)).toEqual([29, 28]);
    expect(r.probes.map((p) => p.peakBytes.hbm)).toEqual([decodePeak(100, 29), decodePeak(100, 28)]);
    expect(r.compiles).toBe(3);
  });

  it('the line through a measured peak jumps past batches a step at a time would try', async () => {
    // P = 1000, N = 1: the prefill's 4 B x 1000 x W bytes of activations decide, not the KV cache
    const P = 1000;
    const cap = WEIGHTS + 10 * 2 * 1000 * W;
    expect(largest(cap, P, 1000)).toBe(5);
    expect(prefillPeak(P, 5)).toBe(cap);
    const r = await maxBatch(reg, { model: 'toy-chain', system: oneMemory(cap), promptLen: P, outputLen: 1 });
    expect(r.batch).toBe(5);
    // the bound 10 is tried first (its last step is over); the line through it says 9 (its prefill is over);
    // the line through 9's prefill peak, floor(9 x 1,280,000 / 2,304,000) = 5, fits exactly; one up, 6, does not
    expect(r.probes.map((p) => [p.batch, p.fits])).toEqual([
      [10, false],
      [9, false],
      [5, true],
      [6, false],
    ]);
    expect(r.compiles).toBe(7);
    expect(r.limit).toEqual({ memory: 'hbm', devices: ['f'], capacityBytes: cap, nextPeakBytes: prefillPeak(P, 6) });
  });

  it('when weights and KV alone rule out the next batch, it is not compiled: the limit is weights + its KV', async () => {
    const P = 1;
    const N = 1000; // K = 1000: KV 128,000 B per sequence, activations 2 x 1000 + 2 x 64 B per sequence
    const kvPerSeq = 2 * 1000 * W;
    const cap = WEIGHTS + 3 * kvPerSeq + 3 * (2 * 1000 + 2 * W) + 10;
    // weights + 4 x KV per sequence is over the capacity: batch 4 is out without a compile
    expect(WEIGHTS + 4 * kvPerSeq).toBeGreaterThan(cap);
    expect(largest(cap, P, 1000)).toBe(3);
    const r = await maxBatch(reg, { model: 'toy-chain', system: oneMemory(cap), promptLen: P, outputLen: N });
    expect(r.batch).toBe(3);
    // the bound, 3, is tried first and fits: nothing else is compiled
    expect(r.probes).toEqual([{ batch: 3, fits: true, peakBytes: { hbm: decodePeak(1000, 3) } }]);
    expect(r.compiles).toBe(2);
    expect(r.limit).toEqual({ memory: 'hbm', devices: ['f'], capacityBytes: cap, nextPeakBytes: WEIGHTS + 4 * kvPerSeq });
  });

  it('a system without memory, and a request that fits at no batch, are refused', async () => {
    const none = systemFile({ id: 'bare', devices: [{ id: 'f', target: 'fast', count: 1 }] });
    expect((await rejection(maxBatch(reg, { model: 'toy-chain', system: none, promptLen: 8, outputLen: 8 }))).message).toBe(
      "--max-batch: system 'bare' declares no memory, so every batch fits",
    );
    const tiny = await rejection(maxBatch(reg, { model: 'toy-chain', system: oneMemory(1000), promptLen: 8, outputLen: 8 }));
    expect(tiny.message).toMatch(/^toy-chain \(batch 1, 8 prompt \+ 8 output tokens\) does not fit in memory 'hbm' of f: /);
    // resident bytes fit but the activations of batch 1 do not
    const act = await rejection(
      maxBatch(reg, { model: 'toy-chain', system: oneMemory(WEIGHTS + 2 * 15 * W + 10), promptLen: 8, outputLen: 8 }),
    );
    expect(act.message).toMatch(/^toy-chain \(batch 1, 8 prompt \+ 8 output tokens\) does not fit in memory 'hbm' of f: .*activations/);
  });
});

describe('memories beside a device that runs nothing', () => {
  // x runs no op of the toy model: its memory holds nothing, but counts in the resident bound
  const idle = defineTarget({
    id: 'idle',
    name: 'idle',
    description: 'runs no op of the toy model',
    params: {},
    presets: { base: { description: 'base', source: 'test', values: {} } },
    defaultPreset: 'base',
    dtypes: ['fp16'],
    opKinds: ['embedding'],
    realize: () => [],
    staticPowerW: () => 0,
  });
  const reg = toyRegistry({ targets: [idle] });
  const kvPerSeq = 2 * 1000 * W;
  const system = (memories: unknown[]) =>
    systemFile({
      id: 'fx',
      devices: [
        { id: 'f', target: 'fast', count: 1 },
        { id: 'x', target: 'idle', count: 1 },
      ],
      links: [freeLink('f', 'x')],
      memories,
    });

  it('when weights and KV bound the batch, the limit names every memory (joined) and every device', async () => {
    // batch 3 exactly fits f's memory; weights + 4 x KV is over both memories together
    const m1 = decodePeak(1000, 3);
    const r = await maxBatch(reg, {
      model: 'toy-chain',
      system: system([mem('m1', m1, ['f']), mem('m2', 1000, ['x'])]),
      promptLen: 1,
      outputLen: 1000,
    });
    expect(r.batch).toBe(3);
    expect(r.memories.map((m) => [m.id, m.peakBytes])).toEqual([
      ['m1', m1],
      ['m2', 0],
    ]);
    expect(r.limit).toEqual({ memory: 'm1+m2', devices: ['f', 'x'], capacityBytes: m1 + 1000, nextPeakBytes: WEIGHTS + 4 * kvPerSeq });
  });

  it('the limit of a probed batch is the memory it overflows, not the first', async () => {
    // m2 (first, on x) never fills; m1 (on f) takes batch 2 but not 3
    const m1 = decodePeak(1000, 2) + 10;
    const r = await maxBatch(reg, {
      model: 'toy-chain',
      system: system([mem('m2', 10 * kvPerSeq, ['x']), mem('m1', m1, ['f'])]),
      promptLen: 1,
      outputLen: 1000,
    });
    expect(r.batch).toBe(2);
    expect(r.limit).toEqual({ memory: 'm1', devices: ['f'], capacityBytes: m1, nextPeakBytes: decodePeak(1000, 3) });
  });

  it('no batch fits: the refusal names the memory that overflows, not the first', async () => {
    // resident bytes fit m1 + m2 together, but f's own memory m1 cannot take them
    const e = await rejection(
      maxBatch(reg, {
        model: 'toy-chain',
        system: system([mem('m2', 10 * kvPerSeq, ['x']), mem('m1', 1000, ['f'])]),
        promptLen: 1,
        outputLen: 1000,
      }),
    );
    expect(e.message).toMatch(/^toy-chain \(batch 1, 1 prompt \+ 1000 output tokens\) does not fit in memory 'm1' of f: /);
  });

  it("a memory of several devices is named with all of them; the request's folder finds the system", async () => {
    const file = system([mem('m1', 1000, ['f', 'x'])]);
    const e = await rejection(
      maxBatch(reg, { model: 'toy-chain', system: path.basename(file), cwd: path.dirname(file), promptLen: 1, outputLen: 1000 }),
    );
    expect(e.message).toMatch(/^toy-chain \(batch 1, 1 prompt \+ 1000 output tokens\) does not fit in memory 'm1' of f, x: /);
  });
});
