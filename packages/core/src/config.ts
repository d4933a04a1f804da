import fs from 'node:fs';
import path from 'node:path';
import { type JsonSchema, UserError, validateSchema } from '@lightcode/cost-model';
import YAML from 'yaml';
import { nonFinitePath, readRegularFile } from './limits.js';

export const CONFIG_NAMES = ['lightcode.config.json', 'lightcode.config.yaml', 'lightcode.config.yml'] as const;

/** A plugin listed by package name or path, with options for factory plugins. */
export type PluginEntry = string | readonly [string, Record<string, unknown>];

export interface LightcodeConfig {
  readonly plugins?: readonly PluginEntry[];
  /** The built-in plugins to load: all (true, the default), none (false), or those listed by package name. */
  readonly builtins?: boolean | readonly string[];
}

export interface LoadedConfig {
  readonly path: string;
  readonly config: LightcodeConfig;
}

export const CONFIG_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'LightCode config (lightcode.config.json / .yaml)',
  type: 'object',
  additionalProperties: false,
  properties: {
    plugins: {
      type: 'array',
      items: {
        anyOf: [
          { type: 'string', minLength: 1 },
          { type: 'array', minItems: 2, maxItems: 2, prefixItems: [{ type: 'string', minLength: 1 }, { type: 'object' }] },
        ],
      },
    },
    builtins: {
      description: 'built-in plugins to load: true (all, the default), false (none), or a list of their package names',
      anyOf: [{ type: 'boolean' }, { type: 'array', uniqueItems: true, items: { type: 'string', minLength: 1 } }],
    },
  },
};

/** A parser's message on one line: where it is (line and column), and what is wrong. */
export function parseProblem(e: unknown, text: string): string {
  const message = String((e as Error)?.message ?? e);
  const yamlAt = (e as { linePos?: readonly { line: number; col: number }[] }).linePos?.[0];
  if (yamlAt) return `${message.split('\n')[0]?.replace(/:\s*$/, '')}`;
  const at = /at position (\d+)/.exec(message);
  if (at) {
    const before = text.slice(0, Number(at[1]));
    const line = before.split('\n').length;
    const column = Number(at[1]) - before.lastIndexOf('\n');
    return `${message.replace(/\s*\(line \d+ column \d+\)/, '')} (line ${line}, column ${column})`;
  }
  // V8 quotes the text around the problem, newlines and all: keep it on one line
  return message.replace(/\s*\n\s*/g, ' ');
}

/**
 * Reads a JSON or YAML file (by extension) with one-line errors: only a
 * regular file within LIMITS.dataFileBytes (a FIFO or a device is refused,
 * never waited on), and no number that is not finite (JSON's 1e400, YAML's
 * .inf), named by where it is.
 */
export function readDataFile(file: string, what: string): unknown {
  const text = readRegularFile(file, what).toString('utf8');
  const yaml = /\.ya?ml$/i.test(file);
  let doc: unknown;
  try {
    doc = yaml ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    throw new UserError(`${what} '${file}' is not valid ${yaml ? 'YAML' : 'JSON'}: ${parseProblem(e, text)}`, {
      code: 'E_PARSE',
      cause: e,
    });
  }
  const bad = nonFinitePath(doc);
  if (bad !== undefined) {
    throw new UserError(`${what} '${file}': ${bad} is not a finite number (too large to hold, or not a number at all)`, {
      code: 'E_NOT_FINITE',
      option: bad,
    });
  }
  return doc;
}

/** The nearest lightcode.config.{json,yaml,yml} in `dir` or its parents. */
export function findConfig(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const f = path.join(d, name);
      if (fs.existsSync(f)) return f;
    }
    const parent = path.dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

/** Loads and validates a config file. */
export function loadConfig(file: string): LoadedConfig {
  const abs = path.resolve(file);
  const raw = readDataFile(abs, 'config file');
  const problem = validateSchema(CONFIG_SCHEMA, raw ?? {});
  if (problem) throw new UserError(`config file '${abs}': ${problem}`);
  return { path: abs, config: (raw ?? {}) as LightcodeConfig };
}
