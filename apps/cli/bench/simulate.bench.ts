import { BUILTIN_SYSTEMS, buildGraph } from '@lightcode/core';
import { buildStackedGraph, resolveSystem } from '@lightcode/cost-model';
import { candidateOf, greedySelect, planSelection } from '@lightcode/optimizer';
import { simulate } from '@lightcode/simulator';
import { bench, describe } from 'vitest';
import { loadRegistry } from '../src/context.js';

/**
 * llama-2-7b prefill at 4096 tokens, heads split, on 1 GPU + 8 PTUs (issue
 * target: under 200 ms). The optimizer schedules (planSelection, timed once
 * on a fresh Stacked Graph and printed); the simulator replays and checks that
 * schedule, which is what the bench times.
 */
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
const t = performance.now();
const plan = planSelection(sg, pick);
console.log(
  `\nplanSelection (greedy-energy selection, ${sg.graph.size} ops, fresh Stacked Graph): ${(performance.now() - t).toFixed(0)} ms, makespan ${plan.makespanS.toPrecision(6)} s\n`,
);

describe('simulation (replay and check of the optimizer schedule)', () => {
  bench(`llama-2-7b 4096 --split-heads, ${sg.graph.size} ops, 1 GPU + 8 PTU`, () => {
    simulate(sg, pick, plan);
  });
});
