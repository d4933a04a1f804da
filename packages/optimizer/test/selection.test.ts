import type { StackedGraph } from '@lightcode/ir';
import {
  candidateOf,
  dynamicEnergyJ,
  evaluateSelection,
  exhaustiveSelect,
  greedySelect,
  optimize,
  planSelection,
  relaxedCost,
  staticPowerW,
} from '@lightcode/optimizer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allChoices, bruteForceBest, randomCase, stackedFrom, trueOptimum } from './random-stacked.js';

/** The relaxation recomputed independently: longest path by memoized recursion over predecessors, loads over instances. */
function reference(sg: StackedGraph, choice: Map<string, number>) {
  const g = sg.graph;
  const memo = new Map<string, number>();
  const finish = (id: string): number => {
    const hit = memo.get(id);
    if (hit !== undefined) return hit;
    const c = candidateOf(sg, choice, id);
    let ready = 0;
    for (const p of g.predecessors(id)) {
      ready = Math.max(ready, finish(p) + sg.transfer(candidateOf(sg, choice, p).device, c.device, g.edge(p, id)?.bytes ?? 0).latencyS);
    }
    // an op that splits into parts spans ceil(parts / instances) of them
    const instances = sg.devices.find((d) => d.id === c.device)?.count ?? 1;
    const parts = c.parts ?? 1;
    const span = (c.latencyS * Math.ceil(parts / Math.min(parts, instances))) / parts;
    memo.set(id, ready + span);
    return ready + span;
  };
  let cp = 0;
  let dyn = 0;
  const load = new Map<string, number>();
  for (const op of g.ops()) {
    cp = Math.max(cp, finish(op.id));
    const c = candidateOf(sg, choice, op.id);
    dyn += c.energyJ;
    load.set(c.device, (load.get(c.device) ?? 0) + c.latencyS);
  }
  const links = new Map<string, number>();
  for (const e of g.edges()) {
    const [a, b] = [candidateOf(sg, choice, e.from).device, candidateOf(sg, choice, e.to).device];
    const t = sg.transfer(a, b, e.bytes);
    dyn += t.energyJ;
    for (const l of sg.route(a, b)) links.set(l, (links.get(l) ?? 0) + t.latencyS);
  }
  const lb = Math.max(...sg.devices.map((d) => (load.get(d.id) ?? 0) / d.count), ...links.values());
  const latency = Math.max(cp, lb);
  const staticW = sg.devices.reduce((s, d) => s + d.count * d.staticPowerW, 0);
  return { latency, energy: dyn + staticW * latency };
}

describe('selection', () => {
  it('prices the relaxation as an independent recomputation does (property)', () => {
    fc.assert(
      fc.property(randomCase, (c) => {
        const sg = stackedFrom(c);
        for (const choice of allChoices(sg)) {
          const got = relaxedCost(sg, choice);
          const ref = reference(sg, choice);
          expect(got.latencyS).toBeCloseTo(ref.latency, 9);
          expect(got.energyJ).toBeCloseTo(ref.energy, 9);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("prices a selection on its schedule: the plan's makespan, never below the relaxation; energy = dynamic + static x makespan (property)", () => {
    fc.assert(
      fc.property(randomCase, (c) => {
        const sg = stackedFrom(c);
        for (const choice of allChoices(sg)) {
          const got = evaluateSelection(sg, choice);
          const plan = planSelection(sg, (id) => candidateOf(sg, choice, id));
          expect(got.latencyS).toBe(plan.makespanS);
          expect(got.latencyS).toBeGreaterThanOrEqual(reference(sg, choice).latency * (1 - 1e-12));
          expect(got.energyJ).toBeCloseTo(dynamicEnergyJ(sg, choice) + staticPowerW(sg) * got.latencyS, 9);
          expect(Math.max(...plan.ops.map((o) => o.endS))).toBeCloseTo(plan.makespanS, 9);
        }
      }),
      { numRuns: 150 },
    );
  });

  for (const objective of ['latency', 'energy'] as const) {
    it(`exhaustive finds the brute-force minimum of ${objective}, optimal only when no schedule is better; greedy is never better (property)`, () => {
      fc.assert(
        fc.property(randomCase, (c) => {
          const sg = stackedFrom(c);
          const best = bruteForceBest(sg, objective);
          const ex = exhaustiveSelect(sg, objective);
          if (!ex) throw new Error('no selection');
          expect(ex.objectiveValue).toBeCloseTo(best, 9);
          const truth = trueOptimum(sg, objective);
          if (truth !== undefined) {
            expect(ex.bound).toBeLessThanOrEqual(truth * (1 + 1e-9));
            if (ex.status === 'optimal') expect(ex.objectiveValue).toBeLessThanOrEqual(truth * (1 + 1e-5));
          }
          const gr = greedySelect(sg, objective);
          expect(gr.status).toBe('feasible');
          expect(gr.objectiveValue).toBeGreaterThanOrEqual(best - 1e-9);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('enumerates tiny candidate spaces', async () => {
    const sg = stackedFrom({
      n: 2,
      edges: [[0, 1, 10]],
      cands: [
        [
          [0, 1, 1],
          [1, 2, 1],
        ],
        [[0, 3, 3]],
      ],
      counts: [1, 1],
      staticW: [0, 0],
      link: [1, 1, 1],
    });
    const r = await optimize(sg, { objective: 'latency' });
    expect(r.selection.solver).toBe('exhaustive');
    expect(r.selection.objectiveValue).toBe(4);
  });
});
