export { OBJECTIVES, type Objective } from '@lightcode/optimizer';
export * from './compile.js';
export * from './config.js';
export * from './model.js';
export * from './plugins.js';
export * from './systems.js';
