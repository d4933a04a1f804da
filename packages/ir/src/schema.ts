import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';

/**
 * JSON Schema (draft 2020-12) for LightCode's file formats. A format is
 * described once in this form: the same object validates input (with Ajv, a
 * maintained validator) and is published for editors (`lightcode schema
 * system`).
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  enum?: readonly (string | number | boolean | null)[];
  const?: string | number | boolean | null;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  default?: unknown;
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

// verbose: errors carry their schema, for the list of known fields and anyOf branches
const ajv = new Ajv2020({ allErrors: false, verbose: true, allowUnionTypes: true, strictTuples: false });
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function compile(schema: JsonSchema): ValidateFunction {
  const known = compiled.get(schema);
  if (known) return known;
  const v = ajv.compile(schema as object);
  compiled.set(schema, v);
  return v;
}

function show(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** `/devices/0/count` -> `devices[0].count`; the root is `(root)`. */
function pathOf(instancePath: string, extra?: string): string {
  const parts = instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out || '(root)';
}

function valueAt(root: unknown, instancePath: string): unknown {
  let v = root;
  for (const p of instancePath.split('/').slice(1)) {
    const key = p.replace(/~1/g, '/').replace(/~0/g, '~');
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

const article = (t: string) => `${/^[aeio]/.test(t) ? 'an' : 'a'} ${t}`;

/** One Ajv error as `path: what is wrong`. */
function describe(e: ErrorObject, root: unknown): string {
  const at = pathOf(e.instancePath);
  const value = valueAt(root, e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${pathOf(e.instancePath, String(p.missingProperty))}: is missing`;
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as JsonSchema | undefined)?.properties ?? {});
      return `${pathOf(e.instancePath, String(p.additionalProperty))}: unknown field (known: ${known.join(', ')})`;
    }
    case 'type': {
      const types = String(p.type).split(',');
      return `${at}: must be ${types.map(article).join(' or ')} (got ${show(value)})`;
    }
    case 'enum':
      return `${at}: must be one of ${((p.allowedValues as unknown[]) ?? []).map(show).join(', ')} (got ${show(value)})`;
    case 'const':
      return `${at}: must be ${show(p.allowedValue)} (got ${show(value)})`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${at}: must be ${String(p.comparison)} ${String(p.limit)} (got ${show(value)})`;
    case 'multipleOf':
      return `${at}: must be a multiple of ${String(p.multipleOf)} (got ${show(value)})`;
    case 'minLength':
      return p.limit === 1 ? `${at}: must not be empty` : `${at}: must have at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `${at}: must have at most ${String(p.limit)} characters (got ${(value as string).length})`;
    case 'pattern':
      return `${at}: ${show(value)} does not match ${String(p.pattern)}`;
    case 'minItems':
      return `${at}: needs at least ${String(p.limit)} item(s)`;
    case 'maxItems':
      return `${at}: allows at most ${String(p.limit)} item(s)`;
    case 'uniqueItems':
      return `${at}: items ${Math.min(Number(p.i), Number(p.j))} and ${Math.max(Number(p.i), Number(p.j))} are the same; list each once`;
    case 'minProperties':
      return `${at}: needs at least ${String(p.limit)} field(s)`;
    case 'maxProperties':
      return `${at}: allows at most ${String(p.limit)} field(s)`;
    case 'oneOf':
      return p.passingSchemas
        ? `${at}: matches more than one of its alternatives (${(p.passingSchemas as number[]).join(' and ')}); it must match exactly one`
        : `${at}: matches none of its alternatives`;
    case 'anyOf':
      return `${at}: matches none of its alternatives`;
    case 'not':
      return `${at}: must not match the excluded form`;
    default:
      return `${at}: ${e.message ?? `fails ${e.keyword}`}`;
  }
}

/**
 * The error to report. For a failed `anyOf` or `oneOf`: where every
 * alternative wants another type, that list of types; else the problem
 * inside the last alternative whose type the value has.
 */
function pick(errors: readonly ErrorObject[], root: unknown): string {
  const last = errors[errors.length - 1] as ErrorObject;
  if ((last.keyword === 'anyOf' || last.keyword === 'oneOf') && !(last.params as { passingSchemas?: unknown }).passingSchemas) {
    const branches = (last.schema as unknown[]).map((_, i) => errors.filter((e) => e.schemaPath.startsWith(`${last.schemaPath}/${i}/`)));
    const wrongType = (b: readonly ErrorObject[]) => b.some((e) => e.keyword === 'type' && e.instancePath === last.instancePath);
    if (branches.every((b) => b.length > 0 && wrongType(b))) {
      const types = [
        ...new Set(branches.flatMap((b) => b.filter((e) => e.keyword === 'type').flatMap((e) => String(e.params.type).split(',')))),
      ];
      return `${pathOf(last.instancePath)}: must be ${types.map(article).join(' or ')} (got ${show(valueAt(root, last.instancePath))})`;
    }
    const fitting = branches.filter((b) => b.length > 0 && !wrongType(b));
    const chosen = fitting[fitting.length - 1];
    if (chosen) return pick(chosen, root);
  }
  return describe(errors[0] as ErrorObject, root);
}

/**
 * Validates `value` against `schema` (draft 2020-12, with Ajv); returns the
 * problem as one line, `path: what is wrong`, or null when the value
 * conforms. `path` prefixes the paths (for a value inside a larger document).
 */
export function validateSchema(schema: JsonSchema, value: unknown, path = ''): string | null {
  const validate = compile(schema);
  if (validate(value)) return null;
  const errors = validate.errors ?? [];
  if (errors.length === 0) return `${path || '(root)'}: does not conform`;
  const message = pick(errors, value);
  if (!path) return message;
  return message.startsWith('(root)') ? `${path}${message.slice(6)}` : `${path}${/^\[/.test(message) ? '' : '.'}${message}`;
}
