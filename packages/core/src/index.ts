export {
  type Metric as ObjectiveMetric,
  OBJECTIVES,
  type Objective,
  type OptimizeResult,
  objectiveLabel,
  optimize,
  type PlacementRule,
  parseRule,
  type WeightedObjective,
} from '@lightcode/optimizer';
export * from './compile.js';
export * from './config.js';
export * from './crossover.js';
export * from './generate.js';
export * from './limits.js';
export * from './model.js';
export * from './plugins.js';
export * from './reproduce/reference.js';
export * from './reproduce/study.js';
export * from './request-memory.js';
export * from './sweep.js';
export * from './sweep-document.js';
export * from './system-params.js';
export * from './systems.js';
export * from './watchdog.js';
