export * from './baselines.js';
export * from './compile.js';
export * from './generate.js';
export * from './graph.js';
export * from './html.js';
export * from './reproduce.js';
export * from './svg.js';
export * from './table.js';
