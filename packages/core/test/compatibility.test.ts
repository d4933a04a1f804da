import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPlugins, loadPlugin, sdkRangeProblem } from '@lightcode/core';
import {
  CONTRACT_FEATURES,
  CONTRACT_MEMBERS,
  contractProblem,
  contractStamp,
  defineTarget,
  PLUGIN_API_VERSION,
  SDK_PACKAGE,
  SDK_VERSION,
  UserError,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';
import { targetCode, tmpDir, writePlugin } from './fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI_SRC = path.join(ROOT, 'apps/cli/src');

/** A fake SDK of another version, installed in a plugin's own node_modules; `stamps` as a 1.x SDK with contract stamps does. */
function fakeSdk(pluginDir: string, version: string, stamps?: Record<string, string>): void {
  const dir = path.join(pluginDir, 'node_modules', '@lightcode', 'cost-model');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: SDK_PACKAGE, version, type: 'module', exports: { '.': './index.js', './package.json': './package.json' } }),
  );
  const stamp = stamps
    ? `Object.defineProperty(t, Symbol.for('lightcode.contract'), { value: { sdkVersion: ${JSON.stringify(version)}, features: ${JSON.stringify(stamps)} } });`
    : '';
  fs.writeFileSync(
    path.join(dir, 'index.js'),
    `export const SDK_VERSION = ${JSON.stringify(version)};\nexport function defineTarget(p) { const t = { ...p, kind: 'target' }; ${stamp} return Object.freeze(t); }\n`,
  );
}

/** A target plugin made with its own SDK copy's defineTarget, with `extra` members. */
function pluginWithSdk(
  root: string,
  name: string,
  id: string,
  o: { sdk: string; stamps?: Record<string, string>; extra?: string; peer?: string },
) {
  const dir = path.join(root, 'node_modules', name);
  writePlugin(dir, {
    name,
    manifest: { apiVersion: 1, kind: 'target', id },
    peers: { [SDK_PACKAGE]: o.peer ?? '^1.0.0' },
    code: `import { defineTarget } from '@lightcode/cost-model';\nimport base from './base.js';\nexport default defineTarget({ ...base${o.extra ? `, ${o.extra}` : ''} });\n`,
  });
  fs.writeFileSync(path.join(dir, 'base.js'), targetCode(id));
  fakeSdk(dir, o.sdk, o.stamps);
  return dir;
}

describe('apiVersion and the SDK range', () => {
  it('apiVersion is the major version of the SDK', () => {
    expect(PLUGIN_API_VERSION).toBe(Number(SDK_VERSION.split('.')[0]));
    expect(SDK_VERSION).toBe(JSON.parse(fs.readFileSync(path.join(ROOT, 'packages/cost-model/package.json'), 'utf8')).version);
  });

  it('a manifest without apiVersion is refused with what to add, before any plugin code runs', async () => {
    const root = tmpDir();
    const marker = path.join(root, 'ran');
    writePlugin(path.join(root, 'node_modules', 'noapi'), {
      name: 'noapi',
      manifest: { kind: 'target', id: 'noapi' },
      code: `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, 'x'); export default {};`,
    });
    await expect(loadPlugin('noapi', root, 'flag')).rejects.toThrow(
      `plugin 'noapi': its package.json "lightcode" field has no "apiVersion"; add "apiVersion": 1 (the plugin API of @lightcode/cost-model 1.x)`,
    );
    expect(fs.existsSync(marker)).toBe(false);
  });

  it.each([
    [null, `plugin 'p' does not say which SDK it needs; add "peerDependencies": { "@lightcode/cost-model": "^1.0.0" } to its package.json`],
    [
      '^1.99.0',
      `plugin 'p' needs @lightcode/cost-model ^1.99.0, but this LightCode has ${SDK_VERSION}; upgrade LightCode (@lightcode/cli) to one with @lightcode/cost-model 1.99.0 or later, or install an older version of the plugin`,
    ],
    [
      '^0.4.0',
      `plugin 'p' needs @lightcode/cost-model ^0.4.0, but this LightCode has ${SDK_VERSION}; install a version of the plugin made for @lightcode/cost-model 1.x`,
    ],
    ['latest-ish', `plugin 'p' declares @lightcode/cost-model 'latest-ish', which is not a semver range; write a range such as "^1.0.0"`],
  ])('an SDK range %s the host does not satisfy is refused in one line, before any plugin code runs', async (range, msg) => {
    const root = tmpDir();
    const marker = path.join(root, 'ran');
    writePlugin(path.join(root, 'node_modules', 'p'), {
      name: 'p',
      peers: range === null ? null : { [SDK_PACKAGE]: range },
      code: `import fs from 'node:fs'; fs.writeFileSync(${JSON.stringify(marker)}, 'x'); export default {};`,
    });
    const err = await loadPlugin('p', root, 'flag').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(msg);
    expect((err as UserError).exitCode).toBe(2);
    expect(fs.existsSync(marker)).toBe(false);
  });

  it('checks ranges with semver: every 1.x range the host meets passes, prereleases included', () => {
    const sdk = (r: string) => ({ peerDependencies: { [SDK_PACKAGE]: r } });
    for (const r of ['^1.0.0', '1.x', '>=1.0.0 <2', '*', `~${SDK_VERSION}`]) expect(sdkRangeProblem(sdk(r)), r).toBeNull();
    expect(sdkRangeProblem(sdk('^1.2.0'), '1.3.0-beta.1')).toBeNull();
    expect(sdkRangeProblem(sdk('^1.2.0'), '1.1.5')).toMatch(
      /needs @lightcode\/cost-model \^1\.2\.0, but this LightCode has 1\.1\.5; upgrade LightCode/,
    );
    // an SDK in `dependencies` (not the recommended peer) is read as well
    expect(sdkRangeProblem({ dependencies: { [SDK_PACKAGE]: '^2.0.0' } }, '1.0.0')).toMatch(/needs @lightcode\/cost-model \^2\.0\.0/);
  });
});

describe('contract features: two SDK versions side by side', () => {
  it('a plugin built for an older compatible SDK (its own copy, without contract stamps) loads and runs', async () => {
    const root = tmpDir();
    pluginWithSdk(root, 'old-target', 'old', { sdk: '1.0.0' });
    const reg = await discoverPlugins({ flags: ['old-target'], cwd: root });
    const t = reg.targets.get('old');
    expect(t?.realize).toBeTypeOf('function');
    expect(reg.loaded[0]).toMatchObject({ packageName: 'old-target', origin: 'flag' });
  });

  it('a plugin that uses a member from a newer SDK is refused, naming the member and the version that has it', async () => {
    const root = tmpDir();
    pluginWithSdk(root, 'new-target', 'new', {
      sdk: '1.9.0',
      stamps: { fusions: '1.0.0', telemetry: '1.9.0' },
      extra: 'fusions: [], telemetry: () => ({})',
    });
    const err = await loadPlugin('new-target', root, 'flag').catch((e: unknown) => e);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toBe(
      `plugin 'new-target' uses the target contract's 'telemetry', which came in @lightcode/cost-model 1.9.0; this LightCode has @lightcode/cost-model ${SDK_VERSION}: upgrade LightCode (@lightcode/cli) to one with @lightcode/cost-model 1.9.0 or later, or use a version of the plugin without 'telemetry'`,
    );
  });

  it('a member no SDK recorded is refused too, never silently ignored', async () => {
    const root = tmpDir();
    pluginWithSdk(root, 'odd-target', 'odd', { sdk: '1.0.0', extra: 'warmup: 3' });
    await expect(loadPlugin('odd-target', root, 'flag')).rejects.toThrow(
      `plugin 'odd-target' uses 'warmup', which is not part of the target contract of @lightcode/cost-model ${SDK_VERSION} (this LightCode's); upgrade LightCode if a newer SDK has it, or remove it from the plugin`,
    );
  });

  it('an older host without fusions refuses a plugin with fusions, naming the version that has them', () => {
    const withFusions = defineTarget({ ...targetFields(), fusions: [] });
    expect(contractStamp(withFusions)).toEqual({ sdkVersion: SDK_VERSION, features: { fusions: CONTRACT_FEATURES.target.fusions } });
    const oldHost = {
      sdkVersion: '1.0.0',
      members: CONTRACT_MEMBERS,
      features: { ...CONTRACT_FEATURES, target: { validate: '1.0.0' } },
    };
    expect(contractProblem(withFusions, 'target', oldHost)).toMatch(
      new RegExp(
        `^uses the target contract's 'fusions', which came in @lightcode/cost-model ${CONTRACT_FEATURES.target.fusions}; this LightCode has @lightcode/cost-model 1\\.0\\.0`,
      ),
    );
    expect(contractProblem(withFusions, 'target')).toBeNull();
    expect(contractProblem(defineTarget(targetFields()), 'target', oldHost)).toBeNull();
  });

  it('a plugin missing a required member is refused by name', () => {
    const { staticPowerW: _gone, ...rest } = targetFields();
    expect(contractProblem({ kind: 'target', ...rest }, 'target')).toBe(
      "has no 'staticPowerW', which every target plugin needs; make its default export with defineTarget()",
    );
  });
});

describe('plugin ids and built-ins', () => {
  const builtins = ['@lightcode/target-gpu', '@lightcode/solver-highs'];

  it('a plugin whose id clashes with a built-in is refused, naming both packages', async () => {
    const root = tmpDir();
    writePlugin(path.join(root, 'node_modules', 'my-gpu'), {
      name: 'my-gpu',
      manifest: { apiVersion: 1, kind: 'target', id: 'gpu' },
      code: targetCode('gpu'),
    });
    await expect(discoverPlugins({ builtins, builtinFrom: CLI_SRC, flags: ['my-gpu'], cwd: root })).rejects.toThrow(
      /^plugin 'my-gpu' \(.*my-gpu\) has target id 'gpu', which the built-in plugin '@lightcode\/target-gpu' has; give it another id, or leave the built-in out with "builtins" in lightcode.config.json$/,
    );
  });

  it.each(['yalps', 'auto'])('a solver plugin with the reserved id %s is refused', async (id) => {
    const root = tmpDir();
    writePlugin(path.join(root, 'node_modules', 'my-solver'), {
      name: 'my-solver',
      manifest: { apiVersion: 1, kind: 'solver', id },
      code: `export default { kind: 'solver', id: '${id}', name: 'x', description: 'x', solve: () => ({ status: 'infeasible' }) };`,
    });
    await expect(discoverPlugins({ flags: ['my-solver'], cwd: root })).rejects.toThrow(
      new RegExp(`^plugin 'my-solver' is a solver with id '${id}', which is .*, so it would never be called; give the plugin another id$`),
    );
  });

  it('a config may turn the built-ins off, or keep a list of them', async () => {
    const root = tmpDir();
    const config = (b: boolean | string[]) => ({ path: path.join(root, 'lightcode.config.json'), plugins: [], builtins: b });
    const ids = async (b: boolean | string[]) =>
      (await discoverPlugins({ builtins, builtinFrom: CLI_SRC, config: config(b) })).loaded.map((l) => l.packageName);
    expect(await ids(true)).toEqual(builtins);
    expect(await ids(false)).toEqual([]);
    expect(await ids(['@lightcode/solver-highs'])).toEqual(['@lightcode/solver-highs']);
    await expect(ids(['@lightcode/target-tpu'])).rejects.toThrow(
      `"builtins" lists '@lightcode/target-tpu', which is not a built-in plugin (built-ins: @lightcode/target-gpu, @lightcode/solver-highs)`,
    );
    // with the built-in GPU target left out, a plugin may take its id
    writePlugin(path.join(root, 'node_modules', 'my-gpu'), {
      name: 'my-gpu',
      manifest: { apiVersion: 1, kind: 'target', id: 'gpu' },
      code: targetCode('gpu'),
    });
    const reg = await discoverPlugins({
      builtins,
      builtinFrom: CLI_SRC,
      config: { ...config(['@lightcode/solver-highs']), plugins: ['my-gpu'] },
    });
    expect(reg.loaded.map((l) => l.packageName)).toEqual(['@lightcode/solver-highs', 'my-gpu']);
  });
});

describe('a plugin installed without its build', () => {
  it('is refused in one line naming the package and the missing file', async () => {
    const root = tmpDir();
    const dir = writePlugin(path.join(root, 'node_modules', 'unbuilt'), {
      name: 'unbuilt',
      exportsField: { '.': { types: './dist/index.d.ts', default: './dist/index.js' }, './package.json': './package.json' },
    });
    const err = await loadPlugin('unbuilt', root, 'flag').catch((e: unknown) => e);
    expect((err as UserError).exitCode).toBe(2);
    expect((err as UserError).message).toBe(
      `plugin 'unbuilt' has no dist/index.js (its entry in ${path.join(dir, 'package.json')}); it was packed or installed without its build: build it (or reinstall a built release) and try again`,
    );
  });
});

function targetFields() {
  return {
    id: 'fx',
    name: 'fx',
    description: 'fixture',
    dtypes: ['fp16'] as const,
    opKinds: ['linear'] as const,
    params: { speed: { unit: 'FLOP/s', default: 1e12, description: 'speed', source: 'fixture' } },
    presets: { base: { description: 'base', source: 'fixture', values: {} } },
    defaultPreset: 'base',
    realize: () => [],
    staticPowerW: () => 0,
  };
}
