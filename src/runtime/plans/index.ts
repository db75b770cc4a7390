// The plans wing (SPEC §2, §4, §5): the plan machine with troupe's actors, the claims that keep a
// plan running in one process, the checks a plan file and its steps pass before anything is written, unconfined commands,
// and the plans part of the Runtime interface with its shapes.
export { checkPlanFile } from './plan-file-check.js';
export { providePlanMachine, type ProvidedPlanMachine } from './plan-machine.js';
export { checkPlanSteps } from './plan-steps-check.js';
export { PlanClaims, type ClaimsHost, type ClaimedPlan } from './plan-claims.js';
export { journalUnconfined, UNCONFINED_WARNING } from './unconfined-commands.js';
export type { PlanMethods, RunOptions, PhaseOptions, DecisionTree, PlanPatch } from './plan-api.js';
