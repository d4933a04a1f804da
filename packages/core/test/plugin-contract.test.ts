import fs from 'node:fs';
import path from 'node:path';
import { loadPlugin } from '@lightcode/core';
import { describe, expect, it } from 'vitest';
import { type FakePlugin, targetCode, tmpDir, writePlugin } from './fixtures.js';

/*
 * The edges of the plugin manifest: each bad manifest is refused in one line
 * saying what to change, loaded by name or by path, and before any of the
 * plugin's code runs.
 */

/** A plugin whose code leaves a marker file when imported. */
function plant(p: Omit<FakePlugin, 'code'>): { root: string; marker: string } {
  const root = tmpDir();
  const marker = path.join(root, 'ran');
  const code = `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, 'x');\n${targetCode('edge')}`;
  const manifest = 'manifest' in p ? p.manifest : { apiVersion: 1, kind: 'target', id: 'edge' };
  writePlugin(path.join(root, 'node_modules', p.name), { ...p, manifest, code });
  fs.mkdirSync(path.join(root, 'by-path'));
  writePlugin(path.join(root, 'by-path', p.name), { ...p, manifest, code });
  return { root, marker };
}

const EDGES: [string, Omit<FakePlugin, 'code'>, RegExp][] = [
  [
    'a missing apiVersion',
    { name: 'noapi', manifest: { kind: 'target', id: 'edge' } },
    /plugin 'noapi': its package.json "lightcode" field has no "apiVersion"; add "apiVersion": 1/,
  ],
  [
    'an old apiVersion (0)',
    { name: 'old', manifest: { apiVersion: 0, kind: 'target', id: 'edge' } },
    /plugin 'old' is written for plugin API 0, but this LightCode implements API 1; install a version of it for API 1/,
  ],
  [
    'a future apiVersion (2)',
    { name: 'future', manifest: { apiVersion: 2, kind: 'target', id: 'edge' } },
    /plugin 'future' is written for plugin API 2, but this LightCode implements API 1/,
  ],
  [
    'an apiVersion that is a string ("1")',
    { name: 'strapi', manifest: { apiVersion: '1', kind: 'target', id: 'edge' } },
    /plugin 'strapi' is written for plugin API "1", but this LightCode implements API 1/,
  ],
  [
    'a wrong kind',
    { name: 'backend', manifest: { apiVersion: 1, kind: 'backend', id: 'edge' } },
    /plugin 'backend': "lightcode.kind" must be one of target, frontend, solver \(got "backend"\)/,
  ],
  [
    'no kind',
    { name: 'nokind', manifest: { apiVersion: 1, id: 'edge' } },
    /plugin 'nokind': "lightcode.kind" must be one of target, frontend, solver \(got undefined\)/,
  ],
  [
    'a kind in the wrong case',
    { name: 'upper', manifest: { apiVersion: 1, kind: 'Target', id: 'edge' } },
    /"lightcode.kind" must be one of target, frontend, solver \(got "Target"\)/,
  ],
  [
    'an id that is no lowercase id',
    { name: 'badid', manifest: { apiVersion: 1, kind: 'target', id: 'My PTU' } },
    /plugin 'badid': "lightcode.id" must be a lowercase id like "my-ptu" \(got "My PTU"\)/,
  ],
  ['no manifest', { name: 'nomanifest', manifest: null }, /package 'nomanifest' is not a LightCode plugin/],
  ['no lightcode-plugin keyword', { name: 'nokeyword', keywords: ['plugin'] }, /package 'nokeyword' is not a LightCode plugin/],
];

describe('plugin manifest edges are refused before any plugin code runs', () => {
  for (const [what, p, msg] of EDGES) {
    it(`${what}: by name and by path`, async () => {
      const { root, marker } = plant(p);
      await expect(loadPlugin(p.name, root, 'flag')).rejects.toThrow(msg);
      await expect(loadPlugin(`./by-path/${p.name}`, root, 'flag')).rejects.toThrow(msg);
      expect(fs.existsSync(marker), 'plugin code ran').toBe(false);
    });
  }
});

describe('a plugin must export "./package.json"', () => {
  const REFUSED = /does not export '\.\/package\.json'; add "\.\/package\.json": "\.\/package\.json" to its exports/;

  it.each([
    ['exports without it', { '.': './index.js' }],
    ['exports as a single string', './index.js'],
    ['exports with it set to null', { '.': './index.js', './package.json': null }],
  ])('%s: refused by name and by path', async (_what, exportsField) => {
    const { root, marker } = plant({ name: 'noexp', exportsField });
    await expect(loadPlugin('noexp', root, 'flag')).rejects.toThrow(REFUSED);
    await expect(loadPlugin('./by-path/noexp', root, 'flag')).rejects.toThrow(REFUSED);
    expect(fs.existsSync(marker), 'plugin code ran').toBe(false);
  });

  it('no exports field at all: refused by name and by path', async () => {
    const root = tmpDir();
    const marker = path.join(root, 'ran');
    for (const dir of [path.join(root, 'node_modules', 'bare'), path.join(root, 'by-path', 'bare')]) {
      writePlugin(dir, {
        name: 'bare',
        code: `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, 'x');\n${targetCode('fake')}`,
      });
      const pkgFile = path.join(dir, 'package.json');
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
      delete pkg.exports;
      fs.writeFileSync(pkgFile, JSON.stringify(pkg));
    }
    await expect(loadPlugin('bare', root, 'flag')).rejects.toThrow(REFUSED);
    await expect(loadPlugin('./by-path/bare', root, 'flag')).rejects.toThrow(REFUSED);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('a well-formed plugin loads by name and by path (the edges above differ from it in one field each)', async () => {
    const { root, marker } = plant({ name: 'good' });
    expect((await loadPlugin('good', root, 'flag')).plugin.id).toBe('edge');
    expect((await loadPlugin('./by-path/good', root, 'flag')).plugin.id).toBe('edge');
    expect(fs.existsSync(marker)).toBe(true);
  });
});
