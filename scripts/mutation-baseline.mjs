// The recorded mutation baseline that lets CI mutate only what a change touches.
//
// For each package, `pnpm mutation --record` keeps Stryker's incremental report
// (every mutant's status, the tests that cover it, and the source of each file it
// read) in .ci/mutation/<package>.json, and in .ci/mutation/baseline.json the
// package's score, its floor and a fingerprint of its src/ and test/ folders.
// `pnpm mutation --ci` (run by .ci/run) skips a package whose fingerprint still
// matches; otherwise it hands Stryker the recorded report, so that only mutants in
// changed code, or covered by changed tests, run again, and fails when the score
// falls below the floor.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const BASELINE_DIR = '.ci/mutation';
const INDEX = `${BASELINE_DIR}/baseline.json`;
/** Where a package's recorded report lives. */
const reportOf = (pkg) => `${BASELINE_DIR}/${pkg.replace('/', '-')}.json`;

/** The files git would commit under these folders: tracked or new, never ignored (build info, scratch files). */
function listFiles(...dirs) {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...dirs], { encoding: 'utf8' });
  return [...new Set(out.split('\0').filter((f) => f && fs.existsSync(f)))];
}

/** A hash over the path and content of every file under the package's src/ and test/. */
export function fingerprint(pkg) {
  const h = createHash('sha256');
  for (const f of listFiles(`${pkg}/src`, `${pkg}/test`).sort()) {
    h.update(f).update('\0').update(fs.readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

function readIndex() {
  return fs.existsSync(INDEX) ? JSON.parse(fs.readFileSync(INDEX, 'utf8')) : { packages: {} };
}

/** The recorded entry of a package, or why there is none. */
export function recorded(pkg) {
  const entry = readIndex().packages[pkg];
  const report = reportOf(pkg);
  // a package whose whole run has not been recorded yet says why in baseline.json, and CI prints it
  if (entry?.notRecorded) return { pending: `${pkg} has no recorded baseline yet (${entry.notRecorded}); CI does not mutate it` };
  if (!entry || !fs.existsSync(report)) return { missing: `no recorded mutation baseline for ${pkg}; run: pnpm mutation --record ${pkg}` };
  return { entry, report };
}

/**
 * Keeps a finished run as the package's baseline. The floor is one point below the score, rounded down,
 * so that a mutant timing out or not on a busier machine does not fail CI, while a change that leaves
 * its new code untested does.
 */
const floorOf = (score) => Math.max(0, Math.floor(score) - 1);

export function record(pkg, incrementalFile, strykerScore, fingerprintAtStart) {
  fs.mkdirSync(BASELINE_DIR, { recursive: true });
  // one line: the report is data for Stryker, read by no person
  fs.writeFileSync(reportOf(pkg), JSON.stringify(JSON.parse(fs.readFileSync(incrementalFile, 'utf8'))));
  const packages = {
    ...readIndex().packages,
    [pkg]: { score: strykerScore, floor: floorOf(strykerScore), fingerprint: fingerprintAtStart },
  };
  const index = {
    '//':
      "Each package's mutation score (Stryker's own: killed and timed out over valid mutants) when its baseline was recorded, " +
      'the floor CI holds it to (a point below), and a fingerprint of its src/ and test/. Written by pnpm mutation --record or --record-report; ' +
      'a notRecorded entry, written by hand, says why a package has no baseline yet. CI never writes this file.',
    packages: Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b))),
  };
  fs.writeFileSync(INDEX, `${JSON.stringify(index, null, 2)}\n`);
}

/** Puts the recorded report where Stryker's incremental mode reads it. */
export function restore(report, incrementalFile) {
  fs.mkdirSync(path.dirname(incrementalFile), { recursive: true });
  fs.copyFileSync(report, incrementalFile);
}

/**
 * Counts a run's mutants by status and scores them. A mutant that stops the test files
 * from loading (a module-level value gone wrong) fails CI (.ci/test-gate.mjs), but the
 * vitest runner sees no test fail and reports it survived: `score` counts it as killed
 * and shows it apart (NotLoaded); `strykerScore` is Stryker's own, killed and timed out
 * over all valid mutants.
 */
export function scoreOf(mutants) {
  const counts = {};
  for (const m of mutants) {
    const status = m.status === 'Survived' && (m.testsCompleted ?? 0) === 0 ? 'NotLoaded' : m.status;
    counts[status] = (counts[status] ?? 0) + 1;
  }
  const killed = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
  const valid = killed + (counts.NotLoaded ?? 0) + (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
  return {
    counts,
    score: valid ? (100 * (killed + (counts.NotLoaded ?? 0))) / valid : 100,
    strykerScore: valid ? (100 * killed) / valid : 100,
  };
}

/**
 * Records a finished full run (reports/mutation/<package>/) as the package's baseline;
 * returns why not when it mutated less than the whole package or the package changed since it started.
 */
export function recordReport(pkg, dir) {
  const summaryFile = `${dir}/summary.json`;
  if (!fs.existsSync(summaryFile)) return `no finished run in ${dir}; run pnpm mutation ${pkg}`;
  const run = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
  if (!run.whole) return 'its last run mutated only some files or ran only some tests';
  if (run.fingerprint !== fingerprint(pkg)) return 'its src/ or test/ changed since its last run started';
  if (!Number.isFinite(run.strykerScore)) return 'its last run failed';
  record(pkg, `${dir}/mutation.json`, run.strykerScore, run.fingerprint);
  return undefined;
}
