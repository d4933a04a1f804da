#!/usr/bin/env node
// Mutation testing with StrykerJS on the packages whose numbers must be right.
// One package at a time, each against its own tests (per-test coverage), so it
// fits a 2-core machine; HTML and JSON reports under reports/mutation/<package>/.
//
//   pnpm mutation                         every package below
//   pnpm mutation packages/ir ...         only these
//   pnpm mutation --incremental           reuse reports/mutation/<package>/incremental.json:
//                                         only mutants in changed code, or covered by changed tests, run again
//   pnpm mutation --changed-since REF     only packages with source or test files changed since REF (git)
//   pnpm mutation --concurrency N         test runner processes (default 1)
//   pnpm mutation --break N               exit 1 when a package's score is below N %
//   pnpm mutation --files GLOB,...        mutate only these source files (with one package: its src/ files;
//                                         FILE:L1-L2 mutates lines L1..L2)
//   pnpm mutation --tests GLOB,...        run only these test files of the package (test/x.test.ts)
//   pnpm mutation --record [PKG ...]      an incremental run kept as the package's baseline in .ci/mutation/
//                                         (scripts/mutation-baseline.mjs); the floor is a point below its score
//   pnpm mutation --record-report [PKG]  keep the last whole-package run (reports/mutation/<package>/) as the
//                                         baseline, when the package's src/ and test/ are as they were when it started
//   pnpm mutation --ci                    what .ci/run does: each package changed since its baseline is run
//                                         incrementally from it and fails below its floor; unchanged ones are skipped
//   pnpm mutation --budget-s N            fail rather than start another package after N seconds
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprint, record, recorded, recordReport, restore, scoreOf } from './mutation-baseline.mjs';

export const PACKAGES = [
  'packages/ir',
  'packages/cost-model',
  'packages/optimizer',
  'packages/simulator',
  'packages/core',
  'plugins/target-cpu',
  'plugins/target-gpu',
  'plugins/target-ptu',
];

// The optimizer's property tests of the whole search (decompose, invariants, milp, selection,
// schedule-quality) take about 33 s a run and cover nearly every line, so with ~4,000 mutants they
// would take a day here: its score counts its closed-form tests and the quick brute-force ones
// aimed at one module each, a floor on what its whole suite kills. `--tests` replaces this.
const DEFAULT_TESTS = {
  'packages/optimizer': ['test/*-closed.test.ts', 'test/pareto.test.ts', 'test/path-heuristic*.test.ts', 'test/relaxation-brute.test.ts'],
};

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const [v] = args.splice(i, 2).slice(1);
  return v;
};
const takeSwitch = (name) => {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
};
const recordBaseline = takeSwitch('--record');
const recordExisting = takeSwitch('--record-report');
const ci = takeSwitch('--ci');
const incremental = takeSwitch('--incremental') || recordBaseline || ci;
const budgetS = Number(flag('--budget-s') ?? Number.POSITIVE_INFINITY);
const concurrency = Number(flag('--concurrency') ?? 1);
const breakAt = flag('--break');
const since = flag('--changed-since');
const files = flag('--files');
const tests = flag('--tests');
if (recordBaseline && (files || tests)) {
  console.error('mutation: --record keeps a whole package as the baseline; drop --files and --tests');
  process.exit(2);
}
for (const a of args) {
  if (!PACKAGES.includes(a.replace(/\/$/, ''))) {
    console.error(`mutation: unknown package '${a}' (one of: ${PACKAGES.join(', ')})`);
    process.exit(2);
  }
}
let chosen = args.length ? args.map((a) => a.replace(/\/$/, '')) : PACKAGES;
if (since) {
  const changed = execFileSync('git', ['diff', '--name-only', since, '--'], { encoding: 'utf8' }).split('\n');
  const touches = (pkg) => changed.some((f) => f.startsWith(`${pkg}/src/`) || f.startsWith(`${pkg}/test/`));
  // the simulator's tests use the optimizer's random cases
  chosen = chosen.filter((p) => touches(p) || (p === 'packages/simulator' && touches('packages/optimizer')));
}

let failed = false;
if (recordExisting) {
  // a full run already made (pnpm mutation PKG) is kept as it is, once shown to match the tree
  for (const pkg of chosen) {
    const why = recordReport(pkg, `reports/mutation/${pkg.replace('/', '-')}`);
    console.log(why ? `mutation: ${pkg} not recorded: ${why}` : `mutation: ${pkg} recorded from its last report`);
    if (why) failed = true;
  }
  process.exit(failed ? 1 : 0);
}

const { Stryker } = await import('@stryker-mutator/core');
const summary = [];
const runStarted = Date.now();
for (const pkg of chosen) {
  const name = pkg.replace('/', '-');
  const out = `reports/mutation/${name}`;
  let floor;
  if (ci) {
    const base = recorded(pkg);
    if (base.pending) {
      console.log(`mutation: ${base.pending}`);
      continue;
    }
    if (base.missing) {
      console.error(`mutation: ${base.missing}`);
      failed = true;
      continue;
    }
    floor = base.entry.floor;
    if (base.entry.fingerprint === fingerprint(pkg)) {
      console.log(`mutation: ${pkg} unchanged since its recorded baseline: ${base.entry.score.toFixed(1)} % (floor ${floor} %)`);
      continue;
    }
    restore(base.report, `${out}/incremental.json`);
  }
  if ((Date.now() - runStarted) / 1000 > budgetS) {
    console.error(`mutation: ${pkg} not run: the ${budgetS} s budget is spent; record fresh baselines with pnpm mutation --record`);
    failed = true;
    continue;
  }
  fs.mkdirSync(out, { recursive: true });
  process.env.LIGHTCODE_MUTATION_PROJECT = pkg;
  process.env.LIGHTCODE_MUTATION_TESTS = tests ?? DEFAULT_TESTS[pkg]?.join(',') ?? '';
  const started = Date.now();
  const atStart = fingerprint(pkg);
  const stryker = new Stryker({
    testRunner: 'vitest',
    plugins: ['@stryker-mutator/vitest-runner'],
    vitest: { configFile: 'vitest.mutation.config.ts', related: false },
    coverageAnalysis: 'perTest',
    mutate: files
      ? files.split(',').map((f) => (f.startsWith(pkg) ? f : `${pkg}/src/${f}`))
      : [`${pkg}/src/**/*.ts`, `!${pkg}/src/**/*.d.ts`],
    // build outputs, earlier reports, recorded baselines and the sandboxes of other runs going on at once stay out of the sandbox Stryker copies the repository into
    ignorePatterns: ['reports', 'test-artifacts', 'lightcode-out', 'coverage', 'dist', '.turbo', '.stryker-tmp', '.ci/mutation'],
    reporters: ['html', 'json', 'clear-text', 'progress-append-only'],
    htmlReporter: { fileName: `${out}/mutation.html` },
    jsonReporter: { fileName: `${out}/mutation.json` },
    incremental,
    incrementalFile: `${out}/incremental.json`,
    concurrency,
    tempDirName: `.stryker-tmp/${name}`,
    cleanTempDir: 'always',
    timeoutMS: 20_000,
    // instrumented, the optimizer's property tests run several times slower than plain
    dryRunTimeoutMinutes: 60,
    logLevel: 'info',
    fileLogLevel: 'off',
    thresholds: { high: 80, low: 60, break: breakAt === undefined ? null : Number(breakAt) },
  });
  let score = Number.NaN;
  let strykerScore = Number.NaN;
  let counts = {};
  try {
    ({ counts, score, strykerScore } = scoreOf(await stryker.runMutationTest()));
  } catch (e) {
    console.error(`mutation: ${pkg}: ${e instanceof Error ? e.message : e}`);
    failed = true;
  }
  const wallS = (Date.now() - started) / 1000;
  summary.push({
    package: pkg,
    score: Number(score.toFixed(2)),
    strykerScore: Number(strykerScore.toFixed(2)),
    wallS: Math.round(wallS),
    ...counts,
    whole: !files && !tests,
    fingerprint: atStart,
  });
  fs.writeFileSync(`${out}/summary.json`, `${JSON.stringify(summary.at(-1), null, 2)}\n`);
  if (breakAt !== undefined && !(score >= Number(breakAt))) failed = true;
  if (floor !== undefined && !(strykerScore >= floor)) {
    console.error(
      `mutation: ${pkg} scores ${strykerScore.toFixed(1)} %, below its floor of ${floor} % (.ci/mutation/baseline.json): kill the new survivors`,
    );
    failed = true;
  }
  if (recordBaseline && !Number.isNaN(strykerScore)) record(pkg, `${out}/incremental.json`, Number(strykerScore.toFixed(2)), atStart);
}
fs.mkdirSync('reports/mutation', { recursive: true });
fs.writeFileSync('reports/mutation/summary.json', `${JSON.stringify(summary, null, 2)}\n`);
console.log('\nmutation score per package (killed, timed out or stopping the tests from loading, over all valid mutants):');
for (const s of summary) {
  console.log(
    `  ${s.package.padEnd(22)} ${Number.isNaN(s.score) ? '  failed' : `${s.score.toFixed(1).padStart(6)} %`}  ` +
      `(${s.Killed ?? 0} killed, ${s.Timeout ?? 0} timed out, ${s.NotLoaded ?? 0} stopped the tests loading, ${s.Survived ?? 0} survived, ` +
      `${s.NoCoverage ?? 0} no coverage; Stryker's own score ${Number.isNaN(s.strykerScore) ? '-' : `${s.strykerScore.toFixed(1)} %`}) in ${s.wallS} s`,
  );
}
if (!summary.length)
  console.log(ci ? '  none run (each one above is unchanged since its recorded baseline or has none)' : '  no package to mutate');
process.exit(failed ? 1 : 0);
