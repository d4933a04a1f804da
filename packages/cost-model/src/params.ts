import { UserError } from '@lightcode/ir';

/** One parameter of a target's cost model. */
export interface ParamSpec {
  /** SI unit (`Hz`, `J`, `s`, `W`, `B/s`, `B`, `J/B`) or `1` for counts and ratios; `choice` for named options. */
  readonly unit: string;
  readonly default: number | string;
  readonly description: string;
  /** Where the default comes from. */
  readonly source: string;
  readonly integer?: boolean;
  /** Whether 0 is allowed (static power may be 0; a clock may not). */
  readonly allowZero?: boolean;
  /**
   * Smallest physically meaningful value, inclusive. Without it a number must
   * be positive (or, with `allowZero`, non-negative); with it, negative values
   * down to `min` are allowed (a detector sensitivity in dBm).
   */
  readonly min?: number;
  /** Largest physically meaningful value, inclusive (a wall-plug efficiency is at most 1). */
  readonly max?: number;
  /** For `choice` parameters. */
  readonly choices?: readonly string[];
}

export type ParamValue = number | string;
export type ParamValues = Readonly<Record<string, ParamValue>>;

/** A named set of parameter values with its source. */
export interface Preset {
  readonly description: string;
  /** Where the preset's values come from: the source of every value it sets, unless `sources` names another. */
  readonly source: string;
  readonly values: ParamValues;
  /**
   * Sources of single values the preset sets, where they differ from `source`
   * (a derived figure, an assumption). A parameter the preset leaves at its
   * default keeps the parameter's own source.
   */
  readonly sources?: Readonly<Record<string, string>>;
}

/**
 * Where a resolved parameter's value comes from: `overridden` when the system
 * sets it, else the preset's source for a value the preset sets (its
 * per-parameter `sources` first), else the parameter's own source.
 */
export function paramSource(
  name: string,
  spec: ParamSpec,
  preset: Preset | undefined,
  overrides: Readonly<Record<string, unknown>> = {},
  overridden = 'set in the system spec',
): string {
  if (Object.hasOwn(overrides, name)) return overridden;
  if (preset && Object.hasOwn(preset.values, name)) return preset.sources?.[name] ?? preset.source;
  return spec.source;
}

/** Checks one value against its spec; returns the problem or null. */
export function checkParam(name: string, spec: ParamSpec, value: unknown): string | null {
  // a number shows as itself (JSON would print Infinity and NaN as null)
  const got = typeof value === 'number' ? String(value) : JSON.stringify(value);
  if (spec.choices) {
    if (typeof value !== 'string' || !spec.choices.includes(value)) {
      return `parameter '${name}' must be one of ${spec.choices.join(', ')} (got ${got})`;
    }
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return `parameter '${name}' must be a finite number${spec.unit === '1' ? '' : ` in ${spec.unit}`} (got ${got})`;
  }
  if (spec.min === undefined && spec.max === undefined) {
    if (value < 0 || (value === 0 && !spec.allowZero)) {
      return `parameter '${name}' must be ${paramRange(spec)} (got ${value})`;
    }
  } else {
    const tooLow = spec.min !== undefined ? value < spec.min : value < 0 || (value === 0 && !spec.allowZero);
    if (tooLow || (spec.max !== undefined && value > spec.max)) {
      return `parameter '${name}' must be ${paramRange(spec)} (got ${value})`;
    }
  }
  if (spec.integer && !Number.isInteger(value)) return `parameter '${name}' must be an integer (got ${value})`;
  return null;
}

/** The valid range of a numeric parameter in words: `> 0 and <= 1`, `>= -60 and <= 10 dBm`. */
export function paramRange(spec: ParamSpec): string {
  const low = spec.min !== undefined ? `>= ${spec.min}` : spec.allowZero ? '>= 0' : '> 0';
  const range = spec.max !== undefined ? `${low} and <= ${spec.max}` : low;
  return spec.unit === '1' ? range : `${range} ${spec.unit}`;
}

/**
 * Resolves a target's parameters: defaults, then the preset's values, then
 * overrides. Every value is checked; unknown names are rejected with the list.
 * `validate` (a target plugin's `validate`) then checks how the
 * values fit together; its problem becomes the error.
 */
export function resolveParams(
  targetId: string,
  specs: Readonly<Record<string, ParamSpec>>,
  presets: Readonly<Record<string, Preset>>,
  presetName: string,
  overrides: Readonly<Record<string, unknown>> = {},
  validate?: (params: ParamValues) => string | null,
): Record<string, ParamValue> {
  const preset = presets[presetName];
  if (!preset) {
    throw new UserError(`target '${targetId}' has no preset '${presetName}' (known: ${Object.keys(presets).join(', ')})`);
  }
  const out: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(specs)) out[name] = spec.default;
  for (const [layer, values] of [
    [`preset '${presetName}'`, preset.values],
    ['overrides', overrides],
  ] as const) {
    for (const [name, value] of Object.entries(values)) {
      const spec = specs[name];
      if (!spec) {
        throw new UserError(`target '${targetId}' ${layer}: unknown parameter '${name}' (known: ${Object.keys(specs).join(', ')})`);
      }
      out[name] = value as ParamValue;
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const problem = checkParam(name, spec, out[name]);
    if (problem) throw new UserError(`target '${targetId}': ${problem}`);
  }
  const problem = validate?.(out) ?? null;
  if (problem) throw new UserError(`target '${targetId}': ${problem}`);
  return out;
}

/** Parameter declarations by name, as a target's `params` gives them. */
export type ParamSpecs = Readonly<Record<string, ParamSpec>>;

/** The value a declared parameter resolves to: one of its `choices`, else a number. */
export type ParamValueOf<S extends ParamSpec> = S extends { readonly choices: readonly (infer C extends string)[] } ? C : number;

/**
 * The resolved values of declared parameters, typed by name: what
 * `defineTarget` hands `realize`, `staticPowerW`, `validate` and fusions.
 * Untyped (`ParamValues`) where the names are not known statically.
 */
export type ParamsOf<P extends ParamSpecs> = string extends keyof P ? ParamValues : { readonly [K in keyof P]: ParamValueOf<P[K]> };

/** A preset of declared parameters: only their names, each with a value of its type. */
export interface PresetFor<P extends ParamSpecs> {
  readonly description: string;
  readonly source: string;
  readonly values: string extends keyof P ? ParamValues : { readonly [K in keyof P]?: ParamValueOf<P[K]> };
  readonly sources?: string extends keyof P ? Readonly<Record<string, string>> : { readonly [K in keyof P]?: string };
}

/** Names of the numeric parameters among `T` (any name where `T` is untyped). */
export type NumericParam<T> = string extends keyof T ? string : { [K in keyof T]-?: T[K] extends number ? K : never }[keyof T] & string;
/** Names of the choice parameters among `T` (any name where `T` is untyped). */
export type ChoiceParam<T> = string extends keyof T ? string : { [K in keyof T]-?: T[K] extends number ? never : K }[keyof T] & string;

/**
 * Reads a numeric parameter that resolveParams has checked. With typed
 * parameters (`ParamsOf`) a name that is not a numeric parameter is a
 * compile error; reading `params.name` directly is the same.
 */
export function num<T extends ParamValues>(params: T, name: NumericParam<T>): number {
  const v = params[name];
  if (typeof v !== 'number') throw new Error(`parameter '${name}' is not numeric`);
  return v;
}

/** Reads a choice parameter that resolveParams has checked (typed names as for {@link num}). */
export function str<T extends ParamValues>(params: T, name: ChoiceParam<T>): string {
  const v = params[name];
  if (typeof v !== 'string') throw new Error(`parameter '${name}' is not a choice`);
  return v;
}
