import { PhaseGuardError, type Phase, type PlanRecord, type TroupeError } from '../../domain/index.js';
import { explainRefusal, planPosition } from '../../../machines/index.js';
import { conflictsRemain } from '../children/index.js';
import type { PlanEntry } from './plan-actors.js';

/**
 * Why a live plan does not take a phase command now, in the machine's own
 * words: `PHASE_GUARD`, or `MERGE_CONFLICT` naming the files when it waits
 * for the user to resolve them (exit 3).
 *
 * @example
 * if (!entry.actor.getSnapshot().can({ type: 'plan.validate' })) throw liveRefusal('validate', entry);
 */
export function liveRefusal(phase: Phase, entry: PlanEntry, parentName: string | null = null): TroupeError {
  const snapshot = entry.actor.getSnapshot();
  const position = planPosition(snapshot.value, snapshot.context);
  if (phase === 'apply' && snapshot.context.child)
    return childApplyRefusal(entry.identity.name, parentName ?? snapshot.context.child.parentId);
  // the plan cannot move on until the user resolved its conflicts: say which (exit 3)
  if (position.status === 'waiting' && position.phase === phase && snapshot.context.merge) {
    return conflictsRemain(entry.identity.name, phase, snapshot.context.merge.open);
  }
  const refusal = explainRefusal(phase, position, snapshot.context);
  return new PhaseGuardError(entry.identity.name, phase, refusal.reason, refusal.hint);
}

/**
 * Why a plan without a live actor (one that ended) does not take a phase
 * command, from its stored record.
 *
 * @example
 * throw storedRefusal('execute', await readStoredPlan(store, planId));
 */
export function storedRefusal(phase: Phase, record: PlanRecord, parentName: string | null = null): TroupeError {
  if (phase === 'apply' && record.parentId !== null)
    return childApplyRefusal(record.name, parentName ?? record.parentId);
  const refusal = explainRefusal(phase, { phase: record.phase, status: record.status }, record);
  return new PhaseGuardError(record.name, phase, refusal.reason, refusal.hint);
}

// a child is merged by its parent, never applied on its own; the parent by name (its id only when the name is unknown)
function childApplyRefusal(name: string, parent: string): PhaseGuardError {
  return new PhaseGuardError(
    name,
    'apply',
    'it is a child plan: its parent merges it into its own sandbox once it validated',
    `troupe plan tree ${parent} shows the parent and its children`,
  );
}
