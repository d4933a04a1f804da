import { type ParseArgsConfig, parseArgs } from 'node:util';
import { LIMITS, shown } from '@lightcode/core';
import { parseQuantity, UserError } from '@lightcode/cost-model';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  config: { type: 'string' },
  plugin: { type: 'string', multiple: true },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  'plugin-timeout': { type: 'string' },
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

/** The most `--max-points` may allow. */
export const MAX_POINTS_CEILING = 1_000_000;

/** Caps of integer flags, by flag (docs/limits.md); any other integer flag is capped at MAX_SAFE_INTEGER. */
const INT_CAPS: Readonly<Record<string, number>> = {
  '--seq-len': LIMITS.seqLen,
  '--kv-len': LIMITS.seqLen,
  '--prompt-len': LIMITS.seqLen,
  '--output-len': LIMITS.seqLen,
  '--batch': LIMITS.batch,
  '--workers': LIMITS.workers,
  '--max-points': MAX_POINTS_CEILING,
};

/**
 * A positive (with `min` 0, non-negative) integer flag value, at most `max`
 * (by default the flag's documented cap): a value too large to count with,
 * such as 300 digits, is refused naming the flag and the value as typed.
 */
export function intFlag(
  value: string | undefined,
  flag: string,
  min = 1,
  max = INT_CAPS[flag] ?? Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min) {
    throw new UserError(`${flag} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer (got '${shown(value)}')`, {
      code: 'E_SYNTAX',
      option: flag,
    });
  }
  if (!(n <= max)) throw new UserError(`${flag} must be at most ${max} (got '${shown(value)}')`, { code: 'E_RANGE', option: flag });
  return n;
}

/** `--max-points N`: how many compiles a command may plan (default LIMITS.points). */
export function maxPointsFlag(v: FlagValues): number {
  return intFlag(v['max-points'] as string | undefined, '--max-points') ?? LIMITS.points;
}

/** Refuses a plan of `n` compiles over `--max-points`, naming what made it. */
export function checkPoints(n: number, what: string, max: number): void {
  if (n > max) {
    throw new UserError(`${what} makes ${n} compiles, over the limit of ${max}`, {
      code: 'E_PLAN_TOO_LARGE',
    });
  }
}

/** A duration flag (`5`, `300ms`, `2.5s`): finite, positive, at most `max` seconds, else an error naming the flag and the value as typed. */
export function secondsFlag(text: string, flag: string, max: number = LIMITS.timeLimitS): number {
  const v = parseQuantity(text, 's', flag);
  if (!Number.isFinite(v))
    throw new UserError(`${flag} '${shown(text)}' is not a finite number of seconds`, { code: 'E_NOT_FINITE', option: flag });
  if (!(v > 0)) throw new UserError(`${flag} must be positive (got '${shown(text)}')`, { code: 'E_RANGE', option: flag });
  if (v > max) throw new UserError(`${flag} must be at most ${max} s (got '${shown(text)}')`, { code: 'E_RANGE', option: flag });
  return v;
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
  'plugin-timeout'?: string;
}
