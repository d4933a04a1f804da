import fs from 'node:fs';
import {
  CONTRACT_FEATURES,
  CONTRACT_MEMBERS,
  CONTRACT_STAMP,
  contractProblem,
  contractStamp,
  defineFrontend,
  defineSolver,
  defineTarget,
  ENERGY_KINDS,
  HOST_CONTRACT,
  PLUGIN_API_VERSION,
  PLUGIN_KINDS,
  SDK_PACKAGE,
  SDK_VERSION,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * The plugin contract as a host sees it: every member a kind needs (each
 * one missing is named), the optional members with the SDK version each
 * came in (stamped by define*, hidden from spreads and keys), and the
 * refusal of a member the host does not know, with the version that has it.
 */

const target = defineTarget({
  id: 'tgt',
  name: 'Target',
  description: 'a target',
  params: {},
  presets: { base: { description: 'base', source: 'fixture', values: {} } },
  defaultPreset: 'base',
  dtypes: ['fp16'],
  opKinds: ['linear'],
  realize: () => [],
  staticPowerW: () => 0,
});
const frontend = defineFrontend({
  id: 'fe',
  name: 'Frontend',
  description: 'a frontend',
  models: [],
  modelTypes: [],
  build: () => ({}) as never,
});
const solver = defineSolver({ id: 'sol', name: 'Solver', description: 'a solver', solve: () => ({ status: 'optimal' }) });
const plugins = { target, frontend, solver } as const;

const without = (p: object, key: string) => {
  const copy: Record<string, unknown> = { ...p };
  delete copy[key];
  return copy;
};

describe('the published contract', () => {
  it('is version 1 of the plugin API, with three kinds and seven energy kinds, in the order explanations list them', () => {
    expect(PLUGIN_API_VERSION).toBe(1);
    expect(PLUGIN_KINDS).toEqual(['target', 'frontend', 'solver']);
    expect(ENERGY_KINDS).toEqual(['compute', 'memory', 'buffer', 'conversion', 'modulation', 'detection', 'other']);
  });

  it("is this package's, at the version its package.json gives", () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(SDK_PACKAGE).toBe(pkg.name);
    expect(SDK_VERSION).toBe(pkg.version);
    expect(HOST_CONTRACT).toEqual({ sdkVersion: pkg.version, members: CONTRACT_MEMBERS, features: CONTRACT_FEATURES });
  });
});

describe('contractProblem: each required member', () => {
  const cases = (['target', 'frontend', 'solver'] as const).flatMap((kind) => CONTRACT_MEMBERS[kind].map((m) => [kind, m] as const));
  const define = { target: 'defineTarget', frontend: 'defineFrontend', solver: 'defineSolver' };

  it('every kind needs its kind, id, name and description, and the functions it is called through', () => {
    expect(CONTRACT_MEMBERS.target).toEqual([
      'kind',
      'id',
      'name',
      'description',
      'params',
      'presets',
      'defaultPreset',
      'dtypes',
      'opKinds',
      'realize',
      'staticPowerW',
    ]);
    expect(CONTRACT_MEMBERS.frontend).toEqual(['kind', 'id', 'name', 'description', 'models', 'modelTypes', 'build']);
    expect(CONTRACT_MEMBERS.solver).toEqual(['kind', 'id', 'name', 'description', 'solve']);
  });

  it.each(cases)('a %s plugin without %s is named, with the define* to make it', (kind, member) => {
    expect(contractProblem(plugins[kind], kind)).toBeNull();
    expect(contractProblem(without(plugins[kind], member), kind)).toBe(
      `has no '${member}', which every ${kind} plugin needs; make its default export with ${define[kind]}()`,
    );
  });
});

describe('optional members and the stamp', () => {
  it('each optional member comes with the SDK version it came in', () => {
    expect(CONTRACT_FEATURES).toEqual({
      target: { fusions: '1.0.0', validate: '1.0.0', formats: '1.1.0' },
      frontend: { files: '1.0.0' },
      solver: {},
    });
  });

  it('define* records the optional members a plugin sets, and only those, with their versions', () => {
    const full = defineTarget({
      ...target,
      validate: () => null,
      formats: () => ({ compute: ['fp16'] }),
      fusions: [{ id: 'f', description: 'f', chain: ['linear', 'linear'], realize: () => [] }],
    });
    expect(contractStamp(full)).toEqual({ sdkVersion: SDK_VERSION, features: { validate: '1.0.0', formats: '1.1.0', fusions: '1.0.0' } });
    expect(contractStamp(defineTarget({ ...target, formats: () => ({ compute: ['fp16'] }) }))?.features).toEqual({ formats: '1.1.0' });
    // a member present but undefined is not used; required members are no features
    expect(Object.keys(contractStamp(defineTarget({ ...target, validate: undefined }))?.features ?? { none: 1 })).toEqual([]);
    expect(Object.keys(contractStamp(full)?.features ?? {})).toEqual(['validate', 'formats', 'fusions']);
    expect(Object.keys(contractStamp(frontend)?.features ?? { none: 1 })).toEqual([]);
    expect(contractStamp(solver)).toEqual({ sdkVersion: SDK_VERSION, features: {} });
  });

  it('the stamp is hidden: not among the keys, not carried by a spread', () => {
    expect(Object.getOwnPropertySymbols(target)).toEqual([CONTRACT_STAMP]);
    expect(CONTRACT_STAMP).toBe(Symbol.for('lightcode.contract'));
    expect(Object.keys(target)).not.toContain(CONTRACT_STAMP.toString());
    expect(contractStamp({ ...target })).toBeUndefined();
  });

  it('reads a stamp only when it is an object with a string sdkVersion', () => {
    const stamp = { sdkVersion: '9.9.9', features: { a: '9.0.0' } };
    expect(contractStamp({ [CONTRACT_STAMP]: stamp })).toBe(stamp);
    expect(contractStamp({ [CONTRACT_STAMP]: null })).toBeUndefined();
    expect(contractStamp({ [CONTRACT_STAMP]: Object.assign(() => 0, { sdkVersion: '1.0.0', features: {} }) })).toBeUndefined();
  });
});

describe('contractProblem: members the host does not know', () => {
  const older = {
    ...HOST_CONTRACT,
    sdkVersion: '1.0.0',
    features: { ...HOST_CONTRACT.features, target: { fusions: '1.0.0', validate: '1.0.0' } },
  };

  it('skips required members, known optional ones, and members left undefined', () => {
    expect(contractProblem(defineTarget({ ...target, validate: () => null }), 'target', older)).toBeNull();
    expect(contractProblem({ ...solver, extra: undefined }, 'solver')).toBeNull();
    expect(contractProblem(defineFrontend({ ...frontend, files: [{ name: 'X', extensions: ['.x'] }] }), 'frontend')).toBeNull();
  });

  it("an unknown member in a stamped plugin that the plugin's SDK did not know is named as not part of the contract", () => {
    expect(contractProblem({ ...target, [CONTRACT_STAMP]: contractStamp(target), extra: 1 }, 'target')).toBe(
      `uses 'extra', which is not part of the target contract of @lightcode/cost-model ${SDK_VERSION} (this LightCode's); upgrade LightCode if a newer SDK has it, or remove it from the plugin`,
    );
    expect(contractProblem({ ...solver, tune: () => 0 }, 'solver', { ...HOST_CONTRACT, sdkVersion: '0.9.0' })).toBe(
      "uses 'tune', which is not part of the solver contract of @lightcode/cost-model 0.9.0 (this LightCode's); upgrade LightCode if a newer SDK has it, or remove it from the plugin",
    );
  });

  it('a member a newer SDK stamped is named with its version, for the first such member', () => {
    const newer = {
      ...solver,
      warmStart: () => 0,
      cuts: () => 0,
      [CONTRACT_STAMP]: { sdkVersion: '2.0.0', features: { warmStart: '1.5.0', cuts: '2.0.0' } },
    };
    expect(contractProblem(newer, 'solver')).toBe(
      `uses the solver contract's 'warmStart', which came in @lightcode/cost-model 1.5.0; this LightCode has @lightcode/cost-model ${SDK_VERSION}: upgrade LightCode (@lightcode/cli) to one with @lightcode/cost-model 1.5.0 or later, or use a version of the plugin without 'warmStart'`,
    );
  });
});
