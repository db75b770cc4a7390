// I/O actors: they do the work the plan machine decides, through ports.
export * from './types.js';
export * from './services.js';
export { scriptedStrategist } from './strategists/scripted.js';
export { llmStrategist } from './strategists/llm.js';
export { toolCallExecutor } from './executors/tool-call.js';
export { strategizePlan } from './strategize.js';
export { stepProblems } from './strategy-steps.js';
export type { GroupPayload } from './subplans/group-decisions.js';
export { executePlanStep } from './execute-step.js';
export { validatePlan, DEFAULT_VALIDATE_TIMEOUT_MS } from './validate.js';
export { applyPlan } from './apply.js';
export { commitMerge } from './commit-merge.js';
export { loadGroup } from './subplans/load-group.js';
export { startChild, runChild, mergeChild, cancelChildren } from './subplans/child-actors.js';
export { prepareSandbox } from './prepare-sandbox.js';
export * from './checks/index.js';
export { defaultReconciler, reconcileOutput, type Reconciler, type ReconcilerContext } from './reconcilers.js';
