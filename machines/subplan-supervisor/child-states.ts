// What a child's state in a group says — settled, under way, its name, its
// error as the plan records it — and how the children changed between two
// states of the supervisor. Pure, as the rest of the supervisor's rules.
import { isRetryableByDefault, type PlanError } from '../../src/domain/index.js';
import type { ActorFailure } from '../outcomes.js';
import type { ChildChange, ChildState, SupervisedChild, SupervisorState } from './types.js';

/** A child that will not change any more in this group (with `stopping`, fail-fast: neither will what completed). */
export function isSettled(child: ChildState, stopping: boolean): boolean {
  if (child.merged) return true;
  if (child.status === 'failed' || child.status === 'cancelled' || child.status === 'invalidated') return true;
  // fail-fast: what completed is not merged any more
  return stopping && child.status === 'complete';
}

/** Children with an attempt under way. */
export function runningChildren(state: SupervisorState): string[] {
  return state.children.filter(({ childId }) => isActive(state.statuses[childId]!)).map(({ childId }) => childId);
}

/** A child with an attempt under way: running, or retrying. */
export function isActive(child: ChildState): boolean {
  return child.status === 'running' || child.status === 'retrying';
}

/** The entry of `childId` in the group. */
export function childOf(state: SupervisorState, childId: string): SupervisedChild {
  return state.children.find((child) => child.childId === childId)!;
}

/** The name of `childId` as messages say it (its id when the group does not know it). */
export function nameOf(state: SupervisorState, childId: string): string {
  return state.children.find((child) => child.childId === childId)?.name ?? childId;
}

/** A failure an actor reported, as a plan records it: an error of the execute phase. */
export function planError(error: ActorFailure): PlanError {
  return {
    code: error.code,
    message: error.message,
    phase: 'execute',
    ...(error.details === undefined ? {} : { details: error.details }),
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    retryable: error.retryable ?? isRetryableByDefault(error.code),
  };
}

/**
 * The children whose status or attempt changed from `before` to `after`,
 * for the parent to record.
 */
// in the order they happened: what ended or freed a slot, then what took one (a child
// starts in the same step as the completion that freed its slot, never before it)
export function changesBetween(before: SupervisorState, after: SupervisorState): ChildChange[] {
  const freed: ChildChange[] = [];
  const took: ChildChange[] = [];
  for (const { childId, name } of after.children) {
    const was = before.statuses[childId]!;
    const now = after.statuses[childId]!;
    // a merge is reported by its own entry (merge.completed), not as a status the child already had
    if (was.status !== now.status || was.attempt !== now.attempt) {
      (isActive(now) && !isActive(was) ? took : freed).push({
        childId,
        name,
        status: now.status,
        attempt: now.attempt,
        error: now.error,
      });
    }
  }
  return [...freed, ...took];
}
