import { type JsonSchema, UserError, validateSchema } from '@lightcode/cost-model';
import { OBJECTIVES } from '@lightcode/optimizer';
import { LIMITS, nonFinitePath } from './limits.js';

const count: JsonSchema = { type: 'integer', minimum: 0 };

/**
 * JSON Schema of a sweep's `result.json` as `lightcode merge` reads it: the
 * sweep's id, its point count and shard, and every row with its point and
 * its result (finite, non-negative latency and energy). Rows may carry more
 * fields (a workload's figures); these are the ones a merge relies on.
 */
export const SWEEP_DOCUMENT_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'LightCode sweep result (result.json)',
  type: 'object',
  required: ['kind', 'sweep', 'rows'],
  properties: {
    kind: { const: 'sweep' },
    model: { type: 'object' },
    sweep: {
      type: 'object',
      required: ['id', 'points'],
      properties: {
        id: { type: 'string', minLength: 1 },
        points: count,
        shard: {
          type: 'object',
          required: ['index', 'count'],
          properties: { index: { type: 'integer', minimum: 1 }, count: { type: 'integer', minimum: 1 } },
        },
      },
    },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'system', 'objective', 'seqLen', 'params', 'latencyS', 'energyJ', 'status', 'opsPerDevice'],
        properties: {
          index: count,
          system: { type: 'string', minLength: 1 },
          objective: { enum: [...OBJECTIVES] },
          seqLen: { type: 'integer', minimum: 1, maximum: LIMITS.seqLen },
          params: { type: 'object', additionalProperties: { type: ['number', 'string'] } },
          latencyS: { type: 'number', minimum: 0 },
          energyJ: { type: 'number', minimum: 0 },
          status: { type: 'string', minLength: 1 },
          opsPerDevice: { type: 'object', additionalProperties: count },
        },
      },
    },
    systems: { type: 'array' },
  },
};

/**
 * Checks a shard's result.json before a merge trusts it: the schema, finite
 * numbers everywhere, a shard index within its count, a count within the
 * sweep's points, and rows that lie inside the plan. A row whose latency is a
 * string, or a shard count of 1e9, is refused in one line naming where.
 */
export function checkSweepDocument(doc: unknown, source: string): void {
  const fail = (what: string, option?: string): never => {
    throw new UserError(`${source}: ${what}`, { code: 'E_BAD_SHARD', ...(option ? { option } : {}) });
  };
  const problem = validateSchema(SWEEP_DOCUMENT_SCHEMA, doc);
  if (problem) fail(problem);
  const bad = nonFinitePath(doc);
  if (bad !== undefined) fail(`${bad} is not a finite number`, bad);
  const d = doc as { sweep: { points: number; shard?: { index: number; count: number } }; rows: { index: number }[] };
  const { points, shard } = d.sweep;
  if (shard && shard.index > shard.count) fail(`sweep.shard: index ${shard.index} is above its count ${shard.count}`, 'sweep.shard');
  if (shard && shard.count > Math.max(points, 1))
    fail(`sweep.shard: count ${shard.count} is above the sweep's ${points} points`, 'sweep.shard');
  if (d.rows.length > points) fail(`holds ${d.rows.length} rows, more than the sweep's ${points} points`, 'rows');
  d.rows.forEach((r, i) => {
    if (r.index >= points) fail(`rows[${i}].index ${r.index} is outside the sweep's ${points} points`, `rows[${i}].index`);
  });
}
