import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from '@lightcode/core';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../src/context.js';
import { run } from './run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('sweep and crossover over whole requests (--workload generate)', () => {
  it('sweep: each point is the request generate runs, so energy per token against output length is one command', async () => {
    const r = await run([
      'sweep',
      '--workload',
      'generate',
      '--model',
      'gpt2',
      '--prompt-len',
      '32',
      '--output-len',
      '8,64',
      '--systems',
      'lightcode-2025',
      '--objective',
      'energy',
      '--workers',
      '1',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.model).toMatchObject({ workload: 'generate', promptLen: 32 });
    const reg = await loadRegistry({ cwd: ROOT, out: () => {}, err: () => {} }, {});
    for (const row of doc.rows) {
      const g = await generate(reg, {
        model: 'gpt2',
        system: 'lightcode-2025',
        objective: 'energy',
        promptLen: 32,
        outputLen: row.seqLen,
        cwd: ROOT,
      });
      expect(row.latencyS).toBe(g.endToEndS);
      expect(row.energyJ).toBe(g.energy.requestJ);
      expect(row.generate).toEqual({
        promptLen: 32,
        ttftS: g.ttftS,
        tpotMeanS: g.tpot.meanS,
        tokensPerS: g.tokensPerS,
        energyPerOutputTokenJ: g.energy.perOutputTokenJ,
        compiles: g.compiles,
      });
    }
    const table = await run([
      'sweep',
      '--workload',
      'generate',
      '--model',
      'gpt2',
      '--prompt-len',
      '32',
      '--output-len',
      '8',
      '--systems',
      'lightcode-2025',
      '--workers',
      '1',
    ]);
    expect(table.stdout).toMatch(/output len .*end-to-end .*TTFT .*TPOT .*J \/ token/);
  });

  it('crossover: values are whole requests over output lengths, and it has no dispatch table', async () => {
    const r = await run([
      'crossover',
      '--workload',
      'generate',
      '--model',
      'gpt2',
      '--prompt-len',
      '32',
      '--systems',
      'cpu,lightcode-2025',
      '--metric',
      'latency',
      '--range',
      '2:64',
      '--scan',
      '3',
      '--json',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.workload).toEqual({ kind: 'generate', promptLen: 32 });
    expect(j.dispatch).toEqual([]);
    const reg = await loadRegistry({ cwd: ROOT, out: () => {}, err: () => {} }, {});
    const [first] = j.curve;
    const g = await generate(reg, {
      model: 'gpt2',
      system: 'cpu',
      objective: 'latency',
      promptLen: 32,
      outputLen: first.seqLen,
      cwd: ROOT,
    });
    expect(first.values[0]).toBe(g.endToEndS);
  });

  it.each([
    [['sweep', '--workload', 'generate', '--output-len', '8'], /--workload generate needs --prompt-len P/],
    [['sweep', '--workload', 'generate', '--prompt-len', '8'], /needs --output-len/],
    [['sweep', '--workload', 'generate', '--prompt-len', '8', '--output-len', '4', '--seq-len', '4'], /not --seq-len/],
    [['sweep', '--seq-len', '8', '--prompt-len', '8'], /--prompt-len goes with --workload generate/],
    [['sweep', '--workload', 'decode', '--seq-len', '8'], /--workload must be one of compile, generate/],
    [['crossover', '--workload', 'generate', '--systems', 'cpu,lightcode-2025'], /--workload generate needs --prompt-len P/],
  ])('%j: one line, exit 2', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
