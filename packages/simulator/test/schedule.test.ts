import { candidateOf, evaluateSelection } from '@lightcode/optimizer';
import { simulate } from '@lightcode/simulator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allChoices, randomCase, stackedFrom } from '../../optimizer/test/random-stacked.js';

describe('list schedule', () => {
  it('respects instances, precedence and bounds; energy adds up; deterministic (property)', () => {
    fc.assert(
      fc.property(randomCase, (c) => {
        const sg = stackedFrom(c);
        const choice = allChoices(sg).next().value as Map<string, number>;
        const pick = (id: string) => candidateOf(sg, choice, id);
        const s = simulate(sg, pick);
        const at = new Map(s.ops.map((o) => [o.id, o]));
        expect(at.size).toBe(sg.graph.size);
        // one op at a time per instance
        const byInst = new Map<string, { startS: number; endS: number }[]>();
        for (const o of s.ops) {
          const c = pick(o.id);
          // tiles: distinct instances, parts add up to the op's whole work
          expect(new Set(o.tiles.map((t) => t.instance)).size).toBe(o.tiles.length);
          expect(o.tiles.length).toBeLessThanOrEqual(c.parts ?? 1);
          expect(o.tiles.reduce((a, t) => a + (t.endS - t.startS), 0)).toBeCloseTo(c.latencyS, 9);
          for (const t of o.tiles) {
            const k = `${o.device}#${t.instance}`;
            byInst.set(k, [...(byInst.get(k) ?? []), t]);
            expect(t.instance).toBeLessThan(sg.devices.find((d) => d.id === o.device)?.count ?? 0);
          }
        }
        for (const list of byInst.values()) {
          list.sort((a, b) => a.startS - b.startS);
          for (let i = 1; i < list.length; i++) expect(list[i]?.startS).toBeGreaterThanOrEqual((list[i - 1]?.endS ?? 0) - 1e-9);
        }
        // one transfer at a time per link
        const onLink = new Map<string, { startS: number; endS: number }[]>();
        for (const t of s.transfers) for (const l of t.links) onLink.set(l, [...(onLink.get(l) ?? []), t]);
        for (const list of onLink.values()) {
          list.sort((a, b) => a.startS - b.startS);
          for (let i = 1; i < list.length; i++) expect(list[i]?.startS).toBeGreaterThanOrEqual((list[i - 1]?.endS ?? 0) - 1e-9);
        }
        for (const l of s.links) expect(l.busyS).toBeLessThanOrEqual(s.makespanS + 1e-9);
        // inputs arrive before an op starts
        for (const e of sg.graph.edges()) {
          const from = at.get(e.from);
          const to = at.get(e.to);
          const tr = sg.transfer(pick(e.from).device, pick(e.to).device, e.bytes);
          expect(to?.startS).toBeGreaterThanOrEqual((from?.endS ?? 0) + tr.latencyS - 1e-9);
          const moved = s.transfers.find((t) => t.from === e.from && t.to === e.to);
          if (moved) {
            expect(moved.startS).toBeGreaterThanOrEqual((from?.endS ?? 0) - 1e-9);
            expect(to?.startS).toBeGreaterThanOrEqual(moved.endS - 1e-9);
          }
        }
        const est = evaluateSelection(sg, choice);
        expect(s.makespanS).toBeGreaterThanOrEqual(est.criticalPathS - 1e-9);
        expect(s.makespanS).toBeGreaterThanOrEqual(Math.max(...s.instances.map((i) => i.busyS)) - 1e-9);
        expect(s.makespanS).toBeGreaterThanOrEqual(est.loadBoundS - 1e-9);
        const sum = Object.values(s.energyBreakdownJ).reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(s.energyJ, 9);
        // dynamic + transfer + static power for the whole makespan
        const staticW = sg.devices.reduce((a, d) => a + d.count * d.staticPowerW, 0);
        expect(s.energyJ).toBeCloseTo(est.energyJ - staticW * est.latencyS + staticW * s.makespanS, 6);
        expect(JSON.stringify(simulate(sg, pick))).toBe(JSON.stringify(s));
      }),
      { numRuns: 300 },
    );
  });
});
