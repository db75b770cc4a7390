import type { CheckpointTrigger, Phase, RestoreStatus } from '../../src/domain/index.js';
import type { PlanPosition } from './position.js';
import type { PlanContext } from './plan-context.js';
import type { CheckpointEmitted } from './plan-emitted.js';

/** The state a checkpoint restores to: a phase and a status at rest. */
export interface RestorePoint {
  phase: Phase;
  status: RestoreStatus;
}

/**
 * Where a plan at `position` goes back to when rolled back to a checkpoint
 * taken there (SPEC §10): a state at rest is kept as it is; a phase that was
 * running (or waiting on conflicts) is queued again, so the restored plan
 * never holds half of an actor's work (DESIGN §3).
 */
export function restorePointOf(position: PlanPosition): RestorePoint {
  switch (position.status) {
    case 'queued':
    case 'complete':
    case 'failed':
      return { phase: position.phase, status: position.status };
    case 'processing':
    case 'waiting':
      return { phase: position.phase, status: 'queued' };
    default:
      throw new Error(`a ${position.status} plan has no state to restore`);
  }
}

/**
 * The context a checkpoint keeps: the plan's as it was, with nothing that
 * belongs to work in flight — no drive, no pending reconciliation, no
 * error unless the plan is restored failed, no merge waiting on conflicts
 * (a resolved merge waiting to be applied is kept).
 */
export function restorableContext(context: PlanContext, point: RestorePoint): PlanContext {
  return {
    ...context,
    phase: point.phase,
    target: null,
    pendingReconcile: null,
    error: point.status === 'failed' ? context.error : null,
    merge: context.merge?.commit ? context.merge : null,
  };
}

/** The emitted event that asks the runtime to write a checkpoint with the snapshot of this transition. */
export function checkpointEmitted(
  trigger: CheckpointTrigger,
  context: PlanContext,
  point: RestorePoint,
): CheckpointEmitted {
  return { type: 'checkpoint', trigger, point, context: restorableContext(context, point) };
}

/** The child plans a plan had started by now: those a rollback to a checkpoint taken now keeps. */
export function startedChildren(context: PlanContext): string[] {
  const ids = new Set<string>();
  for (const [childId, status] of Object.entries(context.subplanStatuses)) if (status.attempt > 0) ids.add(childId);
  for (const [childId, state] of Object.entries(context.group?.statuses ?? {})) if (state.attempt > 0) ids.add(childId);
  return [...ids].sort();
}
