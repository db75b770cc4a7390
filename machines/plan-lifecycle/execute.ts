import { and, assign, emit, enqueueActions, not } from 'xstate';
import { driveTarget, type JournalEntry, type PlanError } from '../../src/domain/index.js';
import type { StepOutcome } from './actor-io.js';
import { checkpointEmitted } from './checkpoints.js';
import { failure } from './failure.js';
import { journal } from './journal.js';
import type { PendingReconcile, PlanContext } from './plan-context.js';
import { planSetup } from './plan-setup.js';
import { reconcilingSetup, reconcilingStates } from './reconciling.js';
import { requireSandbox } from './require-sandbox.js';
import { resolvingActions, resolvingGuards, resolvingStates } from './resolving.js';
import { isRead, readActions } from './reads.js';
import { groupActions, groupGuards, groupState } from './subplan-group.js';

/** Execute has decided steps it has not run yet. */
export function hasMoreSteps({ context }: { context: PlanContext }): boolean {
  return (context.lastCompletedStep ?? -1) + 1 < context.stepCount;
}

/**
 * The step that just succeeded is followed by a decided step that is not a
 * group: after it the plan goes straight on to that step (what `next`
 * would choose once the step is counted).
 */
export function continuesWithStep({ context, event }: { context: PlanContext; event: unknown }): boolean {
  const output = (event as { output?: StepOutcome }).output;
  if (output?.ok !== true) return false;
  const next = output.index + 1;
  return next < context.stepCount && !context.groupSteps.includes(next);
}

/** The plan is agent-driven: when its decided steps ran, it stays open for steps from outside (SPEC §16). */
export function isOpen({ context }: { context: PlanContext }): boolean {
  return context.open;
}

/**
 * The guards of execute, for `setup`.
 *
 * @example
 * planSetup.extend({ guards: executeGuards }).createStateConfig({ always: { guard: 'hasMoreSteps', target: 'step' } });
 */
export const executeGuards = { hasMoreSteps, continuesWithStep, isOpen, isRead };

/**
 * The actions of execute, for `setup`: what a step that succeeded changes.
 *
 * @example
 * planSetup.extend({ actions: executeActions }).createStateConfig({ invoke: { src: 'executeStep', onDone: { actions: 'passStep' } } });
 */
export const executeActions = {
  ...readActions,
  /** A step succeeded: its calls and `step.completed` journaled, its position, commit and changeset taken, its reconciliation pending. */
  succeedStep: planSetup.enqueueActions(({ context, event, enqueue }) => {
    const outcome = (event as unknown as { output: Extract<StepOutcome, { ok: true }> }).output;
    if (context.open) enqueue.emit(journal({ type: 'step.started', phase: 'execute', data: { index: outcome.index } }));
    enqueue.emit({ type: 'journal' as const, entry: callsEntry(outcome) });
    enqueue.assign(succeededStep(context, outcome, true));
    enqueue.emit(journal({ type: 'step.completed', phase: 'execute', data: completedData(outcome) }));
    // the changeset only changes when the step wrote something
    if (outcome.changeset) enqueue.emit({ type: 'changeset', changeset: outcome.changeset });
  }),
  /**
   * A step succeeded in a plan with nothing to reconcile: `succeedStep`,
   * `checkpointStep` and `forgetReconcile` as one action (one context
   * update per step, not three).
   */
  passStep: planSetup.enqueueActions(({ context, event, enqueue }) => {
    const outcome = (event as unknown as { output: Extract<StepOutcome, { ok: true }> }).output;
    const updates = succeededStep(context, outcome, false);
    if (context.open) enqueue.emit(journal({ type: 'step.started', phase: 'execute', data: { index: outcome.index } }));
    enqueue.emit({ type: 'journal' as const, entry: callsEntry(outcome) });
    enqueue.assign(updates);
    enqueue.emit(journal({ type: 'step.completed', phase: 'execute', data: completedData(outcome) }));
    if (outcome.changeset) {
      enqueue.emit({ type: 'changeset', changeset: outcome.changeset });
      // a step that wrote gets its checkpoint at its commit (as checkpointStep would)
      enqueue.emit(checkpointEmitted('step', { ...context, ...updates }, { phase: 'execute', status: 'queued' }));
    }
  }),
};

const executeSetup = reconcilingSetup.extend({
  actions: { ...resolvingActions, ...groupActions, ...executeActions },
  guards: { ...resolvingGuards, ...groupGuards, ...executeGuards },
});

/**
 * Execute (SPEC §5): the decided steps run one at a time, each reconciled
 * (`post-step`) before the next; a group of subplans is a step too. A step
 * that fails fails the phase with its structured error — unless the plan is
 * agent-driven and open, where a refused call changes nothing and the plan
 * stays open for the next (SPEC §16). A correction is reconciled here too.
 */
export const executeState = executeSetup.createStateConfig({
  initial: 'queued',
  states: {
    queued: {},
    processing: {
      entry: [
        { type: 'enterPhase', params: { phase: 'execute' } },
        { type: 'journalPhase', params: { type: 'phase.started' } },
        { type: 'checkpoint', params: { trigger: 'pre-execute', phase: 'execute', status: 'queued' } },
      ],
      initial: 'next',
      states: {
        next: {
          always: [
            { guard: and(['hasMoreSteps', 'isGroupStep']), target: 'group' },
            { guard: 'hasMoreSteps', target: 'step' },
            // an agent-driven plan waits for its agent's next call (SPEC §16)
            { guard: 'isOpen', target: 'open' },
            { target: '#plan.execute.complete' },
          ],
        },
        // open for steps from outside: each `plan.step` runs one more (its
        // decision is already the next in the step list); `plan.finish` ends execute
        open: {
          entry: 'stopDriving',
          on: {
            'plan.step': {
              target: 'next',
              actions: assign(({ context, event }) => {
                const index = (context.lastCompletedStep ?? -1) + 1;
                return {
                  stepCount: context.stepCount + 1,
                  groupSteps:
                    event.type === 'plan.step' && event.group ? [...context.groupSteps, index] : context.groupSteps,
                };
              }),
            },
            'plan.finish': {
              target: '#plan.execute.complete',
              actions: assign({
                target: ({ context, event }) =>
                  driveTarget(context.automation, 'execute', event.type === 'plan.finish' ? event.until : undefined),
              }),
            },
            // its agent cannot go on (a model that does not answer, or used up its calls)
            'plan.fail': {
              target: '#plan.execute.failed',
              actions: assign({
                error: ({ event }) =>
                  failure(
                    'execute',
                    event.type === 'plan.fail' ? event.error : { code: 'INTERNAL_ERROR', message: 'the agent failed' },
                  ),
              }),
            },
          },
        },
        // a group of subplans (SPEC §8): its supervisor starts, watches and merges the children
        group: groupState,
        step: {
          // an agent's call is journaled when it ended (step.started with its step.completed), as the step or the read it was
          entry: enqueueActions(({ context, enqueue }) => {
            if (context.open) return;
            const index = (context.lastCompletedStep ?? -1) + 1;
            enqueue.emit(journal({ type: 'step.started', phase: 'execute', data: { index } }));
          }),
          invoke: {
            src: 'executeStep',
            // on restore this input is computed again from the persisted
            // context, so a re-run starts from the last step commit
            input: ({ context }) => {
              const index = (context.lastCompletedStep ?? -1) + 1;
              return {
                planId: context.planId,
                index,
                sandbox: requireSandbox(context),
                changesetId: context.changesetId,
                discardOnFailure: context.open,
                // a correction's steps are the user's, numbered in its decision: never reads
                readIfUnchanged: context.open && context.correction === null,
              };
            },
            onDone: [
              // an agent's call that changed nothing: a read, no step (see reads.ts)
              { guard: 'isRead', target: 'next', actions: 'recordRead' },
              {
                // nothing to reconcile and a plain step next: straight into it, without
                // passing through `next`, whose guards would pick `step` anyway: one microstep,
                // its guards and a snapshot fewer per step (docs/explanation/performance.md)
                guard: and(['outcomeSucceeded', not('reconciles'), 'continuesWithStep']),
                target: 'step',
                reenter: true,
                actions: 'passStep',
              },
              {
                // nothing to reconcile: on to whatever comes next (a group, the open plan's wait, the end)
                guard: and(['outcomeSucceeded', not('reconciles')]),
                target: 'next',
                actions: 'passStep',
              },
              { guard: 'outcomeSucceeded', target: 'reconciling', actions: 'succeedStep' },
              {
                // an agent's call that troupe refused (an escape, a scope, a sandbox that
                // cannot start) changed nothing: it is recorded and the plan stays open (SPEC §16)
                guard: 'isOpen',
                target: 'next',
                actions: [
                  emit(({ event }) =>
                    journal({ type: 'step.started', phase: 'execute', data: { index: event.output.index } }),
                  ),
                  emit(({ event }) => ({ type: 'journal' as const, entry: callsEntry(event.output) })),
                  assign(({ context, event }) => {
                    const outcome = event.output as Extract<StepOutcome, { ok: false }>;
                    return {
                      lastCompletedStep: outcome.index,
                      toolCalls: context.toolCalls + outcome.calls.length,
                      sideEffects: context.sideEffects + sideEffectsOf(outcome),
                    };
                  }),
                  emit(({ event }) => {
                    const outcome = event.output as Extract<StepOutcome, { ok: false }>;
                    return journal({
                      type: 'step.failed',
                      phase: 'execute',
                      data: { index: outcome.index, code: outcome.error.code, message: outcome.error.message },
                    });
                  }),
                ],
              },
              {
                target: '#plan.execute.failed',
                actions: [
                  emit(({ event }) => ({ type: 'journal' as const, entry: callsEntry(event.output) })),
                  assign(({ context, event }) => {
                    const outcome = event.output as Extract<StepOutcome, { ok: false }>;
                    return {
                      toolCalls: context.toolCalls + outcome.calls.length,
                      sideEffects: context.sideEffects + sideEffectsOf(outcome),
                      error: stepFailure(context, outcome),
                    };
                  }),
                  emit(({ context, event }) =>
                    journal({
                      type: 'step.failed',
                      phase: 'execute',
                      data: {
                        index: event.output.index,
                        code: context.error?.code,
                        message: context.error?.message,
                      },
                    }),
                  ),
                ],
              },
            ],
            onError: { target: '#plan.execute.failed', actions: 'failFromThrow' },
          },
        },
        // after every step, before the next one starts (SPEC §1)
        reconciling: reconcilingStates('#plan.execute.processing.next', '#plan.execute.failed'),
      },
    },
    // a child's merge conflicts: the user resolves each file (plan.resolve, at the root);
    // the last one makes the merge commit, and execute goes on when the plan is next run (SPEC §9)
    ...resolvingStates('landMergeInSandbox'),
    // a correction was applied: its reconciliation decides whether execute may run again
    correcting: {
      entry: { type: 'enterPhase', params: { phase: 'execute' } },
      ...reconcilingStates('#plan.execute.queued', '#plan.execute.failed'),
    },
    // execute's phase checkpoint is its post-execute one (one checkpoint per moment)
    complete: {
      entry: [
        { type: 'journalPhase', params: { type: 'phase.completed' } },
        { type: 'checkpoint', params: { trigger: 'post-execute', phase: 'execute', status: 'complete' } },
      ],
      always: { guard: { type: 'continuesPast', params: { phase: 'execute' } }, target: '#plan.validate.processing' },
    },
    failed: { entry: ['journalFailure', 'stopDriving'] },
  },
});

/**
 * A failed step as the plan's error. Its hint ends with what works for the
 * plan as it now is — a step that failed cannot simply run again: a
 * correction appends steps that do it another way, a rollback goes back (a
 * step that timed out is the exception: `troupe plan execute` runs it again).
 */
function stepFailure(context: PlanContext, outcome: Extract<StepOutcome, { ok: false }>): PlanError {
  const error = failure('execute', outcome.error, outcome.index);
  if (error.retryable) return error;
  const name = context.name;
  const fix = `correct the plan: troupe plan correct ${name} --mode append --step '{"title": …, "tool": …, "input": …}' runs a step in its place, troupe plan rollback ${name} goes back`;
  return { ...error, hint: error.hint ? `${error.hint}; ${fix}` : fix };
}

// tool calls that went through and may have written to the sandbox
function sideEffectsOf(outcome: StepOutcome): number {
  return outcome.calls.filter((call) => call.success && call.writes).length;
}

// what step.completed says: the step, its commit, and the set-ID bits removed before it (docs/explanation/sandbox.md#who-a-command-is)
function completedData(outcome: Extract<StepOutcome, { ok: true }>): Record<string, unknown> {
  return {
    index: outcome.index,
    commit: outcome.headCommit,
    ...(outcome.setIdCleared && outcome.setIdCleared.length > 0 ? { setIdCleared: outcome.setIdCleared } : {}),
  };
}

function callsEntry(outcome: StepOutcome): JournalEntry {
  // one journal entry per step for its tool calls keeps the journal compact;
  // custom executors may call several tools in one step
  return { type: 'tool.called', phase: 'execute', data: { index: outcome.index, calls: outcome.calls } };
}

/**
 * What a succeeded step changes in its plan's context: position, counts,
 * commit, changeset, and the reconciliation it asks for when `reconciled`.
 */
function succeededStep(
  context: PlanContext,
  outcome: Extract<StepOutcome, { ok: true }>,
  reconciled: boolean,
): Partial<PlanContext> {
  const wrote = outcome.changeset !== null;
  const { correction } = context;
  // a correction's appended steps: checked once, after the last of them
  const pendingReconcile: PendingReconcile | null = !reconciled
    ? null
    : correction === null || outcome.index > correction.through
      ? { trigger: 'post-step', decisionId: outcome.decisionId, step: outcome.index, wrote }
      : outcome.index < correction.through
        ? { trigger: 'post-step', decisionId: outcome.decisionId, step: outcome.index, wrote, deferred: true }
        : { trigger: 'post-correction', decisionId: correction.decisionId, step: outcome.index, wrote };
  return {
    lastCompletedStep: outcome.index,
    toolCalls: context.toolCalls + outcome.calls.length,
    sideEffects: context.sideEffects + sideEffectsOf(outcome),
    sandbox: { ...requireSandbox(context), headCommit: outcome.headCommit },
    changesetId: outcome.changeset?.id ?? context.changesetId,
    pendingReconcile,
    correction: correction !== null && outcome.index < correction.through ? correction : null,
  };
}
