import { buildGraph, loadSystem, solverFor } from '@lightcode/core';
import { buildStackedGraph } from '@lightcode/cost-model';
import { optimize } from '@lightcode/optimizer';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../src/context.js';

describe('decomposed selection on real models', () => {
  it('gpt2 decode on hybrid-a100-ptu: decomposed and monolithic agree for latency, energy and a weighted sum of very different scales', async () => {
    const reg = await loadRegistry({ cwd: process.cwd(), out: () => {}, err: () => {} }, {});
    const sg = buildStackedGraph(
      buildGraph(reg, { model: 'gpt2', seqLen: 1, phase: 'decode', kvLen: 128 }),
      loadSystem(reg, 'hybrid-a100-ptu'),
    );
    const solver = solverFor(reg, 'highs');
    // latency here is ~1e-3 s and energy ~4e-2 J: a weighted MILP must not lose the small term to solver tolerances
    for (const objective of ['latency', 'energy', { latencyWeight: 1, energyWeight: 0.01 }] as const) {
      const d = await optimize(sg, { objective, solver });
      const m = await optimize(sg, { objective, solver, decompose: false });
      expect([d.method, d.selection.status, m.selection.status]).toEqual(['decomposition', 'optimal', 'optimal']);
      expect(d.selection.objectiveValue / m.selection.objectiveValue).toBeCloseTo(1, 7);
    }
  });

  it.each([
    ['gpt2', 64, 'lightcode-2025'],
    ['gpt2', 512, 'lightcode-2025'],
    ['gpt2', 256, 'hybrid-a100-ptu'],
    ['llama-2-7b', 128, 'hybrid-h100-ptu'],
  ])(
    '%s at %i tokens on %s: the decomposed optimum matches the monolithic MILP (equal, or inside its bound and incumbent when it stops), both objectives',
    async (model, seqLen, system) => {
      const reg = await loadRegistry({ cwd: process.cwd(), out: () => {}, err: () => {} }, {});
      const sg = buildStackedGraph(buildGraph(reg, { model, seqLen }), loadSystem(reg, system));
      for (const objective of ['latency', 'energy'] as const) {
        const solver = solverFor(reg, 'highs');
        const d = await optimize(sg, { objective, solver });
        const m = await optimize(sg, { objective, solver, decompose: false, timeLimitS: 10 });
        expect(d.method).toBe('decomposition');
        expect(m.method).toBe('milp');
        expect(d.selection.status).toBe('optimal');
        if (m.selection.status === 'optimal') expect(d.selection.objectiveValue / m.selection.objectiveValue).toBeCloseTo(1, 7);
        else {
          // the monolithic MILP stopped at its limit: the decomposed optimum lies between its bound and its incumbent
          expect(d.selection.objectiveValue).toBeLessThanOrEqual(m.selection.objectiveValue * (1 + 1e-9));
          expect(d.selection.objectiveValue).toBeGreaterThanOrEqual((m.selection.bound ?? 0) * (1 - 1e-9));
        }
        // isomorphic layers are solved once
        const stats = d.decomposition as { blocks: number; classes: number };
        expect(stats.classes).toBeLessThan(stats.blocks / 4);
      }
    },
  );

  it('folds heads split one chain per head: the same optimum as the monolithic MILP', async () => {
    const reg = await loadRegistry({ cwd: process.cwd(), out: () => {}, err: () => {} }, {});
    const solver = solverFor(reg, 'highs');
    for (const [model, seqLen, system] of [
      ['gpt2', 32, 'lightcode-2025'],
      ['gpt2', 64, 'hybrid-a100-ptu'],
    ] as const) {
      const sg = buildStackedGraph(buildGraph(reg, { model, seqLen, splitHeads: true }), loadSystem(reg, system));
      for (const objective of ['latency', 'energy'] as const) {
        const d = await optimize(sg, { objective, solver });
        const m = await optimize(sg, { objective, solver, decompose: false });
        expect(d.method).toBe('decomposition');
        expect([d.selection.status, m.selection.status]).toEqual(['optimal', 'optimal']);
        expect(d.selection.objectiveValue / m.selection.objectiveValue).toBeCloseTo(1, 7);
      }
    }
  });
});
