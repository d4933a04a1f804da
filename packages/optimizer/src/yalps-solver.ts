import { defineSolver, type MilpProblem, type MilpResult, type SolveOptions } from '@lightcode/cost-model';
import { type Constraint, type Model, solve } from 'yalps';

/** Translates the SDK's sparse MILP into a yalps model: one constraint per row, bounds as extra rows. */
export function toYalpsModel(p: MilpProblem): Model<number, string> {
  const constraints = new Map<string, Constraint>();
  const coefs: Map<string, number>[] = p.variables.map(() => new Map());
  p.rows.forEach((r, i) => {
    const key = `r${i}`;
    constraints.set(key, { ...(r.lower !== undefined ? { min: r.lower } : {}), ...(r.upper !== undefined ? { max: r.upper } : {}) });
    for (const [j, v] of r.terms) {
      const m = coefs[j] as Map<string, number>;
      m.set(key, (m.get(key) ?? 0) + v);
    }
  });
  p.variables.forEach((v, j) => {
    const m = coefs[j] as Map<string, number>;
    if (v.cost) m.set('obj', v.cost);
    const lower = v.lower ?? 0;
    const upper = v.type === 'binary' ? undefined : v.upper;
    if (lower !== 0 || upper !== undefined) {
      const key = `b${j}`;
      constraints.set(key, { ...(lower !== 0 ? { min: lower } : {}), ...(upper !== undefined ? { max: upper } : {}) });
      m.set(key, 1);
    }
  });
  const binaries = new Set<number>();
  const integers = new Set<number>();
  p.variables.forEach((v, j) => {
    if (v.type === 'binary') binaries.add(j);
    if (v.type === 'integer') integers.add(j);
  });
  return {
    direction: p.sense,
    objective: 'obj',
    constraints,
    variables: coefs.map((m, j) => [j, m] as const),
    binaries,
    integers,
  };
}

/** Precisions tried in turn: yalps' default, then looser ones when its simplex loses feasibility. */
const PRECISIONS = [1e-8, 1e-7, 1e-6] as const;

/**
 * Solves with yalps (pure JavaScript branch and bound). Its simplex can wrongly
 * report a problem infeasible when coefficients span many orders of magnitude;
 * then it is retried with a looser precision, and a solution found that way is
 * returned as `feasible`, not `optimal`, since its optimality is only within
 * that tolerance.
 */
export function solveWithYalps(p: MilpProblem, o: SolveOptions = {}): MilpResult {
  const model = toYalpsModel(p);
  const deadline = o.timeLimitS !== undefined ? performance.now() + o.timeLimitS * 1000 : Number.POSITIVE_INFINITY;
  // out of time before any attempt, nothing is known: a timeout, not an infeasibility claim
  let last: MilpResult = { status: 'timeout' };
  for (const precision of PRECISIONS) {
    const left = deadline - performance.now();
    if (left <= 0) break;
    const sol = solve(model, {
      precision,
      maxPivots: 1_000_000,
      maxIterations: Number.POSITIVE_INFINITY,
      tolerance: 0,
      includeZeroVariables: true,
      ...(Number.isFinite(left) ? { timeout: left } : {}),
    });
    const values = new Array<number>(p.variables.length).fill(0);
    for (const [j, v] of sol.variables) values[j] = v;
    const strict = precision === PRECISIONS[0];
    switch (sol.status) {
      case 'optimal':
        return strict
          ? { status: 'optimal', objective: sol.result, bound: sol.result, values }
          : { status: 'feasible', objective: sol.result, values };
      case 'unbounded':
        return { status: 'unbounded' };
      case 'timedout':
        return Number.isFinite(sol.result) ? { status: 'timeout', objective: sol.result, values } : { status: 'timeout' };
      default:
        // 'infeasible' or 'cycled': may be numerical; retry looser
        last = { status: 'infeasible' };
    }
  }
  return last;
}

/** The built-in default solver. */
export const yalpsSolver = defineSolver({
  id: 'yalps',
  name: 'yalps',
  description: 'Built-in pure-JavaScript simplex and branch and bound (yalps 0.6).',
  solve: (p, o) => solveWithYalps(p, o),
});
