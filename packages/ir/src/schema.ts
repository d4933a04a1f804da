/**
 * A small JSON Schema (draft 2020-12 subset) and its validator. LightCode's file
 * formats are described once in this form: the same object validates input and
 * is published for editors (`lightcode schema system`).
 */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  title?: string;
  description?: string;
  type?: JsonType | JsonType[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  enum?: readonly (string | number | boolean | null)[];
  const?: string | number | boolean;
  minimum?: number;
  exclusiveMinimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  anyOf?: JsonSchema[];
  default?: unknown;
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

function typeOf(v: unknown): JsonType | 'undefined' | 'other' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    case 'object':
      return 'object';
    case 'undefined':
      return 'undefined';
    default:
      return 'other';
  }
}

function matchesType(v: unknown, t: JsonType): boolean {
  const actual = typeOf(v);
  if (t === 'number') return (actual === 'number' || actual === 'integer') && Number.isFinite(v as number);
  return actual === t;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Validates `value` against `schema`; returns the first problem as
 * `path: what is wrong`, or null when the value conforms.
 */
export function validateSchema(schema: JsonSchema, value: unknown, path = ''): string | null {
  const at = path || '(root)';
  if (schema.anyOf) {
    const errors = schema.anyOf.map((s) => validateSchema(s, value, path));
    if (errors.every((e) => e !== null)) return errors[errors.length - 1] ?? `${at}: no alternative matches`;
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => matchesType(value, t))) {
      if (value === undefined) return `${at}: is missing`;
      return `${at}: must be ${types.map((t) => `${/^[aeio]/.test(t) ? 'an' : 'a'} ${t}`).join(' or ')} (got ${show(value)})`;
    }
  }
  if (schema.const !== undefined && value !== schema.const) return `${at}: must be ${show(schema.const)} (got ${show(value)})`;
  if (schema.enum && !schema.enum.includes(value as string)) {
    return `${at}: must be one of ${schema.enum.map((e) => show(e)).join(', ')} (got ${show(value)})`;
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && !(value >= schema.minimum)) return `${at}: must be >= ${schema.minimum} (got ${value})`;
    if (schema.exclusiveMinimum !== undefined && !(value > schema.exclusiveMinimum)) {
      return `${at}: must be > ${schema.exclusiveMinimum} (got ${value})`;
    }
    if (schema.maximum !== undefined && !(value <= schema.maximum)) return `${at}: must be <= ${schema.maximum} (got ${value})`;
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) return `${at}: must not be empty`;
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      return `${at}: ${show(value)} does not match ${schema.pattern}`;
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return `${at}: needs at least ${schema.minItems} item(s)`;
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return `${at}: allows at most ${schema.maxItems} item(s)`;
    for (let i = 0; i < value.length; i++) {
      const s = schema.prefixItems?.[i] ?? schema.items;
      if (!s) continue;
      const e = validateSchema(s, value[i], join(path, i));
      if (e) return e;
    }
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (obj[key] === undefined) return `${join(path, key)}: is missing`;
    }
    for (const [key, v] of Object.entries(obj)) {
      const s = schema.properties?.[key];
      if (s) {
        const e = validateSchema(s, v, join(path, key));
        if (e) return e;
      } else if (schema.additionalProperties === false) {
        const known = Object.keys(schema.properties ?? {});
        return `${join(path, key)}: unknown field (known: ${known.join(', ')})`;
      } else if (typeof schema.additionalProperties === 'object') {
        const e = validateSchema(schema.additionalProperties, v, join(path, key));
        if (e) return e;
      }
    }
  }
  return null;
}
