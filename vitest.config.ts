import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources under this condition,
// so tests need no build; plugin discovery reads it from NODE_OPTIONS.
const CONDITION = 'lightcode-source';
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --conditions=${CONDITION}`.trim();

const roots = ['packages', 'plugins', 'apps'].flatMap((group) =>
  fs
    .readdirSync(group)
    .map((name) => path.join(group, name))
    .filter((dir) => fs.existsSync(path.join(dir, 'test'))),
);

export default defineConfig({
  resolve: { conditions: [CONDITION, 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: [CONDITION, 'import', 'node', 'default'], externalConditions: [CONDITION] } },
  test: {
    // Tests compile real models; their speed is measured by `pnpm bench`, not limited here.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CI also writes machine-readable results, summarized by .ci/run.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results.json' },
    projects: roots.map((root) => ({
      extends: true,
      test: { name: path.basename(root), root, include: ['test/**/*.test.ts'] },
    })),
    benchmark: { include: ['bench/**/*.bench.ts'] },
  },
});
