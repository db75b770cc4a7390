export { invariantReconcilerMachine } from './machine.js';
export { DEFAULT_CHECK_CONCURRENCY } from './types.js';
export type * from './types.js';
