import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  contractProblem,
  type FrontendPlugin,
  type LightcodePlugin,
  PLUGIN_API_VERSION,
  PLUGIN_KINDS,
  PluginError,
  type PluginKind,
  type PluginManifest,
  SDK_PACKAGE,
  SDK_VERSION,
  type SolverPlugin,
  type TargetPlugin,
  UserError,
} from '@lightcode/cost-model';
import { yalpsSolver } from '@lightcode/optimizer';
import semver from 'semver';
import type { PluginEntry } from './config.js';
import { DEFAULT_PLUGIN_TIMEOUT_S } from './watchdog.js';

/** Where a plugin was found: a first-party dependency, a config file, or `--plugin`. */
export type PluginOrigin = 'builtin' | `config:${string}` | 'flag';

export interface LoadedPlugin {
  readonly manifest: PluginManifest;
  readonly plugin: LightcodePlugin;
  readonly packageName: string;
  readonly version: string;
  /** The package folder. */
  readonly path: string;
  readonly origin: PluginOrigin;
}

/** Package conditions used to pick a plugin's entry file. */
function conditions(): string[] {
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  // Under `--conditions=lightcode-source` workspace packages run from TypeScript sources.
  return flags.includes('lightcode-source') ? ['lightcode-source', 'import', 'node', 'default'] : ['import', 'node', 'default'];
}

function pickExport(target: unknown, conds: readonly string[]): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = pickExport(t, conds);
      if (r) return r;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (conds.includes(key)) {
        const r = pickExport(value, conds);
        if (r) return r;
      }
    }
  }
  return undefined;
}

/** The file `import(packageName)` would load, from the package's `exports` (or `main`). */
export function packageEntry(dir: string, pkg: Record<string, unknown>): string | undefined {
  const exp = pkg.exports;
  let rel: string | undefined;
  if (exp !== undefined) {
    const root =
      exp && typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'))
        ? (exp as Record<string, unknown>)['.']
        : exp;
    rel = pickExport(root, conditions());
  } else {
    rel = typeof pkg.main === 'string' ? pkg.main : 'index.js';
  }
  return rel === undefined ? undefined : path.resolve(dir, rel);
}

function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec);
}

/** Finds a plugin's package.json: a path relative to `baseDir`, or a package name resolved from there. */
export function resolvePluginPackage(spec: string, baseDir: string): string {
  if (isPathSpec(spec)) {
    const abs = path.resolve(baseDir, spec);
    const file = abs.endsWith('package.json') ? abs : path.join(abs, 'package.json');
    if (!fs.existsSync(file)) throw new UserError(`plugin path '${spec}' has no package.json (looked for ${file})`);
    return file;
  }
  const req = createRequire(path.join(baseDir, 'noop.js'));
  try {
    return req.resolve(`${spec}/package.json`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') {
      throw new UserError(`plugin '${spec}' does not export './package.json'; add "./package.json": "./package.json" to its exports`);
    }
    throw new UserError(`cannot find plugin package '${spec}' from ${baseDir}; install it there or give its path`);
  }
}

/** Reads and checks the manifest before any plugin code runs. */
export function readManifest(pkgFile: string): { pkg: Record<string, unknown>; manifest: PluginManifest } {
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new UserError(`cannot read plugin manifest ${pkgFile}: ${(e as Error).message}`);
  }
  const name = typeof pkg.name === 'string' ? pkg.name : pkgFile;
  const m = pkg.lightcode as Partial<PluginManifest> | undefined;
  const keywords = Array.isArray(pkg.keywords) ? pkg.keywords : [];
  if (!keywords.includes('lightcode-plugin') || !m || typeof m !== 'object') {
    throw new UserError(
      `package '${name}' is not a LightCode plugin: its package.json needs the keyword "lightcode-plugin" and a "lightcode": { "apiVersion", "kind", "id" } field`,
    );
  }
  if (m.apiVersion === undefined) {
    throw new UserError(
      `plugin '${name}': its package.json "lightcode" field has no "apiVersion"; add "apiVersion": ${PLUGIN_API_VERSION} (the plugin API of ${SDK_PACKAGE} ${PLUGIN_API_VERSION}.x)`,
    );
  }
  if (m.apiVersion !== PLUGIN_API_VERSION) {
    throw new UserError(
      `plugin '${name}' is written for plugin API ${JSON.stringify(m.apiVersion)}, but this LightCode implements API ${PLUGIN_API_VERSION}; install a version of it for API ${PLUGIN_API_VERSION}`,
    );
  }
  if (!PLUGIN_KINDS.includes(m.kind as PluginKind)) {
    throw new UserError(`plugin '${name}': "lightcode.kind" must be one of ${PLUGIN_KINDS.join(', ')} (got ${JSON.stringify(m.kind)})`);
  }
  if (typeof m.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(m.id)) {
    throw new UserError(`plugin '${name}': "lightcode.id" must be a lowercase id like "my-ptu" (got ${JSON.stringify(m.id)})`);
  }
  // the manifest must be readable by name without importing the plugin (resolved from a path, Node would not check)
  const exp = pkg.exports;
  if (!exp || typeof exp !== 'object' || Array.isArray(exp) || !(exp as Record<string, unknown>)['./package.json']) {
    throw new UserError(`plugin '${name}' does not export './package.json'; add "./package.json": "./package.json" to its exports`);
  }
  const problem = sdkRangeProblem(pkg);
  if (problem) throw new UserError(`plugin '${name}' ${problem}`);
  return { pkg, manifest: m as PluginManifest };
}

/**
 * Whether the SDK range a plugin declares (`peerDependencies`, else
 * `dependencies`, on the SDK) admits the SDK this host runs; the problem in
 * one line (to follow "plugin 'NAME' "), or null.
 */
export function sdkRangeProblem(pkg: Record<string, unknown>, hostVersion: string = SDK_VERSION): string | null {
  const field = (f: string) => (pkg[f] && typeof pkg[f] === 'object' ? (pkg[f] as Record<string, unknown>)[SDK_PACKAGE] : undefined);
  const declared = field('peerDependencies') ?? field('dependencies');
  const major = semver.major(hostVersion);
  if (declared === undefined) {
    return `does not say which SDK it needs; add "peerDependencies": { "${SDK_PACKAGE}": "^${major}.0.0" } to its package.json`;
  }
  const range = String(declared);
  if (semver.validRange(range) === null) {
    return `declares ${SDK_PACKAGE} '${range}', which is not a semver range; write a range such as "^${major}.0.0"`;
  }
  if (semver.satisfies(hostVersion, range, { includePrerelease: true })) return null;
  const fix = semver.gtr(hostVersion, range)
    ? `install a version of the plugin made for ${SDK_PACKAGE} ${major}.x`
    : `upgrade LightCode (@lightcode/cli) to one with ${SDK_PACKAGE} ${semver.minVersion(range)?.version ?? range} or later, or install an older version of the plugin`;
  return `needs ${SDK_PACKAGE} ${range}, but this LightCode has ${hostVersion}; ${fix}`;
}

/** Resolves, checks and imports one plugin. */
export async function loadPlugin(entry: PluginEntry, baseDir: string, origin: PluginOrigin): Promise<LoadedPlugin> {
  const [spec, options] = typeof entry === 'string' ? [entry, undefined] : entry;
  const pkgFile = resolvePluginPackage(spec, baseDir);
  const { pkg, manifest } = readManifest(pkgFile);
  const dir = path.dirname(pkgFile);
  const name = String(pkg.name ?? spec);
  const file = packageEntry(dir, pkg);
  if (!file || !fs.existsSync(file)) {
    throw new UserError(
      file
        ? `plugin '${name}' has no ${path.relative(dir, file)} (its entry in ${path.join(dir, 'package.json')}); it was packed or installed without its build: build it (or reinstall a built release) and try again`
        : `plugin '${name}' names no entry file for import in its "exports"; add "." (and "./package.json") to them`,
    );
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (e) {
    throw new PluginError(manifest.id, `package '${name}' threw while loading: ${(e as Error)?.message ?? String(e)}`);
  }
  let plugin = mod.default;
  if (typeof plugin === 'function') {
    try {
      plugin = (plugin as (o: unknown) => unknown)(options ?? {});
    } catch (e) {
      throw new PluginError(manifest.id, `factory threw: ${(e as Error)?.message ?? String(e)}`);
    }
  } else if (options !== undefined) {
    throw new UserError(`plugin '${name}' takes no options (its default export is not a factory); list it by name alone`);
  }
  const p = plugin as Partial<LightcodePlugin> | undefined;
  if (!p || typeof p !== 'object' || p.kind !== manifest.kind || p.id !== manifest.id) {
    throw new PluginError(
      manifest.id,
      `package '${name}' must default-export a ${manifest.kind} plugin with id '${manifest.id}' made by define${manifest.kind[0]?.toUpperCase()}${manifest.kind.slice(1)}() (got kind ${JSON.stringify(p?.kind)}, id ${JSON.stringify(p?.id)})`,
    );
  }
  const problem = contractProblem(p, manifest.kind);
  if (problem) throw new UserError(`plugin '${name}' ${problem}`);
  return { manifest, plugin: p as LightcodePlugin, packageName: name, version: String(pkg.version ?? '0.0.0'), path: dir, origin };
}

/** Solver ids LightCode answers itself (`--solver auto|yalps`), and where each lives. */
export const RESERVED_SOLVER_IDS: Readonly<Record<string, string>> = {
  auto: 'the automatic choice of LightCode (--solver auto)',
  [yalpsSolver.id]: 'the solver built into @lightcode/optimizer',
};

/** The loaded plugins, by kind and id. */
export class PluginRegistry {
  readonly loaded: LoadedPlugin[] = [];
  readonly targets = new Map<string, TargetPlugin>();
  readonly frontends = new Map<string, FrontendPlugin>();
  readonly solvers = new Map<string, SolverPlugin>();
  /** Seconds plugin code may run for one graph's build or pricing before the watchdog stops it (see watchdog.ts). */
  pluginTimeoutS: number = DEFAULT_PLUGIN_TIMEOUT_S;

  add(lp: LoadedPlugin): void {
    const p = lp.plugin;
    const map: Map<string, LightcodePlugin> = p.kind === 'target' ? this.targets : p.kind === 'frontend' ? this.frontends : this.solvers;
    const clash = this.loaded.find((o) => o.plugin.kind === p.kind && o.plugin.id === p.id);
    if (clash && clash.path === lp.path) return; // the same package named twice
    const reserved = p.kind === 'solver' ? RESERVED_SOLVER_IDS[p.id] : undefined;
    if (reserved) {
      throw new UserError(
        `plugin '${lp.packageName}' is a solver with id '${p.id}', which is ${reserved}, so it would never be called; give the plugin another id`,
      );
    }
    if (clash) {
      throw new UserError(
        clash.origin === 'builtin'
          ? `plugin '${lp.packageName}' (${lp.path}) has ${p.kind} id '${p.id}', which the built-in plugin '${clash.packageName}' has; give it another id, or leave the built-in out with "builtins" in lightcode.config.json`
          : `two ${p.kind} plugins have id '${p.id}': ${clash.packageName} (${clash.path}) and ${lp.packageName} (${lp.path}); remove one`,
      );
    }
    map.set(p.id, p);
    this.loaded.push(lp);
  }
}

/** What to load: first-party plugins and where to resolve them from, config entries, flags. */
export interface DiscoveryOptions {
  /** First-party plugin package names, resolved from `builtinFrom`. */
  readonly builtins?: readonly string[];
  readonly builtinFrom?: string;
  /**
   * A config file and its entries (resolved from the file's folder); its
   * `builtins` keeps all first-party plugins (true, the default), none
   * (false), or the listed ones.
   */
  readonly config?: { readonly path: string; readonly plugins: readonly PluginEntry[]; readonly builtins?: boolean | readonly string[] };
  /** `--plugin NAME|PATH` values, resolved from `cwd`. */
  readonly flags?: readonly string[];
  readonly cwd?: string;
  /** The plugin watchdog's limit in seconds (default DEFAULT_PLUGIN_TIMEOUT_S). */
  readonly pluginTimeoutS?: number;
}

/** The first-party plugins to load: all, none, or those a config's `builtins` lists. */
function chosenBuiltins(o: DiscoveryOptions): readonly string[] {
  const all = o.builtins ?? [];
  const keep = o.config?.builtins;
  if (keep === undefined || keep === true) return all;
  if (keep === false) return [];
  for (const name of keep) {
    if (!all.includes(name)) {
      throw new UserError(
        `config file '${o.config?.path}': "builtins" lists '${name}', which is not a built-in plugin (built-ins: ${all.join(', ') || 'none'})`,
      );
    }
  }
  return all.filter((name) => keep.includes(name));
}

/** Loads every plugin named; no node_modules scanning. */
export async function discoverPlugins(o: DiscoveryOptions): Promise<PluginRegistry> {
  const reg = new PluginRegistry();
  if (o.pluginTimeoutS !== undefined) reg.pluginTimeoutS = o.pluginTimeoutS;
  for (const name of chosenBuiltins(o)) reg.add(await loadPlugin(name, o.builtinFrom ?? process.cwd(), 'builtin'));
  if (o.config) {
    const dir = path.dirname(o.config.path);
    for (const e of o.config.plugins) reg.add(await loadPlugin(e, dir, `config:${o.config.path}`));
  }
  for (const f of o.flags ?? []) reg.add(await loadPlugin(f, o.cwd ?? process.cwd(), 'flag'));
  return reg;
}
