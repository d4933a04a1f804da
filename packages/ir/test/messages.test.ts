import { graphFromJSON, graphToJSON, type JsonSchema, OpGraph, tensor, validateSchema } from '@lightcode/ir';
import { describe, expect, it } from 'vitest';

/*
 * The one line a user reads when a file is malformed: every schema keyword's
 * message, paths into nested documents, and what the op-graph JSON schema
 * refuses at each level.
 */

describe('validateSchema: one line per keyword', () => {
  it.each<[string, JsonSchema, unknown, string | null]>([
    ['const', { const: 'lightcode' }, 'other', '(root): must be "lightcode" (got "other")'],
    ['enum', { enum: ['a', 'b'] }, 'c', '(root): must be one of "a", "b" (got "c")'],
    ['minimum', { minimum: 1 }, 0, '(root): must be >= 1 (got 0)'],
    ['maximum', { maximum: 1 }, 2, '(root): must be <= 1 (got 2)'],
    ['exclusiveMaximum', { exclusiveMaximum: 1 }, 1, '(root): must be < 1 (got 1)'],
    ['multipleOf', { multipleOf: 4 }, 6, '(root): must be a multiple of 4 (got 6)'],
    ['minLength 1', { type: 'string', minLength: 1 }, '', '(root): must not be empty'],
    ['minLength 3', { type: 'string', minLength: 3 }, 'ab', '(root): must have at least 3 characters'],
    ['minItems', { type: 'array', minItems: 2 }, [1], '(root): needs at least 2 item(s)'],
    ['maxItems', { type: 'array', maxItems: 1 }, [1, 2], '(root): allows at most 1 item(s)'],
    ['minProperties', { type: 'object', minProperties: 1 }, {}, '(root): needs at least 1 field(s)'],
    ['maxProperties', { type: 'object', maxProperties: 1 }, { a: 1, b: 2 }, '(root): allows at most 1 field(s)'],
    ['not', { not: { type: 'string' } }, 'x', '(root): must not match the excluded form'],
    [
      'anyOf, no alternative fits',
      {
        anyOf: [
          { type: 'integer', minimum: 5 },
          { type: 'integer', maximum: 1 },
        ],
      },
      3,
      '(root): must be <= 1 (got 3)',
    ],
    [
      'oneOf, every alternative another type',
      { oneOf: [{ type: 'string' }, { type: 'boolean' }] },
      1,
      '(root): must be a string or a boolean (got 1)',
    ],
    ['an integer', { type: 'integer' }, 1.5, '(root): must be an integer (got 1.5)'],
    ['an object', { type: 'object' }, 'x', '(root): must be an object (got "x")'],
    ['conforming', { type: 'integer', minimum: 0 }, 3, null],
  ])('%s', (_what, schema, value, problem) => {
    expect(validateSchema(schema, value)).toBe(problem);
  });

  it('shows a long value cut to 40 characters, and undefined and infinities as text', () => {
    expect(validateSchema({ type: 'number' }, 'x'.repeat(60))).toBe(`(root): must be a number (got "${'x'.repeat(36)}...)`);
    expect(validateSchema({ type: 'number' }, 'x'.repeat(38))).toBe(`(root): must be a number (got "${'x'.repeat(38)}")`);
    expect(validateSchema({ type: 'number' }, Number.NEGATIVE_INFINITY)).toBe('(root): must be a number (got -Infinity)');
  });

  it('paths: array indices in brackets, fields joined by dots, / and ~ in keys restored', () => {
    const s: JsonSchema = {
      type: 'object',
      properties: {
        devices: { type: 'array', items: { type: 'object', properties: { count: { type: 'integer', minimum: 1 } } } },
        'a/b~c': { type: 'string' },
      },
    };
    expect(validateSchema(s, { devices: [{ count: 1 }, { count: 0 }] })).toBe('devices[1].count: must be >= 1 (got 0)');
    expect(validateSchema(s, { 'a/b~c': 3 })).toBe('a/b~c: must be a string (got 3)');
    expect(validateSchema(s, { devices: [{ count: 0 }] }, 'systems[2]')).toBe('systems[2].devices[0].count: must be >= 1 (got 0)');
    expect(validateSchema({ type: 'array', items: { type: 'string' } }, [1], 'tags')).toBe('tags[0]: must be a string (got 1)');
  });
});

describe('the op-graph JSON schema refuses what a graph cannot hold', () => {
  const g = new OpGraph({ id: 'm', family: 'f', phase: 'prefill', seqLen: 1, batch: 1, dtype: 'fp16', layers: 1 });
  g.addOp({
    id: 'a',
    name: 'a',
    kind: 'add',
    layer: 0,
    inputs: [tensor([2], 'fp16')],
    outputs: [tensor([2], 'fp16')],
    weights: [],
    attrs: {},
  });
  g.addOp({ id: 'b', name: 'b', kind: 'add', layer: null, inputs: [], outputs: [], weights: [], attrs: { k: 1 } });
  g.connect('a', 'b', tensor([2], 'fp16'));
  const good = JSON.parse(JSON.stringify(graphToJSON(g)));
  const edit = (f: (j: typeof good) => void) => {
    const j = structuredClone(good);
    f(j);
    return j;
  };

  it('reads back a good graph', () => {
    expect(
      graphFromJSON(good)
        .ops()
        .map((o) => o.id),
    ).toEqual(['a', 'b']);
  });

  it.each<[string, (j: typeof good) => void, RegExp]>([
    ['no meta', (j) => delete j.meta, /meta: is missing/],
    ['no ops', (j) => delete j.ops, /ops: is missing/],
    ['no edges', (j) => delete j.edges, /edges: is missing/],
    ['an unknown top-level field', (j) => Object.assign(j, { extra: 1 }), /extra: unknown field/],
    ['meta without an id', (j) => delete j.meta.id, /meta.id: is missing/],
    ['meta with an empty family', (j) => Object.assign(j.meta, { family: '' }), /meta.family: must not be empty/],
    [
      'meta with a phase neither prefill nor decode',
      (j) => Object.assign(j.meta, { phase: 'train' }),
      /meta.phase: must be one of "prefill", "decode"/,
    ],
    ['meta with an unknown dtype', (j) => Object.assign(j.meta, { dtype: 'fp64' }), /meta.dtype: must be one of/],
    ['meta with a negative kvLen', (j) => Object.assign(j.meta, { kvLen: -1 }), /meta.kvLen: must be >= 0/],
    ['meta with a fractional layer count', (j) => Object.assign(j.meta, { layers: 1.5 }), /meta.layers: must be an integer/],
    ['meta with an unknown weight format', (j) => Object.assign(j.meta, { weightDtype: 'int2' }), /meta.weightDtype: must be one of/],
    ['meta with an unknown field', (j) => Object.assign(j.meta, { colour: 'red' }), /meta.colour: unknown field/],
    ['an op without a name', (j) => delete j.ops[0].name, /ops\[0\].name: is missing/],
    ['an op with an empty id', (j) => Object.assign(j.ops[1], { id: '' }), /ops\[1\].id: must not be empty/],
    ['an op of an unknown kind', (j) => Object.assign(j.ops[0], { kind: 'conv9d' }), /ops\[0\].kind: must be one of/],
    ['an op with a negative layer', (j) => Object.assign(j.ops[0], { layer: -2 }), /ops\[0\].layer: must be >= 0/],
    [
      'an op with an attribute that is an object',
      (j) => Object.assign(j.ops[1].attrs, { k: { deep: 1 } }),
      /ops\[1\].attrs.k: must be a number or a string or a boolean/,
    ],
    ['an op with an unknown field', (j) => Object.assign(j.ops[0], { colour: 'red' }), /ops\[0\].colour: unknown field/],
    ['a tensor without a dtype', (j) => delete j.ops[0].inputs[0].dtype, /ops\[0\].inputs\[0\].dtype: is missing/],
    [
      'a tensor with an unknown field',
      (j) => Object.assign(j.ops[0].outputs[0], { name: 'x' }),
      /ops\[0\].outputs\[0\].name: unknown field/,
    ],
    ['an edge without tensors', (j) => delete j.edges[0].tensors, /edges\[0\].tensors: is missing/],
    ['an edge with no tensor', (j) => Object.assign(j.edges[0], { tensors: [] }), /edges\[0\].tensors: needs at least 1 item/],
    ['an edge with an unknown field', (j) => Object.assign(j.edges[0], { bytes: 4 }), /edges\[0\].bytes: unknown field/],
    [
      'a version that is no integer',
      (j) => Object.assign(j, { version: '1' }),
      /format version 1 is not supported|version: must be an integer/,
    ],
  ])('%s', (_what, f, msg) => {
    expect(() => graphFromJSON(edit(f), 'g.json')).toThrow(msg);
  });

  it('names the source in front of the problem, and the graph JSON as the default source', () => {
    expect(() =>
      graphFromJSON(
        edit((j) => delete j.meta),
        'model.json',
      ),
    ).toThrow(/^model.json: meta: is missing$/);
    expect(() => graphFromJSON(edit((j) => delete j.meta))).toThrow(/^graph JSON: meta: is missing$/);
  });
});
