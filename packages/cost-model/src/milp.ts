/** The Solver contract: a mixed-integer linear program in sparse form. */

export type VariableType = 'continuous' | 'integer' | 'binary';

export interface MilpVariable {
  readonly name: string;
  readonly type: VariableType;
  /** Defaults: 0 and +Infinity (binary: 0 and 1). */
  readonly lower?: number;
  readonly upper?: number;
  /** Objective coefficient; default 0. */
  readonly cost?: number;
}

/** `lower <= sum(coef * x[index]) <= upper`; omit a side for a one-sided row. */
export interface MilpRow {
  readonly name?: string;
  readonly terms: readonly (readonly [index: number, coef: number])[];
  readonly lower?: number;
  readonly upper?: number;
}

export interface MilpProblem {
  readonly sense: 'minimize' | 'maximize';
  readonly variables: readonly MilpVariable[];
  readonly rows: readonly MilpRow[];
}

export interface SolveOptions {
  /** Wall-clock limit; a solver past it returns its best solution with status `timeout`. */
  readonly timeLimitS?: number;
}

export type MilpStatus = 'optimal' | 'feasible' | 'infeasible' | 'unbounded' | 'timeout';

export interface MilpResult {
  readonly status: MilpStatus;
  /** Objective of `values`, when a solution exists. */
  readonly objective?: number;
  /** Best proven bound on the objective. */
  readonly bound?: number;
  readonly values?: readonly number[];
}
