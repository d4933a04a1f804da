import { DTYPES } from './dtype.js';
import { UserError } from './errors.js';
import { type ModelMeta, OpGraph } from './graph.js';
import { OP_KINDS, type OpNode } from './ops.js';
import { type JsonSchema, validateSchema } from './schema.js';
import type { TensorSpec } from './tensor.js';

export const OPGRAPH_FORMAT = 'lightcode-opgraph';
export const OPGRAPH_VERSION = 1;

/** A graph as plain data: what frontends return and what JSON holds. */
export interface OpGraphData {
  readonly meta: ModelMeta;
  readonly ops: readonly OpNode[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly tensors: readonly TensorSpec[] }[];
}

export interface OpGraphJSON extends OpGraphData {
  readonly format: typeof OPGRAPH_FORMAT;
  readonly version: number;
}

const dim: JsonSchema = { type: 'integer', minimum: 1 };
const tensorSchema: JsonSchema = {
  type: 'object',
  required: ['shape', 'dtype'],
  additionalProperties: false,
  properties: { shape: { type: 'array', items: dim }, dtype: { enum: DTYPES } },
};
const tensors: JsonSchema = { type: 'array', items: tensorSchema };

/** JSON Schema of the serialized OpGraph. */
export const OPGRAPH_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'LightCode operator graph',
  type: 'object',
  required: ['format', 'version', 'meta', 'ops', 'edges'],
  additionalProperties: false,
  properties: {
    format: { const: OPGRAPH_FORMAT },
    version: { type: 'integer' },
    meta: {
      type: 'object',
      required: ['id', 'family', 'phase', 'seqLen', 'batch', 'dtype', 'layers'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', minLength: 1 },
        family: { type: 'string', minLength: 1 },
        phase: { enum: ['prefill', 'decode'] },
        seqLen: dim,
        batch: dim,
        dtype: { enum: DTYPES },
        weightDtype: { enum: DTYPES },
        kvDtype: { enum: DTYPES },
        kvLen: { type: 'integer', minimum: 0 },
        layers: { type: 'integer', minimum: 0 },
      },
    },
    ops: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'kind', 'layer', 'inputs', 'outputs', 'weights', 'attrs'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1 },
          name: { type: 'string', minLength: 1 },
          kind: { enum: OP_KINDS },
          layer: { type: ['integer', 'null'], minimum: 0 },
          inputs: tensors,
          outputs: tensors,
          weights: tensors,
          attrs: { type: 'object', additionalProperties: { type: ['number', 'string', 'boolean'] } },
        },
      },
    },
    edges: {
      type: 'array',
      items: {
        type: 'object',
        required: ['from', 'to', 'tensors'],
        additionalProperties: false,
        properties: { from: { type: 'string' }, to: { type: 'string' }, tensors: { ...tensors, minItems: 1 } },
      },
    },
  },
};

/** Plain data of a graph, ops and edges in insertion order. */
export function graphToData(graph: OpGraph): OpGraphData {
  return {
    meta: graph.meta,
    ops: graph.ops(),
    edges: graph.edges().map((e) => ({ from: e.from, to: e.to, tensors: e.tensors })),
  };
}

/** Versioned JSON form of a graph. */
export function graphToJSON(graph: OpGraph): OpGraphJSON {
  return { format: OPGRAPH_FORMAT, version: OPGRAPH_VERSION, ...graphToData(graph) };
}

/**
 * Builds an OpGraph from plain data, checking that it is a well-formed DAG.
 * `source` names where the data came from in error messages.
 */
export function graphFromData(data: OpGraphData, source = 'graph'): OpGraph {
  const problem = validateSchema(OPGRAPH_SCHEMA, { format: OPGRAPH_FORMAT, version: OPGRAPH_VERSION, ...data });
  if (problem) throw new UserError(`${source}: ${problem}`);
  const g = new OpGraph(data.meta);
  const names = new Set<string>();
  try {
    for (const op of data.ops) {
      if (names.has(op.name)) throw new UserError(`duplicate op name '${op.name}'`);
      names.add(op.name);
      g.addOp(op);
    }
    for (const e of data.edges) for (const t of e.tensors) g.connect(e.from, e.to, t);
    g.topologicalOrder();
  } catch (e) {
    if (e instanceof UserError) throw new UserError(`${source}: ${e.message}`);
    throw e;
  }
  return g;
}

/** Parses the versioned JSON form; rejects other formats and future versions. */
export function graphFromJSON(json: unknown, source = 'graph JSON'): OpGraph {
  const obj = json as Partial<OpGraphJSON> | null;
  if (typeof obj !== 'object' || obj === null || obj.format !== OPGRAPH_FORMAT) {
    throw new UserError(`${source}: not a LightCode op graph (expected "format": "${OPGRAPH_FORMAT}")`);
  }
  if (obj.version !== OPGRAPH_VERSION) {
    throw new UserError(`${source}: format version ${String(obj.version)} is not supported (this build reads ${OPGRAPH_VERSION})`);
  }
  const problem = validateSchema(OPGRAPH_SCHEMA, json);
  if (problem) throw new UserError(`${source}: ${problem}`);
  const { meta, ops, edges } = obj as OpGraphJSON;
  return graphFromData({ meta, ops, edges }, source);
}
