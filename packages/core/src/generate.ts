/**
 * Whole requests: the prompt's prefill, then one decode step per output token
 * against a growing KV cache. Each step is compiled on its own optimal
 * mapping. Steps are not all compiled: a step's cost changes with the KV
 * length in a few regimes (a mapping, and costs close to linear in the
 * length), so the run compiles the ends of an interval and its middle, sums
 * the interval exactly as a line when the middle agrees with it (same
 * mapping, within the tolerance), and otherwise splits it. Mapping changes
 * are thereby located to the token, as `crossover` does.
 */
import { UserError } from '@lightcode/cost-model';
import { type CompileOptions, type CompileResult, compile, loadSystem } from './compile.js';
import type { PluginRegistry } from './plugins.js';
import { checkPeaksFit, checkResidentFits, type MaxBatch, peakOverRequest } from './request-memory.js';

export interface GenerateOptions extends Omit<CompileOptions, 'phase' | 'seqLen' | 'kvLen'> {
  /** Prompt tokens per sequence. */
  readonly promptLen: number;
  /** Tokens generated per sequence. */
  readonly outputLen: number;
  /** Relative error allowed when an interval's middle step is read off the line through its ends (default 1e-3). */
  readonly tolerance?: number;
  /** Compile every decode step (for checking the integration). */
  readonly everyStep?: boolean;
}

/** One compiled decode step. */
export interface StepPoint {
  /** Tokens in the KV cache when the step runs (prompt + tokens generated before it). */
  readonly kvLen: number;
  readonly latencyS: number;
  readonly energyJ: number;
  readonly energyBreakdownJ: Readonly<Record<string, number>>;
  readonly status: string;
  readonly opsPerDevice: Readonly<Record<string, number>>;
}

/** KV lengths over which the step keeps one mapping. */
export interface Regime {
  readonly fromKv: number;
  readonly toKv: number;
  readonly opsPerDevice: Readonly<Record<string, number>>;
  /** Op name -> device, for the table of which ops run where. */
  readonly devices: Readonly<Record<string, string>>;
}

export interface GenerateResult {
  readonly model: CompileResult['model'];
  readonly system: CompileResult['system'];
  readonly objective: CompileResult['objective'];
  readonly promptLen: number;
  readonly outputLen: number;
  readonly batch: number;
  readonly prefill: {
    readonly latencyS: number;
    readonly energyJ: number;
    readonly energyBreakdownJ: Readonly<Record<string, number>>;
    readonly status: string;
    readonly opsPerDevice: Readonly<Record<string, number>>;
    readonly devices: Readonly<Record<string, string>>;
  };
  /** Time to first token: the prefill plus the first decode step. */
  readonly ttftS: number;
  /** Time per output token after the first: mean, the first such step and the last. */
  readonly tpot: { readonly meanS: number | null; readonly firstS: number | null; readonly lastS: number | null };
  readonly endToEndS: number;
  /** Output tokens of every sequence per second of the whole request. */
  readonly tokensPerS: number;
  readonly energy: {
    readonly requestJ: number;
    readonly perOutputTokenJ: number;
    readonly byPhase: { readonly prefillJ: number; readonly decodeJ: number };
    readonly byKind: Readonly<Record<string, number>>;
  };
  readonly regimes: readonly Regime[];
  /** KV lengths at which the decode mapping changes. */
  readonly changes: readonly number[];
  /** The decode steps compiled, by KV length. */
  readonly points: readonly StepPoint[];
  /** Compiles performed: the prefill and the decode steps. */
  readonly compiles: number;
  /** Peak bytes per memory over the request: the largest of the prefill and the last step. */
  readonly memories: CompileResult['memories'];
  /** With `--max-batch`: the largest batch that fits, which this request ran at. */
  readonly maxBatch?: MaxBatch;
}

interface Sum {
  latencyS: number;
  energyJ: number;
  byKind: Record<string, number>;
}

const zero = (): Sum => ({ latencyS: 0, energyJ: 0, byKind: {} });

function addScaled(into: Sum, p: StepPoint, k: number): void {
  into.latencyS += k * p.latencyS;
  into.energyJ += k * p.energyJ;
  for (const [kind, v] of Object.entries(p.energyBreakdownJ)) into.byKind[kind] = (into.byKind[kind] ?? 0) + k * v;
}

function signature(r: CompileResult): string {
  return r.ops.map((o) => o.device).join(',');
}

function positiveInt(v: number, flag: string): number {
  if (!Number.isInteger(v) || v < 1) throw new UserError(`${flag} must be a positive integer (got ${v})`);
  return v;
}

/** Runs a whole request (see the module header). */
export async function generate(reg: PluginRegistry, o: GenerateOptions): Promise<GenerateResult> {
  const promptLen = positiveInt(o.promptLen, '--prompt-len');
  const outputLen = positiveInt(o.outputLen, '--output-len');
  const tol = o.tolerance ?? 1e-3;
  const { promptLen: _p, outputLen: _n, tolerance: _t, everyStep: _e, ...rest } = o;
  // memory is checked over the whole request (weights and KV cache first, then the peaks), not per compile
  const base = { ...rest, checkMemory: false } as const;
  const system = loadSystem(reg, o.system, o.cwd ?? process.cwd(), o.params);
  checkResidentFits(reg, o, system, o.cwd ?? process.cwd());
  const prefill = (await compile(reg, { ...base, phase: 'prefill', seqLen: promptLen })).result;
  const steps = new Map<number, { point: StepPoint; sig: string; result: CompileResult }>();
  const step = async (kvLen: number) => {
    let s = steps.get(kvLen);
    if (!s) {
      // a step's status rests on the segments' bound alone: the whole relaxation would cost more than the step
      const result = (await compile(reg, { ...base, phase: 'decode', kvLen, relaxation: false })).result;
      const point: StepPoint = {
        kvLen,
        latencyS: result.totals.latencyS,
        energyJ: result.totals.energyJ,
        energyBreakdownJ: result.totals.energyBreakdownJ,
        status: result.selection.status,
        opsPerDevice: result.opsPerDevice,
      };
      s = { point, sig: signature(result), result };
      steps.set(kvLen, s);
    }
    return s;
  };
  const first = promptLen;
  const last = promptLen + outputLen - 1;
  const total = zero();
  // the sum over kv in [a, b] of the step costs
  const integrate = async (a: number, b: number): Promise<void> => {
    const fa = await step(a);
    if (a === b) return addScaled(total, fa.point, 1);
    const fb = await step(b);
    if (b - a === 1) {
      addScaled(total, fa.point, 1);
      return addScaled(total, fb.point, 1);
    }
    const m = Math.floor((a + b) / 2);
    if (!o.everyStep && fa.sig === fb.sig) {
      const fm = await step(m);
      const line = (x: number, y: number) => x + ((y - x) * (m - a)) / (b - a);
      const close = (got: number, x: number, y: number) => Math.abs(got - line(x, y)) <= tol * Math.abs(got);
      if (
        fm.sig === fa.sig &&
        close(fm.point.latencyS, fa.point.latencyS, fb.point.latencyS) &&
        close(fm.point.energyJ, fa.point.energyJ, fb.point.energyJ)
      ) {
        // a line summed over b - a + 1 integers: their count times the mean of the ends
        const k = (b - a + 1) / 2;
        addScaled(total, fa.point, k);
        return addScaled(total, fb.point, k);
      }
    }
    await integrate(a, m);
    await integrate(m + 1, b);
  };
  await integrate(first, last);

  const points = [...steps.values()].map((s) => s.point).sort((x, y) => x.kvLen - y.kvLen);
  const ordered = [...steps.values()].sort((x, y) => x.point.kvLen - y.point.kvLen);
  const regimes: Regime[] = [];
  const changes: number[] = [];
  for (const s of ordered) {
    const cur = regimes[regimes.length - 1];
    if (cur && signature(s.result) === signature(ordered.find((x) => x.point.kvLen === cur.fromKv)?.result as CompileResult)) {
      regimes[regimes.length - 1] = { ...cur, toKv: s.point.kvLen };
      continue;
    }
    if (cur) changes.push(s.point.kvLen);
    regimes.push({ fromKv: s.point.kvLen, toKv: s.point.kvLen, opsPerDevice: s.point.opsPerDevice, devices: devicesOf(s.result) });
  }
  // a regime runs until the next one starts
  for (let i = 0; i + 1 < regimes.length; i++) regimes[i] = { ...(regimes[i] as Regime), toKv: (regimes[i + 1] as Regime).fromKv - 1 };
  if (regimes.length) regimes[regimes.length - 1] = { ...(regimes[regimes.length - 1] as Regime), toKv: last };

  const firstStep = (steps.get(first) as { point: StepPoint }).point;
  const ttftS = prefill.totals.latencyS + firstStep.latencyS;
  const endToEndS = prefill.totals.latencyS + total.latencyS;
  const batch = prefill.model.batch;
  const byKind: Record<string, number> = { ...total.byKind };
  for (const [k, v] of Object.entries(prefill.totals.energyBreakdownJ)) byKind[k] = (byKind[k] ?? 0) + v;
  const requestJ = prefill.totals.energyJ + total.energyJ;
  const lastResult = (steps.get(last) as { result: CompileResult }).result;
  const memories = peakOverRequest(prefill.memories, lastResult.memories);
  checkPeaksFit(prefill.model.id, o, system, memories);
  return {
    model: { ...prefill.model, phase: 'prefill' },
    system: prefill.system,
    objective: prefill.objective,
    promptLen,
    outputLen,
    batch,
    prefill: {
      latencyS: prefill.totals.latencyS,
      energyJ: prefill.totals.energyJ,
      energyBreakdownJ: prefill.totals.energyBreakdownJ,
      status: prefill.selection.status,
      opsPerDevice: prefill.opsPerDevice,
      devices: devicesOf(prefill),
    },
    ttftS,
    tpot:
      outputLen > 1
        ? {
            meanS: (total.latencyS - firstStep.latencyS) / (outputLen - 1),
            firstS: (await step(first + 1)).point.latencyS,
            lastS: lastResult.totals.latencyS,
          }
        : { meanS: null, firstS: null, lastS: null },
    endToEndS,
    tokensPerS: (batch * outputLen) / endToEndS,
    energy: {
      requestJ,
      perOutputTokenJ: requestJ / (batch * outputLen),
      byPhase: { prefillJ: prefill.totals.energyJ, decodeJ: total.energyJ },
      byKind,
    },
    regimes,
    changes,
    points,
    compiles: 1 + steps.size,
    memories,
  };
}

function devicesOf(r: CompileResult): Record<string, string> {
  return Object.fromEntries(r.ops.map((o) => [o.name, o.device]));
}
