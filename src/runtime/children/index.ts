// The children wing (SPEC §8–9): running child plans, merging their results through the
// merge engine, resolving conflicts, the tree of a plan and its descendants, and the
// child plans and conflicts part of the Runtime interface.
export { RuntimeChildPlans, storedAttempt } from './child-plans.js';
export type { WatchedPlan } from './watched-plan.js';
export {
  checkResolveRequest,
  checkStrategy,
  conflictAt,
  conflictList,
  conflictsRemain,
  mergeDecision,
  notResolvable,
  resolutionFor,
  strategyResolutionDecision,
  userResolutionDecision,
} from './conflict-resolution.js';
export { engineMerger, mergeCommitRound } from './engine-merger.js';
export { RuntimeConflicts, type ConflictsHost, type ResolvingPlan } from './plan-conflicts.js';
export { planTreeOf } from './plan-tree.js';
export type {
  ChildPlanMethods,
  PlanTree,
  ConflictView,
  ConflictList,
  ResolveChoice,
  ResolveResult,
} from './child-plan-api.js';
export {
  ConflictForecast,
  conflictForecastOf,
  type ForecastCounts,
  type ForecastHost,
  type ForecastParent,
} from './conflict-forecast.js';
