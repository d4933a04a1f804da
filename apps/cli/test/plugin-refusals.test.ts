import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { targetCode, tmpDir, writePlugin } from '../../../packages/core/test/fixtures.js';
import { run } from './run.js';

/**
 * Bad plugins as a user meets them: listed in lightcode.config.json, each is
 * refused with one line naming the package and what to change, exit 2.
 */
describe('bad plugins are refused in one line, exit 2', () => {
  function project(plugin: string): string {
    const dir = tmpDir('lightcode-refusal-');
    fs.writeFileSync(path.join(dir, 'lightcode.config.json'), JSON.stringify({ plugins: [plugin] }));
    return dir;
  }

  async function refusal(dir: string) {
    const r = await run(['plugins'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    return r.stderr.trim();
  }

  it('a plugin tarball packed without its dist', async () => {
    const src = tmpDir('lightcode-unbuilt-src-');
    writePlugin(src, {
      name: 'lightcode-target-unbuilt',
      exportsField: { '.': './dist/index.js', './package.json': './package.json' },
    });
    fs.rmSync(path.join(src, 'index.js'));
    const dir = project('lightcode-target-unbuilt');
    const npm = (args: string[]) =>
      execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, encoding: 'utf8' });
    const tarball = npm(['pack', src, '--ignore-scripts']).trim().split('\n').at(-1) as string;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    npm(['install', path.join(dir, tarball), '--offline', '--legacy-peer-deps', '--ignore-scripts']);
    expect(await refusal(dir)).toMatch(
      /^lightcode: plugin 'lightcode-target-unbuilt' has no dist\/index\.js \(its entry in .*\); it was packed or installed without its build: build it \(or reinstall a built release\) and try again$/,
    );
  });

  it('a manifest without apiVersion', async () => {
    const dir = project('noapi');
    writePlugin(path.join(dir, 'node_modules', 'noapi'), { name: 'noapi', manifest: { kind: 'target', id: 'noapi' } });
    expect(await refusal(dir)).toBe(
      `lightcode: plugin 'noapi': its package.json "lightcode" field has no "apiVersion"; add "apiVersion": 1 (the plugin API of @lightcode/cost-model 1.x)`,
    );
  });

  it('an SDK range the host does not satisfy', async () => {
    const dir = project('too-new');
    writePlugin(path.join(dir, 'node_modules', 'too-new'), {
      name: 'too-new',
      peers: { '@lightcode/cost-model': '^1.50.0' },
      code: targetCode('fake'),
    });
    expect(await refusal(dir)).toMatch(
      /^lightcode: plugin 'too-new' needs @lightcode\/cost-model \^1\.50\.0, but this LightCode has 1\.\d+\.\d+; upgrade LightCode \(@lightcode\/cli\) to one with @lightcode\/cost-model 1\.50\.0 or later, or install an older version of the plugin$/,
    );
  });

  it('a solver that takes the built-in id yalps', async () => {
    const dir = project('my-yalps');
    writePlugin(path.join(dir, 'node_modules', 'my-yalps'), {
      name: 'my-yalps',
      manifest: { apiVersion: 1, kind: 'solver', id: 'yalps' },
      code: "export default { kind: 'solver', id: 'yalps', name: 'y', description: 'y', solve: () => ({ status: 'infeasible' }) };",
    });
    expect(await refusal(dir)).toBe(
      "lightcode: plugin 'my-yalps' is a solver with id 'yalps', which is the solver built into @lightcode/optimizer, so it would never be called; give the plugin another id",
    );
  });

  it('a target that takes the id of a built-in, unless the config leaves the built-in out', async () => {
    const dir = project('my-gpu');
    writePlugin(path.join(dir, 'node_modules', 'my-gpu'), {
      name: 'my-gpu',
      manifest: { apiVersion: 1, kind: 'target', id: 'gpu' },
      code: targetCode('gpu'),
    });
    expect(await refusal(dir)).toMatch(
      /^lightcode: plugin 'my-gpu' \(.*\) has target id 'gpu', which the built-in plugin '@lightcode\/target-gpu' has; give it another id, or leave the built-in out with "builtins" in lightcode.config.json$/,
    );
    fs.writeFileSync(
      path.join(dir, 'lightcode.config.json'),
      JSON.stringify({ plugins: ['my-gpu'], builtins: ['@lightcode/frontend-gpt2', '@lightcode/target-cpu'] }),
    );
    const r = await run(['plugins', '--json'], dir);
    expect(r.stderr).toBe('');
    const listed = JSON.parse(r.stdout).plugins.map((p: { id: string; package: string }) => `${p.id}=${p.package}`);
    expect(listed).toEqual(['gpt2=@lightcode/frontend-gpt2', 'cpu=@lightcode/target-cpu', 'gpu=my-gpu']);
  });
});
