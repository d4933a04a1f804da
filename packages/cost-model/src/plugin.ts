import type { DType, OpArithmetic, OpGraphData, OpKind, OpNode } from '@lightcode/ir';
import { stampContract } from './contract.js';
import type { MilpProblem, MilpResult, SolveOptions } from './milp.js';
import type { ParamSpec, ParamSpecs, ParamsOf, ParamValues, Preset, PresetFor } from './params.js';

/** The plugin API this SDK implements; a manifest must name it. */
export const PLUGIN_API_VERSION = 1;

export const PLUGIN_KINDS = ['target', 'frontend', 'solver'] as const;
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/** The `lightcode` field of a plugin's package.json. */
export interface PluginManifest {
  readonly apiVersion: number;
  readonly kind: PluginKind;
  readonly id: string;
}

/**
 * One physical contributor to a realization's energy, finer than its
 * `energy` kinds (a DAC, a laser), for explanations (`lightcode targets ID
 * --explain`). The components of a kind sum to `energy[kind]`; a component of
 * kind `static` is the share of the instance's static power over this op's
 * latency, shown for reference: the simulator charges static power over the
 * whole makespan, so it is not part of `energy`.
 */
export interface EnergyComponent {
  /** What it is: `DAC`, `laser`, `memory`. */
  readonly name: string;
  /** The `energy` key it adds to, or `static`. */
  readonly kind: string;
  readonly energyJ: number;
  /** How it is counted: `288 samples per cycle x 0.446 pJ`. */
  readonly detail?: string;
}

/**
 * The kinds of energy a realization reports, in joules: arithmetic
 * (`compute`), off-chip memory traffic (`memory`), on-chip buffers
 * (`buffer`), data converters (`conversion`: DACs, ADCs), optical modulators
 * (`modulation`) and photodetectors with their amplifiers (`detection`), and
 * anything else (`other`). Static power is not among them: the simulator
 * charges `staticPowerW` over the whole makespan, and transfers between
 * devices are priced by the system's links.
 */
export const ENERGY_KINDS = ['compute', 'memory', 'buffer', 'conversion', 'modulation', 'detection', 'other'] as const;
export type EnergyKind = (typeof ENERGY_KINDS)[number];

/** A realization's energy by kind, in joules; a kind it leaves out is 0. */
export type RealizationEnergy = { readonly [K in EnergyKind]?: number };

/** A realization a target offers for one op. Latency in seconds, energy in joules. */
export interface Realization {
  readonly algorithm: string;
  /** Time on one instance. */
  readonly latencyS: number;
  readonly energy: RealizationEnergy;
  /** Equal independent parts (batch, heads) the op can tile into across instances; default 1. */
  readonly parts?: number;
  /** Optional finer breakdown of `energy` (see {@link EnergyComponent}); not carried into the Stacked Graph. */
  readonly components?: readonly EnergyComponent[];
}

/**
 * A fused realization: one kernel that runs a chain of ops (QK^T, softmax, AV
 * as fused causal attention). The chain matches ops where each but the last
 * has exactly one consumer, the next, so no intermediate tensor escapes.
 */
export interface Fusion {
  readonly id: string;
  readonly description: string;
  /** Op kinds of the chain, in dataflow order (two or more). */
  readonly chain: readonly OpKind[];
  /** Realizations of the whole chain (return [] to decline this match). */
  realize(ops: readonly OpNode[], arith: readonly OpArithmetic[], params: ParamValues): readonly Realization[];
}

/**
 * The number formats an instance runs, when they depend on its parameters
 * (a GPU without fp8 tensor cores).
 */
export interface TargetFormats {
  /** Formats it computes in: a subset of the target's `dtypes`. */
  readonly compute: readonly DType[];
  /**
   * Formats it can hold weights and the KV cache in, converting them to the
   * compute format as they are read (weight-only int4); default: `compute`.
   */
  readonly storage?: readonly DType[];
}

/** A hardware target: a cost model for one kind of device. */
export interface TargetPlugin {
  readonly kind: 'target';
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly presets: Readonly<Record<string, Preset>>;
  readonly defaultPreset: string;
  /** Number formats it runs. */
  readonly dtypes: readonly DType[];
  /** Op kinds it runs. */
  readonly opKinds: readonly OpKind[];
  /**
   * Realizations of `op` (one or more) with resolved `params`. Called only for
   * kinds in `opKinds` and dtypes in `dtypes`; return [] to decline an op.
   */
  realize(op: OpNode, arith: OpArithmetic, params: ParamValues): readonly Realization[];
  /** Power one instance draws whether busy or not (idle, laser, tuning), watts. */
  staticPowerW(params: ParamValues): number;
  /**
   * Checks resolved parameters against each other (a buffer smaller than one
   * tile): the problem in one line naming the parameter and its valid range,
   * or null. Single values are checked against their specs before this runs.
   */
  validate?(params: ParamValues): string | null;
  /** Fused realizations of op chains it offers besides the per-op ones. */
  readonly fusions?: readonly Fusion[];
  /**
   * The formats an instance with these parameters computes in and holds
   * weights and the KV cache in. Without it, `dtypes` for both: an op runs
   * only where its compute format and every stored format are supported.
   */
  formats?(params: ParamValues): TargetFormats;
}

/** A model the frontend knows by id. */
export interface ModelInfo {
  readonly id: string;
  readonly description: string;
  /** Parameter count of the published model. */
  readonly parameters: number;
}

/** What to build. Exactly one of `modelId`, `config` and `file` is set. */
export interface BuildRequest {
  readonly modelId?: string;
  /** A Hugging Face `config.json` object. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** How messages name the config: the file it was read from (`model config 'my-model.json'`); `config.json` when absent. */
  readonly source?: string;
  /** Absolute path of a model file in one of the frontend's {@link FrontendPlugin.files} formats. */
  readonly file?: string;
  /** Shapes of named graph inputs (`--input-shape NAME=1x3x224x224`), for file frontends. */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  readonly phase: 'prefill' | 'decode';
  readonly seqLen: number;
  readonly batch: number;
  readonly dtype: DType;
  /** Decode: tokens already cached. */
  readonly kvLen?: number;
  /** Logits for the last position only (serving) or every position. */
  readonly logits: 'last' | 'all';
  /** Attention as one op per head. */
  readonly splitHeads: boolean;
}

/** A model file format a frontend reads directly (an ONNX file, a TVM graph JSON). */
export interface ModelFileFormat {
  /** Shown in messages and listings, e.g. `ONNX`. */
  readonly name: string;
  /** File name endings it may claim, lower case with the dot, e.g. `.onnx`. */
  readonly extensions: readonly string[];
  /**
   * Whether a file with one of those endings is in this format, from its first
   * bytes (up to 64 KiB). Without it the ending alone decides.
   */
  readonly sniff?: (head: Uint8Array) => boolean;
}

/** A model frontend: builds operator graphs for a family of models. */
export interface FrontendPlugin {
  readonly kind: 'frontend';
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly models: readonly ModelInfo[];
  /** Hugging Face `model_type` values it reads. */
  readonly modelTypes: readonly string[];
  /** Model file formats it reads: `--model PATH` with such a file is built from `request.file`. */
  readonly files?: readonly ModelFileFormat[];
  build(request: BuildRequest): OpGraphData;
}

/** A MILP solver. */
export interface SolverPlugin {
  readonly kind: 'solver';
  readonly id: string;
  readonly name: string;
  readonly description: string;
  solve(problem: MilpProblem, options: SolveOptions): MilpResult | Promise<MilpResult>;
}

export type LightcodePlugin = TargetPlugin | FrontendPlugin | SolverPlugin;

function requireFields(kind: PluginKind, p: Record<string, unknown>, fields: Record<string, string>): void {
  for (const [field, type] of Object.entries(fields)) {
    const t = Array.isArray(p[field]) ? 'array' : typeof p[field];
    if (t !== type) throw new Error(`${kind} plugin '${String(p.id)}': field '${field}' must be a ${type} (got ${t})`);
  }
  if ((p.id as string).length === 0) throw new Error(`${kind} plugin: 'id' must not be empty`);
}

/** A fusion whose `realize` receives typed parameters (see {@link TargetDefinition}). */
export interface FusionFor<V> extends Omit<Fusion, 'realize'> {
  realize(ops: readonly OpNode[], arith: readonly OpArithmetic[], params: V): readonly Realization[];
}

/**
 * What `defineTarget` takes: a {@link TargetPlugin} whose presets and
 * functions are typed by its parameter declarations `P`. `realize`,
 * `staticPowerW`, `validate` and fusions receive `ParamsOf<P>` (read
 * `params.clockHz`: a number; a `choice` parameter is the union of its
 * choices), and presets may set only declared parameters, with values of
 * their types; a misspelt name is a compile error.
 */
export interface TargetDefinition<P extends ParamSpecs> {
  readonly kind?: 'target';
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly params: P;
  readonly presets: Readonly<Record<string, PresetFor<NoInfer<P>>>>;
  readonly defaultPreset: string;
  readonly dtypes: readonly DType[];
  readonly opKinds: readonly OpKind[];
  realize(op: OpNode, arith: OpArithmetic, params: ParamsOf<NoInfer<P>>): readonly Realization[];
  staticPowerW(params: ParamsOf<NoInfer<P>>): number;
  validate?(params: ParamsOf<NoInfer<P>>): string | null;
  readonly fusions?: readonly FusionFor<ParamsOf<NoInfer<P>>>[];
  formats?(params: ParamsOf<NoInfer<P>>): TargetFormats;
}

/**
 * Declares a target plugin; checks the contract at load time. Generic over
 * the parameter declarations, so the functions get typed parameters (see
 * {@link TargetDefinition}); the plugin it returns is the untyped
 * {@link TargetPlugin} the host calls with resolved values.
 */
export function defineTarget<const P extends ParamSpecs>(plugin: TargetDefinition<P>): TargetPlugin {
  const p = { ...(plugin as unknown as Omit<TargetPlugin, 'kind'>), kind: 'target' as const };
  requireFields('target', p as unknown as Record<string, unknown>, {
    id: 'string',
    name: 'string',
    params: 'object',
    presets: 'object',
    defaultPreset: 'string',
    dtypes: 'array',
    opKinds: 'array',
    realize: 'function',
    staticPowerW: 'function',
  });
  if (p.validate !== undefined && typeof p.validate !== 'function') {
    throw new Error(`target plugin '${p.id}': 'validate' must be a function`);
  }
  if (p.formats !== undefined && typeof p.formats !== 'function') {
    throw new Error(`target plugin '${p.id}': 'formats' must be a function`);
  }
  if (!p.presets[p.defaultPreset]) {
    throw new Error(`target plugin '${p.id}': defaultPreset '${p.defaultPreset}' is not one of its presets`);
  }
  for (const [name, preset] of Object.entries(p.presets)) {
    for (const param of Object.keys(preset.sources ?? {})) {
      if (!Object.hasOwn(preset.values, param)) {
        throw new Error(`target plugin '${p.id}': preset '${name}' gives a source for '${param}', which it does not set`);
      }
    }
  }
  for (const f of p.fusions ?? []) {
    if (typeof f?.id !== 'string' || !Array.isArray(f.chain) || f.chain.length < 2 || typeof f.realize !== 'function') {
      throw new Error(`target plugin '${p.id}': each fusion needs an id, a chain of two or more op kinds and a realize function`);
    }
  }
  return Object.freeze(stampContract(p, 'target'));
}

/** Declares a frontend plugin; checks the contract at load time. */
export function defineFrontend(plugin: Omit<FrontendPlugin, 'kind'> & { kind?: 'frontend' }): FrontendPlugin {
  const p = { ...plugin, kind: 'frontend' as const };
  requireFields('frontend', p as unknown as Record<string, unknown>, {
    id: 'string',
    name: 'string',
    models: 'array',
    modelTypes: 'array',
    build: 'function',
  });
  for (const f of p.files ?? []) {
    if (
      typeof f?.name !== 'string' ||
      !Array.isArray(f.extensions) ||
      f.extensions.some((e) => typeof e !== 'string' || !e.startsWith('.'))
    ) {
      throw new Error(`frontend plugin '${p.id}': each file format needs a name and extensions like '.onnx'`);
    }
    if (f.sniff !== undefined && typeof f.sniff !== 'function') throw new Error(`frontend plugin '${p.id}': 'sniff' must be a function`);
  }
  return Object.freeze(stampContract(p, 'frontend'));
}

/** Declares a solver plugin; checks the contract at load time. */
export function defineSolver(plugin: Omit<SolverPlugin, 'kind'> & { kind?: 'solver' }): SolverPlugin {
  const p = { ...plugin, kind: 'solver' as const };
  requireFields('solver', p as unknown as Record<string, unknown>, { id: 'string', name: 'string', solve: 'function' });
  return Object.freeze(stampContract(p, 'solver'));
}
