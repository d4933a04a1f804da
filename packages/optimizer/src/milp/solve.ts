/**
 * The one way the optimizer runs a MILP solver plugin: the relaxation MILP,
 * the relaxation's block master and the segmented chain master all go
 * through it. A plugin that throws, or answers with numbers that are not
 * finite, is named in a PluginError instead of corrupting a result.
 */
import type { MilpProblem, MilpResult, SolverPlugin } from '@lightcode/cost-model';
import { PluginError } from '@lightcode/ir';

export async function solveMilp(
  pick: (p: MilpProblem) => SolverPlugin,
  problem: MilpProblem,
  timeLimitS?: number,
): Promise<{ readonly solver: SolverPlugin; readonly result: MilpResult }> {
  const solver = pick(problem);
  let result: MilpResult;
  try {
    result = await solver.solve(problem, timeLimitS !== undefined && timeLimitS > 0 ? { timeLimitS } : {});
  } catch (e) {
    throw new PluginError(solver.id, `solve() failed: ${(e as Error)?.message ?? String(e)}`, 1);
  }
  if (result.status === 'unbounded') throw new PluginError(solver.id, 'reported a selection MILP unbounded, which it cannot be', 1);
  const bad = [result.objective, result.bound, ...(result.values ?? [])].find((v) => v !== undefined && !Number.isFinite(v));
  if (bad !== undefined) throw new PluginError(solver.id, `solve() answered ${bad}, not a finite number`, 1);
  return { solver, result };
}
