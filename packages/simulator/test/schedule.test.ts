import { candidateOf, makeSelection, type Plan, type PlannedOp } from '@lightcode/optimizer';
import { InvalidScheduleError, simulate } from '@lightcode/simulator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allChoices, randomCase, stackedFrom } from '../../optimizer/test/random-stacked.js';

const planned = fc.tuple(randomCase, fc.nat()).map(([c, k]) => {
  const sg = stackedFrom(c);
  const choices = [...allChoices(sg)];
  const choice = choices[k % choices.length] as Map<string, number>;
  const s = makeSelection(sg, choice, 'latency', 'test');
  return { sg, choice, plan: s.plan, pick: (id: string) => candidateOf(sg, choice, id) };
});

describe('the simulator replays the optimizer schedule', () => {
  it('accepts the plan and charges energy by kind: compute, static over the makespan, the rest as candidates and transfers (property)', () => {
    fc.assert(
      fc.property(planned, ({ sg, plan, pick }) => {
        const s = simulate(sg, pick, plan);
        expect(s.ops.length).toBe(sg.graph.size);
        // each kind against an independent sum (the total is the sum of the kinds by definition, so that is not checked)
        let compute = 0;
        for (const op of sg.graph.ops()) compute += pick(op.id).energy.compute ?? 0;
        expect(s.energyBreakdownJ.compute ?? 0).toBeCloseTo(compute, 9);
        const staticW = sg.devices.reduce((a, d) => a + d.count * d.staticPowerW, 0);
        expect(s.energyBreakdownJ.static ?? 0).toBeCloseTo(staticW * plan.makespanS, 9);
        let dynamic = 0;
        for (const op of sg.graph.ops()) dynamic += pick(op.id).energyJ;
        for (const e of sg.graph.edges()) dynamic += sg.transfer(pick(e.from).device, pick(e.to).device, e.bytes).energyJ;
        expect(s.energyJ - (s.energyBreakdownJ.static ?? 0)).toBeCloseTo(dynamic, 9);
        for (const i of s.instances) expect(i.busyS).toBeLessThanOrEqual(s.makespanS * (1 + 1e-12));
        for (const l of s.links) expect(l.busyS).toBeLessThanOrEqual(s.makespanS * (1 + 1e-12));
      }),
      { numRuns: 300 },
    );
  });

  /** The plan with one op replaced. */
  const withOp = (plan: Plan, k: number, f: (o: PlannedOp) => PlannedOp): Plan => ({
    ...plan,
    ops: plan.ops.map((o, i) => (i === k ? f(o) : o)),
  });
  const shift = (o: PlannedOp, by: number): PlannedOp => ({
    ...o,
    startS: o.startS + by,
    endS: o.endS + by,
    tiles: o.tiles.map((t) => ({ ...t, startS: t.startS + by, endS: t.endS + by })),
  });

  it('rejects a plan that starts an op before its input arrives (property)', () => {
    fc.assert(
      fc.property(planned, ({ sg, plan, pick }) => {
        const k = plan.ops.findIndex((o) => sg.graph.predecessors(o.id).length > 0 && o.endS > o.startS);
        fc.pre(k >= 0);
        const o = plan.ops[k] as PlannedOp;
        const latest = Math.max(...sg.graph.predecessors(o.id).map((p) => plan.ops.find((x) => x.id === p)?.endS ?? 0));
        expect(() =>
          simulate(
            sg,
            pick,
            withOp(plan, k, (x) => shift(x, latest - x.startS - 1)),
          ),
        ).toThrow(InvalidScheduleError);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects two ops at once on one instance, a missing op, a wrong makespan and tiles that miss the work', () => {
    fc.assert(
      fc.property(planned, ({ sg, plan, pick }) => {
        const busy = plan.ops.filter((o) => o.endS > o.startS);
        fc.pre(busy.length >= 2);
        const [a, b] = busy as [PlannedOp, PlannedOp];
        if (a.device === b.device) {
          // b moved onto a's instance and start: they overlap
          const k = plan.ops.indexOf(b);
          const moved = withOp(plan, k, (x) => ({
            ...shift(x, a.startS - x.startS),
            tiles: [{ instance: a.tiles[0]?.instance ?? 0, startS: a.startS, endS: a.startS + pick(x.id).latencyS }],
          }));
          expect(() => simulate(sg, pick, moved)).toThrow(InvalidScheduleError);
        }
        expect(() => simulate(sg, pick, { ...plan, ops: plan.ops.slice(1) })).toThrow(/not scheduled/);
        expect(() => simulate(sg, pick, { ...plan, makespanS: plan.makespanS * 2 })).toThrow(/charged/);
        const k = plan.ops.indexOf(a);
        expect(() =>
          simulate(
            sg,
            pick,
            withOp(plan, k, (x) => ({ ...x, tiles: x.tiles.map((t) => ({ ...t, endS: t.startS })) })),
          ),
        ).toThrow(/tiles add to/);
      }),
      { numRuns: 200 },
    );
  });
});
