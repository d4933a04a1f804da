import fc from 'fast-check';
import { bench, describe } from 'vitest';
import { fuzzCase, runCase } from '../test/fuzz.js';

/**
 * Issue 13, the long run of the fuzz property (test/fuzz.test.ts runs 30
 * cases): random flag sets and random model and system documents through the
 * CLI's parse-and-validate layer; every case ends in exit 0, or exit 2 with
 * one line, prints no NaN or Infinity, and writes nothing when it fails.
 * FUZZ_RUNS sets the number of cases (default 500), FUZZ_SEED replays a seed.
 */
const runs = Number(process.env.FUZZ_RUNS ?? 500);
const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;

describe(`fuzz: ${runs} random command lines and documents`, () => {
  bench(
    'exit 0, or exit 2 with one line; no NaN or Infinity; nothing written on failure',
    async () => {
      await fc.assert(
        fc.asyncProperty(fuzzCase, async (c) => {
          const broken = await runCase(c);
          if (broken) throw new Error(broken);
        }),
        { numRuns: runs, ...(seed !== undefined ? { seed } : {}) },
      );
    },
    { iterations: 1, warmupIterations: 0, time: 0 },
  );
});
