import os from 'node:os';
import { sweep } from '@lightcode/core';
import { bench, describe } from 'vitest';
import { discoveryOf, loadRegistry } from '../src/context.js';

/**
 * The sweep: llama-2-7b prefill at 64 lengths (64..4096), on gpu-a100
 * and hybrid-a100-ptu, for both objectives (256 compiles), on 1 and 2 worker
 * threads. Target: under 10 s with 2 workers on this 2-core machine. Workers
 * start from TypeScript sources here (tsx in each worker); the built CLI
 * starts them faster.
 */
const io = { cwd: process.cwd(), out: () => {}, err: () => {} };
const reg = await loadRegistry(io, {});
const spec = {
  model: 'llama-2-7b',
  seqLens: Array.from({ length: 64 }, (_, i) => 64 * (i + 1)),
  systems: ['gpu-a100', 'hybrid-a100-ptu'],
  objectives: ['latency', 'energy'] as const,
};

describe(`sweep: llama-2-7b, 64 lengths x 2 systems x 2 objectives (${os.availableParallelism()} cores)`, () => {
  for (const workers of [1, 2]) {
    bench(
      `${workers} worker${workers > 1 ? 's' : ''}`,
      async () => {
        const r = await sweep(reg, { ...spec, objectives: [...spec.objectives] }, { workers, discovery: discoveryOf(io, {}) });
        if (r.rows.length !== 256) throw new Error(`expected 256 rows, got ${r.rows.length}`);
      },
      { iterations: 1, warmupIterations: 0, time: 0 },
    );
  }
});
