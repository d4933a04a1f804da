import { sweep } from '@lightcode/core';
import { loadRegistry } from './src/context.js';

const reg = await loadRegistry({ cwd: process.cwd(), out: () => {}, err: () => {} }, {});
const t = performance.now();
const seqLens = Array.from({ length: 64 }, (_, i) => 64 * (i + 1));
const r = await sweep(
  reg,
  { model: 'llama-2-7b', seqLens, systems: ['gpu-a100', 'hybrid-a100-ptu'], objectives: ['latency', 'energy'] },
  { workers: 1 },
);
console.log('sweep', r.rows.length, ((performance.now() - t) / 1000).toFixed(2), 's');
