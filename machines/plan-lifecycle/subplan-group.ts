import { assign, emit } from 'xstate';
import { TroupeError, addPredictions, type PredictedConflict } from '../../src/domain/index.js';
import {
  roundStateAt,
  type SupervisorOutput,
  type SupervisorReport,
  type SupervisorState,
} from '../subplan-supervisor/index.js';
import { checkpointEmitted } from './checkpoints.js';
import { journal } from './journal.js';
import type { PlanContext } from './plan-context.js';
import { planSetup } from './plan-setup.js';
import { requireSandbox } from './require-sandbox.js';
import { groupFailure, subplanJournalEntries, subplanStatusesAfter } from './subplan-records.js';

// A step that is a group of subplans (SPEC §8): the supervisor child machine
// starts, watches and merges the children; this plan keeps its reports, and
// the step ends when the supervisor does — reconciled like any step, waiting
// on the user when a child's merge conflicts, failed when a child failed.

/**
 * The guards of a group of subplans, for `setup`.
 *
 * @example
 * planSetup.extend({ guards: groupGuards }).createStateConfig({ always: { guard: 'isGroupStep', target: 'group' } });
 */
export const groupGuards = {
  /** The next step is a group of subplans. */
  isGroupStep: ({ context }: { context: PlanContext }) =>
    context.groupSteps.includes((context.lastCompletedStep ?? -1) + 1),
  /** The group's supervision is already known (resuming after a conflicting merge was resolved). */
  hasGroup: ({ context }: { context: PlanContext }) =>
    context.group !== null && context.group.stepIndex === (context.lastCompletedStep ?? -1) + 1,
  /** Every child of the group merged. */
  groupSucceeded: ({ event }: { event: unknown }) => {
    const output = (event as { output?: SupervisorOutput }).output;
    return output?.outcome === 'done' && output.failed.length === 0;
  },
  /** Predicted conflicts of this plan's current group (any other group is over: they are stale). */
  isGroupPrediction: ({ context, event }: { context: PlanContext; event: unknown }) => {
    const { step } = event as { step?: number };
    return context.group !== null && context.group.stepIndex === step;
  },
  /** A child's merge into this plan's sandbox conflicts: the user resolves it. */
  groupConflicted: ({ event }: { event: unknown }) =>
    (event as { output?: SupervisorOutput }).output?.outcome === 'conflict',
};

/**
 * The actions of a group of subplans, for `setup`.
 *
 * @example
 * planSetup.extend({ actions: groupActions }).createStateConfig({ on: { 'subplans.changed': { actions: 'recordSubplans' } } });
 */
export const groupActions = {
  /** Conflicts predicted between running children: kept for the record, journaled once per pair and file. */
  recordPredictions: planSetup.enqueueActions(({ context, event, enqueue }) => {
    const { predictions } = event as { predictions: PredictedConflict[] };
    const { all, added } = addPredictions(context.predictedConflicts ?? [], predictions);
    if (added.length === 0) return;
    enqueue.assign({ predictedConflicts: all });
    for (const { step, children, names, files, kinds } of added) {
      const pair = children.map((childId, at) => ({ childId, name: names[at] }));
      enqueue.emit(
        journal({ type: 'conflict.predicted', phase: 'execute', data: { step, children: pair, files, kinds } }),
      );
    }
  }),
  /** The supervisor reported: keep its state, journal what changed, record what a strategy settled. */
  recordSubplans: planSetup.enqueueActions(({ context, event, enqueue }) => {
    const report = event as unknown as SupervisorReport;
    const subplanStatuses = subplanStatusesAfter(context.subplanStatuses, report);
    enqueue.assign({ group: report.state, subplanStatuses });
    // the plan as this report leaves it
    let now: PlanContext = { ...context, group: report.state, subplanStatuses };
    if (report.merged) {
      const { children, changeset } = report.merged;
      const changesetId = changeset?.id ?? context.changesetId;
      if (changeset) enqueue.emit({ type: 'changeset', changeset });
      now = { ...now, sandbox: { ...requireSandbox(context), headCommit: children.at(-1)!.head }, changesetId };
      enqueue.assign({ sandbox: now.sandbox, changesetId });
      // each child of the round: its journal entry and a checkpoint of the state right after it merged
      children.forEach(({ childId, head, settled, files }, index) => {
        if (settled.length > 0) enqueue.emit({ type: 'conflicts', settled, child: childId });
        const name = report.state.children.find((child) => child.childId === childId)?.name;
        enqueue.emit(
          journal({ type: 'merge.completed', phase: 'execute', data: { childId, name, files, commit: head } }),
        );
        const merged = {
          ...now,
          group: roundStateAt(report.state, children, index),
          sandbox: { ...requireSandbox(context), headCommit: head },
        };
        enqueue.emit(checkpointEmitted('post-merge', merged, { phase: 'execute', status: 'queued' }));
      });
    }
    // after the merges they followed (a child that waited for one starts in the same report): what freed
    // a slot before what took it, as execution had it
    for (const entry of subplanJournalEntries(report)) enqueue.emit(journal(entry));
    // a round of merges into this sandbox starts: the state just before it
    // (after the round before it, when that one ended in this report)
    if (report.state.merging.length > 0 && report.state.merging[0] !== context.group?.merging[0]) {
      enqueue.emit(
        checkpointEmitted(
          'pre-merge',
          { ...now, group: { ...report.state, merging: [] } },
          { phase: 'execute', status: 'queued' },
        ),
      );
    }
  }),
};

const groupSetup = planSetup.extend({ actions: groupActions, guards: groupGuards });

/**
 * The `group` state of execute: the group is loaded from its decisions (or
 * kept, when a conflicting merge was resolved), then supervised until every
 * child merged, one failed, or a merge conflicts.
 *
 * @example
 * executeSetup.createStateConfig({ initial: 'next', states: { next: {}, group: groupState } });
 */
export const groupState = groupSetup.createStateConfig({
  entry: emit(({ context }) =>
    journal({ type: 'step.started', phase: 'execute', data: { index: (context.lastCompletedStep ?? -1) + 1 } }),
  ),
  initial: 'deciding',
  states: {
    deciding: {
      always: [{ guard: 'hasGroup', target: 'supervising' }, { target: 'loading' }],
    },
    loading: {
      invoke: {
        src: 'loadGroup',
        input: ({ context }) => ({
          planId: context.planId,
          name: context.name,
          index: (context.lastCompletedStep ?? -1) + 1,
          head: requireSandbox(context).headCommit,
          changesetId: context.changesetId,
        }),
        onDone: {
          target: 'supervising',
          actions: assign({
            group: ({ event }) => event.output,
            subplanConfig: ({ event }) => ({ ...event.output.config, stepIndex: event.output.stepIndex }),
            // a new group: what was predicted between the last one's children is history (the journal keeps it)
            predictedConflicts: [],
          }),
        },
        onError: { target: '#plan.execute.failed', actions: 'failFromThrow' },
      },
    },
    supervising: {
      invoke: {
        id: 'supervisor',
        src: 'supervise',
        input: ({ context }) => requireGroup(context),
        onDone: [
          {
            guard: 'groupSucceeded',
            target: '#plan.execute.processing.reconciling',
            actions: [
              assign(({ context, event }) => {
                const { state } = event.output as SupervisorOutput;
                return {
                  lastCompletedStep: state.stepIndex,
                  sandbox: { ...requireSandbox(context), headCommit: state.head },
                  group: null,
                  // the group wrote when its merges moved the sandbox from where it stood when the group
                  // started (the context's head already followed each merge: recordSubplans)
                  pendingReconcile: {
                    trigger: 'post-step' as const,
                    decisionId: state.groupDecisionId,
                    step: state.stepIndex,
                    wrote: state.head !== state.forkHead,
                  },
                };
              }),
              emit(({ event }) => {
                const { state } = event.output as SupervisorOutput;
                return journal({
                  type: 'step.completed',
                  phase: 'execute',
                  data: { index: state.stepIndex, commit: state.head },
                });
              }),
            ],
          },
          {
            guard: 'groupConflicted',
            target: '#plan.execute.waiting',
            actions: [
              assign(({ event }) => {
                const output = event.output as Extract<SupervisorOutput, { outcome: 'conflict' }>;
                const { base, ours, theirs, clean, conflicts } = output.merge;
                const files = conflicts.map((conflict) => conflict.file);
                return {
                  group: output.state,
                  merge: {
                    target: 'sandbox' as const,
                    child: output.childId,
                    base,
                    ours,
                    theirs,
                    clean,
                    files,
                    open: files,
                    commit: null,
                  },
                };
              }),
              emit(({ event }) => {
                const output = event.output as Extract<SupervisorOutput, { outcome: 'conflict' }>;
                return { type: 'conflicts' as const, open: output.merge.conflicts, child: output.childId };
              }),
              emit(({ event }) => {
                const output = event.output as Extract<SupervisorOutput, { outcome: 'conflict' }>;
                const name = output.state.children.find((child) => child.childId === output.childId)?.name;
                return journal({
                  type: 'merge.conflict',
                  phase: 'execute',
                  data: {
                    childId: output.childId,
                    name,
                    files: output.merge.conflicts.map((conflict) => conflict.file),
                  },
                });
              }),
              'stopDriving',
            ],
          },
          {
            target: '#plan.execute.failed',
            actions: [
              assign(({ event }) => {
                // a conflict took the branch above
                const output = event.output as Exclude<SupervisorOutput, { outcome: 'conflict' }>;
                return { group: output.state, error: groupFailure(output) };
              }),
              emit(({ context }) =>
                journal({
                  type: 'step.failed',
                  phase: 'execute',
                  data: { index: context.group?.stepIndex, code: context.error?.code, message: context.error?.message },
                }),
              ),
            ],
          },
        ],
        onError: { target: '#plan.execute.failed', actions: 'failFromThrow' },
      },
      on: {
        'subplans.changed': { actions: 'recordSubplans' },
      },
    },
  },
});

function requireGroup(context: PlanContext): SupervisorState {
  if (!context.group)
    throw new TroupeError('INTERNAL_ERROR', `plan ${context.name} is supervising subplans without a group`);
  return context.group;
}
