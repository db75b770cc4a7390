// The plans wing (SPEC §2, §4, §5): live plans — the address book of plan actors, restored on
// demand, the claims that keep a plan running in one process, and driving them — the plan machine
// with troupe's actors, the checks a plan file and its steps pass before anything is written, why a
// plan refuses a phase command, its decision tree, unconfined commands, and the plans part of the
// Runtime interface.
export { checkHasCommits, checkPlanFile, type PlanFileCheckers } from './plan-file-check.js';
export { providePlanMachine, type ProvidedPlanMachine } from './plan-machine.js';
export { checkPlanSteps } from './plan-steps-check.js';
export { liveRefusal, storedRefusal } from './phase-refusal.js';
export { decisionTreeOf } from './decision-tree.js';
export { LivePlans } from './live-plans.js';
export type { LivePlansHost } from './live-plans-host.js';
export { PlanRuns, type PlanRunsHost } from './plan-runs.js';
export type { PlanActor, PlanEntry } from './plan-actors.js';
export type { LivePlan } from './live-plan-views.js';
export { journalUnconfined, UNCONFINED_WARNING } from './unconfined-commands.js';
export { planLiveness } from './plan-liveness.js';
export { planServices, type PlanServiceParts } from './plan-services.js';
export { updatePlan, type PlanUpdateHost } from './plan-updates.js';
export type {
  PlanMethods,
  RunOptions,
  PhaseOptions,
  DecisionTree,
  PlanPatch,
  PlanLiveness,
  PlanUpdateOptions,
  PlanUpdateResult,
} from './plan-api.js';
