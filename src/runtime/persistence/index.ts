// The persistence wing (SPEC §3, DESIGN §4): writing a plan's transition as one batch,
// reading its record and plan file, restoring it, migrating old snapshots, and what the runtime keeps in memory of live plans.
export { PlanMemory } from './plan-memory.js';
export { PlanPersistence, type LogDraft } from './plan-persistence.js';
export { restorablePlanSnapshot } from './snapshot-check.js';
export { compactPlanSnapshot, expandPlanSnapshot, SAME_AS_PLAN_GROUP } from './snapshot-compaction.js';
export { readStoredPlan, readStoredSpec } from './stored-plan.js';
export { DEFAULT_OUTAGE_TIMEOUT_MS, StoreOutage, type OutagePolicy } from './store-outage.js';
