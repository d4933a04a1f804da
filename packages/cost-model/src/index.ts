/**
 * The LightCode SDK: what a third-party target, frontend or solver plugin builds
 * against. It re-exports the IR types and helpers that plugins need, so a
 * plugin depends on this package alone.
 */
export * from '@lightcode/ir';
export * from './contract.js';
export * from './importer.js';
export * from './milp.js';
export * from './params.js';
export * from './plugin.js';
export * from './roofline.js';
export * from './stacked.js';
export * from './system.js';
export * from './transformer.js';
export * from './units.js';
