import { candidateOf, planSelection } from '@lightcode/optimizer';
import { InvalidScheduleError, simulate } from '@lightcode/simulator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { multiCase, stackedFromMulti } from '../../optimizer/test/random-multi.js';
import { allChoices } from '../../optimizer/test/random-stacked.js';

/** Three or four device classes, transfers over routes of one to three links (line or star). */
describe('the simulator on systems with 3-4 device classes and multi-link routes', () => {
  it('replays every selection: energy by kind, busy time per instance and per link, each against an independent sum (property)', () => {
    fc.assert(
      fc.property(multiCase, (c) => {
        const sg = stackedFromMulti(c);
        for (const choice of allChoices(sg)) {
          const pick = (id: string) => candidateOf(sg, choice, id);
          const plan = planSelection(sg, pick);
          const s = simulate(sg, pick, plan);
          let compute = 0;
          const work = new Map<string, number>();
          for (const op of sg.graph.ops()) {
            const cand = pick(op.id);
            compute += cand.energyJ;
            work.set(cand.device, (work.get(cand.device) ?? 0) + cand.latencyS);
          }
          let transfer = 0;
          const onLink = new Map<string, number>();
          for (const e of sg.graph.edges()) {
            const [a, b] = [pick(e.from).device, pick(e.to).device];
            const t = sg.transfer(a, b, e.bytes);
            transfer += t.energyJ;
            if (t.latencyS > 0) for (const l of sg.route(a, b)) onLink.set(l, (onLink.get(l) ?? 0) + t.latencyS);
          }
          expect(s.energyBreakdownJ.compute ?? 0).toBeCloseTo(compute, 9);
          expect(s.energyBreakdownJ.transfer ?? 0).toBeCloseTo(transfer, 9);
          const staticW = c.counts.reduce((sum, n, i) => sum + n * (c.staticW[i] as number), 0);
          expect(s.energyBreakdownJ.static ?? 0).toBeCloseTo(staticW * plan.makespanS, 9);
          for (const d of sg.devices) {
            const busy = s.instances.filter((i) => i.device === d.id).reduce((sum, i) => sum + i.busyS, 0);
            expect(busy, d.id).toBeCloseTo(work.get(d.id) ?? 0, 9);
          }
          for (const l of s.links) expect(l.busyS, l.id).toBeCloseTo(onLink.get(l.id) ?? 0, 9);
          // every instance of every class, busy for the tiles the plan puts on it; utilization over the plan's makespan
          const onInstance = new Map<string, number>();
          for (const o of plan.ops)
            for (const t of o.tiles)
              onInstance.set(`${o.device}#${t.instance}`, (onInstance.get(`${o.device}#${t.instance}`) ?? 0) + t.endS - t.startS);
          expect(s.instances.map((i) => i.id)).toEqual(
            sg.devices.flatMap((d) => Array.from({ length: d.count }, (_, k) => `${d.id}#${k}`)),
          );
          const share = (busy: number) => (plan.makespanS > 0 ? busy / plan.makespanS : 0);
          for (const i of s.instances) {
            expect(i.busyS, i.id).toBeCloseTo(onInstance.get(i.id) ?? 0, 9);
            expect(i.utilization, i.id).toBeCloseTo(share(onInstance.get(i.id) ?? 0), 9);
          }
          expect(s.links.map((l) => l.id)).toEqual(sg.links);
          for (const l of s.links) expect(l.utilization, l.id).toBeCloseTo(share(onLink.get(l.id) ?? 0), 9);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses two transfers at once on a link they share, even when their routes differ elsewhere', () => {
    // line d0 - d1 - d2: o0 (d0) feeds o2 (d2) over l0 + l1, o1 (d1) feeds o2 over l1
    const sg = stackedFromMulti({
      n: 3,
      edges: [
        [0, 2, 1000],
        [1, 2, 1000],
      ],
      cands: [[[0, 1, 1]], [[1, 1, 1]], [[2, 1, 1]]],
      counts: [1, 1, 1],
      staticW: [0, 0, 0],
      topology: 'line',
      links: [
        [1, 1, 0],
        [1, 1, 0],
      ],
    });
    const pick = (id: string) => candidateOf(sg, new Map([...sg.candidates.keys()].map((k) => [k, 0])), id);
    const plan = planSelection(sg, pick);
    expect(() => simulate(sg, pick, plan)).not.toThrow();
    const [a, b] = plan.transfers;
    expect(a && b).toBeTruthy();
    if (!a || !b) return;
    // move the later transfer onto the earlier one's start: they overlap on l1
    const late = a.startS > b.startS ? a : b;
    const early = late === a ? b : a;
    const shift = early.startS - late.startS;
    const moved = { ...late, startS: late.startS + shift, endS: late.endS + shift };
    const broken = { ...plan, transfers: plan.transfers.map((t) => (t === late ? moved : t)) };
    expect(() => simulate(sg, pick, broken)).toThrow(InvalidScheduleError);
    expect(() => simulate(sg, pick, broken)).toThrow(/link l1 runs/);
  });
});
