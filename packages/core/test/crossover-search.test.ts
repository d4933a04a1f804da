import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bisect, crossover, scanPoints } from '../src/crossover.js';
import { generate } from '../src/generate.js';
import { rejection } from './fixtures.js';
import { BOTH, FAST, FAST_ONLY, freeLink, fusedTarget, LEAN, LEAN_ONLY, systemFile, toyRegistry, W } from './toy.js';

/*
 * crossover.ts: the geometric scan, integer bisection (against a brute-force
 * search), and crossover() on the toy machine (test/toy.ts), where a prefill
 * of S tokens takes 3 S W^2 x 1 ps on fast and 3 (S W^2 x 0.25 ps + X) on a
 * lean device whose per-layer overhead X is set to 0.75 ps x W^2 x 99.5:
 * lean is faster from S = 100 on, and always leaner (1 pJ per MAC against 4).
 */

describe('scanPoints: about n lengths, geometric, both ends', () => {
  it('round(lo (hi/lo)^(i/n)) for i = 1..n-1, with lo and hi, sorted and distinct', () => {
    expect(scanPoints(1, 16, 4)).toEqual([1, 2, 4, 8, 16]);
    expect(scanPoints(64, 4096, 3)).toEqual([64, 256, 1024, 4096]);
    expect(scanPoints(10, 12)).toEqual([10, 11, 12]);
    expect(scanPoints(5, 6, 1)).toEqual([5, 6]);
  });

  it('the default is 24 steps', () => {
    const pts = scanPoints(1, 1e6);
    expect(pts).toHaveLength(25);
    pts.slice(1, -1).forEach((x, i) => {
      expect(x).toBe(Math.round(10 ** ((6 * (i + 1)) / 24)));
    });
  });

  it('any range: within [lo, hi], strictly increasing, both ends present', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 1, max: 40 }), (a, d, n) => {
        const lo = a;
        const hi = a + d;
        const pts = scanPoints(lo, hi, n);
        expect(pts[0]).toBe(lo);
        expect(pts.at(-1)).toBe(hi);
        for (let i = 1; i < pts.length; i++) expect(pts[i]).toBeGreaterThan(pts[i - 1] as number);
        expect(pts.length).toBeLessThanOrEqual(n + 1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('bisect: the smallest x in (lo, hi] whose side differs from lo', () => {
  it('matches a brute-force search for every threshold, in about log2(hi - lo) probes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.nat(), async (lo, span, t0) => {
        const hi = lo + span;
        const t = lo + 1 + (t0 % span); // in (lo, hi]
        const probes: number[] = [];
        const side = async (x: number) => {
          probes.push(x);
          return x >= t ? 'B' : 'A';
        };
        let brute = lo + 1;
        while (brute < hi && (await side(brute)) === 'A') brute++;
        probes.length = 0;
        expect(await bisect(lo, hi, side, 'A')).toBe(brute);
        expect(probes.every((x) => x > lo && x < hi)).toBe(true);
        expect(probes.length).toBeLessThanOrEqual(Math.ceil(Math.log2(span)));
      }),
      { numRuns: 300 },
    );
  });

  it('adjacent ends: hi, with no probe', async () => {
    let calls = 0;
    expect(
      await bisect(
        4,
        5,
        async () => {
          calls++;
          return 1;
        },
        0,
      ),
    ).toBe(5);
    expect(calls).toBe(0);
  });
});

describe('crossover on the toy machine', () => {
  const X = 0.75e-12 * W * W * 99.5;
  const reg = toyRegistry();
  const fast = systemFile(FAST_ONLY);
  const lean = systemFile({ ...LEAN_ONLY, devices: [{ ...LEAN_ONLY.devices[0], params: { overheadS: X } }] });
  const both = systemFile({ ...BOTH, devices: [BOTH.devices[0], { ...BOTH.devices[1], params: { overheadS: X } }] });
  const fastS = (S: number) => 3 * S * W * W * FAST.spm;
  const leanS = (S: number) => 3 * (S * W * W * LEAN.spm + X);

  it('latency: fast is better up to 99, lean from 100; located exactly from the scan', async () => {
    const r = await crossover(reg, { model: 'toy-chain', systems: [fast, lean], metric: 'latency', range: [10, 1000] });
    expect(r.initialBetter).toBe(fast);
    expect(r.crossings).toEqual([{ seqLen: 100, better: lean }]);
    expect(r.scanned).toEqual(scanPoints(10, 1000));
    expect(r.range).toEqual([10, 1000]);
    expect([r.metric, r.systems, 'workload' in r]).toEqual(['latency', [fast, lean], false]);
    expect(r.curve.map((c) => c.seqLen)).toEqual(r.scanned);
    for (const c of r.curve) {
      expect(c.values[0]).toBeCloseTo(fastS(c.seqLen), 18);
      expect(c.values[1]).toBeCloseTo(leanS(c.seqLen), 18);
    }
    // fast alone: every op on its one device at every length
    expect(r.dispatch).toEqual(['fc0', 'fc1', 'fc2'].map((op) => ({ op, initial: 'f', changes: [] })));
  });

  it('the systems the other way round: the same crossing, lean better first when the range starts above it', async () => {
    const r = await crossover(reg, { model: 'toy-chain', systems: [lean, fast], metric: 'latency', range: [50, 200], scan: 4 });
    expect(r.scanned).toEqual(scanPoints(50, 200, 4));
    expect(r.initialBetter).toBe(fast);
    expect(r.crossings).toEqual([{ seqLen: 100, better: lean }]);
    const above = await crossover(reg, { model: 'toy-chain', systems: [fast, lean], metric: 'latency', range: [100, 400], scan: 2 });
    expect([above.initialBetter, above.crossings]).toEqual([lean, []]);
    // just below: 99 is fast's, 100 lean's
    const edge = await crossover(reg, { model: 'toy-chain', systems: [fast, lean], metric: 'latency', range: [99, 100], scan: 1 });
    expect([edge.initialBetter, edge.crossings]).toEqual([fast, [{ seqLen: 100, better: lean }]]);
  });

  it('energy: lean at every length (1 pJ per MAC against 4), no crossing; values are each compile energy', async () => {
    const r = await crossover(reg, { model: 'toy-chain', systems: [fast, lean], metric: 'energy', range: [10, 1000], scan: 3 });
    expect([r.initialBetter, r.crossings]).toEqual([lean, []]);
    for (const c of r.curve) {
      expect(c.values[0]).toBeCloseTo(3 * c.seqLen * W * W * FAST.jpm, 18);
      expect(c.values[1]).toBeCloseTo(3 * c.seqLen * W * W * LEAN.jpm, 18);
    }
  });

  it("the dispatch table: on fast + lean each layer's cheapest device changes at 100 (latency); energy is lean throughout", async () => {
    const r = await crossover(reg, { model: 'toy-chain', systems: [both, fast], metric: 'latency', range: [10, 1000] });
    // both holds fast's mapping, so it is never worse than fast alone: a tie keeps the first system
    expect([r.initialBetter, r.crossings]).toEqual([both, []]);
    expect(r.dispatch).toEqual(['fc0', 'fc1', 'fc2'].map((op) => ({ op, initial: 'f', changes: [{ seqLen: 100, device: 'l' }] })));
    const e = await crossover(reg, { model: 'toy-chain', systems: [both, fast], metric: 'energy', range: [10, 1000], scan: 4 });
    expect(e.dispatch).toEqual(['fc0', 'fc1', 'fc2'].map((op) => ({ op, initial: 'l', changes: [] })));
    // the leanest device is found wherever it is listed
    const leanFirst = systemFile({ ...BOTH, devices: [{ ...BOTH.devices[1], params: { overheadS: X } }, BOTH.devices[0]] });
    const e2 = await crossover(reg, { model: 'toy-chain', systems: [leanFirst, fast], metric: 'energy', range: [10, 20], scan: 1 });
    expect(e2.dispatch).toEqual(['fc0', 'fc1', 'fc2'].map((op) => ({ op, initial: 'l', changes: [] })));
    const e3 = await crossover(reg, { model: 'toy-chain', systems: [leanFirst, fast], metric: 'latency', range: [10, 20], scan: 1 });
    expect(e3.dispatch).toEqual(['fc0', 'fc1', 'fc2'].map((op) => ({ op, initial: 'f', changes: [] })));
  });

  it('the dispatch table compares single ops: a fused kernel (its later ops free) is no choice for one op', async () => {
    const fz = toyRegistry({ targets: [fusedTarget()] });
    const zl = systemFile({
      id: 'zl',
      devices: [
        { id: 'z', target: 'fused', count: 1 },
        { id: 'l', target: 'lean', count: 1, params: { overheadS: X } },
      ],
      links: [freeLink('z', 'l')],
    });
    const r = await crossover(fz, { model: 'toy-chain', systems: [zl, zl], metric: 'latency', range: [10, 1000], scan: 4 });
    // alone, a layer is fused's M ps against lean's M / 4 ps + X: lean from 100 on, fc1 included
    expect(r.dispatch).toEqual(['fc0', 'fc1', 'fc2'].map((op) => ({ op, initial: 'z', changes: [{ seqLen: 100, device: 'l' }] })));
  });

  it('system files are found from cwd', async () => {
    const cwd = path.dirname(both);
    const r = await crossover(reg, {
      model: 'toy-chain',
      systems: [path.basename(both), path.relative(cwd, fast)],
      metric: 'latency',
      range: [99, 100],
      scan: 1,
      cwd,
    });
    expect(r.dispatch).toEqual(['fc0', 'fc1', 'fc2'].map((op) => ({ op, initial: 'f', changes: [{ seqLen: 100, device: 'l' }] })));
  });

  it.each([
    [[0, 10], '--range needs 1 <= START < STOP (got 0:10)'],
    [[10, 10], '--range needs 1 <= START < STOP (got 10:10)'],
    [[10, 5], '--range needs 1 <= START < STOP (got 10:5)'],
  ] as const)('refuses the range %o', async (range, message) => {
    const e = await rejection(crossover(reg, { model: 'toy-chain', systems: [fast, lean], metric: 'latency', range }));
    expect([e.message, e.exitCode]).toEqual([message, 2]);
  });

  it('the ends of the range are checked against the model before any compile', async () => {
    const e = await rejection(crossover(reg, { model: 'toy-chain', systems: [fast, lean], metric: 'latency', range: [1, 2], batch: 0 }));
    expect([e.code, e.message]).toEqual(['E_LENGTH_REFUSED', '--batch must be a positive integer (got 0)']);
  });

  it('a generate workload: each length is an output length, valued as the whole request; no dispatch table', async () => {
    const workload = { kind: 'generate', promptLen: 4 } as const;
    const r = await crossover(reg, { model: 'toy-chain', systems: [fast, lean], metric: 'latency', range: [1, 3], scan: 2, workload });
    expect(r.workload).toEqual(workload);
    expect(r.dispatch).toEqual([]);
    expect(r.scanned).toEqual([1, 2, 3]);
    for (const c of r.curve) {
      const [a, b] = await Promise.all(
        [fast, lean].map((system) =>
          generate(reg, { model: 'toy-chain', system, objective: 'latency', promptLen: 4, outputLen: c.seqLen }),
        ),
      );
      expect(c.values).toEqual([a?.endToEndS, b?.endToEndS]);
    }
    const en = await crossover(reg, { model: 'toy-chain', systems: [fast, lean], metric: 'energy', range: [1, 2], scan: 1, workload });
    const g = await generate(reg, { model: 'toy-chain', system: lean, objective: 'energy', promptLen: 4, outputLen: 2 });
    expect(en.curve[1]?.values[1]).toBe(g.energy.requestJ);
  });
});
