import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from './run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SCRIPT = path.join(ROOT, 'docs/array-jobs/run-shard.sh');
const LIGHTCODE = `${path.join(ROOT, 'node_modules/.bin/tsx')} --conditions=lightcode-source ${path.join(ROOT, 'apps/cli/src/bin.ts')}`;
const SWEEP_ARGS = '--model gpt2 --seq-len 64,128,256 --systems lightcode-2025';

function shard(env: Record<string, string>) {
  const r = spawnSync('bash', [SCRIPT], { env: { ...process.env, LIGHTCODE, SWEEP_ARGS, ...env }, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe('docs/array-jobs/run-shard.sh', () => {
  it.each([
    ['Slurm job array', (i: number) => ({ SLURM_ARRAY_TASK_ID: String(i + 1), SLURM_ARRAY_TASK_COUNT: '2' })],
    ['Kubernetes Indexed Job', (i: number) => ({ JOB_COMPLETION_INDEX: String(i), SHARDS: '2' })],
  ])('runs the shards of a %s that merge into the unsharded result', async (_name, envOf) => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lightcode-array-'));
    for (const i of [0, 1]) {
      const r = shard({ ...envOf(i), OUT: out });
      expect(r.code, r.stderr).toBe(0);
    }
    const merged = await run(['merge', path.join(out, 'shard-1'), path.join(out, 'shard-2'), '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    const whole = await run(['sweep', ...SWEEP_ARGS.split(' '), '--workers', '1', '--json']);
    expect(merged.stdout).toBe(whole.stdout);
  });

  it('refuses to run outside an array job', () => {
    const r = shard({});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run it as an array job/);
  });
});
