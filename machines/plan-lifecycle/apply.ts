import { assign, emit, enqueueActions } from 'xstate';
import type { SurfacedMerge } from '../outcomes.js';
import type { ApplyOutcome } from './actor-io.js';
import { failure } from './failure.js';
import { journal } from './journal.js';
import { planSetup } from './plan-setup.js';
import { requireSandbox } from './require-sandbox.js';
import { resolvingActions, resolvingGuards, resolvingStates } from './resolving.js';

/** The apply actor surfaced conflicts for the user instead of applying. */
export function surfacedConflicts({ event }: { event: unknown }): boolean {
  const output = (event as { output?: ApplyOutcome }).output;
  return output?.ok === false && 'merge' in output;
}

/**
 * The guards of apply, for `setup`.
 *
 * @example
 * planSetup.extend({ guards: applyGuards }).createStateConfig({ always: { guard: 'surfacedConflicts', target: 'waiting' } });
 */
export const applyGuards = { surfacedConflicts };

const applySetup = planSetup.extend({ actions: resolvingActions, guards: { ...resolvingGuards, ...applyGuards } });

/**
 * Apply (SPEC §5, §9): the sandbox's changes are merged into the project by
 * the plan's strategy, and the plan is done. A merge that conflicts leaves
 * the project untouched and waits on the user's resolutions; the next apply
 * commits the resolved merge. A child plan never applies: its parent merges it.
 */
export const applyState = applySetup.createStateConfig({
  initial: 'queued',
  states: {
    queued: {},
    processing: {
      entry: [
        { type: 'enterPhase', params: { phase: 'apply' } },
        { type: 'journalPhase', params: { type: 'phase.started' } },
      ],
      invoke: {
        src: 'apply',
        input: ({ context }) => ({
          planId: context.planId,
          name: context.name,
          sandbox: requireSandbox(context),
          strategy: context.applyStrategy,
          // resolved conflicts: apply the merge commit made on the project's then HEAD
          merged: context.merge?.commit ? { base: context.merge.ours, head: context.merge.commit } : null,
        }),
        onDone: [
          {
            guard: 'outcomeSucceeded',
            target: '#plan.done',
            actions: [
              assign({
                appliedCommit: ({ event }) => (event.output as Extract<ApplyOutcome, { ok: true }>).commit,
                merge: null,
              }),
              enqueueActions(({ event, enqueue }) => {
                const { resolved } = event.output as Extract<ApplyOutcome, { ok: true }>;
                if (resolved && resolved.length > 0) enqueue.emit({ type: 'conflicts', settled: resolved });
              }),
              emit(({ event }) => {
                const { commit, projects } = event.output as Extract<ApplyOutcome, { ok: true }>;
                return journal({
                  type: 'phase.completed',
                  phase: 'apply',
                  data: { commit, ...(projects ? { projects } : {}) },
                });
              }),
            ],
          },
          {
            // conflicts wait for the user; the project was not touched
            guard: 'surfacedConflicts',
            target: 'waiting',
            actions: [
              assign({
                merge: ({ event }) => {
                  const { base, ours, theirs, clean, conflicts } = (event.output as { merge: SurfacedMerge }).merge;
                  const files = conflicts.map((conflict) => conflict.file);
                  return {
                    target: 'project' as const,
                    child: null,
                    base,
                    ours,
                    theirs,
                    clean,
                    files,
                    open: files,
                    commit: null,
                  };
                },
              }),
              emit(({ event }) => ({
                type: 'conflicts' as const,
                open: (event.output as { merge: SurfacedMerge }).merge.conflicts,
              })),
              emit(({ event }) =>
                journal({
                  type: 'merge.conflict',
                  phase: 'apply',
                  data: {
                    files: (event.output as { merge: SurfacedMerge }).merge.conflicts.map((conflict) => conflict.file),
                  },
                }),
              ),
              'stopDriving',
            ],
          },
          {
            target: 'failed',
            actions: assign({
              error: ({ event }) => failure('apply', (event.output as Extract<ApplyOutcome, { error: unknown }>).error),
            }),
          },
        ],
        onError: { target: 'failed', actions: 'failFromThrow' },
      },
    },
    // the user resolves each file (plan.resolve, at the root); the last one makes the merge
    // commit, which the plan applies when it is next run (SPEC §9)
    ...resolvingStates('keepMergeCommit'),
    failed: { entry: ['journalFailure', 'stopDriving'] },
  },
});
