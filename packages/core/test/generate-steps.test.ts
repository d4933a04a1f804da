import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type GenerateResult, generate } from '../src/generate.js';
import { rejection } from './fixtures.js';
import { BOTH, FAST, FAST_ONLY, LEAN, macTarget, systemFile, toyRegistry, W } from './toy.js';

/*
 * generate() on the toy machine (test/toy.ts), where every step has a closed
 * form: on the fast device alone a decode step at KV length K costs
 *   latency(K) = 2 B K W spb + B W K spm + 3 B W^2 spm,  energy(K) = (B W K + 3 B W^2) jpm,
 * and the prefill of S tokens 3 B S W^2 spm seconds, 3 B S W^2 jpm joules.
 * The request is summed here step by step, by brute force, and compared.
 */

const F = { spm: FAST.spm, jpm: FAST.jpm, spb: 1e-15 };
const stepS = (K: number, B = 1) => 2 * B * K * W * F.spb + B * W * K * F.spm + 3 * B * W * W * F.spm;
const stepJ = (K: number, B = 1) => (B * W * K + 3 * B * W * W) * F.jpm;
const prefillS = (S: number, B = 1) => 3 * B * S * W * W * F.spm;
const prefillJ = (S: number, B = 1) => 3 * B * S * W * W * F.jpm;
const sum = (from: number, to: number, f: (k: number) => number) => {
  let s = 0;
  for (let k = from; k <= to; k++) s += f(k);
  return s;
};
/** Equal to a relative 1e-9 (the free link's transfers are ~1e-6 of a step, and absent on one device). */
const near = (got: number, want: number, rel = 1e-9) => expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want));

describe('a request on one device: every step linear in K, so three decode compiles and the exact sum', () => {
  const reg = toyRegistry();
  const system = systemFile(FAST_ONLY);
  const P = 8;
  const N = 40;
  let r: GenerateResult;
  // before each test, not once for all: the code under test then runs inside each test that checks it, as
  // mutation testing's per-test coverage needs (run once, outside any test, its mutants would rerun every test)
  beforeEach(async () => {
    r = await generate(reg, { model: 'toy-chain', system, promptLen: P, outputLen: N });
  });

  it('end to end = prefill(P) + sum over K = P..P+N-1 of latency(K)', () => {
    near(r.prefill.latencyS, prefillS(P));
    near(r.endToEndS, prefillS(P) + sum(P, P + N - 1, (k) => stepS(k)));
  });

  it('TTFT = prefill + latency(P); TPOT mean over the other N - 1 steps, first latency(P+1), last latency(P+N-1)', () => {
    near(r.ttftS, prefillS(P) + stepS(P));
    near(r.tpot.meanS as number, sum(P + 1, P + N - 1, (k) => stepS(k)) / (N - 1));
    near(r.tpot.firstS as number, stepS(P + 1));
    near(r.tpot.lastS as number, stepS(P + N - 1));
  });

  it('tokens per second = B N / end to end; energy per output token = request energy / (B N)', () => {
    near(r.tokensPerS, N / r.endToEndS);
    const requestJ = prefillJ(P) + sum(P, P + N - 1, (k) => stepJ(k));
    near(r.energy.requestJ, requestJ);
    near(r.energy.perOutputTokenJ, requestJ / N);
    near(r.energy.byPhase.prefillJ, prefillJ(P));
    near(
      r.energy.byPhase.decodeJ,
      sum(P, P + N - 1, (k) => stepJ(k)),
    );
    expect(Object.keys(r.energy.byKind).sort()).toEqual(['compute', 'static']);
    near(r.energy.byKind.compute as number, requestJ);
    expect(r.energy.byKind.static).toBe(0);
  });

  it('compiles: the prefill, the ends and the middle of [P, P+N-1], and P+1 for the first TPOT', () => {
    expect(r.points.map((p) => p.kvLen)).toEqual([P, Math.floor((2 * P + N - 1) / 2), P + N - 1]);
    expect(r.compiles).toBe(5);
    for (const p of r.points) {
      near(p.latencyS, stepS(p.kvLen));
      near(p.energyJ, stepJ(p.kvLen));
      expect([p.status, p.opsPerDevice]).toEqual(['optimal', { f: 5 }]);
    }
  });

  it('one regime over every step; no change; the request echoed', () => {
    expect(r.regimes).toEqual([
      { fromKv: P, toKv: P + N - 1, opsPerDevice: { f: 5 }, devices: { kv: 'f', att: 'f', fc0: 'f', fc1: 'f', fc2: 'f' } },
    ]);
    expect(r.changes).toEqual([]);
    expect([r.promptLen, r.outputLen, r.batch, r.objective]).toEqual([P, N, 1, 'latency']);
    expect(r.model).toMatchObject({ id: 'toy-chain', phase: 'prefill', seqLen: P, batch: 1 });
    expect(r.system.id).toBe('fast-only');
    expect(r.prefill).toMatchObject({ status: 'optimal', opsPerDevice: { f: 3 }, devices: { fc0: 'f', fc1: 'f', fc2: 'f' } });
    near(r.prefill.energyJ, prefillJ(P));
    expect(r.memories).toEqual([]);
  });
});

describe('batch, a single output token, and bad lengths', () => {
  const reg = toyRegistry();
  const system = systemFile(FAST_ONLY);

  it('batch 3: every cost x3 in MACs; tokens per second counts every sequence', async () => {
    const r = await generate(reg, { model: 'toy-chain', system, promptLen: 16, outputLen: 5, batch: 3 });
    near(r.endToEndS, prefillS(16, 3) + sum(16, 20, (k) => stepS(k, 3)));
    near(r.tokensPerS, (3 * 5) / r.endToEndS);
    near(r.energy.perOutputTokenJ, r.energy.requestJ / 15);
    expect(r.batch).toBe(3);
  });

  it('one output token: one decode step, no TPOT, two compiles', async () => {
    const r = await generate(reg, { model: 'toy-chain', system, promptLen: 16, outputLen: 1 });
    expect(r.tpot).toEqual({ meanS: null, firstS: null, lastS: null });
    expect(r.compiles).toBe(2);
    near(r.endToEndS, prefillS(16) + stepS(16));
    near(r.ttftS, r.endToEndS);
    expect(r.regimes).toEqual([expect.objectContaining({ fromKv: 16, toKv: 16 })]);
  });

  it('two output tokens: both steps summed (an interval of two), TPOT the second step', async () => {
    const r = await generate(reg, { model: 'toy-chain', system, promptLen: 16, outputLen: 2 });
    near(r.endToEndS, prefillS(16) + stepS(16) + stepS(17));
    near(r.tpot.meanS as number, stepS(17));
    expect(r.compiles).toBe(3);
  });

  it('three output tokens: ends and middle compiled, summed as a line', async () => {
    const r = await generate(reg, { model: 'toy-chain', system, promptLen: 16, outputLen: 3 });
    near(r.endToEndS, prefillS(16) + stepS(16) + stepS(17) + stepS(18));
    expect(r.points.map((p) => p.kvLen)).toEqual([16, 17, 18]);
    expect(r.compiles).toBe(4);
  });

  it.each([
    [{ promptLen: 0, outputLen: 4 }, '--prompt-len must be a positive integer (got 0)'],
    [{ promptLen: 1.5, outputLen: 4 }, '--prompt-len must be a positive integer (got 1.5)'],
    [{ promptLen: 4, outputLen: 0 }, '--output-len must be a positive integer (got 0)'],
    [{ promptLen: 4, outputLen: -3 }, '--output-len must be a positive integer (got -3)'],
  ])('refuses %o', async (lens, message) => {
    const e = await rejection(generate(reg, { model: 'toy-chain', system, ...lens }));
    expect([e.message, e.exitCode]).toEqual([message, 2]);
  });

  it('a prompt of one token is allowed', async () => {
    const r = await generate(reg, { model: 'toy-chain', system, promptLen: 1, outputLen: 1 });
    near(r.endToEndS, prefillS(1) + stepS(1));
  });
});

describe('a mapping change: att moves to the lean device from K = 101', () => {
  // lean: att at K costs 0.25 ps x W K + 4.824 ns, below fast's 1 ps x W K from K > 4.824 ns / (0.75 ps x 64) = 100.5
  const reg = toyRegistry();
  const system = systemFile(BOTH);
  const P = 90;
  const N = 20;
  const leanAtt = (K: number) => LEAN.spm * W * K + (LEAN.overheadS as number);
  const step = (K: number) => (K < 101 ? stepS(K) : stepS(K) - W * K * F.spm + leanAtt(K));
  const lean = { spm: LEAN.spm, jpm: LEAN.jpm, o: LEAN.overheadS as number };
  let fast: GenerateResult;
  let every: GenerateResult;
  // before each test, not once for all: the code under test then runs inside each test that checks it, as
  // mutation testing's per-test coverage needs (run once, outside any test, its mutants would rerun every test)
  beforeEach(async () => {
    fast = await generate(reg, { model: 'toy-chain', system, promptLen: P, outputLen: N });
    every = await generate(reg, { model: 'toy-chain', system, promptLen: P, outputLen: N, everyStep: true });
  });

  it('the change is located to the token, and the regimes tile the steps', () => {
    for (const r of [fast, every]) {
      expect(r.changes).toEqual([101]);
      expect(r.regimes).toEqual([
        { fromKv: P, toKv: 100, opsPerDevice: { f: 5, l: 0 }, devices: { kv: 'f', att: 'f', fc0: 'f', fc1: 'f', fc2: 'f' } },
        { fromKv: 101, toKv: P + N - 1, opsPerDevice: { f: 4, l: 1 }, devices: { kv: 'f', att: 'l', fc0: 'f', fc1: 'f', fc2: 'f' } },
      ]);
    }
  });

  it('the sum is exact either way: prefill (every fc on lean at 90 tokens) plus each step at its own mapping', () => {
    const prefill = 3 * (lean.spm * P * W * W + lean.o);
    for (const r of [fast, every]) {
      near(r.prefill.latencyS, prefill);
      near(r.endToEndS, prefill + sum(P, P + N - 1, step), 1e-6);
    }
    near(fast.endToEndS, every.endToEndS, 1e-12);
    near(fast.energy.requestJ, every.energy.requestJ, 1e-12);
  });

  it('every step compiles each decode step once; the bisection compiles fewer', () => {
    expect(every.compiles).toBe(1 + N);
    expect(every.points.map((p) => p.kvLen)).toEqual(Array.from({ length: N }, (_, i) => P + i));
    // [90,109] splits at 99: [90,99] is a line (90, 94, 99); [100,109] splits at 104, [100,104] at 102, [100,102] at 101;
    // [105,109] is a line (105, 107, 109): 90 94 99 100 101 102 103 104 105 107 109, and 91 for the first TPOT
    expect(fast.points.map((p) => p.kvLen)).toEqual([90, 94, 99, 100, 101, 102, 103, 104, 105, 107, 109]);
    expect(fast.compiles).toBe(1 + 11 + 1);
  });
});

describe('the tolerance: a step cost curved in K is split until the middle is on the line', () => {
  // fast with 2.46e-14 s per K^2 on att: the line through [P, P+N-1] misses the middle by q ((b - a) / 2)^2
  const q = 2.46e-14;
  const reg = toyRegistry({ targets: [macTarget('curved', { ...FAST, spb: 1e-15, spk2: q })] });
  const system = systemFile({ id: 'curved', devices: [{ id: 'c', target: 'curved', preset: 'base', count: 1 }] });
  const P = 8;
  const N = 40;
  const step = (K: number) => stepS(K) + q * K * K;
  const exact = prefillS(P) + sum(P, P + N - 1, step);

  it('the middle of [8, 47] is off the line by q x 19.5^2, about 5e-4 of a step: the default 1e-3 sums it as a line', async () => {
    const m = 27;
    const line = step(8) + ((step(47) - step(8)) * (m - 8)) / (47 - 8);
    const off = Math.abs(step(m) - line) / step(m);
    expect(off).toBeGreaterThan(1e-4);
    expect(off).toBeLessThan(1e-3);
    const r = await generate(reg, { model: 'toy-chain', system, promptLen: P, outputLen: N });
    expect(r.compiles).toBe(5);
    expect(Math.abs(r.endToEndS - exact)).toBeGreaterThan(0);
    expect(Math.abs(r.endToEndS - exact)).toBeLessThanOrEqual(1e-3 * exact);
  });

  it('a tolerance of 1e-4 splits further and lands closer', async () => {
    const loose = await generate(reg, { model: 'toy-chain', system, promptLen: P, outputLen: N });
    const tight = await generate(reg, { model: 'toy-chain', system, promptLen: P, outputLen: N, tolerance: 1e-4 });
    expect(tight.compiles).toBeGreaterThan(loose.compiles);
    expect(Math.abs(tight.endToEndS - exact)).toBeLessThan(Math.abs(loose.endToEndS - exact));
    expect(Math.abs(tight.endToEndS - exact)).toBeLessThanOrEqual(1e-4 * exact);
  });

  it('a tolerance of 0 compiles every step: the brute-force sum', async () => {
    const r = await generate(reg, { model: 'toy-chain', system, promptLen: P, outputLen: N, tolerance: 0 });
    expect(r.compiles).toBe(1 + N);
    near(r.endToEndS, exact);
  });
});

describe('an interval whose ends map differently is split even when its middle is near the line', () => {
  // [90, 101]: 90 on fast, 101 with att on lean; the middle, 95, lies within 1e-3 of the line through them,
  // but a line through two mappings is not summed: the change is located and each side summed on its own
  it('P = 90, N = 12: the exact sum, and the change at 101', async () => {
    const reg = toyRegistry();
    const r = await generate(reg, { model: 'toy-chain', system: systemFile(BOTH), promptLen: 90, outputLen: 12 });
    const leanAtt = (K: number) => LEAN.spm * W * K + (LEAN.overheadS as number);
    const step = (K: number) => (K < 101 ? stepS(K) : stepS(K) - W * K * F.spm + leanAtt(K));
    const prefill = 3 * (LEAN.spm * 90 * W * W + (LEAN.overheadS as number));
    near(r.endToEndS, prefill + sum(90, 101, step), 1e-6);
    expect(r.changes).toEqual([101]);
  });
});

describe('the tolerance is inclusive: a middle exactly on the line is summed as one at tolerance 0', () => {
  // costs in whole multiples of 2^-40 s and J are exact in binary: the middle is exactly on the line
  const q = 2 ** -40;
  const reg = toyRegistry({ targets: [macTarget('exact', { spm: q, jpm: q, spb: 0 })] });
  const system = systemFile({ id: 'exact', devices: [{ id: 'e', target: 'exact', preset: 'base', count: 1 }] });

  it('P = 8, N = 41: the ends and the middle only, and the exact sum', async () => {
    const r = await generate(reg, { model: 'toy-chain', system, promptLen: 8, outputLen: 41, tolerance: 0 });
    expect(r.points.map((p) => p.kvLen)).toEqual([8, 28, 48]);
    expect(r.compiles).toBe(5);
    expect(r.endToEndS).toBe(3 * 8 * W * W * q + sum(8, 48, (K) => (W * K + 3 * W * W) * q));
  });
});

describe('files are found from the request folder', () => {
  it('a relative system file is read from cwd', async () => {
    const file = systemFile(FAST_ONLY, 'rel.json');
    const r = await generate(toyRegistry(), {
      model: 'toy-chain',
      system: 'rel.json',
      cwd: path.dirname(file),
      promptLen: 4,
      outputLen: 1,
    });
    near(r.endToEndS, prefillS(4) + stepS(4));
  });
});
