export * from './compile.js';
export * from './graph.js';
export * from './table.js';
