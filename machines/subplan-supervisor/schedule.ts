// Who goes next in a group (SPEC §9): the order children merge in, the next
// merge round, the children that may start now, and whether the group is
// done. advance() calls schedule() after every happening that did not end it.
import { childOf, isSettled, nameOf, planError, runningChildren } from './child-states.js';
import { mergeEffect, type Effect } from './effects.js';
import type { GroupConfig, SupervisedChild, SupervisorState } from './types.js';

/**
 * The deterministic order children merge in (SPEC §9): entry order, and for
 * `dependency-ordered` the topological order that keeps entry order among
 * entries free to go (the earliest ready entry first).
 */
export function mergeOrderOf(children: readonly SupervisedChild[], mode: GroupConfig['mode']): string[] {
  // overlap waits point forward in entry order: only dependencies can reorder
  if (mode !== 'dependency-ordered') return children.map((child) => child.childId);
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < children.length) {
    const next = children.find(
      (child) =>
        !placed.has(child.childId) &&
        [...child.dependsOn, ...(child.after ?? [])].every((earlier) => placed.has(earlier)),
    );
    // a cycle was refused at strategize; should one slip through, keep entry order rather than loop
    const chosen = next ?? children.find((child) => !placed.has(child.childId))!;
    order.push(chosen.childId);
    placed.add(chosen.childId);
  }
  return order;
}

/**
 * Start the next merge and the children that may start now: the effects go
 * to `effects`, the children started to `spawned`; `state` is changed in place.
 */
export function schedule(state: SupervisorState, effects: Effect[], spawned: string[]): void {
  if (state.stopping) return;
  // first what can never start (something it depends on did not merge): it must not hold up the merge order
  for (let changed = true; changed;) {
    changed = false;
    for (const entry of state.children) {
      const child = state.statuses[entry.childId]!;
      if (child.status === 'pending' && blockedBy(state, entry) === 'never') {
        // what waited only on children cancelled on purpose is withdrawn with them; a failure stays one
        const unmerged = entry.dependsOn.filter((id) => state.statuses[id] && !state.statuses[id]!.merged);
        const withdrawn = unmerged.length > 0 && unmerged.every((id) => state.statuses[id]!.withdrawn === true);
        const message = `not started: a child it depends on ${withdrawn ? 'was cancelled' : 'did not merge'} (${entry.dependsOn.map((id) => nameOf(state, id)).join(', ')})`;
        state.statuses[entry.childId] = {
          ...child,
          status: 'cancelled',
          error: planError({ code: 'CANCELLED', message }),
          ...(withdrawn ? { withdrawn: true as const } : {}),
        };
        changed = true;
      }
    }
  }
  if (state.merging.length === 0) {
    // a round: every child ready now, in merge order, up to the first one
    // that is still running or waiting (nothing merges past it)
    const round: string[] = [];
    for (const childId of state.mergeOrder) {
      const child = state.statuses[childId]!;
      if (isSettled(child, false)) continue;
      if (child.status !== 'complete') break;
      if (childOf(state, childId).project !== null) {
        // another project's child is applied with the root plan, not merged here
        state.statuses[childId] = { ...child, merged: true };
        continue;
      }
      round.push(childId);
    }
    if (round.length > 0) {
      state.merging = round;
      effects.push(mergeEffect(state, round));
    }
  }
  let running = runningChildren(state).length;
  for (const entry of state.children) {
    if (running >= state.config.maxParallel) break;
    const child = state.statuses[entry.childId]!;
    if (child.status !== 'pending') continue;
    const blocked = blockedBy(state, entry);
    if (blocked) {
      // sequential: one at a time, in entry order
      if (state.config.mode === 'sequential') break;
      continue;
    }
    // a child that waited for an overlapping sibling starts from the merged result
    const spawnHead =
      state.config.mode === 'parallel' && (entry.after ?? []).length === 0 ? state.forkHead : state.head;
    state.statuses[entry.childId] = {
      ...child,
      status: 'running',
      attempt: 1,
      spawnHead,
      deadline: null,
      head: null,
      started: false,
    };
    effects.push({ kind: 'start', childId: entry.childId, attempt: 1, spawnHead });
    spawned.push(entry.childId);
    running += 1;
  }
}

// whether a pending child must wait: true (for now), 'never' (a dependency failed), false (free)
function blockedBy(state: SupervisorState, entry: SupervisedChild): boolean | 'never' {
  // overlap: serialize — wait until each overlapping sibling before it merged or ended
  const overlapping = (entry.after ?? []).some(
    (id) => state.statuses[id] !== undefined && !isSettled(state.statuses[id]!, false),
  );
  if (state.config.mode === 'parallel') return overlapping;
  if (state.config.mode === 'sequential') {
    // every earlier entry merged, failed or was cancelled (continue goes on past a failure)
    const index = state.children.findIndex((child) => child.childId === entry.childId);
    return state.children.slice(0, index).some((earlier) => !isSettled(state.statuses[earlier.childId]!, false));
  }
  for (const dependency of entry.dependsOn) {
    const status = state.statuses[dependency];
    if (!status) continue;
    if (status.merged) continue;
    if (isSettled(status, false)) return 'never';
    return true;
  }
  return overlapping;
}

/** Whether the group is done: every child settled, no merge or cancellation under way. */
export function isFinished(state: SupervisorState): boolean {
  if (state.merging.length > 0 || state.cancelling > 0) return false;
  return state.children.every(({ childId }) => isSettled(state.statuses[childId]!, state.stopping));
}
