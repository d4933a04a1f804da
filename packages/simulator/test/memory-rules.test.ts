import { type Candidate, OpGraph, type OpNode, tensor } from '@lightcode/ir';
import type { PlannedOp } from '@lightcode/optimizer';
import { memoryUse, type Schedule, toChromeTrace } from '@lightcode/simulator';
import { describe, expect, it } from 'vitest';

/*
 * The KV cache (read and written), ops the schedule leaves out, and a trace
 * whose tracks are made as its events need them, on one graph counted by hand.
 *
 *   r: kv_read, reads 64 fp16 = 128 B of cache                          [0,1]
 *   q: linear, 8x8 fp16 weights = 128 B, writes 32 fp16 = 64 B          [1,2]
 *   u: add, writes 16 fp16 = 32 B, no consumers                         [3,4]
 *   w: kv_write, stores 32 fp16 = 64 B (and names an 8 fp16 output)     [5,6]
 *   s: add with 4 fp16 = 8 B of weights, writes 16 B; not in the schedule
 * Edges r -> q, q -> s, q -> w, all on d0 whose memory is hbm.
 */

const t16 = (n: number) => tensor([n], 'fp16');
const node = (
  id: string,
  kind: OpNode['kind'],
  outputs: OpNode['outputs'],
  weights: OpNode['weights'] = [],
  inputs: OpNode['inputs'] = [],
) => ({
  id,
  name: `op-${id}`,
  kind,
  layer: 3,
  inputs,
  outputs,
  weights,
  attrs: {},
});

function graph(): OpGraph {
  const g = new OpGraph({ id: 'kv', family: 'f', phase: 'decode', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
  g.addOp(node('r', 'kv_read', [t16(64)]));
  g.addOp(node('q', 'linear', [tensor([4, 8], 'fp16')], [tensor([8, 8], 'fp16')], [tensor([8, 8], 'fp16')]));
  g.addOp(node('u', 'add', [t16(16)]));
  g.addOp(node('w', 'kv_write', [t16(8)], [], [t16(32)]));
  g.addOp(node('s', 'add', [t16(8)], [t16(4)]));
  g.connect('r', 'q', t16(64));
  g.connect('q', 's', t16(32));
  g.connect('q', 'w', t16(32));
  return g;
}

const at = (id: string, startS: number, endS: number, device = 'd0', instance = 0): PlannedOp => ({
  id,
  device,
  instance,
  startS,
  endS,
  tiles: [{ instance, startS, endS }],
});
const schedule: Schedule = {
  makespanS: 6,
  ops: [at('r', 0, 1), at('q', 1, 2), at('u', 3, 4), at('w', 5, 6)],
  transfers: [],
  instances: [],
  links: [],
  energyBreakdownJ: {},
  energyJ: 0,
};
const pick = (): Candidate => ({ device: 'd0', target: 't', algorithm: 'x', latencyS: 1, energy: {}, energyJ: 0 });
const hbm = { id: 'hbm', capacityBytes: 1e6, attachedTo: ['d0'] };

describe('memoryUse with the KV cache', () => {
  // computed in each test, not while the file loads, so a broken replay fails the test
  const use = () => memoryUse(graph(), schedule, pick, [hbm])[0];

  it('the KV cache is what kv_read reads (its outputs, 128 B) plus what kv_write stores (its inputs, 64 B)', () => {
    expect(use()?.kvCacheBytes).toBe(128 + 64);
  });

  it('an op the schedule leaves out holds nothing: only q weights (128 B), not s (8 B)', () => {
    expect(use()?.weightsBytes).toBe(128);
  });

  it('KV ops hold no activations; q (64 B) lives 1..6, past its unscheduled consumer s, until w ends, so with u (32 B, 3..4) the peak is 96 B', () => {
    expect(use()?.activationPeakBytes).toBe(64 + 32);
    expect(use()?.peakBytes).toBe(128 + 192 + 96);
  });

  it('of a fused kernel, only the last member (here u, 32 B) writes an activation; the first (q, 64 B) keeps its output on chip', () => {
    const fused = (id: string): Candidate =>
      id === 'q' || id === 'u' ? { ...pick(), fusion: { id: 'k', index: id === 'q' ? 0 : 1, size: 2 } } : pick();
    expect(memoryUse(graph(), schedule, fused, [hbm])[0]?.activationPeakBytes).toBe(32);
  });

  it('when q last consumer ends before u starts, q and u never meet: the peak is 64 B', () => {
    const early: Schedule = { ...schedule, ops: [at('r', 0, 1), at('q', 1, 2), at('w', 2, 3), at('u', 3, 4)] };
    expect(memoryUse(graph(), early, pick, [hbm])[0]?.activationPeakBytes).toBe(64);
  });
});

describe('toChromeTrace when the schedule lists no instances or links', () => {
  const s: Schedule = {
    ...schedule,
    ops: [at('q', 1, 2, 'd0', 1), at('r', 0, 1, 'd0', 0), at('u', 3, 4, 'd0', 1)],
    transfers: [{ from: 'q', to: 'u', links: ['x', 'y'], bytes: 64, startS: 2, endS: 3, energyJ: 0 }],
  };
  const events = () => toChromeTrace(graph(), s).traceEvents;

  it('the process and each track are metadata events of process 1', () => {
    expect(events().slice(0, 3)).toEqual([
      { name: 'process_name', ph: 'M', pid: 1, tid: 0, args: { name: 'kv decode' } },
      { name: 'thread_name', ph: 'M', pid: 1, tid: 1, args: { name: 'd0#1' } },
      { name: 'thread_sort_index', ph: 'M', pid: 1, tid: 1, args: { sort_index: 1 } },
    ]);
  });

  it('makes a track the first time an event needs it, numbered in that order, its name and sort index just before', () => {
    expect(events().map((e) => [e.name, e.tid, e.ts ?? e.args?.name ?? e.args?.sort_index])).toEqual([
      ['process_name', 0, 'kv decode'],
      ['thread_name', 1, 'd0#1'],
      ['thread_sort_index', 1, 1],
      ['op-q', 1, 1e6],
      ['thread_name', 2, 'd0#0'],
      ['thread_sort_index', 2, 2],
      ['op-r', 2, 0],
      ['op-u', 1, 3e6],
      ['thread_name', 3, 'link x'],
      ['thread_sort_index', 3, 3],
      ['op-q -> op-u', 3, 2e6],
      ['thread_name', 4, 'link y'],
      ['thread_sort_index', 4, 4],
      ['op-q -> op-u', 4, 2e6],
    ]);
  });

  it('an op with a layer carries it; a single tile has no tile count', () => {
    expect(events().find((e) => e.name === 'op-q')?.args).toEqual({ id: 'q', layer: 3 });
  });
});
