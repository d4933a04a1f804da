// A LightCode solver written outside the LightCode workspace, the way a third
// party publishes one: it depends on the SDK (as a peer dependency) and on the
// MILP library it wraps. Its default export is a factory, so a config file can
// pass it options: { "plugins": [["lightcode-solver-gap", { "gap": 0.01 }]] }.
import { defineSolver } from '@lightcode/cost-model';
import { solve } from 'yalps';

/** The SDK's sparse MILP as a yalps model: one constraint per row, variable bounds as extra rows. */
function toModel(problem) {
  const constraints = new Map();
  const coefs = problem.variables.map(() => new Map());
  problem.rows.forEach((row, i) => {
    constraints.set(`r${i}`, {
      ...(row.lower !== undefined ? { min: row.lower } : {}),
      ...(row.upper !== undefined ? { max: row.upper } : {}),
    });
    for (const [j, a] of row.terms) coefs[j].set(`r${i}`, (coefs[j].get(`r${i}`) ?? 0) + a);
  });
  problem.variables.forEach((v, j) => {
    if (v.cost) coefs[j].set('objective', v.cost);
    const lower = v.lower ?? 0;
    const upper = v.type === 'binary' ? undefined : v.upper;
    if (lower !== 0 || upper !== undefined) {
      constraints.set(`b${j}`, { ...(lower !== 0 ? { min: lower } : {}), ...(upper !== undefined ? { max: upper } : {}) });
      coefs[j].set(`b${j}`, 1);
    }
  });
  const kind = (type) => new Set(problem.variables.flatMap((v, j) => (v.type === type ? [j] : [])));
  return {
    direction: problem.sense,
    objective: 'objective',
    constraints,
    variables: coefs.map((m, j) => [j, m]),
    binaries: kind('binary'),
    integers: kind('integer'),
  };
}

/**
 * @param {{ gap?: number }} options `gap`: the relative optimality gap at which
 *   branch and bound stops (default 0.01); 0 searches to proven optimality.
 */
export default function gapSolver(options = {}) {
  const gap = options.gap ?? 0.01;
  if (typeof gap !== 'number' || !(gap >= 0 && gap < 1))
    throw new Error(`option 'gap' must be a number in [0, 1) (got ${JSON.stringify(gap)})`);
  return defineSolver({
    id: 'gap',
    name: `yalps within ${gap * 100} %`,
    description: 'yalps branch and bound that stops once its incumbent is within a relative gap of the bound (a third-party example).',
    solve(problem, o = {}) {
      const sol = solve(toModel(problem), {
        tolerance: gap,
        includeZeroVariables: true,
        maxPivots: 1_000_000,
        ...(o.timeLimitS !== undefined ? { timeout: o.timeLimitS * 1000 } : {}),
      });
      const values = new Array(problem.variables.length).fill(0);
      for (const [j, v] of sol.variables) values[j] = v;
      switch (sol.status) {
        case 'optimal':
          // within the gap only, unless the gap is 0
          return gap === 0
            ? { status: 'optimal', objective: sol.result, bound: sol.result, values }
            : { status: 'feasible', objective: sol.result, values };
        case 'unbounded':
          return { status: 'unbounded' };
        case 'timedout':
          return Number.isFinite(sol.result) ? { status: 'timeout', objective: sol.result, values } : { status: 'timeout' };
        default:
          return { status: 'infeasible' };
      }
    },
  });
}
