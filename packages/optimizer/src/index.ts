export * from './exhaustive.js';
export * from './greedy.js';
export * from './select.js';
export * from './selection.js';
