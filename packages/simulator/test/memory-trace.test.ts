import { type Candidate, OpGraph, type OpNode, tensor } from '@lightcode/ir';
import { checkMemoryFits, memoryUse, type Schedule, toChromeTrace } from '@lightcode/simulator';
import { describe, expect, it } from 'vitest';

/*
 * Peak memory and the Chrome trace of a schedule, against hand counts: which
 * memory an op's bytes live in, when an activation is alive, what a fused
 * kernel keeps on chip, and one trace event per tile and per link a transfer
 * holds.
 */

const t16 = (...shape: number[]) => tensor(shape, 'fp16');
const node = (
  id: string,
  kind: OpNode['kind'],
  inputs: OpNode['inputs'],
  outputs: OpNode['outputs'],
  weights: OpNode['weights'] = [],
): OpNode => ({
  id,
  name: `op-${id}`,
  kind,
  layer: id === 'c' ? null : 0,
  inputs,
  outputs,
  weights,
  attrs: {},
});

/**
 * a (linear, 128 B of weights, writes 64 B) -> b (add on d1, writes 64 B) -> w (kv_write of 128 B)
 *                                          -> c (add on d2, writes 32 B; d2 has no memory of its own)
 */
function graph(): OpGraph {
  const g = new OpGraph({ id: 'mem', family: 'f', phase: 'decode', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
  g.addOp(node('a', 'linear', [t16(1, 4, 8)], [t16(1, 4, 8)], [t16(8, 8)]));
  g.addOp(node('b', 'add', [t16(1, 4, 8)], [t16(1, 4, 8)]));
  g.addOp(node('w', 'kv_write', [t16(1, 2, 4, 8)], []));
  g.addOp(node('c', 'add', [t16(1, 4, 8)], [t16(1, 2, 8)]));
  g.connect('a', 'b', t16(1, 4, 8));
  g.connect('b', 'w', t16(1, 4, 8));
  g.connect('a', 'c', t16(1, 4, 8));
  return g;
}

const cand = (device: string, fusion?: Candidate['fusion']): Candidate => ({
  device,
  target: 't',
  algorithm: 'x',
  latencyS: 1,
  energy: {},
  energyJ: 0,
  ...(fusion ? { fusion } : {}),
});
const placed = (id: string, device: string, startS: number, endS: number, instances: number[] = [0]) => ({
  id,
  device,
  instance: instances[0] ?? 0,
  startS,
  endS,
  tiles: instances.map((instance) => ({ instance, startS, endS })),
});

const schedule: Schedule = {
  makespanS: 6,
  ops: [placed('a', 'd0', 0, 1), placed('b', 'd1', 2, 3), placed('w', 'd0', 4, 5), placed('c', 'd2', 2, 6, [0, 1])],
  transfers: [{ from: 'a', to: 'b', links: ['l0', 'l1'], bytes: 64, startS: 1, endS: 2, energyJ: 0 }],
  instances: [
    { id: 'd0#0', device: 'd0', busyS: 2, utilization: 1 / 3 },
    { id: 'd1#0', device: 'd1', busyS: 1, utilization: 1 / 6 },
    { id: 'd2#0', device: 'd2', busyS: 4, utilization: 2 / 3 },
    { id: 'd2#1', device: 'd2', busyS: 4, utilization: 2 / 3 },
  ],
  links: [
    { id: 'l0', busyS: 1, utilization: 1 / 6 },
    { id: 'l1', busyS: 1, utilization: 1 / 6 },
  ],
  energyBreakdownJ: {},
  energyJ: 0,
};

const devices: Record<string, string> = { a: 'd0', b: 'd1', w: 'd0', c: 'd2' };
const pick = (id: string) => cand(devices[id] as string);
const memories = [
  { id: 'hbm', capacityBytes: 1000, attachedTo: ['d0', 'd2'] },
  { id: 'sram', capacityBytes: 100, attachedTo: ['d1'] },
];

describe('memoryUse', () => {
  it('weights and the KV cache stay resident where their op runs; an activation lives from its producer start to its last consumer end', () => {
    const [hbm, sram] = memoryUse(graph(), schedule, pick, memories);
    // hbm: a's weights (128 B), w's KV (128 B); activations a (64 B, 0 to 6: c ends last) and c (32 B, 2 to 6)
    expect(hbm).toEqual({ id: 'hbm', capacityBytes: 1000, weightsBytes: 128, kvCacheBytes: 128, activationPeakBytes: 96, peakBytes: 352 });
    // sram: b's output (64 B, 2 to 5: w ends at 5)
    expect(sram).toEqual({ id: 'sram', capacityBytes: 100, weightsBytes: 0, kvCacheBytes: 0, activationPeakBytes: 64, peakBytes: 64 });
  });

  it('a class without a memory of its own uses the first; no memories, no rows', () => {
    const only = memoryUse(graph(), schedule, pick, [{ id: 'dram', capacityBytes: 1e6, attachedTo: ['dx'] }]);
    expect(only).toEqual([
      { id: 'dram', capacityBytes: 1e6, weightsBytes: 128, kvCacheBytes: 128, activationPeakBytes: 64 + 64 + 32, peakBytes: 416 },
    ]);
    expect(memoryUse(graph(), schedule, pick, [])).toEqual([]);
  });

  it('frees before allocations at the same instant: back-to-back activations do not add up', () => {
    const g = new OpGraph({ id: 'seq', family: 'f', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
    g.addOp(node('x', 'add', [], [t16(100)]));
    g.addOp(node('y', 'add', [t16(100)], [t16(100)]));
    g.addOp(node('z', 'add', [t16(100)], [t16(100)]));
    g.connect('x', 'y', t16(100));
    g.connect('y', 'z', t16(100));
    const s: Schedule = { ...schedule, ops: [placed('x', 'd0', 0, 1), placed('y', 'd0', 1, 2), placed('z', 'd0', 2, 3)], transfers: [] };
    const [m] = memoryUse(g, s, () => cand('d0'), [memories[0] as (typeof memories)[0]]);
    // x lives 0..2, y 1..3, z 2..3: at 2, x is freed before z is allocated
    expect(m?.activationPeakBytes).toBe(400);
  });

  it('the intermediate of a fused kernel stays on chip; the last member writes its output', () => {
    const fused = (id: string) =>
      id === 'a' ? cand('d0', { id: 'f', index: 0, size: 2 }) : id === 'b' ? cand('d0', { id: 'f', index: 1, size: 2 }) : cand('d0');
    const [m] = memoryUse(graph(), schedule, fused, [memories[0] as (typeof memories)[0]]);
    // a's output is not counted; b's (64 B, 2..5) and c's (32 B, 2..6) are
    expect(m?.activationPeakBytes).toBe(96);
  });
});

describe('checkMemoryFits', () => {
  it('passes a fit and names the memory, each part and the excess of one that does not fit', () => {
    expect(() => checkMemoryFits(memoryUse(graph(), schedule, pick, memories), 'toy')).not.toThrow();
    const tight = [
      { id: 'hbm', capacityBytes: 2e9, weightsBytes: 1.5e9, kvCacheBytes: 0.75e9, activationPeakBytes: 0.25e9, peakBytes: 2.5e9 },
    ];
    expect(() => checkMemoryFits(tight, 'toy')).toThrow(
      "toy does not fit in memory 'hbm': it needs 2.50 GB (weights 1.50 GB, KV cache 0.75 GB, activations 0.25 GB) of 2.00 GB, 0.50 GB too much; use a smaller --dtype, --batch or --seq-len, or a system with more memory",
    );
    expect(() => checkMemoryFits([{ ...tight[0], capacityBytes: 2.5e9 } as (typeof tight)[0]], 'toy')).not.toThrow();
  });
});

describe('toChromeTrace', () => {
  // made in each test, not while the file loads, so a broken trace fails the test
  const trace = () => toChromeTrace(graph(), schedule);

  it('names the process after the model and phase, and one track per instance, then per link, in order', () => {
    const { traceEvents, displayTimeUnit } = trace();
    expect(displayTimeUnit).toBe('ns');
    expect(traceEvents[0]).toEqual({ name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'mem decode' } });
    const names = traceEvents.filter((e) => e.name === 'thread_name').map((e) => [e.tid, e.args?.name]);
    expect(names).toEqual([
      [1, 'd0#0'],
      [2, 'd1#0'],
      [3, 'd2#0'],
      [4, 'd2#1'],
      [5, 'link l0'],
      [6, 'link l1'],
    ]);
    expect(traceEvents.filter((e) => e.name === 'thread_sort_index').map((e) => [e.tid, e.args?.sort_index])).toEqual(
      names.map(([tid]) => [tid, tid]),
    );
  });

  it('one complete event per tile, in microseconds, with the op id, its layer (-1 for none) and its tile count when tiled', () => {
    const ops = trace().traceEvents.filter((e) => e.ph === 'X' && e.cat !== 'transfer');
    expect(ops).toEqual([
      { name: 'op-a', cat: 'linear', ph: 'X', ts: 0, dur: 1e6, pid: 1, tid: 1, args: { id: 'a', layer: 0 } },
      { name: 'op-b', cat: 'add', ph: 'X', ts: 2e6, dur: 1e6, pid: 1, tid: 2, args: { id: 'b', layer: 0 } },
      { name: 'op-w', cat: 'kv_write', ph: 'X', ts: 4e6, dur: 1e6, pid: 1, tid: 1, args: { id: 'w', layer: 0 } },
      { name: 'op-c', cat: 'add', ph: 'X', ts: 2e6, dur: 4e6, pid: 1, tid: 3, args: { id: 'c', layer: -1, tiles: 2 } },
      { name: 'op-c', cat: 'add', ph: 'X', ts: 2e6, dur: 4e6, pid: 1, tid: 4, args: { id: 'c', layer: -1, tiles: 2 } },
    ]);
  });

  it('a transfer appears on every link of its route, named from producer to consumer, with its bytes', () => {
    expect(trace().traceEvents.filter((e) => e.cat === 'transfer')).toEqual([
      { name: 'op-a -> op-b', cat: 'transfer', ph: 'X', ts: 1e6, dur: 1e6, pid: 1, tid: 5, args: { bytes: 64 } },
      { name: 'op-a -> op-b', cat: 'transfer', ph: 'X', ts: 1e6, dur: 1e6, pid: 1, tid: 6, args: { bytes: 64 } },
    ]);
  });
});
