import { buildGraph, loadSystem, optimize } from '@lightcode/core';
import { buildStackedGraph, type StackedGraph } from '@lightcode/cost-model';
import { bench, describe } from 'vitest';
import { loadRegistry } from '../src/context.js';

/**
 * Selection alone (Stacked Graph already built) with the default `auto`
 * solver: the targets are 50 ms (gpt2, 1024), 200 ms (llama-2-7b, 4096,
 * split heads) and 1 s (llama-2-70b, 8192). The split-heads cases are capped
 * by a 10 s time limit and report `feasible` when they hit it.
 */
const reg = await loadRegistry({ cwd: process.cwd(), out: () => {}, err: () => {} }, {});
const highs = reg.solvers.get('highs');
function stacked(model: string, seqLen: number, splitHeads: boolean, system = 'hybrid-a100-ptu'): StackedGraph {
  return buildStackedGraph(buildGraph(reg, { model, seqLen, splitHeads }), loadSystem(reg, system));
}

const cases: [string, StackedGraph][] = [
  ['gpt2 prefill 1024, hybrid-a100-ptu', stacked('gpt2', 1024, false)],
  ['llama-2-7b prefill 4096 --split-heads, hybrid-a100-ptu', stacked('llama-2-7b', 4096, true)],
  ['llama-2-70b prefill 4096, hybrid-a100-ptu', stacked('llama-2-70b', 4096, false)],
];

describe('selection (latency objective)', () => {
  for (const [name, sg] of cases) {
    bench(
      name,
      async () => {
        const r = await optimize(sg, { objective: 'latency', timeLimitS: 10, ...(highs ? { solver: highs } : {}) });
        if (!r.selection) throw new Error('no selection');
      },
      { iterations: 1, warmupIterations: 0, time: 0 },
    );
  }
});
