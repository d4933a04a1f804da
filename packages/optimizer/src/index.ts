export * from './selection.js';
export * from './greedy.js';
export * from './exhaustive.js';
export * from './select.js';
