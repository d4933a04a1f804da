import { UserError } from '@lightcode/cost-model';
import type { Objective } from '@lightcode/optimizer';
import { type CompileOptions, compile } from './compile.js';
import type { PluginRegistry } from './plugins.js';

/** Parses `64:4096:64` (start:stop:step, inclusive), `128:1024` (step 1) or `128,512,2048`. */
export function parseRange(text: string, flag: string): number[] {
  const bad = () =>
    new UserError(`${flag} takes START:STOP[:STEP] or a comma list of positive integers, e.g. 64:4096:64 or 128,512 (got '${text}')`);
  const int = (s: string) => {
    if (!/^\d+$/.test(s.trim())) throw bad();
    const n = Number(s);
    if (n < 1) throw bad();
    return n;
  };
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length > 3) throw bad();
    const [start, stop, step] = [int(parts[0] ?? ''), int(parts[1] ?? ''), parts[2] === undefined ? 1 : int(parts[2])];
    if (stop < start) throw bad();
    const out: number[] = [];
    for (let v = start; v <= stop; v += step) out.push(v);
    return out;
  }
  const list = text.split(',').map(int);
  return [...new Set(list)].sort((a, b) => a - b);
}

/** One compile of a sweep. */
export interface SweepRow {
  readonly system: string;
  readonly objective: Objective;
  readonly seqLen: number;
  readonly latencyS: number;
  readonly energyJ: number;
  readonly status: string;
  readonly opsPerDevice: Readonly<Record<string, number>>;
}

/** Compiles every (system, objective, sequence length) combination, in that order. */
export async function sweep(
  reg: PluginRegistry,
  o: Omit<CompileOptions, 'seqLen' | 'system' | 'objective'> & {
    seqLens: readonly number[];
    systems: readonly string[];
    objectives: readonly Objective[];
  },
  progress?: (done: number, total: number) => void,
): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const total = o.systems.length * o.objectives.length * o.seqLens.length;
  for (const system of o.systems) {
    for (const objective of o.objectives) {
      for (const seqLen of o.seqLens) {
        const { result } = await compile(reg, { ...o, system, objective, seqLen });
        rows.push({
          system,
          objective,
          seqLen,
          latencyS: result.totals.latencyS,
          energyJ: result.totals.energyJ,
          status: result.selection.status,
          opsPerDevice: result.opsPerDevice,
        });
        progress?.(rows.length, total);
      }
    }
  }
  return rows;
}
