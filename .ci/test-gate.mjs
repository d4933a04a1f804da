#!/usr/bin/env node
// The closing gate of .ci/run, on vitest's JSON results (test-results.json):
// it fails on a failed test, a skipped or todo test, a test file that failed
// to load (or held no test), a package folder with source but no tests, and a
// package whose number of passing tests fell below its floor in
// .ci/test-floors.json. Floors change only by a deliberate edit of that file.
// It ends with one plain line: "N passed, 0 failed" and what else went wrong.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const resultsFile = path.resolve(process.argv[2] ?? path.join(root, 'test-results.json'));
const floorsFile = path.resolve(process.argv[3] ?? path.join(root, '.ci/test-floors.json'));

const problems = [];
let r;
try {
  r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
} catch (e) {
  console.log(`no test results: ${resultsFile} (${e instanceof Error ? e.message : e})`);
  process.exit(1);
}
const floors = JSON.parse(fs.readFileSync(floorsFile, 'utf8')).floors;

// every folder under packages/, plugins/ and apps/ with a src/ is a package that must have tests
const packages = ['packages', 'plugins', 'apps'].flatMap((group) =>
  fs.existsSync(path.join(root, group))
    ? fs
        .readdirSync(path.join(root, group))
        .map((name) => `${group}/${name}`)
        .filter((dir) => fs.existsSync(path.join(root, dir, 'src')))
    : [],
);

const counts = Object.fromEntries(packages.map((p) => [p, { passed: 0, skipped: 0, todo: 0, failed: 0 }]));
const unloaded = [];
for (const file of r.testResults ?? []) {
  const rel = path.relative(root, file.name).split(path.sep).join('/');
  const pkg = rel.split('/').slice(0, 2).join('/');
  counts[pkg] ??= { passed: 0, skipped: 0, todo: 0, failed: 0 };
  const c = counts[pkg];
  if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) {
    unloaded.push(`${rel}: ${String(file.message ?? 'failed to load').split('\n')[0]}`);
  }
  for (const a of file.assertionResults ?? []) {
    if (a.status === 'passed') c.passed++;
    else if (a.status === 'failed') c.failed++;
    else if (a.status === 'todo') c.todo++;
    else c.skipped++;
  }
}

const total = { passed: 0, skipped: 0, todo: 0, failed: 0 };
for (const c of Object.values(counts)) for (const k of Object.keys(total)) total[k] += c[k];

for (const u of unloaded) problems.push(`test file did not load: ${u}`);
for (const [pkg, c] of Object.entries(counts)) {
  if (c.skipped) problems.push(`${pkg}: ${c.skipped} skipped test${c.skipped > 1 ? 's' : ''}`);
  if (c.todo) problems.push(`${pkg}: ${c.todo} todo test${c.todo > 1 ? 's' : ''}`);
}
for (const pkg of packages) {
  if (!fs.existsSync(path.join(root, pkg, 'test'))) problems.push(`${pkg}: has source but no test/ folder`);
  if (!(pkg in floors)) problems.push(`${pkg}: no test floor in ${path.relative(root, floorsFile)}`);
}
for (const [pkg, floor] of Object.entries(floors)) {
  const passed = counts[pkg]?.passed ?? 0;
  if (passed < floor) problems.push(`${pkg}: ${passed} passing tests, below its floor of ${floor}`);
}
if ((r.numTotalTests ?? 0) === 0) problems.push('no tests ran');
if ((r.numFailedTestSuites ?? 0) > 0 && unloaded.length === 0 && total.failed === 0) {
  problems.push(`${r.numFailedTestSuites} test suite(s) failed`);
}

for (const p of problems) console.log(`  ${p}`);
const line = [`${total.passed} passed`, `${total.failed} failed`];
if (total.skipped) line.push(`${total.skipped} skipped`);
if (total.todo) line.push(`${total.todo} todo`);
if (unloaded.length) line.push(`${unloaded.length} file${unloaded.length > 1 ? 's' : ''} not loaded`);
console.log(
  problems.length ? `${line.join(', ')}: FAILED (${problems.length} problem${problems.length > 1 ? 's' : ''} above)` : line.join(', '),
);
process.exit(problems.length || total.failed ? 1 : 0);
