export * from './memory.js';
export * from './schedule.js';
export * from './trace.js';
