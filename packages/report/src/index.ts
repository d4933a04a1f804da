export * from './table.js';
export * from './compile.js';
