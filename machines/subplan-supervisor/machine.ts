import { enqueueActions, sendParent, setup } from 'xstate';
import { toPlanError } from '../../src/domain/index.js';
import type { ActorFailure } from '../outcomes.js';
import type { Effect } from './effects.js';
import { advance, type Advance, type Happening } from './logic.js';
import type {
  CancelChildrenInput,
  MergeChildInput,
  MergeChildOutput,
  RunChildInput,
  RunChildOutput,
  StartChildInput,
  StartChildOutput,
  SupervisorOutput,
  SupervisorReport,
  SupervisorState,
} from './types.js';
import { requiredActor } from '../required-actor.js';

// the runtime provides the real actors (actors/); these defaults say what is missing
const required = <TOutput, TInput>(name: string) => requiredActor<TOutput, TInput>('subplanSupervisorMachine', name);

/** The supervisor's context: the group's state, and how it ended once it did. */
export interface SupervisorContext {
  state: SupervisorState;
  end: SupervisorOutput | null;
}

// actor ids carry what an answer is about: `run:<childId>:<attempt>`; ULIDs hold no ':'
function actorId(effect: Effect): string {
  switch (effect.kind) {
    case 'start':
    case 'run':
      return `${effect.kind}:${effect.childId}:${effect.attempt}`;
    case 'merge':
      // a round is named by its first child
      return `merge:${effect.children[0]!.child.childId}`;
    case 'cancel':
      return `cancel:${effect.childIds.join(',')}`;
  }
}

function happeningOf(event: { type: string; output?: unknown; error?: unknown }): Happening | null {
  const done = event.type.startsWith('xstate.done.actor.');
  const id = event.type.slice(done ? 'xstate.done.actor.'.length : 'xstate.error.actor.'.length);
  const [kind, childId = null, attemptText] = id.split(':');
  const attempt = attemptText === undefined ? null : Number(attemptText);
  if (!done) {
    if (kind !== 'start' && kind !== 'run' && kind !== 'merge' && kind !== 'cancel') return null;
    const error = toPlanError(event.error, 'execute');
    const failure: ActorFailure = {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      ...(error.details ? { details: error.details } : {}),
      // the fix the error names (a missing actor says how to provide it)
      ...(error.hint ? { hint: error.hint } : {}),
    };
    return { kind: 'crashed', actor: kind, childId, attempt, error: failure };
  }
  switch (kind) {
    case 'start':
      return {
        kind: 'started',
        childId: childId!,
        attempt: attempt!,
        startedAt: (event.output as StartChildOutput).startedAt,
      };
    case 'run':
      return { kind: 'ran', childId: childId!, attempt: attempt!, output: event.output as RunChildOutput };
    case 'merge':
      return { kind: 'merged', childId: childId!, output: event.output as MergeChildOutput };
    case 'cancel':
      return { kind: 'cancelled' };
    default:
      return null;
  }
}

/**
 * Supervises one group of child plans of a plan in execute (SPEC §8, §9;
 * DESIGN §3): starts children through `startChild` (idempotent per
 * attempt), waits for each through `runChild`, keeps at most `maxParallel`
 * attempts under way, retries, cancels on fail-fast through
 * `cancelChildren`, and merges finished children into the parent's sandbox
 * in the deterministic merge order through `mergeChild`, in rounds: one
 * round at a time, each taking every child ready when it starts. It
 * tells its parent every change (`subplans.changed`, with its whole state)
 * and ends with the state and how the group ended. Its input is a
 * {@link SupervisorState}, so it can start again from any saved state.
 *
 * @example
 * const supervisor = subplanSupervisorMachine.provide({ actors: { startChild, runChild, mergeChild, cancelChildren } });
 */
export const subplanSupervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    input: {} as SupervisorState,
    output: {} as SupervisorOutput,
  },
  actors: {
    startChild: required<StartChildOutput, StartChildInput>('startChild'),
    runChild: required<RunChildOutput, RunChildInput>('runChild'),
    mergeChild: required<MergeChildOutput, MergeChildInput>('mergeChild'),
    cancelChildren: required<void, CancelChildrenInput>('cancelChildren'),
  },
  guards: {
    /** Every child settled, or a merge stopped the group. */
    hasEnded: ({ context }) => context.end !== null,
  },
  actions: {
    /** Feed the happening to the supervisor's rules, carry out the effects, tell the parent. */
    apply: enqueueActions(({ context, event, enqueue, self }, params: { happening?: Happening }) => {
      const happening = params.happening ?? happeningOf(event as { type: string });
      if (!happening) return;
      const next: Advance = advance(context.state, happening);
      // a finished actor is dropped, so the persisted snapshot holds only what runs
      if (event.type.startsWith('xstate.done.actor.') || event.type.startsWith('xstate.error.actor.')) {
        const id = event.type.replace(/^xstate\.(done|error)\.actor\./, '');
        if (self.getSnapshot().children[id]) enqueue.stopChild(id);
      }
      enqueue.assign({ state: next.state, end: next.end });
      for (const effect of next.effects) {
        const id = actorId(effect);
        const { planId } = next.state;
        switch (effect.kind) {
          case 'start': {
            const child = next.state.children.find((candidate) => candidate.childId === effect.childId)!;
            enqueue.spawnChild('startChild', {
              id,
              input: {
                planId,
                child,
                attempt: effect.attempt,
                spawnHead: effect.spawnHead,
                contextView: next.state.config.contextView,
              },
            });
            break;
          }
          case 'run':
            enqueue.spawnChild('runChild', {
              id,
              input: { planId, childId: effect.childId, attempt: effect.attempt, deadline: effect.deadline },
            });
            break;
          case 'merge':
            enqueue.spawnChild('mergeChild', {
              id,
              input: {
                planId,
                children: effect.children,
                ours: effect.ours,
                strategy: next.state.config.mergeStrategy,
                changesetId: effect.changesetId,
              },
            });
            break;
          case 'cancel':
            enqueue.spawnChild('cancelChildren', {
              id,
              input: { planId, childIds: effect.childIds, reason: effect.reason },
            });
            break;
        }
      }
      if (next.changes.length > 0 || next.spawned.length > 0 || next.merged || happening.kind === 'begin') {
        const report: SupervisorReport = {
          type: 'subplans.changed',
          state: next.state,
          changes: next.changes,
          spawned: next.spawned,
          ...(next.merged ? { merged: next.merged } : {}),
        };
        enqueue(sendParent(report));
      }
    }),
  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({ state: input, end: null }),
  initial: 'supervising',
  states: {
    supervising: {
      entry: { type: 'apply', params: { happening: { kind: 'begin' } } },
      on: {
        'xstate.done.actor.*': { actions: { type: 'apply', params: {} } },
        'xstate.error.actor.*': { actions: { type: 'apply', params: {} } },
      },
      always: { guard: 'hasEnded', target: 'ended' },
    },
    ended: { type: 'final' },
  },
  output: ({ context }) => context.end!,
});
