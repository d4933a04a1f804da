import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DiscoveryOptions, discoverPlugins, findConfig, loadConfig, type PluginRegistry } from '@lightcode/core';
import { type OpGraph, opaqueOpsWarning, UserError } from '@lightcode/cost-model';
import type { PluginFlags } from './args.js';

/** The first-party plugins this CLI depends on and always loads. */
export const FIRST_PARTY_PLUGINS = [
  '@lightcode/frontend-gpt2',
  '@lightcode/frontend-llama',
  '@lightcode/frontend-tvm',
  '@lightcode/frontend-onnx',
  '@lightcode/solver-highs',
  '@lightcode/target-cpu',
  '@lightcode/target-gpu',
  '@lightcode/target-ptu',
] as const;

/** Where the CLI's own dependencies resolve from. */
const CLI_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Input and output of one CLI run; tests substitute their own. */
export interface Io {
  readonly cwd: string;
  /** Whether stderr is a terminal (progress bars only then). */
  readonly interactive?: boolean;
  out(text: string): void;
  err(text: string): void;
}

/** What to load: first-party plugins, the config file's plugins and `--plugin` values (plain data, so workers can load the same). */
export function discoveryOf(io: Io, flags: PluginFlags): DiscoveryOptions {
  const configPath = flags.config ? path.resolve(io.cwd, flags.config) : findConfig(io.cwd);
  const config = configPath ? loadConfig(configPath) : undefined;
  return {
    builtins: FIRST_PARTY_PLUGINS,
    builtinFrom: CLI_DIR,
    ...(config
      ? {
          config: {
            path: config.path,
            plugins: config.config.plugins ?? [],
            ...(config.config.builtins !== undefined ? { builtins: config.config.builtins } : {}),
          },
        }
      : {}),
    flags: flags.plugin ?? [],
    cwd: io.cwd,
  };
}

/** Loads first-party plugins, the config file's plugins and `--plugin` values. */
export async function loadRegistry(io: Io, flags: PluginFlags): Promise<PluginRegistry> {
  return discoverPlugins(discoveryOf(io, flags));
}

/** One warning line on stderr when the graph has ops without a cost rule (an imported model's unknown operators). */
export function warnOpaqueOps(io: Io, graph: OpGraph): void {
  const warning = opaqueOpsWarning(graph.ops());
  if (warning) io.err(`lightcode: warning: ${warning}\n`);
}

/** Writes a whole file or nothing: to a temporary name beside it, then renamed into place. */
export function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UserError(`cannot write '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** `--out DIR`: writes each file whole (created folder, atomic files); nothing when `dir` is undefined. */
export function writeOutputs(io: Io, dir: unknown, files: Readonly<Record<string, string>>): void {
  if (typeof dir !== 'string') return;
  const abs = path.resolve(io.cwd, dir);
  try {
    fs.mkdirSync(abs, { recursive: true });
  } catch (e) {
    throw new UserError(`cannot create --out folder '${abs}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const [name, data] of Object.entries(files)) writeFileAtomic(path.join(abs, name), data);
}

/**
 * Fails fast, before any work, when `--out DIR` cannot be written: DIR is a
 * file, or DIR (or the nearest folder above it that exists) is not writable.
 */
export function checkOutDir(io: Io, dir: unknown): void {
  if (typeof dir !== 'string') return;
  if (dir.trim() === '') throw new UserError('--out needs a folder name');
  let at = path.resolve(io.cwd, dir);
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(at, { throwIfNoEntry: false });
    } catch (e) {
      // ENOTDIR: a file stands where a folder on the path should be; that file is found further up
      if ((e as NodeJS.ErrnoException).code !== 'ENOTDIR')
        throw new UserError(`--out '${dir}': cannot read '${at}' (${(e as NodeJS.ErrnoException).code})`);
    }
    if (st) {
      if (!st.isDirectory()) throw new UserError(`--out '${dir}': '${at}' is not a folder; give a folder to write into`);
      try {
        fs.accessSync(at, fs.constants.W_OK);
      } catch {
        throw new UserError(`--out '${dir}': folder '${at}' is not writable; choose another folder`);
      }
      return;
    }
    const up = path.dirname(at);
    if (up === at) return;
    at = up;
  }
}

/** A CSV field, quoted when it needs to be. */
export function csvCell(value: string | number): string {
  const t = String(value);
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}
