export type * from './types.js';
export { defineCheck, type CheckDefinition } from './define-check.js';
export { CheckRegistry, BUILT_IN_CHECK_SPECS } from './registry.js';
export { runInvariantCheck } from './run-check.js';
