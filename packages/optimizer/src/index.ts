export * from './baselines.js';
export * from './constraints.js';
export * from './exhaustive.js';
export * from './greedy.js';
export * from './milp-model.js';
export * from './select.js';
export * from './selection.js';
export * from './yalps-solver.js';
