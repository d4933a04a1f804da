import fs from 'node:fs';
import path from 'node:path';
import { discoverPlugins, findConfig, loadConfig, loadPlugin } from '@lightcode/core';
import { describe, expect, it } from 'vitest';
import { targetCode, tmpDir, writePlugin } from './fixtures.js';

describe('plugin discovery', () => {
  it('loads a plugin a config lists, resolved from the config file folder', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'node_modules', 'my-target'), {
      name: 'my-target',
      manifest: { apiVersion: 1, kind: 'target', id: 'mine' },
      code: targetCode('mine'),
    });
    fs.writeFileSync(path.join(root, 'lightcode.config.json'), JSON.stringify({ plugins: ['my-target'] }));
    const sub = path.join(root, 'a', 'b');
    fs.mkdirSync(sub, { recursive: true });
    const cfgPath = findConfig(sub);
    expect(cfgPath).toBe(path.join(root, 'lightcode.config.json'));
    const cfg = loadConfig(cfgPath as string);
    const reg = await discoverPlugins({ config: { path: cfg.path, plugins: cfg.config.plugins ?? [] }, cwd: sub });
    expect(reg.targets.has('mine')).toBe(true);
    expect(reg.loaded[0]).toMatchObject({ packageName: 'my-target', version: '2.3.4', origin: `config:${cfgPath}` });
  });

  it('reads YAML configs and passes options to factory plugins', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'node_modules', 'factory'), {
      name: 'factory',
      manifest: { apiVersion: 1, kind: 'target', id: 'made' },
      code: `import base from './base.js';\nexport default (o) => ({ ...base, id: o.id, description: o.label });\n`,
    });
    fs.writeFileSync(path.join(root, 'node_modules', 'factory', 'base.js'), targetCode('base'));
    fs.writeFileSync(path.join(root, 'lightcode.config.yaml'), 'plugins:\n  - [factory, { id: made, label: from options }]\n');
    const cfg = loadConfig(path.join(root, 'lightcode.config.yaml'));
    const reg = await discoverPlugins({ config: { path: cfg.path, plugins: cfg.config.plugins ?? [] } });
    expect(reg.targets.get('made')?.description).toBe('from options');
  });

  it('loads --plugin paths relative to the working folder', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'plug'), {
      name: 'plug',
      manifest: { apiVersion: 1, kind: 'target', id: 'plug' },
      code: targetCode('plug'),
    });
    const reg = await discoverPlugins({ flags: ['./plug'], cwd: root });
    expect(reg.loaded.map((p) => [p.plugin.id, p.origin])).toEqual([['plug', 'flag']]);
  });

  it('checks apiVersion before running any plugin code', async () => {
    const root = tmpDir();
    const marker = path.join(root, 'ran');
    writePlugin(path.join(root, 'future'), {
      name: 'future',
      manifest: { apiVersion: 2, kind: 'target', id: 'future' },
      code: `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, 'x'); export default {};`,
    });
    await expect(loadPlugin('./future', root, 'flag')).rejects.toThrow(/written for plugin API 2, but this LightCode implements API 1/);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it.each([
    [{ name: 'plain', manifest: null }, /package 'plain' is not a LightCode plugin: its package.json needs the keyword "lightcode-plugin"/],
    [{ name: 'nokw', keywords: [] }, /package 'nokw' is not a LightCode plugin/],
    [
      { name: 'badkind', manifest: { apiVersion: 1, kind: 'backend', id: 'x' } },
      /"lightcode.kind" must be one of target, frontend, solver/,
    ],
    [{ name: 'boom', code: "throw new Error('kaput');" }, /plugin 'fake': package 'boom' threw while loading: kaput/],
    [{ name: 'wrong', code: "export default { kind: 'frontend', id: 'fake' };" }, /must default-export a target plugin with id 'fake'/],
    [{ name: 'noexp', exportsField: { '.': './index.js' } }, /does not export '.\/package.json'/],
  ])('rejects a bad plugin with one line (%#)', async (p, msg) => {
    const root = tmpDir();
    writePlugin(path.join(root, 'node_modules', p.name), p);
    await expect(loadPlugin(p.name, root, 'flag')).rejects.toThrow(msg);
  });

  it('names a plugin it cannot find, and refuses two plugins with one id', async () => {
    const root = tmpDir();
    await expect(loadPlugin('nowhere', root, 'flag')).rejects.toThrow(/cannot find plugin package 'nowhere' from/);
    writePlugin(path.join(root, 'one'), { name: 'one' });
    writePlugin(path.join(root, 'two'), { name: 'two' });
    await expect(discoverPlugins({ flags: ['./one', './two'], cwd: root })).rejects.toThrow(
      /two target plugins have id 'fake': one .* and two/,
    );
  });

  it.each([
    ['{ "plugins": 5 }', /plugins: must be an array/],
    ['{ "plugin": [] }', /plugin: unknown field \(known: plugins, builtins\)/],
    ['{ nope', /is not valid JSON/],
  ])('rejects a malformed config file: %s', (text, msg) => {
    const root = tmpDir();
    fs.writeFileSync(path.join(root, 'lightcode.config.json'), text);
    expect(() => loadConfig(path.join(root, 'lightcode.config.json'))).toThrow(msg);
  });
});
