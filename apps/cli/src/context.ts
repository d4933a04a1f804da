import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  assertFinite,
  type DiscoveryOptions,
  discoverPlugins,
  findConfig,
  loadConfig,
  notRegular,
  type PluginRegistry,
} from '@lightcode/core';
import { type OpGraph, opaqueOpsWarning, UserError } from '@lightcode/cost-model';
import { type PluginFlags, secondsFlag } from './args.js';

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
    ...(typeof flags['plugin-timeout'] === 'string' ? { pluginTimeoutS: secondsFlag(flags['plugin-timeout'], '--plugin-timeout') } : {}),
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

/** Folders LightCode never writes into: the kernel's pseudo file systems (writing there hung or did damage). */
const PSEUDO_FS = ['/proc', '/sys'];

function under(abs: string, root: string): boolean {
  return abs === root || abs.startsWith(`${root}${path.sep}`);
}

/** The real path of `abs`: its nearest existing ancestor resolved (symlinks followed), the rest appended. */
function realPathOf(abs: string): string {
  let at = abs;
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest);
    } catch {
      const up = path.dirname(at);
      if (up === at) return abs;
      rest.unshift(path.basename(at));
      at = up;
    }
  }
}

/** Refuses a path in /proc or /sys, as given or once symlinks are followed. */
function refusePseudo(flag: string, given: string, abs: string): void {
  for (const root of PSEUDO_FS) {
    if (under(abs, root) || under(realPathOf(abs), root)) {
      throw new UserError(`${flag} '${given}' is under ${root}, which LightCode never writes; give a path on a real file system`, {
        code: 'E_PSEUDO_FS',
        option: flag,
      });
    }
  }
}

/** `lstat`, or undefined where nothing is (a file standing where a folder on the path should be counts as nothing there). */
function lstatOf(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file, { throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** What stands at `file` when it is not a regular file (a symlink, FIFO, device, folder), or undefined (a regular file or nothing). */
function notAFile(file: string): string | undefined {
  const st = lstatOf(file);
  if (!st) return undefined;
  if (st.isSymbolicLink()) return 'a symlink';
  return notRegular(st);
}

function refuseNotAFile(flag: string, given: string, file: string): void {
  const kind = notAFile(file);
  if (kind) {
    throw new UserError(
      `${flag} '${given}': '${file}' is ${kind}; LightCode writes only regular files and leaves it as it is; give another path`,
      {
        code: 'E_NOT_A_FILE',
        option: flag,
      },
    );
  }
}

/**
 * Fails fast, before any work, when an output file (`--trace FILE`) cannot be
 * written safely: an empty name, a path under /proc or /sys, something that
 * is not a regular file already there (a symlink, FIFO, device or folder, left
 * unchanged), or a folder that does not exist or is not writable.
 */
export function checkOutFile(io: Io, file: unknown, flag = '--trace'): void {
  if (typeof file !== 'string') return;
  if (file.trim() === '') throw new UserError(`${flag} needs a file name`, { code: 'E_EMPTY', option: flag });
  const abs = path.resolve(io.cwd, file);
  refusePseudo(flag, file, abs);
  refuseNotAFile(flag, file, abs);
  const dir = path.dirname(abs);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir, { throwIfNoEntry: false });
  } catch {
    st = undefined;
  }
  if (!st?.isDirectory()) throw new UserError(`${flag} '${file}': folder '${dir}' does not exist`, { code: 'E_NO_FOLDER', option: flag });
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(`${flag} '${file}': folder '${dir}' is not writable; choose another folder`, {
      code: 'E_NOT_WRITABLE',
      option: flag,
    });
  }
}

/** A fresh folder named after `base` inside `parent` (its mode from the umask, as any folder the user makes). */
function freshFolder(parent: string, base: string): string {
  for (let i = 0; ; i++) {
    const dir = path.join(parent, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || i > 8) throw e;
    }
  }
}

const why = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Writes a whole regular file or nothing: to a new temporary file beside it
 * (created exclusively, never through a link), then renamed into place. A
 * destination that exists and is not a regular file (a symlink, FIFO, device
 * or folder) is refused and left unchanged: renaming over it would replace
 * the device node, the FIFO or the link itself.
 */
export function writeFileAtomic(file: string, data: string, flag = 'output'): void {
  refusePseudo(flag, file, file);
  refuseNotAFile(flag, file, file);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UserError(`cannot write '${file}': ${why(e)}`, { code: 'E_WRITE', option: flag, cause: e });
  }
}

/**
 * `--out DIR`: the whole set of files or nothing. A new DIR is written as a
 * temporary folder beside it and renamed into place (folders made above it
 * are removed again on failure). Into an existing DIR the files are written
 * in a temporary folder inside it, then each is renamed over its name, the
 * old files kept aside until every rename has succeeded and put back if one
 * fails. Nothing is written when `dir` is undefined.
 */
export function writeOutputs(io: Io, dir: unknown, files: Readonly<Record<string, string>>): void {
  if (typeof dir !== 'string') return;
  checkOutDir(io, dir, Object.keys(files));
  const abs = path.resolve(io.cwd, dir);
  const exists = fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
  let made: string | undefined;
  let stage: string | undefined;
  try {
    if (!exists) made = fs.mkdirSync(path.dirname(abs), { recursive: true });
    stage = freshFolder(exists ? abs : path.dirname(abs), path.basename(abs));
    for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(stage, name), data, { flag: 'wx' });
    if (!exists) {
      fs.renameSync(stage, abs);
      stage = undefined;
      return;
    }
    swapInto(stage, abs, Object.keys(files));
  } catch (e) {
    if (made) fs.rmSync(made, { recursive: true, force: true });
    throw new UserError(`cannot write --out folder '${abs}': ${why(e)}; nothing was written`, {
      code: 'E_WRITE',
      option: '--out',
      cause: e,
    });
  } finally {
    if (stage) fs.rmSync(stage, { recursive: true, force: true });
  }
}

/** Renames each staged file over its name in `dir`, keeping the old ones aside in the stage until all are in; undoes every move on failure. */
function swapInto(stage: string, dir: string, names: readonly string[]): void {
  const aside = path.join(stage, '.old');
  fs.mkdirSync(aside);
  const undo: (() => void)[] = [];
  try {
    for (const name of names) {
      const dest = path.join(dir, name);
      refuseNotAFile('--out', dir, dest);
      if (fs.existsSync(dest)) {
        fs.renameSync(dest, path.join(aside, name));
        undo.push(() => fs.renameSync(path.join(aside, name), dest));
      }
      fs.renameSync(path.join(stage, name), dest);
      undo.push(() => fs.renameSync(dest, path.join(stage, name)));
    }
  } catch (e) {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // keep undoing the rest
      }
    }
    throw e;
  }
}

/**
 * Fails fast, before any work, when `--out DIR` cannot be written: an empty
 * name, a path under /proc or /sys, DIR is a file, an output inside it is not
 * a regular file (a symlink, FIFO, device or folder named like one of
 * `names`), or DIR (or the nearest folder above it that exists) is not writable.
 */
export function checkOutDir(io: Io, dir: unknown, names: readonly string[] = []): void {
  if (typeof dir !== 'string') return;
  if (dir.trim() === '') throw new UserError('--out needs a folder name', { code: 'E_EMPTY', option: '--out' });
  const abs = path.resolve(io.cwd, dir);
  refusePseudo('--out', dir, abs);
  // the folder itself is written through, never a link to elsewhere
  if (lstatOf(abs)?.isSymbolicLink()) refuseNotAFile('--out', dir, abs);
  let at = abs;
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
      if (at === abs) for (const name of names) refuseNotAFile('--out', dir, path.join(abs, name));
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

/** The one finite-number check, then the document as JSON: no NaN or Infinity ever reaches an output (see assertFinite). */
export function jsonText(doc: unknown, what: string, indent: number | undefined = 2): string {
  assertFinite(doc, what);
  return `${JSON.stringify(doc, null, indent)}\n`;
}

/** A CSV field, quoted when it needs to be. */
export function csvCell(value: string | number): string {
  const t = String(value);
  return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
}
