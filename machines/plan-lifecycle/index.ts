// The plan machine's door: code outside machines/plan-lifecycle imports from here.
export { planLifecycleMachine, PLAN_MACHINE_VERSION } from './machine.js';
export { planPosition, planRecordOf, planIdentityOf, type PlanPosition, type PlanIdentity } from './position.js';
export { explainRefusal, type Refusal } from './refusals.js';
// the guards that read context and events, each tested on its own (DESIGN §3)
export { continuesPast, outcomeSucceeded } from './guards.js';
export { isRetryableFailure, driveReaches, isOpenConflict, appendsSteps } from './commands.js';
export { hasMoreSteps, continuesWithStep, isOpen } from './execute.js';
export { isRead } from './reads.js';
export { reconciles, reconciliationHeld, reconcileDeferred } from './reconciling.js';
export { hasNoConflicts } from './resolving.js';
export { surfacedConflicts } from './apply.js';
export type * from './plan-context.js';
export type * from './plan-command.js';
export type * from './actor-io.js';
export type * from './plan-emitted.js';
export type { ActorFailure, StrategyResolution, SurfacedConflict, SurfacedMerge } from '../outcomes.js';
export {
  restorePointOf,
  restorableContext,
  checkpointEmitted,
  startedChildren,
  type RestorePoint,
} from './checkpoints.js';
// groupFailure too: the error of endings a scripted group reaches only with luck, tested on its own
export { subplanJournalEntries, groupFailure } from './subplan-records.js';
