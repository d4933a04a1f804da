export * from './config.js';
export * from './plugins.js';
export * from './systems.js';
export * from './model.js';
export * from './compile.js';
export { OBJECTIVES, type Objective } from '@lightcode/optimizer';
