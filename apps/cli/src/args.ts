import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UserError } from '@lightcode/cost-model';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  config: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
} as const satisfies Options;

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Parses argv strictly; an unknown or malformed flag is a one-line usage error. */
export function parse(
  command: string,
  argv: readonly string[],
  options: Options,
  positionals = false,
): { values: FlagValues; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...argv], options: { ...GLOBAL_OPTIONS, ...options }, strict: true, allowPositionals: positionals });
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    const first = ((e as Error).message.split('\n')[0] ?? '').replace(/\. To specify a positional argument.*$/s, '').replace(/\.$/, '');
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec(first);
    if (ambiguous) {
      throw new UserError(`option '${ambiguous[1]}' is followed by a value starting with '-'; write ${ambiguous[1]}=VALUE if you mean it`);
    }
    throw new UserError(`${first} (see 'lightcode ${command} --help')`);
  }
}

/** A positive integer flag value. */
export function intFlag(value: string | undefined, flag: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
    throw new UserError(`${flag} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer (got '${value}')`);
  }
  return Number(value);
}

/** A flag restricted to a set of words. */
export function choiceFlag<T extends string>(value: string | undefined, flag: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UserError(`${flag} must be one of ${choices.join(', ')} (got '${value}')`);
  return value as T;
}

/** The plugin-loading flags every command accepts. */
export interface PluginFlags {
  config?: string;
  plugin?: string[];
}
