import {
  GraphBuilder,
  graphFromData,
  graphFromJSON,
  graphToJSON,
  OPGRAPH_SCHEMA,
  type OpGraphData,
  type OpGraphJSON,
  tensor,
  UserError,
  validateSchema,
} from '@lightcode/ir';
import { describe, expect, it } from 'vitest';

/*
 * The op-graph format field by field: every required field, when missing, is
 * named with its path, and every field's own rule is enforced; plus what
 * graphFromData and graphFromJSON do with input that is no graph at all.
 */

function data(): OpGraphData {
  const b = new GraphBuilder({ id: 'm', family: 'f', phase: 'decode', seqLen: 1, batch: 1, dtype: 'fp16', kvLen: 2, layers: 1 });
  const x = tensor([1, 2], 'fp16');
  const a = b.add({ name: 'a', kind: 'layernorm', layer: 0, inputs: [x], outputs: [x], weights: [tensor([2], 'fp16')] });
  b.add({ name: 'b', kind: 'add', layer: null, inputs: [x], outputs: [x], attrs: { k: 1 } }, [[a, x]]);
  return b.build();
}

/** The JSON form of the small graph, as a file would hold it. */
const json = (): OpGraphJSON & Record<string, unknown> =>
  JSON.parse(JSON.stringify({ format: 'lightcode-opgraph', version: 1, ...data() }));

type Json = ReturnType<typeof json>;
type Edit = (j: Json) => void;
// biome-ignore lint/suspicious/noExplicitAny: edits reach into the document as a file would hold it
const any = (v: unknown) => v as any;

describe('every required field of the op-graph format, missing, is named with its path', () => {
  it.each<[string, Edit]>([
    ['format', (j) => delete any(j).format],
    ['version', (j) => delete any(j).version],
    ['meta', (j) => delete any(j).meta],
    ['ops', (j) => delete any(j).ops],
    ['edges', (j) => delete any(j).edges],
    ...(['id', 'family', 'phase', 'seqLen', 'batch', 'dtype', 'layers'] as const).map((f): [string, Edit] => [
      `meta.${f}`,
      (j) => delete any(j.meta)[f],
    ]),
    ...(['id', 'name', 'kind', 'layer', 'inputs', 'outputs', 'weights', 'attrs'] as const).map((f): [string, Edit] => [
      `ops[1].${f}`,
      (j) => delete any(j.ops[1])[f],
    ]),
    ['ops[0].weights[0].shape', (j) => delete any(j.ops[0]?.weights[0]).shape],
    ['ops[0].weights[0].dtype', (j) => delete any(j.ops[0]?.weights[0]).dtype],
    ...(['from', 'to', 'tensors'] as const).map((f): [string, Edit] => [`edges[0].${f}`, (j) => delete any(j.edges[0])[f]]),
  ])('%s', (path, edit) => {
    const j = json();
    edit(j);
    expect(validateSchema(OPGRAPH_SCHEMA, j)).toBe(`${path}: is missing`);
  });

  it('optional meta fields may be left out', () => {
    const j = json();
    delete any(j.meta).kvLen;
    expect(validateSchema(OPGRAPH_SCHEMA, j)).toBeNull();
    expect(validateSchema(OPGRAPH_SCHEMA, json())).toBeNull();
  });
});

describe("every field's own rule", () => {
  it.each<[string, Edit, string]>([
    ['format is the constant', (j) => Object.assign(j, { format: 'other' }), 'format: must be "lightcode-opgraph" (got "other")'],
    ['version is an integer', (j) => Object.assign(j, { version: 1.5 }), 'version: must be an integer (got 1.5)'],
    ['meta is an object', (j) => Object.assign(j, { meta: [] }), 'meta: must be an object (got [])'],
    ['meta.id is not empty', (j) => Object.assign(j.meta, { id: '' }), 'meta.id: must not be empty'],
    ['meta.id is a string', (j) => Object.assign(j.meta, { id: 7 }), 'meta.id: must be a string (got 7)'],
    ['meta.family is a string', (j) => Object.assign(j.meta, { family: 7 }), 'meta.family: must be a string (got 7)'],
    ['meta.seqLen is at least 1', (j) => Object.assign(j.meta, { seqLen: 0 }), 'meta.seqLen: must be >= 1 (got 0)'],
    ['meta.batch is at least 1', (j) => Object.assign(j.meta, { batch: 0 }), 'meta.batch: must be >= 1 (got 0)'],
    ['meta.batch is an integer', (j) => Object.assign(j.meta, { batch: 1.5 }), 'meta.batch: must be an integer (got 1.5)'],
    [
      'meta.kvDtype is a known format',
      (j) => Object.assign(j.meta, { kvDtype: 'fp4' }),
      'meta.kvDtype: must be one of "fp32", "fp16", "bf16", "fp8", "int8", "int4", "int32" (got "fp4")',
    ],
    ['meta.kvLen is an integer', (j) => Object.assign(j.meta, { kvLen: 0.5 }), 'meta.kvLen: must be an integer (got 0.5)'],
    ['meta.layers is at least 0', (j) => Object.assign(j.meta, { layers: -1 }), 'meta.layers: must be >= 0 (got -1)'],
    ['ops is an array', (j) => Object.assign(j, { ops: {} }), 'ops: must be an array (got {})'],
    ['an op is an object', (j) => Object.assign(j, { ops: [1] }), 'ops[0]: must be an object (got 1)'],
    ['an op name is not empty', (j) => Object.assign(j.ops[0] as object, { name: '' }), 'ops[0].name: must not be empty'],
    ['an op name is a string', (j) => Object.assign(j.ops[0] as object, { name: 3 }), 'ops[0].name: must be a string (got 3)'],
    [
      'an op layer is an integer or null',
      (j) => Object.assign(j.ops[0] as object, { layer: 'x' }),
      'ops[0].layer: must be an integer or a null (got "x")',
    ],
    ['an op has a list of inputs', (j) => Object.assign(j.ops[0] as object, { inputs: {} }), 'ops[0].inputs: must be an array (got {})'],
    ['an op has a list of outputs', (j) => Object.assign(j.ops[0] as object, { outputs: 1 }), 'ops[0].outputs: must be an array (got 1)'],
    [
      'an op has a list of weights',
      (j) => Object.assign(j.ops[0] as object, { weights: 'w' }),
      'ops[0].weights: must be an array (got "w")',
    ],
    ['op attrs are an object', (j) => Object.assign(j.ops[0] as object, { attrs: [] }), 'ops[0].attrs: must be an object (got [])'],
    ['a tensor is an object', (j) => Object.assign(j.ops[0] as object, { inputs: ['x'] }), 'ops[0].inputs[0]: must be an object (got "x")'],
    [
      'a tensor shape is an array',
      (j) => Object.assign(any(j.ops[0]).inputs[0], { shape: 2 }),
      'ops[0].inputs[0].shape: must be an array (got 2)',
    ],
    [
      'a dimension is an integer',
      (j) => Object.assign(any(j.ops[0]).outputs[0], { shape: [1, 2.5] }),
      'ops[0].outputs[0].shape[1]: must be an integer (got 2.5)',
    ],
    [
      'a dimension is at least 1',
      (j) => Object.assign(any(j.ops[0]).weights[0], { shape: [0] }),
      'ops[0].weights[0].shape[0]: must be >= 1 (got 0)',
    ],
    [
      'a tensor dtype is a known format',
      (j) => Object.assign(any(j.ops[0]).inputs[0], { dtype: 'fp64' }),
      'ops[0].inputs[0].dtype: must be one of "fp32", "fp16", "bf16", "fp8", "int8", "int4", "int32" (got "fp64")',
    ],
    ['edges is an array', (j) => Object.assign(j, { edges: 'e' }), 'edges: must be an array (got "e")'],
    ['an edge is an object', (j) => Object.assign(j, { edges: [null] }), 'edges[0]: must be an object (got null)'],
    [
      'an edge names its producer by a string',
      (j) => Object.assign(j.edges[0] as object, { from: 0 }),
      'edges[0].from: must be a string (got 0)',
    ],
    [
      'an edge names its consumer by a string',
      (j) => Object.assign(j.edges[0] as object, { to: 1 }),
      'edges[0].to: must be a string (got 1)',
    ],
    [
      'edge tensors are tensors',
      (j) => Object.assign(j.edges[0] as object, { tensors: [{ shape: [] }] }),
      'edges[0].tensors[0].dtype: is missing',
    ],
    ['edge tensors are a list', (j) => Object.assign(j.edges[0] as object, { tensors: {} }), 'edges[0].tensors: must be an array (got {})'],
  ])('%s', (_what, edit, problem) => {
    const j = json();
    edit(j);
    expect(validateSchema(OPGRAPH_SCHEMA, j)).toBe(problem);
    // the reader reports the same line after its source, unless it already refused the format or version
    if (!problem.startsWith('format') && !problem.startsWith('version'))
      expect(() => graphFromJSON(j, 'g.json')).toThrow(`g.json: ${problem}`);
  });

  it('an empty shape (a scalar) is a tensor', () => {
    const j = json();
    Object.assign(any(j.ops[0]).inputs[0], { shape: [] });
    expect(validateSchema(OPGRAPH_SCHEMA, j)).toBeNull();
  });

  it('is published for editors as a draft 2020-12 schema with a title', () => {
    expect(OPGRAPH_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(OPGRAPH_SCHEMA.title).toBe('LightCode operator graph');
  });
});

describe('reading input that is no graph', () => {
  it.each([undefined, 'lightcode-opgraph', 42, true])('%j is not a LightCode op graph', (value) => {
    expect(() => graphFromJSON(value, 'in.json')).toThrow(
      new UserError('in.json: not a LightCode op graph (expected "format": "lightcode-opgraph")'),
    );
  });

  it('names a missing version', () => {
    expect(() => graphFromJSON({ format: 'lightcode-opgraph' })).toThrow(
      'graph JSON: format version undefined is not supported (this build reads 1)',
    );
  });

  it("graphFromData names 'graph' as the source when given none", () => {
    const d = data();
    expect(() => graphFromData({ ...d, meta: { ...d.meta, seqLen: 0 } })).toThrow(/^graph: meta\.seqLen: must be >= 1 \(got 0\)$/);
    expect(() => graphFromData({ ...d, ops: [...d.ops, ...d.ops.slice(0, 1)] })).toThrow(/^graph: duplicate op name 'a'$/);
  });

  it('passes an error that is no user error through as it is, without the source', () => {
    const d = data();
    const edges = [...d.edges];
    // the validator reads the list by index; building the graph iterates it
    Object.defineProperty(edges, Symbol.iterator, {
      value: () => {
        throw new TypeError('broken list');
      },
    });
    let caught: unknown;
    try {
      graphFromData({ ...d, edges }, 'd');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(caught).not.toBeInstanceOf(UserError);
    expect((caught as Error).message).toBe('broken list');
  });

  it('round-trips the graph the tests edit', () => {
    expect(graphToJSON(graphFromJSON(json()))).toEqual(json());
  });
});
