import { defineSolver, type MilpProblem, type MilpResult, type SolveOptions } from '@lightcode/cost-model';
import highsModule from 'highs';
import { column, toLpFormat } from './lp-format.js';

export { toLpFormat } from './lp-format.js';

/** The part of highs-js' one-shot API used here. */
interface Highs {
  solve(
    problem: string,
    options?: Record<string, string | number | boolean>,
  ): { Status: string; ObjectiveValue: number; Columns: Record<string, { Primal?: number }> };
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

/** Solves a MILP with HiGHS; gaps are set to zero so `optimal` means proven optimal. */
export async function solveWithHighs(p: MilpProblem, o: SolveOptions = {}): Promise<MilpResult> {
  const h = await highs();
  const r = h.solve(toLpFormat(p), {
    output_flag: false,
    mip_rel_gap: 0,
    mip_abs_gap: 0,
    ...(o.timeLimitS !== undefined ? { time_limit: o.timeLimitS } : {}),
  });
  const read = (): number[] => p.variables.map((_, j) => r.Columns[column(j)]?.Primal ?? 0);
  switch (r.Status) {
    case 'Optimal':
      return { status: 'optimal', objective: r.ObjectiveValue, bound: r.ObjectiveValue, values: read() };
    case 'Infeasible':
    case 'Primal infeasible or unbounded':
      return { status: 'infeasible' };
    case 'Unbounded':
      return { status: 'unbounded' };
    case 'Time limit reached':
    case 'Iteration limit reached': {
      const hasSolution = Number.isFinite(r.ObjectiveValue) && Object.keys(r.Columns).length > 0;
      return hasSolution ? { status: 'timeout', objective: r.ObjectiveValue, values: read() } : { status: 'timeout' };
    }
    default:
      throw new Error(`HiGHS ended with status '${r.Status}'`);
  }
}

export default defineSolver({
  id: 'highs',
  name: 'HiGHS',
  description: 'HiGHS 1.x MILP solver compiled to WebAssembly (highs-js); strong on large or tightly constrained selections.',
  solve: solveWithHighs,
});
