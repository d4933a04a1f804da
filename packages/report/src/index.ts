export * from './compile.js';
export * from './table.js';
