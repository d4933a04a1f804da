import { BUILTIN_SYSTEMS, buildGraph } from '@lightcode/core';
import { buildStackedGraph, resolveSystem } from '@lightcode/cost-model';
import { candidateOf, greedySelect } from '@lightcode/optimizer';
import { simulate } from '@lightcode/simulator';
import { bench, describe } from 'vitest';
import { loadRegistry } from '../src/context.js';

/** Simulating llama-2-7b prefill at 4096 tokens, heads split, on 1 GPU + 8 PTUs (issue target: under 200 ms). */
const reg = await loadRegistry({ cwd: process.cwd(), out: () => {}, err: () => {} }, {});
const base = BUILTIN_SYSTEMS['hybrid-a100-ptu'];
if (!base) throw new Error('hybrid-a100-ptu missing');
const system = resolveSystem(
  { ...base, id: 'gpu-8ptu', devices: base.devices.map((d) => (d.id === 'ptu' ? { ...d, count: 8 } : d)) },
  reg.targets,
);
const sg = buildStackedGraph(buildGraph(reg, { model: 'llama-2-7b', seqLen: 4096, splitHeads: true }), system);
const choice = greedySelect(sg, 'energy').choice;
const pick = (id: string) => candidateOf(sg, choice, id);

describe('simulation', () => {
  bench(`llama-2-7b 4096 --split-heads, ${sg.graph.size} ops, 1 GPU + 8 PTU`, () => {
    simulate(sg, pick);
  });
});
