import { defineFrontend, defineSolver, defineTarget } from '@lightcode/cost-model';
import { describe, expect, it } from 'vitest';

/*
 * define* edge cases: the kind is always the helper's, a hole in a list of
 * fusions or file formats is refused in the same line as a malformed entry,
 * one bad extension among good ones is enough, and optional members may be
 * left out.
 */

const target = {
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
} as const;
const frontend = { id: 'fe', name: 'Frontend', description: 'a frontend', models: [], modelTypes: [], build: () => ({}) as never };
const solver = { id: 'sol', name: 'Solver', description: 'a solver', solve: () => ({ status: 'optimal' as const }) };

describe("define*: the kind is the helper's", () => {
  it('whatever kind the definition carries', () => {
    expect(defineTarget({ ...target, kind: 'solver' } as never).kind).toBe('target');
    expect(defineFrontend({ ...frontend, kind: 'target' } as never).kind).toBe('frontend');
    expect(defineSolver({ ...solver, kind: 'frontend' } as never).kind).toBe('solver');
  });

  it('keeps every member it was given', () => {
    const realize = () => [];
    const t = defineTarget({ ...target, realize });
    expect([t.id, t.name, t.description, t.defaultPreset, t.dtypes, t.opKinds, t.realize]).toEqual([
      'tgt',
      'Target',
      'a target',
      'base',
      ['fp16'],
      ['linear'],
      realize,
    ]);
  });
});

describe('defineTarget: optional members and fusions', () => {
  it('takes a target without validate, formats or fusions, and with validate and formats as functions', () => {
    expect(defineTarget(target).validate).toBeUndefined();
    const formats = () => ({ compute: ['fp16'] as const });
    expect(defineTarget({ ...target, formats }).formats).toBe(formats);
    expect(defineTarget({ ...target, fusions: [] }).fusions).toEqual([]);
  });

  it('refuses a hole in the list of fusions, or a chain that is no list, in the same line', () => {
    const msg = "target plugin 'tgt': each fusion needs an id, a chain of two or more op kinds and a realize function";
    expect(() => defineTarget({ ...target, fusions: [null] } as never)).toThrow(msg);
    expect(() => defineTarget({ ...target, fusions: [{ id: 'f', chain: 'linear,add', realize: () => [] }] } as never)).toThrow(msg);
    expect(() => defineTarget({ ...target, fusions: [{ id: 7, chain: ['linear', 'add'], realize: () => [] }] } as never)).toThrow(msg);
    // a later bad fusion after a good one
    expect(() =>
      defineTarget({
        ...target,
        fusions: [
          { id: 'ok', description: 'ok', chain: ['linear', 'add'], realize: () => [] },
          { id: 'bad', description: 'bad', chain: ['linear'], realize: () => [] },
        ],
      }),
    ).toThrow(msg);
  });

  it('a preset may give sources for values it sets', () => {
    const t = defineTarget({
      ...target,
      params: { speed: { unit: 'FLOP/s', default: 1, description: 's', source: 'fixture' } },
      presets: { base: { description: 'b', source: 'paper', values: { speed: 2 }, sources: { speed: 'derived' } } },
    });
    expect(t.presets.base?.sources).toEqual({ speed: 'derived' });
  });
});

describe('defineFrontend: file formats', () => {
  const msg = "frontend plugin 'fe': each file format needs a name and extensions like '.onnx'";

  it('refuses a hole in the list, and one extension without its dot among good ones', () => {
    expect(() => defineFrontend({ ...frontend, files: [null] } as never)).toThrow(msg);
    expect(() => defineFrontend({ ...frontend, files: [{ name: 'ONNX', extensions: ['.onnx', 'pb'] }] })).toThrow(msg);
    expect(() =>
      defineFrontend({
        ...frontend,
        files: [
          { name: 'ONNX', extensions: ['.onnx'] },
          { name: 'TVM', extensions: ['json'] },
        ],
      }),
    ).toThrow(msg);
  });

  it('takes formats without a sniff, and a frontend without files', () => {
    expect(defineFrontend({ ...frontend, files: [{ name: 'ONNX', extensions: ['.onnx', '.pb'] }] }).files?.[0]?.extensions).toEqual([
      '.onnx',
      '.pb',
    ]);
    expect(defineFrontend(frontend).files).toBeUndefined();
  });

  it('refuses an empty id and a field of the wrong type, naming the field', () => {
    expect(() => defineFrontend({ ...frontend, id: '' })).toThrow("frontend plugin: 'id' must not be empty");
    expect(() => defineFrontend({ ...frontend, name: 3 } as never)).toThrow(
      "frontend plugin 'fe': field 'name' must be a string (got number)",
    );
  });
});
