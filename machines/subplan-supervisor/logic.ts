import { isRetryableByDefault, type Changeset, type PlanError } from '../../src/domain/index.js';
import type { ActorFailure } from '../outcomes.js';
import type {
  ChildChange,
  ChildState,
  GroupConfig,
  MergeChildOutput,
  MergedChild,
  RoundChild,
  RunChildOutput,
  SupervisedChild,
  SupervisorOutput,
  SupervisorState,
} from './types.js';

// The supervisor's decisions as pure functions: the machine feeds them what
// its actors answered and carries out the effects they ask for. Kept apart
// from XState so every rule of SPEC §8 and §9 can be tested, and
// property-tested against a simulated world.

/** Work the supervisor asks for; the machine spawns one actor per effect. */
export type Effect =
  | { kind: 'start'; childId: string; attempt: number; spawnHead: string }
  | { kind: 'run'; childId: string; attempt: number; deadline: number | null }
  | { kind: 'merge'; children: RoundChild[]; ours: string; changesetId: string | null }
  | { kind: 'cancel'; childIds: string[]; reason: string };

/** What happened: the supervisor began (or began again), or one of its actors answered or threw. */
export type Happening =
  | { kind: 'begin' }
  | { kind: 'started'; childId: string; attempt: number; startedAt: number }
  | { kind: 'ran'; childId: string; attempt: number; output: RunChildOutput }
  | { kind: 'merged'; childId: string; output: MergeChildOutput }
  | { kind: 'cancelled' }
  | {
      kind: 'crashed';
      actor: 'start' | 'run' | 'merge' | 'cancel';
      childId: string | null;
      attempt: number | null;
      error: ActorFailure;
    };

/** The supervisor after a happening: its new state, what to do, what to tell the parent, and how it ended if it did. */
export interface Advance {
  state: SupervisorState;
  effects: Effect[];
  changes: ChildChange[];
  spawned: string[];
  merged?: { children: MergedChild[]; changeset: Changeset | null };
  end: SupervisorOutput | null;
}

/** The first state of a group: every child pending, nothing merged. */
export function initialState(options: {
  planId: string;
  stepIndex: number;
  groupDecisionId: string;
  config: GroupConfig;
  children: SupervisedChild[];
  head: string;
  changesetId?: string | null;
}): SupervisorState {
  const statuses: Record<string, ChildState> = {};
  for (const child of options.children) {
    statuses[child.childId] = {
      status: 'pending',
      attempt: 0,
      error: null,
      spawnHead: null,
      deadline: null,
      head: null,
      merged: false,
      started: false,
    };
  }
  return {
    ...options,
    changesetId: options.changesetId ?? null,
    mergeOrder: mergeOrderOf(options.children, options.config.mode),
    statuses,
    forkHead: options.head,
    stopping: false,
    merging: [],
    cancelling: 0,
  };
}

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

/** A child that will not change any more in this group. */
function isSettled(child: ChildState, stopping: boolean): boolean {
  if (child.merged) return true;
  if (child.status === 'failed' || child.status === 'cancelled' || child.status === 'invalidated') return true;
  // fail-fast: what completed is not merged any more
  return stopping && child.status === 'complete';
}

/** Children with an attempt under way. */
function runningChildren(state: SupervisorState): string[] {
  return state.children.filter(({ childId }) => isActive(state.statuses[childId]!)).map(({ childId }) => childId);
}

function isActive(child: ChildState): boolean {
  return child.status === 'running' || child.status === 'retrying';
}

/**
 * Feed the supervisor one happening. Pure: the same state and happening
 * always give the same answer.
 */
export function advance(previous: SupervisorState, happening: Happening): Advance {
  const state: SupervisorState = { ...previous, statuses: { ...previous.statuses } };
  const effects: Effect[] = [];
  const spawned: string[] = [];
  let merged: Advance['merged'];
  let end: SupervisorOutput | null = null;
  const set = (childId: string, change: Partial<ChildState>) => {
    state.statuses[childId] = { ...state.statuses[childId]!, ...change };
  };
  const startAttempt = (childId: string, attempt: number, spawnHead: string) => {
    set(childId, {
      status: attempt === 1 ? 'running' : 'retrying',
      attempt,
      spawnHead,
      deadline: null,
      head: null,
      started: false,
    });
    effects.push({ kind: 'start', childId, attempt, spawnHead });
  };
  const fail = (childId: string, error: ActorFailure, cancelled: boolean) => {
    const child = state.statuses[childId]!;
    const retryable =
      !cancelled &&
      error.code !== 'VALIDATION_ERROR' &&
      error.code !== 'CANCELLED' &&
      child.attempt <= state.config.retries &&
      !state.stopping;
    if (retryable) return startAttempt(childId, child.attempt + 1, child.spawnHead ?? state.head);
    set(childId, { status: cancelled || error.code === 'CANCELLED' ? 'cancelled' : 'failed', error: planError(error) });
    if (state.config.failurePolicy === 'fail-fast') stop(`${nameOf(state, childId)} failed`);
  };
  const stop = (reason: string) => {
    if (state.stopping) return;
    state.stopping = true;
    const running = runningChildren(state);
    for (const childId of state.children.map((child) => child.childId)) {
      const child = state.statuses[childId]!;
      if (child.status === 'pending' || isActive(child))
        set(childId, {
          status: 'cancelled',
          error: planError({ code: 'CANCELLED', message: `cancelled: ${reason} (fail-fast)` }),
        });
    }
    if (running.length > 0) {
      state.cancelling += 1;
      effects.push({ kind: 'cancel', childIds: running, reason: `${reason} (fail-fast)` });
    }
  };

  switch (happening.kind) {
    case 'begin':
      // a supervisor (re)started from a saved state: resume what was under way
      for (const childId of runningChildren(state)) {
        const child = state.statuses[childId]!;
        effects.push(
          child.started
            ? { kind: 'run', childId, attempt: child.attempt, deadline: child.deadline }
            : { kind: 'start', childId, attempt: child.attempt, spawnHead: child.spawnHead ?? state.head },
        );
      }
      if (state.merging.length > 0) effects.push(mergeEffect(state, state.merging));
      if (state.cancelling > 0) {
        // the cancellation was cut short with the supervisor: carry it out again
        const cancelled = state.children
          .filter(({ childId }) => state.statuses[childId]!.status === 'cancelled')
          .map(({ childId }) => childId);
        state.cancelling = cancelled.length > 0 ? 1 : 0;
        if (cancelled.length > 0) effects.push({ kind: 'cancel', childIds: cancelled, reason: 'fail-fast' });
      }
      break;
    case 'started': {
      const child = state.statuses[happening.childId];
      if (!child || !isActive(child) || child.attempt !== happening.attempt) break;
      const deadline = state.config.timeoutMs === null ? null : happening.startedAt + state.config.timeoutMs;
      set(happening.childId, { deadline, started: true });
      effects.push({ kind: 'run', childId: happening.childId, attempt: happening.attempt, deadline });
      break;
    }
    case 'ran': {
      const child = state.statuses[happening.childId];
      // an answer for an attempt that is over (cancelled by fail-fast, superseded) changes nothing
      if (!child || !isActive(child) || child.attempt !== happening.attempt) break;
      const { output } = happening;
      if (output.ok) set(happening.childId, { status: 'complete', head: output.head, error: null });
      // cancelled on purpose: recorded as cancelled, not retried, and no reason to stop the others (fail-fast)
      else if (output.withdrawn === true)
        set(happening.childId, { status: 'cancelled', error: planError(output.error), withdrawn: true });
      else fail(happening.childId, output.error, output.cancelled === true);
      break;
    }
    case 'merged': {
      // the answer of the round under way (its first child names it)
      if (state.merging[0] !== happening.childId) break;
      state.merging = [];
      const { output } = happening;
      for (const child of output.merged) {
        state.head = child.head;
        set(child.childId, { merged: true });
      }
      if (output.merged.length > 0) {
        state.changesetId = output.changeset?.id ?? state.changesetId;
        merged = { children: output.merged, changeset: output.changeset };
      }
      const { stopped } = output;
      if (stopped && 'merge' in stopped)
        end = { outcome: 'conflict', state, childId: stopped.childId, merge: stopped.merge };
      else if (stopped) {
        set(stopped.childId, { status: 'failed', error: planError(stopped.error) });
        end = { outcome: 'merge-failed', state, childId: stopped.childId, error: stopped.error };
      }
      break;
    }
    case 'cancelled':
      state.cancelling = Math.max(0, state.cancelling - 1);
      break;
    case 'crashed': {
      const { error } = happening;
      if (happening.actor === 'cancel') state.cancelling = Math.max(0, state.cancelling - 1);
      else if (happening.actor === 'merge') {
        // the round's actor threw: nothing of it is known to have merged; its first child fails
        const childId = state.merging[0] ?? null;
        if (childId !== null && childId === happening.childId) {
          state.merging = [];
          set(childId, { status: 'failed', error: planError(error) });
          end = { outcome: 'merge-failed', state, childId, error };
        }
      } else if (happening.childId !== null) {
        const child = state.statuses[happening.childId];
        if (child && isActive(child) && child.attempt === happening.attempt) fail(happening.childId, error, false);
      }
      break;
    }
  }

  if (end === null) {
    schedule(state, effects, spawned);
    if (isFinished(state)) {
      // a child cancelled on purpose is not a failure of the group: its changes are simply not merged
      const failed = state.children
        .filter(({ childId }) => !state.statuses[childId]!.merged && state.statuses[childId]!.withdrawn !== true)
        .map(({ childId }) => childId);
      end = { outcome: 'done', state, failed };
    }
  }
  return { state, effects, changes: changesBetween(previous, state), spawned, ...(merged ? { merged } : {}), end };
}

// start the next merge and the children that may start now
function schedule(state: SupervisorState, effects: Effect[], spawned: string[]): void {
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

function isFinished(state: SupervisorState): boolean {
  if (state.merging.length > 0 || state.cancelling > 0) return false;
  return state.children.every(({ childId }) => isSettled(state.statuses[childId]!, state.stopping));
}

function mergeEffect(state: SupervisorState, childIds: readonly string[]): Effect {
  const children = childIds.map((childId): RoundChild => {
    const child = state.statuses[childId]!;
    const base = child.spawnHead ?? state.forkHead;
    return { child: childOf(state, childId), base, theirs: child.head ?? base };
  });
  return { kind: 'merge', children, ours: state.head, changesetId: state.changesetId };
}

function childOf(state: SupervisorState, childId: string): SupervisedChild {
  return state.children.find((child) => child.childId === childId)!;
}

function nameOf(state: SupervisorState, childId: string): string {
  return state.children.find((child) => child.childId === childId)?.name ?? childId;
}

function planError(error: ActorFailure): PlanError {
  return {
    code: error.code,
    message: error.message,
    phase: 'execute',
    ...(error.details === undefined ? {} : { details: error.details }),
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    retryable: error.retryable ?? isRetryableByDefault(error.code),
  };
}

// in the order they happened: what ended or freed a slot, then what took one (a child
// starts in the same step as the completion that freed its slot, never before it)
function changesBetween(before: SupervisorState, after: SupervisorState): ChildChange[] {
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

/**
 * The state after the user resolved the conflicts of a child's merge and
 * the merge commit `head` was made: the child is merged, the parent's
 * sandbox is at `head`. The supervisor goes on from there.
 */
export function resolvedMerge(state: SupervisorState, childId: string, head: string): SupervisorState {
  return {
    ...state,
    head,
    merging: [],
    statuses: { ...state.statuses, [childId]: { ...state.statuses[childId]!, merged: true } },
  };
}

/**
 * The state right after the child at `index` of a merge round merged: the
 * parent's sandbox at its head, the round's later children not merged yet
 * and no round under way — so a plan restored to it merges them again.
 * `state` is the state after the round.
 */
export function roundStateAt(state: SupervisorState, round: readonly MergedChild[], index: number): SupervisorState {
  const statuses = { ...state.statuses };
  for (const later of round.slice(index + 1)) statuses[later.childId] = { ...statuses[later.childId]!, merged: false };
  return { ...state, head: round[index]!.head, merging: [], statuses };
}
