export * from './schedule.js';
export * from './trace.js';
