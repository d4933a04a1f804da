import { UserError } from '@lightcode/cost-model';
import { type CompileOptions, compile, loadSystem, stackedGraphOf } from './compile.js';
import { generate } from './generate.js';
import { buildGraph, checkLengths } from './model.js';
import type { PluginRegistry } from './plugins.js';
import type { Workload } from './sweep.js';

export type Metric = 'latency' | 'energy';

/** Where system B starts (or stops) beating system A. */
export interface Crossing {
  /** The first length of the new regime. */
  readonly seqLen: number;
  /** Which system is better from `seqLen` on. */
  readonly better: string;
}

/** Where an op's cheapest device changes. */
export interface DispatchChange {
  readonly seqLen: number;
  readonly device: string;
}

export interface CrossoverResult {
  readonly metric: Metric;
  /** With a generate workload: the lengths are output lengths of requests of `promptLen` prompt tokens, each valued whole. */
  readonly workload?: Workload;
  readonly systems: readonly [string, string];
  readonly range: readonly [number, number];
  /** Lengths evaluated by the scan before bisection. */
  readonly scanned: readonly number[];
  /** Both systems' metric (seconds or joules) at each scanned length, for plotting. */
  readonly curve: readonly { readonly seqLen: number; readonly values: readonly [number, number] }[];
  /** The better system at the start of the range. */
  readonly initialBetter: string;
  readonly crossings: readonly Crossing[];
  /** System A's ops: the cheapest device at the range start and every change after. */
  readonly dispatch: readonly { readonly op: string; readonly initial: string; readonly changes: readonly DispatchChange[] }[];
}

/** About `points` lengths between lo and hi, geometrically spaced, always with both ends. */
export function scanPoints(lo: number, hi: number, points = 24): number[] {
  const out = new Set<number>([lo, hi]);
  for (let i = 1; i < points; i++) out.add(Math.round(lo * (hi / lo) ** (i / points)));
  return [...out].filter((x) => x >= lo && x <= hi).sort((a, b) => a - b);
}

/**
 * Integer bisection: the smallest x in (lo, hi] with side(x) !== side(lo),
 * given side(lo) !== side(hi).
 */
export async function bisect<T>(lo: number, hi: number, side: (x: number) => Promise<T>, atLo: T): Promise<number> {
  let a = lo;
  let b = hi;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if ((await side(mid)) === atLo) a = mid;
    else b = mid;
  }
  return b;
}

/**
 * The sequence lengths at which system B starts or stops beating system A on
 * a metric (each system compiled for that metric), and for system A the
 * length at which each op's cheapest device changes: the study's threshold
 * search, as a runtime dispatcher needs it. Sign changes are found on a
 * geometric scan of the range and located exactly by integer bisection; a
 * crossing that starts and ends between two scan points is not seen.
 */
export async function crossover(
  reg: PluginRegistry,
  o: Omit<CompileOptions, 'seqLen' | 'system' | 'objective'> & {
    systems: readonly [string, string];
    metric: Metric;
    range: readonly [number, number];
    scan?: number;
    /** `generate`: each length is a whole request's output length (end-to-end latency or energy per request); no dispatch table. */
    workload?: Workload;
  },
): Promise<CrossoverResult> {
  const [lo, hi] = o.range;
  if (!(lo >= 1 && hi > lo)) throw new UserError(`--range needs 1 <= START < STOP (got ${lo}:${hi})`);
  // both ends against the model before the first compile (E_LENGTH_REFUSED names the end it refuses)
  if (o.workload?.kind !== 'generate') checkLengths(reg, o, [lo, hi], o.cwd);
  // bisection revisits lengths the scan compiled: compile each (system, length) once
  const values = new Map<string, Promise<number>>();
  const value = (system: string, seqLen: number): Promise<number> => {
    const key = `${system}@${seqLen}`;
    let v = values.get(key);
    if (!v) {
      const w = o.workload;
      v =
        w?.kind === 'generate'
          ? generate(reg, { ...o, system, objective: o.metric, promptLen: w.promptLen, outputLen: seqLen }).then((r) =>
              o.metric === 'latency' ? r.endToEndS : r.energy.requestJ,
            )
          : compile(reg, { ...o, system, seqLen, objective: o.metric }).then(({ result }) =>
              o.metric === 'latency' ? result.totals.latencyS : result.totals.energyJ,
            );
      values.set(key, v);
    }
    return v;
  };
  const winner = async (seqLen: number) =>
    (await value(o.systems[1], seqLen)) < (await value(o.systems[0], seqLen)) ? o.systems[1] : o.systems[0];
  const scanned = scanPoints(lo, hi, o.scan);
  const crossings: Crossing[] = [];
  const initialBetter = await winner(scanned[0] as number);
  let prev = initialBetter;
  for (let i = 1; i < scanned.length; i++) {
    const x = scanned[i] as number;
    const w = await winner(x);
    if (w !== prev) {
      const at = await bisect(scanned[i - 1] as number, x, winner, prev);
      crossings.push({ seqLen: at, better: w });
      prev = w;
    }
  }

  const curve = await Promise.all(
    scanned.map(async (seqLen) => ({
      seqLen,
      values: [await value(o.systems[0], seqLen), await value(o.systems[1], seqLen)] as [number, number],
    })),
  );
  const common = { metric: o.metric, systems: o.systems, range: [lo, hi] as const, scanned, curve, initialBetter, crossings };
  // a request has no single graph whose ops could be dispatched by length
  if (o.workload?.kind === 'generate') return { ...common, workload: o.workload, dispatch: [] };
  const system = loadSystem(reg, o.systems[0], o.cwd);
  const best = (seqLen: number): Map<string, string> => {
    const sg = stackedGraphOf(buildGraph(reg, { ...o, seqLen }, o.cwd), system, reg.pluginTimeoutS);
    const out = new Map<string, string>();
    for (const op of sg.graph.ops()) {
      const list = sg.candidates.get(op.id) ?? [];
      let pick = list[0];
      // a fused kernel is a choice for a chain of ops, not for one op: the table compares per-op realizations
      for (const c of list) {
        if (c.fusion) continue;
        if (pick && (o.metric === 'latency' ? c.latencyS < pick.latencyS : c.energyJ < pick.energyJ)) pick = c;
      }
      out.set(op.name, pick?.device ?? '');
    }
    return out;
  };
  const cache = new Map<number, Map<string, string>>();
  const at = (seqLen: number) => {
    let m = cache.get(seqLen);
    if (!m) {
      m = best(seqLen);
      cache.set(seqLen, m);
    }
    return m;
  };
  const dispatch = [...at(lo).entries()].map(([op, initial]) => ({ op, initial, changes: [] as DispatchChange[] }));
  for (const d of dispatch) {
    let cur = d.initial;
    for (let i = 1; i < scanned.length; i++) {
      const x = scanned[i] as number;
      const dev = at(x).get(d.op) ?? cur;
      if (dev !== cur) {
        const first = await bisect(scanned[i - 1] as number, x, async (y) => at(y).get(d.op) ?? cur, cur);
        d.changes.push({ seqLen: first, device: at(first).get(d.op) ?? dev });
        cur = dev;
      }
    }
  }
  return { ...common, dispatch };
}
