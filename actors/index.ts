// I/O actors: they do the work the plan machine decides, through ports.
export * from './types.js';
export * from './services.js';
export { scriptedStrategist } from './strategists/scripted.js';
export { toolCallExecutor } from './executors/tool-call.js';
export { strategizePlan, subplansUnavailable } from './strategize.js';
export { executePlanStep } from './execute-step.js';
export { validatePlan, DEFAULT_VALIDATE_TIMEOUT_MS } from './validate.js';
export { applyPlan } from './apply.js';
export { commitMerge } from './commit-merge.js';
export { prepareSandbox } from './prepare-sandbox.js';
export * from './checks/index.js';
export { defaultReconciler, reconcileOutput, type Reconciler, type ReconcilerContext } from './reconcilers.js';
