import { type JsonSchema, validateSchema } from '@lightcode/ir';
import { describe, expect, it } from 'vitest';

const schema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 8 },
    tags: { type: 'array', uniqueItems: true, items: { type: 'string' } },
    size: {
      oneOf: [
        { type: 'integer', minimum: 1 },
        { type: 'string', pattern: '^[0-9]+[kMG]$' },
      ],
    },
    speed: { $ref: '#/$defs/positive' },
    mode: { anyOf: [{ type: 'boolean' }, { type: 'array', items: { type: 'string', minLength: 1 } }] },
  },
  $defs: { positive: { type: 'number', exclusiveMinimum: 0 } },
};

/** The validator is Ajv (draft 2020-12); each problem is one line, `path: what is wrong`. */
describe('validateSchema', () => {
  it.each([
    [{ id: 'a' }, null],
    [{}, 'id: is missing'],
    [{ id: '' }, 'id: must not be empty'],
    [{ id: 'much-too-long' }, 'id: must have at most 8 characters (got 13)'],
    [{ id: 'a', tags: ['x', 'y', 'x'] }, 'tags: items 0 and 2 are the same; list each once'],
    [{ id: 'a', size: 4 }, null],
    [{ id: 'a', size: '4k' }, null],
    [{ id: 'a', size: '4 apples' }, 'size: "4 apples" does not match ^[0-9]+[kMG]$'],
    [{ id: 'a', size: true }, 'size: must be an integer or a string (got true)'],
    [{ id: 'a', speed: 0 }, 'speed: must be > 0 (got 0)'],
    [{ id: 'a', speed: Number.POSITIVE_INFINITY }, 'speed: must be a number (got Infinity)'],
    [{ id: 'a', mode: 'on' }, 'mode: must be a boolean or an array (got "on")'],
    [{ id: 'a', mode: [''] }, 'mode[0]: must not be empty'],
    [{ id: 'a', colour: 'red' }, 'colour: unknown field (known: id, tags, size, speed, mode)'],
    [[], '(root): must be an object (got [])'],
  ])('%j -> %s', (value, problem) => {
    expect(validateSchema(schema, value)).toBe(problem);
  });

  it('oneOf refuses a value that matches two alternatives', () => {
    const s: JsonSchema = { oneOf: [{ type: 'number' }, { type: 'integer' }] };
    expect(validateSchema(s, 2)).toBe('(root): matches more than one of its alternatives (0 and 1); it must match exactly one');
    expect(validateSchema(s, 2.5)).toBeNull();
  });

  it('prefixes a path for a value inside a larger document', () => {
    expect(validateSchema(schema, { id: '' }, 'devices[2]')).toBe('devices[2].id: must not be empty');
    expect(validateSchema(schema, 5, 'devices[2]')).toBe('devices[2]: must be an object (got 5)');
  });
});
