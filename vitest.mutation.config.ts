import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// The test config StrykerJS runs (scripts/mutation.mjs): the root config cut down
// to the one package being mutated, named by LIGHTCODE_MUTATION_PROJECT, so a
// package's mutation score is what its own tests pin.
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/mutation.mjs; no turbo task reads this config
const wanted = process.env.LIGHTCODE_MUTATION_PROJECT;
if (!wanted) throw new Error('LIGHTCODE_MUTATION_PROJECT names the package folder to mutate (e.g. packages/ir)');

const found = (base.test?.projects ?? []).filter((p) => typeof p === 'object' && p !== null && 'test' in p && p.test?.root === wanted);
if (found.length !== 1) throw new Error(`no test project for ${wanted}`);
// LIGHTCODE_MUTATION_TESTS (comma-separated, relative to the package) narrows its test files
// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by scripts/mutation.mjs; no turbo task reads this config
const only = process.env.LIGHTCODE_MUTATION_TESTS?.split(',').filter(Boolean);
const projects = only?.length
  ? found.map((p) => (typeof p === 'object' && p !== null && 'test' in p ? { ...p, test: { ...p.test, include: only } } : p))
  : found;

export default mergeConfig({ ...base, test: { ...base.test, projects: [] } }, defineConfig({ test: { projects, reporters: ['default'] } }));
