import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LightcodeError } from '@lightcode/cost-model';
import type { DiscoveryOptions } from './plugins.js';
import type { SweepBase, SweepPoint, SweepRow } from './sweep.js';

/** What the main thread gives every worker. */
export interface SweepWorkerData {
  readonly discovery: DiscoveryOptions;
  readonly base: SweepBase;
  /** Module to import after the TypeScript loader (source mode only). */
  readonly entry?: string;
}

/** A worker's answer for one group of points. */
export type SweepReply =
  | { readonly rows: readonly SweepRow[] }
  | { readonly error: { readonly message: string; readonly exitCode?: 1 | 2 } };

/**
 * The worker script: compiled JavaScript beside this file, or, when running
 * from TypeScript sources (tests, `pnpm lightcode`), a bootstrap that
 * registers tsx in the worker and then imports the TypeScript entry, since
 * loader hooks do not reach worker threads.
 */
function workerScript(): { url: URL; entry?: string } {
  const here = fileURLToPath(import.meta.url);
  if (path.extname(here) === '.ts') {
    return { url: new URL('./ts-worker.mjs', import.meta.url), entry: new URL('./sweep-worker.ts', import.meta.url).href };
  }
  return { url: new URL('./sweep-worker.js', import.meta.url) };
}

/**
 * Compiles groups of points on `count` worker threads, each loading the
 * plugins itself, handing the next group to whichever worker is free (a
 * group shares its graph, so it stays on one worker). The first failure stops
 * every worker and is rethrown with its message and exit code.
 */
export function compileInWorkers(
  discovery: DiscoveryOptions,
  base: SweepBase,
  groups: readonly (readonly SweepPoint[])[],
  count: number,
  progress?: (done: number, total: number) => void,
): Promise<SweepRow[]> {
  const script = workerScript();
  const data: SweepWorkerData = { discovery, base, ...(script.entry ? { entry: script.entry } : {}) };
  const total = groups.reduce((n, g) => n + g.length, 0);
  const rows: SweepRow[] = [];
  const pool: Worker[] = [];
  let next = 0;
  let settled = false;
  return new Promise<SweepRow[]>((resolve, reject) => {
    const stop = (e?: Error) => {
      if (settled) return;
      settled = true;
      for (const w of pool) void w.terminate();
      if (e) reject(e);
      else resolve(rows);
    };
    const feed = (w: Worker) => {
      const g = groups[next++];
      if (g) w.postMessage(g);
    };
    for (let i = 0; i < count; i++) {
      const w = new Worker(script.url, { workerData: data });
      pool.push(w);
      w.on('message', (m: SweepReply) => {
        if ('error' in m) return stop(new LightcodeError(m.error.message, m.error.exitCode ?? 1));
        rows.push(...m.rows);
        progress?.(rows.length, total);
        if (rows.length === total) return stop();
        feed(w);
      });
      w.on('error', (e) => stop(new Error(`sweep worker failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!settled && code !== 0) stop(new Error(`sweep worker exited with code ${code}`));
      });
      feed(w);
    }
  });
}
