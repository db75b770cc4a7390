// Pure XState machines: they import only xstate and src/domain (checked by scripts/check-imports.ts).
export * from './plan-lifecycle/index.js';
export * from './invariant-reconciler/index.js';
export * from './subplan-supervisor/index.js';
