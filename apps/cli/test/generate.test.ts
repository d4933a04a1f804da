import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GenerateResult, generate } from '@lightcode/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRegistry } from '../src/context.js';
import { run } from './run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const request = { model: 'gpt2', promptLen: 64, outputLen: 256, system: 'lightcode-2025', cwd: ROOT } as const;

describe('lightcode generate: a whole request', () => {
  let fast: GenerateResult;
  let every: GenerateResult;
  beforeAll(async () => {
    const reg = await loadRegistry({ cwd: ROOT, out: () => {}, err: () => {} }, {});
    fast = await generate(reg, request);
    every = await generate(reg, { ...request, everyStep: true });
  });

  it('sums the decode steps within 0.5 % of a step-by-step run, with tens of compiles, not one per step', () => {
    expect(every.compiles).toBe(1 + 256);
    expect(fast.compiles).toBeLessThan(40);
    expect(Math.abs(fast.endToEndS - every.endToEndS)).toBeLessThanOrEqual(0.005 * every.endToEndS);
    expect(Math.abs(fast.energy.requestJ - every.energy.requestJ)).toBeLessThanOrEqual(0.005 * every.energy.requestJ);
    // the step-by-step run is the plain sum of its steps
    const sum = every.points.reduce((s, p) => s + p.latencyS, 0);
    expect(every.endToEndS).toBeCloseTo(every.prefill.latencyS + sum, 12);
  });

  it('TTFT is the prefill plus the first step; mean TPOT and the request energy are those of the steps compiled one by one', () => {
    for (const r of [fast, every]) {
      const first = r.points.find((p) => p.kvLen === r.promptLen);
      expect(r.ttftS).toBe(r.prefill.latencyS + (first?.latencyS ?? Number.NaN));
      const kinds = Object.values(r.energy.byKind).reduce((a, b) => a + b, 0);
      expect(kinds).toBeCloseTo(r.energy.requestJ, 9);
    }
    // against the steps themselves, not the integration's own sums (TTFT + (N - 1) x TPOT = end to end holds by definition)
    const rest = every.points.filter((p) => p.kvLen > every.promptLen);
    expect(rest).toHaveLength(every.outputLen - 1);
    expect(every.tpot.meanS).toBeCloseTo(rest.reduce((s, p) => s + p.latencyS, 0) / rest.length, 12);
    expect(every.energy.requestJ).toBeCloseTo(every.prefill.energyJ + every.points.reduce((s, p) => s + p.energyJ, 0), 9);
    expect(Math.abs((fast.tpot.meanS ?? 0) - (every.tpot.meanS ?? 0))).toBeLessThanOrEqual(0.005 * (every.tpot.meanS ?? 0));
  });

  it('the regimes tile the decode steps, and a change is where two adjacent steps map differently', () => {
    for (const r of [fast, every]) {
      expect(r.regimes[0]?.fromKv).toBe(r.promptLen);
      expect(r.regimes[r.regimes.length - 1]?.toKv).toBe(r.promptLen + r.outputLen - 1);
      for (let i = 1; i < r.regimes.length; i++) expect(r.regimes[i]?.fromKv).toBe((r.regimes[i - 1]?.toKv ?? 0) + 1);
      expect(r.changes).toEqual(r.regimes.slice(1).map((g) => g.fromKv));
    }
    expect(fast.changes).toEqual(every.changes);
  });

  it('rejects a zero or missing output length in one line with exit 2', async () => {
    for (const args of [
      ['--prompt-len', '64', '--output-len', '0'],
      ['--prompt-len', '64', '--output-len', '-3'],
      ['--prompt-len', '64'],
    ]) {
      const r = await run(['generate', '--model', 'gpt2', '--system', 'lightcode-2025', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
