import { createRequire } from 'node:module';
import type { PluginKind } from './plugin.js';

/** The npm name of this SDK: what a plugin's `peerDependencies` names. */
export const SDK_PACKAGE = '@lightcode/cost-model';

/** This SDK's version (its package.json's, read at load time). */
export const SDK_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/**
 * Members every plugin of a kind has (the `define*` helpers and the host
 * check them). `kind` and `id` are among them.
 */
export const CONTRACT_MEMBERS: Readonly<Record<PluginKind, readonly string[]>> = {
  target: ['kind', 'id', 'name', 'description', 'params', 'presets', 'defaultPreset', 'dtypes', 'opKinds', 'realize', 'staticPowerW'],
  frontend: ['kind', 'id', 'name', 'description', 'models', 'modelTypes', 'build'],
  solver: ['kind', 'id', 'name', 'description', 'solve'],
};

/**
 * Optional contract members, by kind, with the SDK version each came in. A
 * new member is always optional and comes in a minor release: add it here
 * with the version that will ship it. A host refuses a plugin that uses a
 * member its own SDK does not list, naming the member and this version.
 */
export const CONTRACT_FEATURES: Readonly<Record<PluginKind, Readonly<Record<string, string>>>> = {
  target: { fusions: '1.0.0', validate: '1.0.0', formats: '1.1.0' },
  frontend: { files: '1.0.0' },
  solver: {},
};

/** Where `define*` records which SDK made a plugin and the optional members it uses. */
export const CONTRACT_STAMP: unique symbol = Symbol.for('lightcode.contract');

/** What `define*` records on a plugin (under {@link CONTRACT_STAMP}). */
export interface ContractStamp {
  /** The version of the SDK whose `define*` made the plugin. */
  readonly sdkVersion: string;
  /** Optional members the plugin uses, with the SDK version each came in. */
  readonly features: Readonly<Record<string, string>>;
}

/** Records on `plugin` (before it is frozen) the SDK that made it and the optional members it uses. */
export function stampContract<T extends object>(plugin: T, kind: PluginKind): T {
  const known = CONTRACT_FEATURES[kind];
  const features: Record<string, string> = {};
  for (const key of Object.keys(plugin)) {
    const since = known[key];
    if (since !== undefined && (plugin as Record<string, unknown>)[key] !== undefined) features[key] = since;
  }
  const stamp: ContractStamp = { sdkVersion: SDK_VERSION, features };
  Object.defineProperty(plugin, CONTRACT_STAMP, { value: stamp, enumerable: false });
  return plugin;
}

/** The stamp `define*` left on a plugin, if any (plugins made by an SDK before stamps have none). */
export function contractStamp(plugin: object): ContractStamp | undefined {
  const s = (plugin as { [CONTRACT_STAMP]?: unknown })[CONTRACT_STAMP];
  return s && typeof s === 'object' && typeof (s as ContractStamp).sdkVersion === 'string' ? (s as ContractStamp) : undefined;
}

/** The contract a host implements: its SDK version and the members it knows. */
export interface HostContract {
  readonly sdkVersion: string;
  readonly members: Readonly<Record<PluginKind, readonly string[]>>;
  readonly features: Readonly<Record<PluginKind, Readonly<Record<string, string>>>>;
}

/** This SDK's contract. */
export const HOST_CONTRACT: HostContract = { sdkVersion: SDK_VERSION, members: CONTRACT_MEMBERS, features: CONTRACT_FEATURES };

/**
 * Whether a loaded plugin fits the host's contract: every required member is
 * there, and it uses no member the host does not know. Returns the problem
 * in one line (to follow "plugin 'NAME' "), or null. A member the host lacks
 * is named with the SDK version that has it, when the plugin's SDK recorded
 * it.
 */
export function contractProblem(plugin: object, kind: PluginKind, host: HostContract = HOST_CONTRACT): string | null {
  const p = plugin as Record<string, unknown>;
  for (const member of host.members[kind]) {
    if (p[member] === undefined)
      return `has no '${member}', which every ${kind} plugin needs; make its default export with define${cap(kind)}()`;
  }
  const stamp = contractStamp(plugin);
  for (const key of Object.keys(p)) {
    if (host.members[kind].includes(key) || Object.hasOwn(host.features[kind], key) || p[key] === undefined) continue;
    const since = stamp?.features[key];
    return since !== undefined
      ? `uses the ${kind} contract's '${key}', which came in ${SDK_PACKAGE} ${since}; this LightCode has ${SDK_PACKAGE} ${host.sdkVersion}: upgrade LightCode (@lightcode/cli) to one with ${SDK_PACKAGE} ${since} or later, or use a version of the plugin without '${key}'`
      : `uses '${key}', which is not part of the ${kind} contract of ${SDK_PACKAGE} ${host.sdkVersion} (this LightCode's); upgrade LightCode if a newer SDK has it, or remove it from the plugin`;
  }
  return null;
}

function cap(s: string): string {
  return `${s[0]?.toUpperCase()}${s.slice(1)}`;
}
