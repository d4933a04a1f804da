import { defineSolver, type MilpProblem, type MilpResult, type SolveOptions } from '@lightcode/cost-model';
import highsModule from 'highs';
import { column, toLpFormat } from './lp-format.js';

export { toLpFormat } from './lp-format.js';

/** The part of highs-js' persistent-model API used here. */
interface HighsModel {
  readonly options: { set(values: Record<string, string | number | boolean>): unknown };
  readonly info: { get(name: string): number | bigint };
  run(): { modelStatus: number };
  getSolution(): { colValue: Float64Array };
  getColByName(name: string): number;
  dispose(): void;
}
interface Highs {
  createModel(source: { format: 'lp'; data: string }): HighsModel;
}
type Loader = () => Promise<Highs>;

// highs is CommonJS with an ES-module build; its types describe the CommonJS shape.
const loadHighs: Loader = ((highsModule as unknown as { default?: Loader }).default ?? highsModule) as unknown as Loader;
let instance: Promise<Highs> | undefined;

/** HiGHS is compiled to WebAssembly once per process, on first use. */
function highs(): Promise<Highs> {
  instance ??= loadHighs();
  return instance;
}

/** HiGHS model status codes (HighsModelStatus). */
const STATUS = {
  optimal: 7,
  infeasible: 8,
  unboundedOrInfeasible: 9,
  unbounded: 10,
  timeLimit: 13,
  iterationLimit: 14,
  interrupted: 17,
} as const;

/**
 * Solves a MILP with HiGHS. Gaps are set to zero so `optimal` means proven
 * optimal; a solve stopped by the time limit returns its incumbent with the
 * MIP dual bound, so the caller can report the gap.
 */
export async function solveWithHighs(p: MilpProblem, o: SolveOptions = {}): Promise<MilpResult> {
  const h = await highs();
  const m = h.createModel({ format: 'lp', data: toLpFormat(p) });
  try {
    m.options.set({
      output_flag: false,
      mip_rel_gap: 0,
      mip_abs_gap: 0,
      ...(o.timeLimitS !== undefined ? { time_limit: o.timeLimitS } : {}),
    });
    const status = m.run().modelStatus;
    const read = (): number[] | undefined => {
      const col = m.getSolution().colValue;
      if (col.length === 0) return undefined;
      return p.variables.map((_, j) => {
        const i = m.getColByName(column(j));
        return i >= 0 ? (col[i] ?? 0) : 0;
      });
    };
    const info = (name: string): number | undefined => {
      try {
        const v = Number(m.info.get(name));
        return Number.isFinite(v) ? v : undefined;
      } catch {
        return undefined;
      }
    };
    switch (status) {
      case STATUS.optimal: {
        const objective = info('objective_function_value');
        const values = read();
        return { status: 'optimal', ...(objective !== undefined ? { objective, bound: objective } : {}), ...(values ? { values } : {}) };
      }
      case STATUS.infeasible:
      case STATUS.unboundedOrInfeasible:
        return { status: 'infeasible' };
      case STATUS.unbounded:
        return { status: 'unbounded' };
      case STATUS.timeLimit:
      case STATUS.iterationLimit:
      case STATUS.interrupted: {
        const hasSolution = (info('primal_solution_status') ?? 0) >= 2;
        const bound = info('mip_dual_bound');
        const values = hasSolution ? read() : undefined;
        return {
          status: 'timeout',
          ...(values ? { values, objective: info('objective_function_value') } : {}),
          ...(bound !== undefined ? { bound } : {}),
        } as MilpResult;
      }
      default:
        throw new Error(`HiGHS ended with model status ${status}`);
    }
  } finally {
    m.dispose();
  }
}

export default defineSolver({
  id: 'highs',
  name: 'HiGHS',
  description: 'HiGHS 1.x MILP solver compiled to WebAssembly (highs-js); strong on large or tightly constrained selections.',
  solve: solveWithHighs,
});
