import fs from 'node:fs';
import path from 'node:path';
import { type LightcodePlugin, SDK_PACKAGE } from '@lightcode/cost-model';
import { afterEach, describe, expect, it } from 'vitest';
import {
  discoverPlugins,
  type LoadedPlugin,
  loadPlugin,
  PluginRegistry,
  packageEntry,
  RESERVED_SOLVER_IDS,
  readManifest,
  resolvePluginPackage,
  sdkRangeProblem,
} from '../src/plugins.js';
import { DEFAULT_PLUGIN_TIMEOUT_S } from '../src/watchdog.js';
import { frontendCode, rejection, solverCode, targetCode, thrown, tmpDir, writePlugin } from './fixtures.js';

/*
 * plugins.ts piece by piece: which file a package's exports name, where a
 * plugin spec resolves, each manifest check and its message, the SDK range
 * check against a given host version, loading (factories, options, entry
 * files), the registry's clash rules, and which built-ins discovery loads.
 */

/** A package.json written as given (no defaults), in a fresh folder; returns the file. */
function rawPackage(pkg: unknown): string {
  const dir = tmpDir();
  const f = path.join(dir, 'package.json');
  fs.writeFileSync(f, typeof pkg === 'string' ? pkg : JSON.stringify(pkg));
  return f;
}

const GOOD = {
  name: 'good',
  version: '1.0.0',
  keywords: ['lightcode-plugin'],
  lightcode: { apiVersion: 1, kind: 'target', id: 'good' },
  exports: { '.': './index.js', './package.json': './package.json' },
  peerDependencies: { [SDK_PACKAGE]: '^1.0.0' },
};

describe('packageEntry: the file import() would load', () => {
  const dir = '/pkg';
  it('exports as a string, or the "." of a subpath map', () => {
    expect(packageEntry(dir, { exports: './a.js' })).toBe('/pkg/a.js');
    expect(packageEntry(dir, { exports: { '.': './b.js', './package.json': './package.json' } })).toBe('/pkg/b.js');
  });

  it('conditions: the first key (in the order written) that the conditions include, nested', () => {
    expect(packageEntry(dir, { exports: { require: './r.cjs', import: './i.js', default: './d.js' } })).toBe('/pkg/i.js');
    expect(packageEntry(dir, { exports: { '.': { default: './d.js', import: './i.js' } } })).toBe('/pkg/d.js');
    expect(packageEntry(dir, { exports: { '.': { node: { require: './r.cjs', import: './n.js' } } } })).toBe('/pkg/n.js');
    // a matched condition that leads nowhere falls through to the next key
    expect(packageEntry(dir, { exports: { '.': { import: { require: './r.cjs' }, default: './d.js' } } })).toBe('/pkg/d.js');
  });

  it('under --conditions=lightcode-source (as in these tests) the source entry comes first', () => {
    expect(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`).toContain('lightcode-source');
    expect(packageEntry(dir, { exports: { '.': { 'lightcode-source': './src/index.ts', default: './dist/index.js' } } })).toBe(
      '/pkg/src/index.ts',
    );
  });

  describe('without the source condition', () => {
    const saved = { options: process.env.NODE_OPTIONS, argv: process.execArgv };
    afterEach(() => {
      process.env.NODE_OPTIONS = saved.options;
      process.execArgv = saved.argv;
    });
    it('the source entry is skipped (the flags read are the process flags and NODE_OPTIONS)', () => {
      const exp = { exports: { '.': { 'lightcode-source': './src/index.ts', default: './dist/index.js' } } };
      process.execArgv = saved.argv.filter((a) => !a.includes('lightcode-source'));
      process.env.NODE_OPTIONS = '--max-old-space-size=4096';
      expect(packageEntry(dir, exp)).toBe('/pkg/dist/index.js');
      delete process.env.NODE_OPTIONS;
      expect(packageEntry(dir, { exports: { 'lightcode-source': './s.ts', import: './i.js' } })).toBe('/pkg/i.js');
      expect(packageEntry(dir, { exports: { 'lightcode-source': './s.ts', node: './n.js' } })).toBe('/pkg/n.js');
      expect(packageEntry(dir, { exports: { 'lightcode-source': './s.ts', default: './d.js' } })).toBe('/pkg/d.js');
      // either place turns it on
      process.env.NODE_OPTIONS = '--conditions=lightcode-source';
      expect(packageEntry(dir, exp)).toBe('/pkg/src/index.ts');
      delete process.env.NODE_OPTIONS;
      process.execArgv = ['--conditions=lightcode-source'];
      expect(packageEntry(dir, exp)).toBe('/pkg/src/index.ts');
    });
  });

  it('arrays: the first entry that resolves', () => {
    expect(packageEntry(dir, { exports: { '.': [{ require: './r.cjs' }, './second.js', './third.js'] } })).toBe('/pkg/second.js');
    expect(packageEntry(dir, { exports: [{ browser: './b.js' }] })).toBeUndefined();
  });

  it('nothing for import: undefined (a condition object, null, a number)', () => {
    expect(packageEntry(dir, { exports: { '.': { require: './r.cjs', browser: './b.js' } } })).toBeUndefined();
    expect(packageEntry(dir, { exports: { '.': null } })).toBeUndefined();
    expect(packageEntry(dir, { exports: { './package.json': './package.json' } })).toBeUndefined();
    expect(packageEntry(dir, { exports: 5 })).toBeUndefined();
  });

  it('any key starting with "." makes a subpath map: its "." is the entry, or none', () => {
    expect(packageEntry(dir, { exports: { '.': './a.js', import: './b.js' } })).toBe('/pkg/a.js');
    expect(packageEntry(dir, { exports: { './feature': './f.js', import: './i.js' } })).toBeUndefined();
    expect(packageEntry(dir, { exports: null })).toBeUndefined();
  });

  it('no exports: main, else index.js', () => {
    expect(packageEntry(dir, { main: 'lib/main.js' })).toBe('/pkg/lib/main.js');
    expect(packageEntry(dir, { main: 7 })).toBe('/pkg/index.js');
    expect(packageEntry(dir, {})).toBe('/pkg/index.js');
  });
});

describe('resolvePluginPackage: a path from baseDir, or a package name', () => {
  it('paths starting with "." or absolute, to the folder or to package.json itself', () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'p'), { name: 'p' });
    const file = path.join(root, 'p', 'package.json');
    expect(resolvePluginPackage('./p', root)).toBe(file);
    expect(resolvePluginPackage('../p', path.join(root, 'p'))).toBe(file);
    expect(resolvePluginPackage(path.join(root, 'p'), '/')).toBe(file);
    expect(resolvePluginPackage('./p/package.json', root)).toBe(file);
  });

  it('a path without package.json says where it looked', () => {
    const root = tmpDir();
    expect(thrown(() => resolvePluginPackage('./none', root)).message).toBe(
      `plugin path './none' has no package.json (looked for ${path.join(root, 'none', 'package.json')})`,
    );
  });

  it('a name is resolved from node_modules of baseDir or its parents', () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'node_modules', 'named'), { name: 'named' });
    const sub = path.join(root, 'a', 'b');
    fs.mkdirSync(sub, { recursive: true });
    expect(resolvePluginPackage('named', sub)).toBe(fs.realpathSync(path.join(root, 'node_modules', 'named', 'package.json')));
  });

  it('a name not installed, and one whose exports hide package.json', () => {
    const root = tmpDir();
    const e = thrown(() => resolvePluginPackage('absent', root));
    expect([e.message, e.exitCode]).toEqual([`cannot find plugin package 'absent' from ${root}; install it there or give its path`, 2]);
    writePlugin(path.join(root, 'node_modules', 'hidden'), { name: 'hidden', exportsField: { '.': './index.js' } });
    expect(thrown(() => resolvePluginPackage('hidden', root)).message).toBe(
      `plugin 'hidden' does not export './package.json'; add "./package.json": "./package.json" to its exports`,
    );
  });
});

describe('readManifest: each check, in order, before any plugin code', () => {
  it('a good manifest is returned with the package', () => {
    const f = rawPackage(GOOD);
    expect(readManifest(f)).toEqual({ pkg: GOOD, manifest: GOOD.lightcode });
  });

  it('a package.json that is not JSON', () => {
    const f = rawPackage('{ nope');
    expect(thrown(() => readManifest(f)).message).toMatch(new RegExp(`^cannot read plugin manifest ${f}: .*JSON`));
  });

  it('no name: the file names it', () => {
    const f = rawPackage({ ...GOOD, name: undefined, keywords: [] });
    expect(thrown(() => readManifest(f)).message).toBe(
      `package '${f}' is not a LightCode plugin: its package.json needs the keyword "lightcode-plugin" and a "lightcode": { "apiVersion", "kind", "id" } field`,
    );
  });

  it('keywords that are not a list, or a "lightcode" field that is not an object, are not a plugin', () => {
    for (const over of [{ keywords: 'lightcode-plugin' }, { lightcode: 'target' }, { lightcode: null }]) {
      expect(thrown(() => readManifest(rawPackage({ ...GOOD, ...over }))).message, JSON.stringify(over)).toMatch(
        /^package 'good' is not a LightCode plugin/,
      );
    }
  });

  it('ids: a lowercase letter, then lowercase letters, digits and dashes', () => {
    for (const id of ['a', 'my-ptu2', 'x-1-y']) {
      expect(readManifest(rawPackage({ ...GOOD, lightcode: { ...GOOD.lightcode, id } })).manifest.id).toBe(id);
    }
    for (const id of ['1a', '-a', 'a_b', 'aB', 'a b', '', 'ab.', 7]) {
      expect(thrown(() => readManifest(rawPackage({ ...GOOD, lightcode: { ...GOOD.lightcode, id } }))).message, String(id)).toBe(
        `plugin 'good': "lightcode.id" must be a lowercase id like "my-ptu" (got ${JSON.stringify(id)})`,
      );
    }
  });

  it('every kind is accepted', () => {
    for (const kind of ['target', 'frontend', 'solver']) {
      expect(readManifest(rawPackage({ ...GOOD, lightcode: { ...GOOD.lightcode, kind } })).manifest.kind).toBe(kind);
    }
  });

  it('exports must be an object that names ./package.json (an array is refused)', () => {
    expect(thrown(() => readManifest(rawPackage({ ...GOOD, exports: ['./index.js', './package.json'] }))).message).toBe(
      `plugin 'good' does not export './package.json'; add "./package.json": "./package.json" to its exports`,
    );
  });

  it('apiVersion: missing, or another version, each with its own message', () => {
    const { apiVersion: _a, ...noApi } = GOOD.lightcode;
    expect(thrown(() => readManifest(rawPackage({ ...GOOD, lightcode: noApi }))).message).toBe(
      `plugin 'good': its package.json "lightcode" field has no "apiVersion"; add "apiVersion": 1 (the plugin API of ${SDK_PACKAGE} 1.x)`,
    );
    expect(thrown(() => readManifest(rawPackage({ ...GOOD, lightcode: { ...GOOD.lightcode, apiVersion: 2 } }))).message).toBe(
      "plugin 'good' is written for plugin API 2, but this LightCode implements API 1; install a version of it for API 1",
    );
  });

  it('exports that are null, or missing, are refused like any without ./package.json', () => {
    const want = `plugin 'good' does not export './package.json'; add "./package.json": "./package.json" to its exports`;
    expect(thrown(() => readManifest(rawPackage({ ...GOOD, exports: null }))).message).toBe(want);
    const { exports: _e, ...noExports } = GOOD;
    expect(thrown(() => readManifest(rawPackage(noExports))).message).toBe(want);
    expect(thrown(() => readManifest(rawPackage({ ...GOOD, exports: './index.js' }))).message).toBe(want);
  });

  it('an SDK range problem is prefixed with the plugin', () => {
    expect(thrown(() => readManifest(rawPackage({ ...GOOD, peerDependencies: { [SDK_PACKAGE]: '^2.0.0' } }))).message).toMatch(
      new RegExp(`^plugin 'good' needs ${SDK_PACKAGE} \\^2\\.0\\.0, but this LightCode has `),
    );
  });
});

describe('sdkRangeProblem against a host version', () => {
  const pkg = (peer?: unknown, dep?: unknown) => ({
    ...(peer !== undefined ? { peerDependencies: { [SDK_PACKAGE]: peer } } : {}),
    ...(dep !== undefined ? { dependencies: { [SDK_PACKAGE]: dep } } : {}),
  });

  it('a range that admits the host: no problem (prereleases of the host count)', () => {
    expect(sdkRangeProblem(pkg('^1.2.0'), '1.4.0')).toBeNull();
    expect(sdkRangeProblem(pkg('^1.0.0'), '1.5.0-beta.1')).toBeNull();
    expect(sdkRangeProblem(pkg('1.4.0'), '1.4.0')).toBeNull();
  });

  it('peerDependencies first, else dependencies', () => {
    expect(sdkRangeProblem(pkg('^1.0.0', '^9.0.0'), '1.0.0')).toBeNull();
    expect(sdkRangeProblem(pkg(undefined, '^1.0.0'), '1.0.0')).toBeNull();
    expect(sdkRangeProblem(pkg(undefined, '^2.0.0'), '1.0.0')).toMatch(/^needs @lightcode\/cost-model \^2\.0\.0/);
  });

  it('no range declared (or a field that is not an object): what to add, with the host major', () => {
    const want = `does not say which SDK it needs; add "peerDependencies": { "${SDK_PACKAGE}": "^3.0.0" } to its package.json`;
    expect(sdkRangeProblem({}, '3.1.4')).toBe(want);
    expect(sdkRangeProblem({ peerDependencies: 'x', dependencies: null }, '3.1.4')).toBe(want);
    expect(sdkRangeProblem({ peerDependencies: { other: '^1.0.0' } }, '3.1.4')).toBe(want);
  });

  it('not a semver range', () => {
    expect(sdkRangeProblem(pkg('latest-and-greatest'), '2.0.0')).toBe(
      `declares ${SDK_PACKAGE} 'latest-and-greatest', which is not a semver range; write a range such as "^2.0.0"`,
    );
  });

  it('a host newer than the range: install a newer plugin', () => {
    expect(sdkRangeProblem(pkg('^1.0.0'), '2.0.0')).toBe(
      `needs ${SDK_PACKAGE} ^1.0.0, but this LightCode has 2.0.0; install a version of the plugin made for ${SDK_PACKAGE} 2.x`,
    );
  });

  it('a host older than the range: upgrade LightCode to the range minimum', () => {
    expect(sdkRangeProblem(pkg('>=1.3.0 <2'), '1.2.0')).toBe(
      `needs ${SDK_PACKAGE} >=1.3.0 <2, but this LightCode has 1.2.0; upgrade LightCode (@lightcode/cli) to one with ${SDK_PACKAGE} 1.3.0 or later, or install an older version of the plugin`,
    );
  });
});

describe('loadPlugin', () => {
  it('a plugin without a version loads as 0.0.0; path, origin and package name are kept', async () => {
    const root = tmpDir();
    const dir = writePlugin(path.join(root, 'nov'), { name: 'nov', code: targetCode('fake') });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    delete pkg.version;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
    const lp = await loadPlugin('./nov', root, 'config:/x/lightcode.config.json');
    expect([lp.version, lp.path, lp.origin, lp.packageName, lp.manifest.id]).toEqual([
      '0.0.0',
      dir,
      'config:/x/lightcode.config.json',
      'nov',
      'fake',
    ]);
  });

  it('a package without a name is known by the spec it was loaded by', async () => {
    const root = tmpDir();
    const dir = writePlugin(path.join(root, 'anon'), { name: 'anon' });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    delete pkg.name;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
    expect((await loadPlugin('./anon', root, 'flag')).packageName).toBe('./anon');
  });

  it('an entry file that is missing: the build is missing', async () => {
    const root = tmpDir();
    const dir = writePlugin(path.join(root, 'unbuilt'), {
      name: 'unbuilt',
      exportsField: { '.': './dist/index.js', './package.json': './package.json' },
    });
    const e = await rejection(loadPlugin('./unbuilt', root, 'flag'));
    expect(e.message).toBe(
      `plugin 'unbuilt' has no dist/index.js (its entry in ${path.join(dir, 'package.json')}); it was packed or installed without its build: build it (or reinstall a built release) and try again`,
    );
    expect(e.exitCode).toBe(2);
  });

  it('exports that name no entry for import', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'cjs'), {
      name: 'cjs',
      exportsField: { '.': { require: './index.cjs' }, './package.json': './package.json' },
    });
    expect((await rejection(loadPlugin('./cjs', root, 'flag'))).message).toBe(
      `plugin 'cjs' names no entry file for import in its "exports"; add "." (and "./package.json") to them`,
    );
  });

  it('a module that throws a non-Error while loading is named with what it threw', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'str'), { name: 'str', code: "throw 'just a string';" });
    const e = await rejection(loadPlugin('./str', root, 'flag'));
    expect([e.message, e.exitCode]).toEqual(["plugin 'fake': package 'str' threw while loading: just a string", 2]);
  });

  it('a module that throws undefined, and a factory that throws null, are named with what they threw', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'undef'), { name: 'undef', code: 'throw undefined;' });
    expect((await rejection(loadPlugin('./undef', root, 'flag'))).message).toBe(
      "plugin 'fake': package 'undef' threw while loading: undefined",
    );
    writePlugin(path.join(root, 'nullfac'), { name: 'nullfac', code: 'export default () => { throw null; };' });
    expect((await rejection(loadPlugin('./nullfac', root, 'flag'))).message).toBe("plugin 'fake': factory threw: null");
  });

  it('factories get the options (or {}); a factory that throws is named', async () => {
    const root = tmpDir();
    fs.mkdirSync(root, { recursive: true });
    const base = path.join(root, 'base.js');
    fs.writeFileSync(base, targetCode('fake'));
    writePlugin(path.join(root, 'fac'), {
      name: 'fac',
      code: `import base from ${JSON.stringify(base)};\nexport default (o) => ({ ...base, description: JSON.stringify(o) });\n`,
    });
    expect((await loadPlugin('./fac', root, 'flag')).plugin.description).toBe('{}');
    expect((await loadPlugin(['./fac', { a: 1 }], root, 'flag')).plugin.description).toBe('{"a":1}');
    writePlugin(path.join(root, 'badfac'), { name: 'badfac', code: "export default () => { throw new Error('no options'); };" });
    const e = await rejection(loadPlugin('./badfac', root, 'flag'));
    expect(e.message).toBe("plugin 'fake': factory threw: no options");
    writePlugin(path.join(root, 'strfac'), { name: 'strfac', code: "export default () => { throw 'raw'; };" });
    expect((await rejection(loadPlugin('./strfac', root, 'flag'))).message).toBe("plugin 'fake': factory threw: raw");
  });

  it('options for a plugin that is not a factory are refused', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'plain'), { name: 'plain' });
    expect((await rejection(loadPlugin(['./plain', {}], root, 'flag'))).message).toBe(
      "plugin 'plain' takes no options (its default export is not a factory); list it by name alone",
    );
  });

  it('a default export that is missing, not an object, or of another kind or id', async () => {
    const root = tmpDir();
    const cases: [string, string][] = [
      ['export const x = 1;', 'got kind undefined, id undefined'],
      ["export default 'target';", 'got kind undefined, id undefined'],
      ['export default null;', 'got kind undefined, id undefined'],
      ["export default { kind: 'target', id: 'other' };", 'got kind "target", id "other"'],
    ];
    for (const [i, [code, got]] of cases.entries()) {
      writePlugin(path.join(root, `d${i}`), { name: `d${i}`, code });
      expect((await rejection(loadPlugin(`./d${i}`, root, 'flag'))).message).toBe(
        `plugin 'fake': package 'd${i}' must default-export a target plugin with id 'fake' made by defineTarget() (${got})`,
      );
    }
    writePlugin(path.join(root, 'fe'), { name: 'fe', manifest: { apiVersion: 1, kind: 'frontend', id: 'fe' }, code: 'export default {};' });
    expect((await rejection(loadPlugin('./fe', root, 'flag'))).message).toMatch(/made by defineFrontend\(\) \(got kind undefined/);
  });

  it('a plugin that breaks the contract is refused with the contract problem', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'partial'), { name: 'partial', code: "export default { kind: 'target', id: 'fake' };" });
    expect((await rejection(loadPlugin('./partial', root, 'flag'))).message).toBe(
      "plugin 'partial' has no 'name', which every target plugin needs; make its default export with defineTarget()",
    );
  });
});

describe('PluginRegistry.add', () => {
  const loaded = (plugin: object, o: Partial<LoadedPlugin> = {}): LoadedPlugin =>
    ({
      manifest: { apiVersion: 1, kind: (plugin as LightcodePlugin).kind, id: (plugin as LightcodePlugin).id },
      plugin: plugin as LightcodePlugin,
      packageName: 'pkg',
      version: '1.0.0',
      path: '/p',
      origin: 'flag',
      ...o,
    }) as LoadedPlugin;

  it('files each kind under its own map, and keeps the load order', () => {
    const reg = new PluginRegistry();
    const t = { kind: 'target', id: 'x' };
    const f = { kind: 'frontend', id: 'x' };
    const s = { kind: 'solver', id: 'x' };
    reg.add(loaded(t, { path: '/t' }));
    reg.add(loaded(f, { path: '/f' }));
    reg.add(loaded(s, { path: '/s' }));
    expect([reg.targets.get('x'), reg.frontends.get('x'), reg.solvers.get('x')]).toEqual([t, f, s]);
    expect(reg.loaded.map((l) => l.path)).toEqual(['/t', '/f', '/s']);
    expect(reg.pluginTimeoutS).toBe(DEFAULT_PLUGIN_TIMEOUT_S);
    expect(DEFAULT_PLUGIN_TIMEOUT_S).toBe(60);
  });

  it('the same package (same path) twice is added once', () => {
    const reg = new PluginRegistry();
    reg.add(loaded({ kind: 'target', id: 'x' }));
    reg.add(loaded({ kind: 'target', id: 'x' }));
    expect(reg.loaded).toHaveLength(1);
  });

  it('a solver may not take a reserved id (auto, yalps)', () => {
    expect(RESERVED_SOLVER_IDS).toEqual({
      auto: 'the automatic choice of LightCode (--solver auto)',
      yalps: 'the solver built into @lightcode/optimizer',
    });
    for (const id of ['auto', 'yalps']) {
      const e = thrown(() => new PluginRegistry().add(loaded({ kind: 'solver', id }, { packageName: 'mine' })));
      expect(e.message).toBe(
        `plugin 'mine' is a solver with id '${id}', which is ${RESERVED_SOLVER_IDS[id]}, so it would never be called; give the plugin another id`,
      );
    }
    // a target may be called auto
    const reg = new PluginRegistry();
    reg.add(loaded({ kind: 'target', id: 'auto' }));
    expect(reg.targets.has('auto')).toBe(true);
  });

  it('a clash with a built-in names the built-in and the "builtins" way out', () => {
    const reg = new PluginRegistry();
    reg.add(loaded({ kind: 'target', id: 'gpu' }, { packageName: '@lightcode/target-gpu', path: '/b', origin: 'builtin' }));
    expect(thrown(() => reg.add(loaded({ kind: 'target', id: 'gpu' }, { packageName: 'my-gpu', path: '/m' }))).message).toBe(
      `plugin 'my-gpu' (/m) has target id 'gpu', which the built-in plugin '@lightcode/target-gpu' has; give it another id, or leave the built-in out with "builtins" in lightcode.config.json`,
    );
  });

  it('two non-built-ins with one id and kind: both named; another kind may share the id', () => {
    const reg = new PluginRegistry();
    reg.add(loaded({ kind: 'frontend', id: 'x' }, { packageName: 'a', path: '/a', origin: 'config:/c' }));
    expect(thrown(() => reg.add(loaded({ kind: 'frontend', id: 'x' }, { packageName: 'b', path: '/b' }))).message).toBe(
      "two frontend plugins have id 'x': a (/a) and b (/b); remove one",
    );
    reg.add(loaded({ kind: 'target', id: 'x' }, { packageName: 'c', path: '/c' }));
    expect(reg.loaded.map((l) => l.packageName)).toEqual(['a', 'c']);
  });
});

describe('discoverPlugins: built-ins, then the config, then flags', () => {
  function builtins(): { from: string; names: string[] } {
    const from = tmpDir();
    for (const [name, code] of [
      ['@x/target-a', targetCode('ta')],
      ['@x/frontend-b', frontendCode('fb')],
      ['@x/solver-c', solverCode('sc')],
    ] as const) {
      const kind = name.split('/')[1]?.split('-')[0] as string;
      const id = code.match(/id: "([a-z]+)"/)?.[1] as string;
      writePlugin(path.join(from, 'node_modules', name), { name, manifest: { apiVersion: 1, kind, id }, code });
    }
    return { from, names: ['@x/target-a', '@x/frontend-b', '@x/solver-c'] };
  }

  it('every built-in by default, resolved from builtinFrom, with origin builtin', async () => {
    const { from, names } = builtins();
    const reg = await discoverPlugins({ builtins: names, builtinFrom: from });
    expect(reg.loaded.map((l) => [l.packageName, l.origin])).toEqual(names.map((n) => [n, 'builtin']));
    expect([reg.targets.has('ta'), reg.frontends.has('fb'), reg.solvers.has('sc')]).toEqual([true, true, true]);
  });

  it('a config with builtins true keeps all, false none, a list only those (in built-in order)', async () => {
    const { from, names } = builtins();
    const config = (b: boolean | string[]) => ({ path: path.join(from, 'lightcode.config.json'), plugins: [], builtins: b });
    expect((await discoverPlugins({ builtins: names, builtinFrom: from, config: config(true) })).loaded).toHaveLength(3);
    expect((await discoverPlugins({ builtins: names, builtinFrom: from, config: config(false) })).loaded).toHaveLength(0);
    const some = await discoverPlugins({ builtins: names, builtinFrom: from, config: config(['@x/solver-c', '@x/target-a']) });
    expect(some.loaded.map((l) => l.packageName)).toEqual(['@x/target-a', '@x/solver-c']);
  });

  it('a config naming a plugin that is not built in is refused, listing the built-ins', async () => {
    const { from, names } = builtins();
    const cfg = path.join(from, 'lightcode.config.json');
    expect(
      (await rejection(discoverPlugins({ builtins: names, builtinFrom: from, config: { path: cfg, plugins: [], builtins: ['nope'] } })))
        .message,
    ).toBe(`config file '${cfg}': "builtins" lists 'nope', which is not a built-in plugin (built-ins: ${names.join(', ')})`);
    expect((await rejection(discoverPlugins({ config: { path: cfg, plugins: [], builtins: ['nope'] } }))).message).toBe(
      `config file '${cfg}': "builtins" lists 'nope', which is not a built-in plugin (built-ins: none)`,
    );
  });

  it('without cwd and builtinFrom, specs resolve from the working folder', async () => {
    const { from, names } = builtins();
    writePlugin(path.join(from, 'flagp'), {
      name: 'flagp',
      manifest: { apiVersion: 1, kind: 'target', id: 'flagp' },
      code: targetCode('flagp'),
    });
    const rel = path.relative(process.cwd(), path.join(from, 'flagp'));
    expect(rel.startsWith('..')).toBe(true);
    expect((await discoverPlugins({ flags: [rel] })).loaded.map((l) => l.packageName)).toEqual(['flagp']);
    // built-ins by name resolve from the working folder too, where they are not installed
    expect((await rejection(discoverPlugins({ builtins: names.slice(0, 1) }))).message).toBe(
      `cannot find plugin package '@x/target-a' from ${process.cwd()}; install it there or give its path`,
    );
  });

  it('the watchdog limit is taken when given; config and flag plugins follow the built-ins', async () => {
    const { from, names } = builtins();
    writePlugin(path.join(from, 'cfgp'), {
      name: 'cfgp',
      manifest: { apiVersion: 1, kind: 'target', id: 'cfgp' },
      code: targetCode('cfgp'),
    });
    writePlugin(path.join(from, 'flagp'), {
      name: 'flagp',
      manifest: { apiVersion: 1, kind: 'target', id: 'flagp' },
      code: targetCode('flagp'),
    });
    const cfg = path.join(from, 'lightcode.config.json');
    const reg = await discoverPlugins({
      builtins: names.slice(0, 1),
      builtinFrom: from,
      config: { path: cfg, plugins: ['./cfgp'] },
      flags: ['./flagp'],
      cwd: from,
      pluginTimeoutS: 7,
    });
    expect(reg.pluginTimeoutS).toBe(7);
    expect(reg.loaded.map((l) => [l.packageName, l.origin])).toEqual([
      ['@x/target-a', 'builtin'],
      ['cfgp', `config:${cfg}`],
      ['flagp', 'flag'],
    ]);
    expect((await discoverPlugins({})).pluginTimeoutS).toBe(DEFAULT_PLUGIN_TIMEOUT_S);
  });
});
