/**
 * A watchdog on plugin code: a frontend's `build()` and a target's
 * `realize()` are synchronous, so one that never returns would hang the run
 * (and, in a sweep, its worker) forever. The calls run inside one
 * `vm` script run with a timeout, whose watchdog thread interrupts any
 * JavaScript running on this thread when the time is up, plugin code
 * included; the plugin and the op in progress are then named.
 */
import vm from 'node:vm';
import { type OpArithmetic, type OpNode, PluginError, type ResolvedSystem, type TargetPlugin } from '@lightcode/cost-model';

/** Seconds plugin code may run for one graph's build or one graph's pricing unless `--plugin-timeout` says otherwise. */
export const DEFAULT_PLUGIN_TIMEOUT_S = 60;

const context = vm.createContext({});
const script = new vm.Script('run()', { filename: 'lightcode-plugin-watchdog' });

/** What plugin code is running: its plugin id and the op it works on. */
export interface InProgress {
  plugin: string;
  call: string;
  op?: string;
}

/**
 * Runs `fn` (which calls plugin code) and stops it when it runs past
 * `limitS` seconds: a PluginError naming the plugin and the op then in
 * progress, exit code 2 (a plugin the user chose cannot price this input).
 */
export function underWatchdog<T>(limitS: number, fn: () => T, progress: () => InProgress | undefined): T {
  if (!(limitS > 0) || !Number.isFinite(limitS)) return fn();
  let result: T | undefined;
  (context as { run?: () => void }).run = () => {
    result = fn();
  };
  try {
    script.runInContext(context, { timeout: Math.max(1, Math.round(limitS * 1000)) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException)?.code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
    const p = progress();
    const on = p?.op !== undefined ? ` on op '${p.op}'` : '';
    throw new PluginError(
      p?.plugin ?? 'unknown',
      `${p?.call ?? 'plugin code'}${on} did not return within ${limitS} s (the plugin watchdog, --plugin-timeout); fix the plugin or raise the limit`,
      2,
      { code: 'E_PLUGIN_TIMEOUT' },
    );
  } finally {
    (context as { run?: () => void }).run = undefined;
  }
  return result as T;
}

/**
 * The system with every target's `realize()` (and its fusions') recording
 * what it prices in `progress`, for the watchdog's message. The targets are
 * otherwise the same (a proxy passes every other member through).
 */
export function watchedSystem(system: ResolvedSystem, progress: { current?: InProgress }): ResolvedSystem {
  const watch = (t: TargetPlugin): TargetPlugin => {
    const realize = (op: OpNode, a: OpArithmetic, p: Parameters<TargetPlugin['realize']>[2]) => {
      progress.current = { plugin: t.id, call: 'realize()', op: op.name };
      const r = t.realize(op, a, p);
      progress.current = undefined;
      return r;
    };
    const fusions = t.fusions?.map((f) => ({
      ...f,
      realize: (chain: Parameters<typeof f.realize>[0], arith: Parameters<typeof f.realize>[1], p: Parameters<typeof f.realize>[2]) => {
        progress.current = { plugin: t.id, call: `fusion '${f.id}' realize()`, op: chain[0]?.name ?? '' };
        const r = f.realize(chain, arith, p);
        progress.current = undefined;
        return r;
      },
    }));
    // every other member is the target's own, called on the target itself (a class's private fields keep working);
    // the proxy stands on an empty object, since a frozen target may not be proxied with other members
    return new Proxy({} as TargetPlugin, {
      get(_, key) {
        if (key === 'realize') return realize;
        if (key === 'fusions' && fusions) return fusions;
        const v = Reflect.get(t, key, t);
        return typeof v === 'function' ? v.bind(t) : v;
      },
      has: (_, key) => key in t,
    });
  };
  return { ...system, devices: system.devices.map((d) => ({ ...d, target: watch(d.target) })), path: system.path.bind(system) };
}

/** Runs `build` (a graph's pricing) under the watchdog with the system's targets watched. */
export function priceUnderWatchdog<T>(limitS: number, system: ResolvedSystem, build: (watched: ResolvedSystem) => T): T {
  const progress: { current?: InProgress } = {};
  return underWatchdog(
    limitS,
    () => build(watchedSystem(system, progress)),
    () => progress.current,
  );
}

/** A frontend's `build()` under the watchdog. */
export function buildUnderWatchdog<T>(limitS: number, frontendId: string, build: () => T): T {
  return underWatchdog(limitS, build, () => ({ plugin: frontendId, call: 'build()' }));
}
