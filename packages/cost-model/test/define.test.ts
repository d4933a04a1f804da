import {
  CONTRACT_FEATURES,
  contractProblem,
  contractStamp,
  defineFrontend,
  defineSolver,
  defineTarget,
  HOST_CONTRACT,
  type HostContract,
  SDK_VERSION,
} from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * The SDK side of the plugin contract: define* refuses a malformed plugin in
 * one line naming it and the field, stamps what it made, and the host's
 * contract check names what is missing or unknown.
 */

const target = {
  id: 'tgt',
  name: 'Target',
  description: 'a target',
  params: { speed: { unit: 'FLOP/s', default: 1, description: 'speed', source: 'fixture' } },
  presets: { base: { description: 'base', source: 'fixture', values: {} } },
  defaultPreset: 'base',
  dtypes: ['fp16'],
  opKinds: ['linear'],
  realize: () => [],
  staticPowerW: () => 0,
} as const;
const frontend = { id: 'fe', name: 'Frontend', description: 'a frontend', models: [], modelTypes: [], build: () => ({}) } as never;
const solver = { id: 'sol', name: 'Solver', description: 'a solver', solve: () => ({}) } as never;

describe('defineTarget', () => {
  it('makes a frozen target plugin of kind target, stamped with this SDK and the optional members it uses', () => {
    const t = defineTarget({ ...target, validate: () => null });
    expect(t.kind).toBe('target');
    expect(Object.isFrozen(t)).toBe(true);
    expect(contractStamp(t)).toEqual({ sdkVersion: SDK_VERSION, features: { validate: '1.0.0' } });
    expect(contractStamp(defineTarget(target))?.features).toEqual({});
    expect(contractProblem(t, 'target')).toBeNull();
  });

  it.each([
    ['id', 5, "target plugin '5': field 'id' must be a string (got number)"],
    ['name', undefined, "target plugin 'tgt': field 'name' must be a string (got undefined)"],
    ['params', 'x', "field 'params' must be a object (got string)"],
    ['presets', undefined, "field 'presets' must be a object (got undefined)"],
    ['defaultPreset', 1, "field 'defaultPreset' must be a string (got number)"],
    ['dtypes', 'fp16', "field 'dtypes' must be a array (got string)"],
    ['opKinds', {}, "field 'opKinds' must be a array (got object)"],
    ['realize', 'no', "field 'realize' must be a function (got string)"],
    ['staticPowerW', 3, "field 'staticPowerW' must be a function (got number)"],
  ])('refuses a bad %s', (field, value, msg) => {
    expect(() => defineTarget({ ...target, [field]: value } as never)).toThrow(msg);
  });

  it('refuses an empty id, a validate or formats that is no function, a missing default preset; a kind given is overridden', () => {
    expect(() => defineTarget({ ...target, id: '' })).toThrow("target plugin: 'id' must not be empty");
    expect(() => defineTarget({ ...target, kind: 'solver' } as never)).not.toThrow();
    expect(() => defineTarget({ ...target, validate: 'yes' } as never)).toThrow("target plugin 'tgt': 'validate' must be a function");
    expect(() => defineTarget({ ...target, formats: {} } as never)).toThrow("target plugin 'tgt': 'formats' must be a function");
    expect(() => defineTarget({ ...target, defaultPreset: 'other' })).toThrow(
      "target plugin 'tgt': defaultPreset 'other' is not one of its presets",
    );
  });

  it.each([
    ['no id', { chain: ['matmul', 'softmax'], realize: () => [] }],
    ['a chain of one', { id: 'f', chain: ['matmul'], realize: () => [] }],
    ['no chain', { id: 'f', realize: () => [] }],
    ['no realize', { id: 'f', chain: ['matmul', 'softmax'] }],
  ])('refuses a fusion with %s', (_what, fusion) => {
    expect(() => defineTarget({ ...target, fusions: [fusion] } as never)).toThrow(
      "target plugin 'tgt': each fusion needs an id, a chain of two or more op kinds and a realize function",
    );
  });

  it('accepts a well-formed fusion and records it as a feature', () => {
    const t = defineTarget({ ...target, fusions: [{ id: 'f', description: 'f', chain: ['linear', 'linear'], realize: () => [] }] });
    expect(contractStamp(t)?.features).toEqual({ fusions: CONTRACT_FEATURES.target.fusions });
  });
});

describe('defineFrontend and defineSolver', () => {
  it('make frozen plugins of their kinds', () => {
    const f = defineFrontend(frontend);
    expect([f.kind, Object.isFrozen(f), contractProblem(f, 'frontend')]).toEqual(['frontend', true, null]);
    const s = defineSolver(solver);
    expect([s.kind, Object.isFrozen(s), contractProblem(s, 'solver')]).toEqual(['solver', true, null]);
  });

  it('refuse missing fields, naming the kind, the id and the field', () => {
    expect(() => defineFrontend({ ...(frontend as object), models: 'gpt2' } as never)).toThrow(
      "frontend plugin 'fe': field 'models' must be a array (got string)",
    );
    expect(() => defineFrontend({ ...(frontend as object), build: undefined } as never)).toThrow("field 'build' must be a function");
    expect(() => defineFrontend({ ...(frontend as object), modelTypes: undefined } as never)).toThrow("field 'modelTypes'");
    expect(() => defineSolver({ ...(solver as object), solve: 1 } as never)).toThrow(
      "solver plugin 'sol': field 'solve' must be a function (got number)",
    );
    expect(() => defineSolver({ ...(solver as object), name: undefined } as never)).toThrow("field 'name' must be a string");
    expect(() => defineSolver({ ...(solver as object), id: '' } as never)).toThrow("solver plugin: 'id' must not be empty");
  });

  it.each([
    ['no name', { extensions: ['.onnx'] }],
    ['extensions that are no list', { name: 'ONNX', extensions: '.onnx' }],
    ['an extension without its dot', { name: 'ONNX', extensions: ['onnx'] }],
    ['an extension that is no string', { name: 'ONNX', extensions: [1] }],
  ])('a frontend file format with %s is refused', (_what, file) => {
    expect(() => defineFrontend({ ...(frontend as object), files: [file] } as never)).toThrow(
      "frontend plugin 'fe': each file format needs a name and extensions like '.onnx'",
    );
  });

  it('a file format sniff must be a function; a good one is recorded as a feature', () => {
    expect(() =>
      defineFrontend({ ...(frontend as object), files: [{ name: 'ONNX', extensions: ['.onnx'], sniff: 'x' }] } as never),
    ).toThrow("frontend plugin 'fe': 'sniff' must be a function");
    const f = defineFrontend({
      ...(frontend as object),
      files: [{ name: 'ONNX', extensions: ['.onnx', '.pb'], sniff: () => true }],
    } as never);
    expect(contractStamp(f)?.features).toEqual({ files: '1.0.0' });
  });
});

describe('contractProblem: what the host checks after import', () => {
  it('names a missing required member and says how to make the export', () => {
    const { realize: _r, ...rest } = { ...target, kind: 'target' };
    expect(contractProblem(rest, 'target')).toBe(
      "has no 'realize', which every target plugin needs; make its default export with defineTarget()",
    );
    expect(contractProblem({ kind: 'solver', id: 's', name: 's', description: 'd' }, 'solver')).toMatch(/has no 'solve'.*defineSolver\(\)/);
  });

  it('names a member the host does not know: with the SDK version that has it when the plugin was stamped, else as unknown', () => {
    const older: HostContract = {
      ...HOST_CONTRACT,
      sdkVersion: '1.0.0',
      features: { ...HOST_CONTRACT.features, target: { fusions: '1.0.0', validate: '1.0.0' } },
    };
    const t = defineTarget({ ...target, formats: () => ({ compute: ['fp16'] }) });
    expect(contractProblem(t, 'target', older)).toBe(
      "uses the target contract's 'formats', which came in @lightcode/cost-model 1.1.0; this LightCode has @lightcode/cost-model 1.0.0: upgrade LightCode (@lightcode/cli) to one with @lightcode/cost-model 1.1.0 or later, or use a version of the plugin without 'formats'",
    );
    expect(contractProblem({ ...t, extra: 1 }, 'target')).toMatch(
      /^uses 'extra', which is not part of the target contract of @lightcode\/cost-model /,
    );
    // an optional member left undefined is not used
    expect(contractProblem({ ...t, formats: undefined }, 'target', older)).toBeNull();
  });

  it('reads no stamp from an unstamped plugin or a malformed one', () => {
    expect(contractStamp({})).toBeUndefined();
    expect(contractStamp({ [Symbol.for('lightcode.contract')]: { sdkVersion: 1 } })).toBeUndefined();
    expect(contractStamp({ [Symbol.for('lightcode.contract')]: 'x' })).toBeUndefined();
  });
});
