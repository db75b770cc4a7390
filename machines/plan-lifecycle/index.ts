export { planLifecycleMachine, PLAN_MACHINE_VERSION } from './machine.js';
export { planPosition, planRecordOf, planIdentityOf, type PlanPosition, type PlanIdentity } from './position.js';
export { explainRefusal, type Refusal } from './refusals.js';
export * from './guards.js';
export type * from './types.js';
export { restorePointOf, restorableContext, checkpointEmitted, startedChildren, type RestorePoint } from './checkpoints.js';
export { subplanJournalEntries } from './subplan-records.js';
