import { TroupeError } from '../../src/domain/index.js';
import { resolvedMerge } from '../subplan-supervisor/index.js';
import type { CommitMergeOutput } from './actor-io.js';
import { journal } from './journal.js';
import type { PlanContext } from './plan-context.js';
import { planSetup } from './plan-setup.js';
import { requireSandbox } from './require-sandbox.js';

// Resolving (SPEC §9): a merge that surfaced conflicts — apply's into the
// project, or a child's into this plan's sandbox — waits while the user
// resolves each file (`plan.resolve`, handled at the root), then the merge
// commit is made. Only file names live in context; the conflicts are stored
// beside the snapshot.

/** Every conflict of the pending merge is resolved (or there is none): the merge commit can be made. */
export function hasNoConflicts({ context }: { context: PlanContext }): boolean {
  return (context.merge?.open.length ?? 0) === 0;
}

/**
 * The guards of resolving, for `setup`.
 *
 * @example
 * planSetup.extend({ guards: resolvingGuards }).createStateConfig({ always: { guard: 'hasNoConflicts', target: 'merging' } });
 */
export const resolvingGuards = { hasNoConflicts };

/**
 * The actions of resolving, for `setup`: the merge commit recorded, and kept
 * for apply or landed in the sandbox for a child.
 *
 * @example
 * planSetup.extend({ actions: resolvingActions, guards: resolvingGuards });
 */
export const resolvingActions = {
  /**
   * The merge commit of a resolved merge was made: its `merge` decision, the
   * conflict records dropped and `merge.completed`, in one batch.
   */
  recordMergeCommit: planSetup.enqueueActions(({ context, event, enqueue }) => {
    const merge = requireMerge(context);
    const output = (event as unknown as { output: CommitMergeOutput }).output;
    const childName = childNameOf(context);
    enqueue.emit({
      type: 'merge',
      parentId: context.decisionRootId,
      merge: { ...merge, commit: output.commit },
      childName,
      resolved: output.resolved,
    });
    enqueue.emit({ type: 'conflicts', closed: merge.files });
    const data = { ...(merge.child ? { childId: merge.child } : {}), files: merge.files, commit: output.commit };
    enqueue.emit(journal({ type: 'merge.completed', phase: context.phase, data }));
    // `plan changes` shows the resolved merge, not the head from before it
    if (output.changeset) {
      enqueue.emit({ type: 'changeset', changeset: output.changeset });
      enqueue.assign({ changesetId: output.changeset.id });
    }
  }),
  /** Apply's merge commit is made: keep it, for the next apply to commit on the project's branch. */
  keepMergeCommit: planSetup.assign({
    merge: ({ context, event }) => ({
      ...requireMerge(context),
      open: [],
      commit: (event as unknown as { output: CommitMergeOutput }).output.commit,
    }),
  }),
  /** A child's merge commit landed in the sandbox: the sandbox is there, the child merged, the group goes on. */
  landMergeInSandbox: planSetup.assign(({ context, event }) => {
    const { commit } = (event as unknown as { output: CommitMergeOutput }).output;
    const merge = requireMerge(context);
    return {
      sandbox: { ...requireSandbox(context), headCommit: commit },
      group: merge.child && context.group ? resolvedMerge(context.group, merge.child, commit) : context.group,
      merge: null,
    };
  }),
};

const resolvingSetup = planSetup.extend({ actions: resolvingActions, guards: resolvingGuards });

/**
 * The states where a merge waits on conflicts (SPEC §9): `waiting` until the
 * user resolved every file, then `merging` makes the merge commit and the
 * plan goes back to `queued`, having done `landed` with it.
 *
 * @example
 * states: { queued: {}, ...resolvingStates('keepMergeCommit'), failed: {} }
 */
export function resolvingStates(landed: 'keepMergeCommit' | 'landMergeInSandbox') {
  return {
    waiting: resolvingSetup.createStateConfig({
      always: { guard: 'hasNoConflicts', target: 'merging' },
    }),
    merging: resolvingSetup.createStateConfig({
      invoke: {
        src: 'commitMerge',
        input: ({ context }) => ({
          planId: context.planId,
          name: context.name,
          merge: requireMerge(context),
          sandbox: context.sandbox,
          changesetId: context.changesetId,
          childName: childNameOf(context),
        }),
        onDone: { target: 'queued', actions: ['recordMergeCommit', landed] },
        onError: { target: 'failed', actions: 'failFromThrow' },
      },
    }),
  };
}

// the child plan a pending merge is of, by name (its id when unknown); null for apply
function childNameOf(context: PlanContext): string | null {
  const child = context.merge?.child ?? null;
  return child === null ? null : (context.subplanStatuses[child]?.name ?? child);
}

function requireMerge(context: PlanContext) {
  if (!context.merge)
    throw new TroupeError('INTERNAL_ERROR', `plan ${context.name} is merging without a pending merge`);
  return context.merge;
}
