import type { Changeset } from '../../src/domain/index.js';
import type { ActorFailure } from '../outcomes.js';
import { changesBetween, isActive, nameOf, planError, runningChildren } from './child-states.js';
import { mergeEffect, type Effect } from './effects.js';
import { isFinished, mergeOrderOf, schedule } from './schedule.js';
import type {
  ChildChange,
  ChildState,
  GroupConfig,
  MergeChildOutput,
  MergedChild,
  RunChildOutput,
  SupervisedChild,
  SupervisorOutput,
  SupervisorState,
} from './types.js';

// The supervisor's decisions as pure functions: the machine feeds them what
// its actors answered and carries out the effects they ask for. Kept apart
// from XState so every rule of SPEC §8 and §9 can be tested, and
// property-tested against a simulated world. Who goes next is schedule.ts;
// what a child's state says, child-states.ts.

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
