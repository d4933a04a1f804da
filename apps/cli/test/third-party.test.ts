import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../../../packages/core/test/fixtures.js';
import { runBin } from './run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A third party's plugin, packed as npm would publish it and installed by path
 * into a scratch project outside the workspace. The SDK it peer-depends on is
 * linked in from the workspace, as an installed @lightcode/cli would provide it.
 */
describe('a third-party target installed from a tarball', () => {
  let project = '';

  beforeAll(() => {
    const scratch = tmpDir('lightcode-third-party-');
    const npm = (args: string[], cwd: string) =>
      execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
    const tarball = npm(['pack', path.join(ROOT, 'examples/third-party-target'), '--pack-destination', scratch], scratch)
      .trim()
      .split('\n')
      .at(-1) as string;
    project = path.join(scratch, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    npm(['install', path.join(scratch, tarball), '--offline', '--legacy-peer-deps', '--ignore-scripts'], project);
    fs.mkdirSync(path.join(project, 'node_modules', '@lightcode'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'packages/cost-model'), path.join(project, 'node_modules', '@lightcode', 'cost-model'), 'dir');
    fs.writeFileSync(path.join(project, 'lightcode.config.json'), JSON.stringify({ plugins: ['lightcode-target-aimc'] }));
    fs.writeFileSync(
      path.join(project, 'system.yaml'),
      [
        'id: gpu-plus-aimc',
        'devices:',
        '  - { id: gpu, target: gpu, preset: a100, count: 1 }',
        '  - { id: aimc, target: aimc, count: 2 }',
        'links:',
        '  - { id: pcie, between: [gpu, aimc], bandwidthBps: 31.5e9, latencyS: 1e-6, energyPerByteJ: 40e-12 }',
        '',
      ].join('\n'),
    );
  }, 60_000);

  it('is installed from the tarball, not the workspace', () => {
    const installed = path.join(project, 'node_modules', 'lightcode-target-aimc');
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(fs.existsSync(path.join(installed, 'index.js'))).toBe(true);
  });

  it('is discovered through the project config and listed', () => {
    const r = runBin(['plugins', '--json'], project);
    expect(r.stderr).toBe('');
    const aimc = JSON.parse(r.stdout).plugins.find((p: { id: string }) => p.id === 'aimc');
    expect(aimc).toMatchObject({
      kind: 'target',
      package: 'lightcode-target-aimc',
      version: '1.0.0',
      origin: `config:${path.join(project, 'lightcode.config.json')}`,
    });
  });

  it('prices ops in a compile', () => {
    const r = runBin(
      ['compile', '--model', 'gpt2', '--seq-len', '128', '--system', 'system.yaml', '--objective', 'energy', '--json'],
      project,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const onAimc = j.ops.filter((o: { device: string }) => o.device === 'aimc');
    expect(onAimc.length).toBeGreaterThan(0);
    expect(onAimc.every((o: { kind: string; algorithm: string }) => o.kind === 'linear' && o.algorithm === 'weight-stationary')).toBe(true);
  });
});
