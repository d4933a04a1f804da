import fs from 'node:fs';
import path from 'node:path';
import { type JsonSchema, UserError, validateSchema } from '@lightcode/cost-model';
import YAML from 'yaml';

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

/** Reads a JSON or YAML file (by extension) with one-line errors. */
export function readDataFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${what} '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0];
    throw new UserError(`${what} '${file}' is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}: ${msg}`);
  }
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
