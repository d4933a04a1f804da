import fc from 'fast-check';
import { describe, it } from 'vitest';
import { fuzzCase, runCase } from './fuzz.js';

/**
 * Issue 13, as a property: random flag sets and random model and system
 * documents through the CLI's parse-and-validate layer end in exit 0, or in
 * exit 2 with one line; no output holds NaN or Infinity; a failure writes
 * nothing (symlinks, FIFOs, folders and files in the way are left as they
 * are). A bounded number of cases here; `pnpm bench` runs many more
 * (bench/fuzz.bench.ts, FUZZ_RUNS to change how many).
 */
describe('fuzz: the parse-and-validate layer keeps its promise', () => {
  it('exit 0, or exit 2 with one line; no NaN or Infinity; nothing written on failure (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fuzzCase, async (c) => {
        const broken = await runCase(c);
        if (broken) throw new Error(broken);
      }),
      { numRuns: 30 },
    );
  });
});
