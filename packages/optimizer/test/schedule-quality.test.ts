import type { StackedGraph } from '@lightcode/ir';
import {
  candidateOf,
  dynamicEnergyJ,
  evaluateSelection,
  heftMakespan,
  heftOrder,
  makeSelection,
  optimize,
  planSelection,
  staticPowerW,
  wholeGraphSegment,
} from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MultiCand, type MultiCase, multiCase, multiRoute, stackedFromMulti } from './random-multi.js';
import { allChoices, trueOptimum } from './random-stacked.js';

/*
 * Schedule quality, not only validity: on tiled ops, chains and independent
 * ops the makespan equals its closed form (an upper bound as well as a lower
 * one), and on random cases with three or four device classes and routes
 * over several links every schedule lies between the lower bounds and the
 * serial upper bound, and the optimum matches a brute force over schedules.
 */

/** A case with one candidate per op on the given class, no static power, line links of 1 s fixed + 1 s/kB. */
function fixed(
  ops: readonly MultiCand[],
  edges: readonly (readonly [number, number, number])[],
  counts: readonly number[],
  topology: MultiCase['topology'] = 'line',
): StackedGraph {
  return stackedFromMulti({
    n: ops.length,
    edges,
    cands: ops.map((c) => [c]),
    counts,
    staticW: counts.map(() => 0),
    topology,
    links: counts.slice(1).map(() => [1, 1, 1] as const),
  });
}

/** The plan of the only selection of a one-candidate case (the simulator's tests replay such plans). */
function scheduleOf(sg: StackedGraph) {
  const choice = new Map([...sg.candidates.keys()].map((id) => [id, 0]));
  const plan = planSelection(sg, (id) => candidateOf(sg, choice, id));
  expect(Math.max(0, ...plan.ops.map((o) => o.endS))).toBeCloseTo(plan.makespanS, 12);
  return { plan, makespanS: plan.makespanS };
}

describe('tiled ops: makespan = latency x ceil(P / min(P, n)) / P', () => {
  it('one op of P parts on n instances, for P = 1..8 and n = 1..5', () => {
    for (let parts = 1; parts <= 8; parts++) {
      for (let n = 1; n <= 5; n++) {
        const { plan, makespanS } = scheduleOf(fixed([[0, 12, 1, parts]], [], [n, 1, 1]));
        const width = Math.min(parts, n);
        expect(makespanS, `${parts} parts on ${n}`).toBeCloseTo((12 * Math.ceil(parts / width)) / parts, 12);
        const op = plan.ops[0];
        // as few instances as reach that end, every tile starting together
        const fewest = [...Array(width).keys()].map((k) => k + 1).find((k) => Math.ceil(parts / k) === Math.ceil(parts / width));
        expect(op?.tiles.length, `${parts} parts on ${n}`).toBe(fewest);
        expect(new Set(op?.tiles.map((t) => t.startS))).toEqual(new Set([0]));
        expect(op?.tiles.reduce((s, t) => s + t.endS - t.startS, 0)).toBeCloseTo(12, 12);
      }
    }
  });

  it('3 parts on 3 instances end at a third of the latency, not two thirds', () => {
    expect(scheduleOf(fixed([[0, 9, 1, 3]], [], [3, 1, 1])).makespanS).toBeCloseTo(3, 12);
  });

  it('a tiled op between two others: entry + tiled span + exit, on three classes (no bytes move)', () => {
    const sg = fixed(
      [
        [1, 2, 1],
        [0, 12, 1, 4],
        [2, 5, 1],
      ],
      [
        [0, 1, 0],
        [1, 2, 0],
      ],
      [2, 1, 1],
    );
    expect(scheduleOf(sg).makespanS).toBeCloseTo(2 + 12 / 2 + 5, 12);
  });

  it('a tiled op waits for the instances it needs only when that ends it sooner', () => {
    // instance 0 is busy with a 10 s op; a 4-part op of 8 s: on the one free instance it ends at 8, on both at 10 + 4 = 14
    const sg = fixed(
      [
        [0, 1, 1],
        [0, 10, 1],
        [0, 8, 1, 4],
        [0, 1, 1],
      ],
      [
        [0, 1, 0],
        [0, 2, 0],
        [1, 3, 0],
        [2, 3, 0],
      ],
      [2, 1, 1],
    );
    const { plan, makespanS } = scheduleOf(sg);
    expect(makespanS).toBeCloseTo(1 + 10 + 1, 12);
    expect(plan.ops.find((o) => o.id === 'o2')?.tiles.length).toBe(1);
  });
});

describe('chains: makespan = sum of latencies + sum of transfers over their routes', () => {
  it('three classes in a line: d0 -> d2 crosses two links, d2 -> d1 one', () => {
    const sg = fixed(
      [
        [0, 3, 1],
        [2, 4, 1],
        [1, 5, 1],
      ],
      [
        [0, 1, 1000],
        [1, 2, 2000],
      ],
      [1, 1, 1],
    );
    // each link: 1 s + 1 s per kB; d0 -> d2 over l0 and l1: 2 x (1 + 1); d2 -> d1 over l1: 1 + 2
    const { plan, makespanS } = scheduleOf(sg);
    expect(makespanS).toBeCloseTo(3 + 4 + 4 + 5 + 3, 12);
    expect(plan.transfers.map((t) => [t.from, t.to, t.links])).toEqual([
      ['o0', 'o1', ['l0', 'l1']],
      ['o1', 'o2', ['l1']],
    ]);
    // each op is its own segment: times are absolute, each window starting where the last ended
    expect(plan.ops.map((o) => [o.id, o.startS, o.endS, o.tiles.map((t) => [t.instance, t.startS, t.endS])])).toEqual([
      ['o0', 0, 3, [[0, 0, 3]]],
      ['o1', 7, 11, [[0, 7, 11]]],
      ['o2', 14, 19, [[0, 14, 19]]],
    ]);
    expect(plan.transfers.map((t) => [t.startS, t.endS, t.bytes])).toEqual([
      [3, 7, 1000],
      [11, 14, 2000],
    ]);
    expect(plan.windows.reduce((s, w) => s + w.makespanS, 0)).toBeCloseTo(plan.makespanS, 12);
    expect(plan.windows.every((w, i) => i === 0 || w.startS >= (plan.windows[i - 1]?.startS ?? 0))).toBe(true);
  });

  it('random chains over 3-4 classes, line or star (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 4 }),
        fc.constantFrom('line' as const, 'star' as const),
        fc.array(fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 50 })), { minLength: 2, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 5, maxLength: 5 }),
        (classes, topology, chain, bytes) => {
          const ops = chain.map(([d, lat]) => [d % classes, lat, 1] as const);
          const edges = ops.slice(1).map((_, i) => [i, i + 1, bytes[i] as number] as const);
          const sg = fixed(ops, edges, Array(classes).fill(1), topology);
          let expected = ops.reduce((s, o) => s + o[1], 0);
          for (const [a, b, by] of edges) {
            const hops = multiRoute(topology, (ops[a] as MultiCand)[0], (ops[b] as MultiCand)[0]).length;
            expected += hops * (1 + by / 1000);
          }
          expect(scheduleOf(sg).makespanS).toBeCloseTo(expected, 9);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('independent ops: makespan = entry + max over classes of ceil(m / n) x latency + exit', () => {
  it('m equal ops on n instances of one class, between an entry and an exit (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }), (m, n, lat) => {
        const ops: MultiCand[] = [[0, 2, 1], ...Array.from({ length: m }, () => [0, lat, 1] as const), [0, 3, 1]];
        const edges = Array.from({ length: m }, (_, i) => [
          [0, i + 1, 8],
          [i + 1, m + 1, 8],
        ]).flat() as [number, number, number][];
        expect(scheduleOf(fixed(ops, edges, [n, 1, 1])).makespanS).toBeCloseTo(2 + Math.ceil(m / n) * lat + 3, 9);
      }),
      { numRuns: 150 },
    );
  });

  it('ops spread over three classes, moving no bytes: the slowest class decides', () => {
    // d0: 5 ops of 4 s on 2 instances -> 12; d1: 2 ops of 7 s on 1 -> 14; d2: 3 ops of 3 s on 3 -> 3
    const inner: MultiCand[] = [
      ...Array.from({ length: 5 }, () => [0, 4, 1] as const),
      ...Array.from({ length: 2 }, () => [1, 7, 1] as const),
      ...Array.from({ length: 3 }, () => [2, 3, 1] as const),
    ];
    const ops: MultiCand[] = [[0, 1, 1], ...inner, [0, 1, 1]];
    const edges = inner.flatMap((_, i) => [[0, i + 1, 0] as const, [i + 1, inner.length + 1, 0] as const]);
    expect(scheduleOf(fixed(ops, edges, [2, 1, 3])).makespanS).toBeCloseTo(1 + 14 + 1, 12);
  });

  it('transfers that share a link go one after another: k equal transfers take k x their time on it', () => {
    // entry on d0 fans out to k ops on d1 (enough instances), each input 1 kB over l0 (1 + 1 s); exit on d1
    for (let k = 1; k <= 4; k++) {
      const ops: MultiCand[] = [[0, 1, 1], ...Array.from({ length: k }, () => [1, 5, 1] as const), [1, 1, 1]];
      const edges = Array.from({ length: k }, (_, i) => [
        [0, i + 1, 1000],
        [i + 1, k + 1, 0],
      ]).flat() as [number, number, number][];
      const { plan, makespanS } = scheduleOf(fixed(ops, edges, [1, k, 1]));
      expect(makespanS, `${k} transfers`).toBeCloseTo(1 + k * 2 + 5 + 1, 12);
      expect(plan.transfers).toHaveLength(k);
    }
  });

  it('a transfer over two links blocks both: d0 -> d2 and d1 -> d2 share l1 in a line', () => {
    // a 1 kB transfer takes 1 + 1 s per link: 4 s from d0 to d2 (l0 and l1), 2 s from d0 to d1 (l0) or d1 to d2 (l1)
    const sg = fixed(
      [
        [0, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
        [2, 1, 1],
      ],
      [
        [0, 1, 0],
        [0, 2, 1000],
        [1, 3, 1000],
        [2, 3, 1000],
      ],
      [2, 1, 1],
    );
    const { plan, makespanS } = scheduleOf(sg);
    // o0 ends at 1, o1 at 2. l0 carries o0 -> o2 (2 s) and o1 -> o3 (4 s, with l1); l1 carries o1 -> o3 and o2 -> o3 (2 s).
    // o0 -> o2 on l0 from 1 to 3, o2 from 3 to 4; o1 -> o3 on l0 + l1 from 3 to 7; o2 -> o3 on l1 from 7 to 9; o3 from 9 to 10.
    // Every other order is longer: o1 -> o3 first (2 to 6) delays o0 -> o2 to 6, o2 to 9, its transfer to 11;
    // o2 -> o3 first on l1 (4 to 6) delays o1 -> o3 to 6..10.
    expect(makespanS).toBeCloseTo(10, 12);
    for (const l of ['l0', 'l1']) {
      const spans = plan.transfers.filter((t) => t.links.includes(l)).sort((a, b) => a.startS - b.startS);
      for (let i = 1; i < spans.length; i++)
        expect((spans[i] as { startS: number }).startS).toBeGreaterThanOrEqual((spans[i - 1] as { endS: number }).endS - 1e-12);
    }
  });
});

/** Lower bounds every schedule of a selection meets, recomputed here: critical path, load over instances, link occupancy. */
function lowerBound(sg: StackedGraph, choice: Map<string, number>): number {
  const g = sg.graph;
  const finish = new Map<string, number>();
  let cp = 0;
  for (const id of g.topologicalOrder()) {
    const c = candidateOf(sg, choice, id);
    let ready = 0;
    for (const p of g.predecessors(id)) {
      const pc = candidateOf(sg, choice, p);
      ready = Math.max(ready, (finish.get(p) as number) + sg.transfer(pc.device, c.device, g.edge(p, id)?.bytes ?? 0).latencyS);
    }
    const n = sg.devices.find((d) => d.id === c.device)?.count ?? 1;
    const parts = c.parts ?? 1;
    finish.set(id, ready + (c.latencyS * Math.ceil(parts / Math.min(parts, n))) / parts);
    cp = Math.max(cp, finish.get(id) as number);
  }
  const load = new Map<string, number>();
  for (const op of g.ops()) {
    const c = candidateOf(sg, choice, op.id);
    load.set(c.device, (load.get(c.device) ?? 0) + c.latencyS);
  }
  const onLink = new Map<string, number>();
  for (const e of g.edges()) {
    const [a, b] = [candidateOf(sg, choice, e.from).device, candidateOf(sg, choice, e.to).device];
    for (const l of sg.route(a, b)) onLink.set(l, (onLink.get(l) ?? 0) + sg.transfer(a, b, e.bytes).latencyS);
  }
  return Math.max(cp, ...sg.devices.map((d) => (load.get(d.id) ?? 0) / d.count), ...onLink.values());
}

/** Everything one after another: every op and every transfer on its own. No list schedule is longer. */
function serialUpperBound(sg: StackedGraph, choice: Map<string, number>): number {
  let total = 0;
  for (const op of sg.graph.ops()) total += candidateOf(sg, choice, op.id).latencyS;
  for (const e of sg.graph.edges()) {
    total += sg.transfer(candidateOf(sg, choice, e.from).device, candidateOf(sg, choice, e.to).device, e.bytes).latencyS;
  }
  return total;
}

describe('random cases with 3-4 device classes and routes over several links', () => {
  it('every selection: the plan lies between the lower bounds and the serial schedule; transfers hold their whole route (property)', () => {
    fc.assert(
      fc.property(multiCase, (c) => {
        const sg = stackedFromMulti(c);
        for (const choice of allChoices(sg)) {
          const pick = (id: string) => candidateOf(sg, choice, id);
          const plan = planSelection(sg, pick);
          expect(plan.makespanS).toBeGreaterThanOrEqual(lowerBound(sg, choice) * (1 - 1e-9));
          expect(plan.makespanS).toBeLessThanOrEqual(serialUpperBound(sg, choice) * (1 + 1e-9));
          expect(evaluateSelection(sg, choice).energyJ).toBeCloseTo(dynamicEnergyJ(sg, choice) + staticPowerW(sg) * plan.makespanS, 9);
          for (const t of plan.transfers) {
            const from = pick(t.from).device;
            const to = pick(t.to).device;
            expect(t.links).toEqual(sg.route(from, to));
            expect(t.endS - t.startS).toBeCloseTo(sg.transfer(from, to, t.bytes).latencyS, 9);
          }
          // no link carries two transfers at once
          for (const l of sg.links) {
            const spans = plan.transfers.filter((t) => t.links.includes(l) && t.endS > t.startS).sort((a, b) => a.startS - b.startS);
            for (let i = 1; i < spans.length; i++) {
              expect((spans[i] as { startS: number }).startS).toBeGreaterThanOrEqual((spans[i - 1] as { endS: number }).endS - 1e-9);
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the latency optimum matches the brute force over selections and their shortest schedules, where that is proven (property)', async () => {
    await fc.assert(
      fc.asyncProperty(multiCase, async (c) => {
        const sg = stackedFromMulti(c);
        const r = await optimize(sg, { objective: 'latency' });
        const truth = trueOptimum(sg, 'latency');
        const best = Math.min(...[...allChoices(sg)].map((ch) => evaluateSelection(sg, ch).latencyS));
        // never worse than any selection's own schedule
        expect(r.selection.latencyS).toBeLessThanOrEqual(best * (1 + 1e-9));
        if (truth !== undefined) {
          expect(r.selection.latencyS).toBeGreaterThanOrEqual(truth * (1 - 1e-9));
          if (r.selection.status === 'optimal') expect(r.selection.latencyS).toBeLessThanOrEqual(truth * (1 + 1e-5));
          if (r.selection.bound !== undefined) expect(r.selection.bound).toBeLessThanOrEqual(truth * (1 + 1e-9));
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('bounds are never clamped into agreement', () => {
  const sg = fixed(
    [
      [0, 3, 1],
      [2, 4, 1],
    ],
    [[0, 1, 1000]],
    [1, 1, 1],
  );
  const choice = new Map([
    ['o0', 0],
    ['o1', 0],
  ]);

  it('a lower bound above the schedule it bounds is an error, not a gap of 0', () => {
    const value = evaluateSelection(sg, choice).latencyS;
    expect(value).toBeCloseTo(3 + 4 + 4, 12);
    expect(() => makeSelection(sg, choice, 'latency', 'test', value * 1.01)).toThrow(/lower bound .* is above the value/);
  });

  it('a bound within the solvers tolerance proves the schedule optimal, reported as its value; a lower one leaves the gap', () => {
    const value = evaluateSelection(sg, choice).latencyS;
    const tight = makeSelection(sg, choice, 'latency', 'test', value * (1 + 1e-6));
    expect(tight.status).toBe('optimal');
    expect(tight.bound).toBe(value);
    const loose = makeSelection(sg, choice, 'latency', 'test', value / 2);
    expect(loose.status).toBe('feasible');
    expect(loose.bound).toBe(value / 2);
  });
});

describe("HEFT's order: ready ops by upward rank", () => {
  it('longest remaining chain first, ties by position; its makespan is the list schedule of that order', () => {
    // o0 fans out to o1 (2 s, then o3: 5 s) and o2 (4 s, then nothing), all on one instance of d0
    const sg = fixed(
      [
        [0, 1, 1],
        [0, 2, 1],
        [0, 4, 1],
        [0, 5, 1],
      ],
      [
        [0, 1, 0],
        [0, 2, 0],
        [1, 3, 0],
      ],
      [1, 1, 1],
    );
    const seg = wholeGraphSegment(sg);
    const cands = seg.ops.map((id) => candidateOf(sg, new Map([...sg.candidates.keys()].map((k) => [k, 0])), id));
    // upward ranks: o3 5, o1 2 + 5 = 7, o2 4, o0 1 + 7 = 8; once o1 is done, o3 (5) outranks o2 (4)
    expect(heftOrder(sg, seg, cands).map((i) => seg.ops[i])).toEqual(['o0', 'o1', 'o3', 'o2']);
    expect(heftMakespan(sg, seg, cands)).toBe(12);
    // o2 on d1 (6 s) behind a 1 kB edge (2 s): ranks o3 5, o1 7, o2 6, o0 1 + max(7, 2 + 6) = 9
    const moved = fixed(
      [
        [0, 1, 1],
        [0, 2, 1],
        [1, 6, 1],
        [0, 5, 1],
      ],
      [
        [0, 1, 0],
        [0, 2, 1000],
        [1, 3, 0],
      ],
      [1, 1, 1],
    );
    const seg2 = wholeGraphSegment(moved);
    const c2 = seg2.ops.map((id) => candidateOf(moved, new Map([...moved.candidates.keys()].map((k) => [k, 0])), id));
    // o1 then o2 (6 outranks o3's 5); o1 and o3 run on d0 to 8 while o2 runs on d1 from 3 to 9
    expect(heftOrder(moved, seg2, c2).map((i) => seg2.ops[i])).toEqual(['o0', 'o1', 'o2', 'o3']);
    expect(heftMakespan(moved, seg2, c2)).toBe(9);
  });
});
