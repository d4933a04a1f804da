import { type JsonSchema, validateSchema } from '@lightcode/ir';
import { describe, expect, it } from 'vitest';

/*
 * Which problem the one line names when a value fails anyOf / oneOf, when a
 * keyword has no message of LightCode's own, and how keys that look like
 * indices are written in a path.
 */

describe('validateSchema: the problem named for failed alternatives', () => {
  it.each<[string, JsonSchema, unknown, string]>([
    [
      'an alternative that is itself a union counts as wanting another type: every type listed once, in order',
      { anyOf: [{ anyOf: [{ type: 'string' }, { type: 'number' }] }, { type: 'boolean' }] },
      null,
      '(root): must be a string or a number or a boolean (got null)',
    ],
    [
      "a type error deeper inside an alternative is that alternative's own problem, not a wrong type",
      { anyOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'array' }] },
      { a: 1 },
      'a: must be a string (got 1)',
    ],
    [
      'of one alternative of the right type and one of another, the one of the right type',
      { anyOf: [{ type: 'integer', minimum: 5 }, { type: 'string' }] },
      3,
      '(root): must be >= 5 (got 3)',
    ],
    [
      'the same when the right type comes second',
      { anyOf: [{ type: 'string' }, { type: 'integer', minimum: 5 }] },
      3,
      '(root): must be >= 5 (got 3)',
    ],
    [
      'of several alternatives of the right type, the last',
      {
        oneOf: [
          { type: 'integer', minimum: 5 },
          { type: 'integer', multipleOf: 2 },
        ],
      },
      3,
      '(root): must be a multiple of 2 (got 3)',
    ],
    [
      'an alternative behind a $ref beside one of the right type: the one of the right type',
      { anyOf: [{ type: 'integer', minimum: 5 }, { $ref: '#/$defs/word' }], $defs: { word: { type: 'string', minLength: 2 } } },
      3,
      '(root): must be >= 5 (got 3)',
    ],
    [
      "alternatives all behind $refs: the first alternative's problem",
      {
        anyOf: [{ $ref: '#/$defs/big' }, { $ref: '#/$defs/word' }],
        $defs: { big: { type: 'integer', minimum: 5 }, word: { type: 'string' } },
      },
      true,
      '(root): must be an integer (got true)',
    ],
  ])('%s', (_what, schema, value, problem) => {
    expect(validateSchema(schema, value)).toBe(problem);
  });

  it('stops at the first problem: a failed alternative is named even when a later field is wrong too', () => {
    const s: JsonSchema = {
      type: 'object',
      properties: { a: { anyOf: [{ type: 'string' }, { type: 'boolean' }] }, b: { type: 'string' } },
    };
    expect(validateSchema(s, { a: 1, b: 1 })).toBe('a: must be a string or a boolean (got 1)');
    expect(validateSchema(s, { a: 'x', b: 1 })).toBe('b: must be a string (got 1)');
  });
});

describe("validateSchema: keywords without a message of LightCode's own", () => {
  it("passes on the validator's message, after the path", () => {
    expect(validateSchema({ type: 'array', prefixItems: [{ type: 'string' }], items: false }, ['a', 1])).toBe(
      '(root): must NOT have more than 1 items',
    );
    expect(validateSchema({ type: 'array', prefixItems: [{ type: 'string' }], items: false }, ['a'])).toBeNull();
  });

  it('shows an undefined value as text', () => {
    expect(validateSchema({ type: 'number' }, undefined)).toBe('(root): must be a number (got undefined)');
    expect(validateSchema({ type: 'array', items: { type: 'number' } }, [1, undefined])).toBe('[1]: must be a number (got undefined)');
  });
});

describe('validateSchema: paths', () => {
  const s: JsonSchema = {
    type: 'object',
    properties: {
      x1: { type: 'string' },
      '1x': { type: 'string' },
      '7': { type: 'string' },
      list: { type: 'array', items: { type: 'string' } },
    },
  };

  it('writes only all-digit segments as indices: array positions of any length, and a field named by digits', () => {
    expect(validateSchema(s, { x1: 1 })).toBe('x1: must be a string (got 1)');
    expect(validateSchema(s, { '1x': 1 })).toBe('1x: must be a string (got 1)');
    expect(validateSchema(s, { list: [...Array(12).fill('a'), 5] })).toBe('list[12]: must be a string (got 5)');
    expect(validateSchema(s, { '7': 1 })).toBe('[7]: must be a string (got 1)');
  });

  it('prefixes a path to an index with no dot', () => {
    expect(validateSchema({ type: 'array', items: { type: 'string' } }, ['a', 2], 'tags')).toBe('tags[1]: must be a string (got 2)');
    expect(validateSchema({ type: 'string' }, 2, 'tags')).toBe('tags: must be a string (got 2)');
  });
});
