import { and, assign, emit, enqueueActions, not, or, stateIn } from 'xstate';
import { driveTarget, type JournalEntry, type Phase, type PlanError } from '../../src/domain/index.js';
import {
  driveReaches,
  hasMoreSteps,
  isOpenConflict,
  isRetryableFailure,
  isOpen,
  appendsSteps,
} from './guards.js';
import type { StepOutcome } from './actor-io.js';
import type { PendingReconcile, PlanContext } from './plan-context.js';
import { checkpointEmitted } from './checkpoints.js';
import { failure } from './failure.js';
import { journal } from './journal.js';
import { planSetup } from './plan-setup.js';
import { strategizeState } from './strategize.js';
import { groupActions, groupGuards, groupState } from './subplan-group.js';
import { validateState } from './validate.js';
import { applyGuards, applyState } from './apply.js';
import { resolvingActions, resolvingGuards, resolvingStates } from './resolving.js';
import { reconcilingActions, reconcilingGuards, reconcilingStates } from './reconciling.js';
import { requireSandbox } from './require-sandbox.js';

/**
 * Version of the persisted shape of this machine. Bump it when states or
 * context change incompatibly, and add a migration (DESIGN §3).
 *
 * @example
 * const stored = await store.getSnapshot(planId);
 * if (stored && stored.machineVersion !== PLAN_MACHINE_VERSION) console.log('snapshot needs a migration');
 */
export const PLAN_MACHINE_VERSION = 7;

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

/**
 * The lifecycle of one plan (SPEC §5, DESIGN §3): strategize → execute →
 * validate → apply, each `queued → processing → complete | failed`, then
 * `done`; `cancelled` from anywhere. Pure: I/O happens in the provided
 * actors, and history leaves through emitted events.
 *
 * @example
 * const machine = planLifecycleMachine.provide({ actors: { prepareSandbox, strategize, executeStep, validate, apply } });
 * const actor = createActor(machine, { input: { planId, name: 'demo/x', automation: 'review' } }).start();
 * actor.send({ type: 'plan.run' });
 */
export const planLifecycleMachine = planSetup.extend({
  // The phase rules of SPEC §5, one named guard each (PLAN_GUARDS lists them).
  guards: {
    ...reconcilingGuards,
    ...resolvingGuards,
    ...applyGuards,
    ...groupGuards,
    /** Strategize is complete (its reconciliation passed): execute may start. */
    isStrategizeComplete: stateIn('#plan.strategize.complete'),
    /** Execute is complete: validate may start. */
    isExecuteComplete: stateIn('#plan.execute.complete'),
    /** Validate is complete: apply may start. */
    isValidateComplete: stateIn('#plan.validate.complete'),
    /** `plan.run` starts strategize only from queued; a failed one is restarted by `plan.strategize`. */
    isStrategizeQueued: stateIn('#plan.strategize.queued'),
    isRetryableFailure,
    /** Nothing leaves a terminal status (done, cancelled, invalidated). */
    isNotTerminal: not(or([stateIn('#plan.done'), stateIn('#plan.cancelled'), stateIn('#plan.invalidated')])),
    /** Strategize may run: it is queued, or it failed (strategize → strategize restarts it). */
    canStrategize: or([stateIn('#plan.strategize.queued'), stateIn('#plan.strategize.failed')]),
    /**
     * Execute may run: strategize is complete, execute was requeued by a
     * rollback or correction, or it failed in a way a re-run can fix (a step
     * timed out): the failed step runs again from the last step commit.
     */
    canExecute: or(['isStrategizeComplete', stateIn('#plan.execute.queued'), and([stateIn('#plan.execute.failed'), 'isRetryableFailure'])]),
    /** Validate may run: execute is complete, validate is queued, or it failed in a way a re-run can fix. */
    canValidate: or(['isExecuteComplete', stateIn('#plan.validate.queued'), and([stateIn('#plan.validate.failed'), 'isRetryableFailure'])]),
    /** The plan is not a child plan: a child's apply is its parent merging it. */
    isRootPlan: ({ context }) => context.child === null,
    /** Apply may run: a root plan whose validate is complete, whose apply is queued, or failed in a way a re-run can fix. */
    canApply: and(['isRootPlan', or(['isValidateComplete', stateIn('#plan.apply.queued'), and([stateIn('#plan.apply.failed'), 'isRetryableFailure'])])]),
    /** A child plan that validated was merged into its parent: it is done. */
    canBeMerged: and([not('isRootPlan'), 'isValidateComplete']),
    driveReaches,
    /** `plan.run` may start execute: execute may run and the drive reaches it. */
    canRunExecute: and(['canExecute', { type: 'driveReaches', params: { phase: 'execute' as const } }]),
    /** `plan.run` may start validate. */
    canRunValidate: and(['canValidate', { type: 'driveReaches', params: { phase: 'validate' as const } }]),
    /** `plan.run` may start apply (only `auto` or `--until apply` reach it). */
    canRunApply: and(['canApply', { type: 'driveReaches', params: { phase: 'apply' as const } }]),
    /**
     * A correction may be reconciled: the plan is past strategize and at rest
     * (not running a phase, not waiting, not ended).
     */
    canReconcileCorrection: or([
      stateIn('#plan.strategize.complete'),
      stateIn('#plan.execute.queued'),
      stateIn('#plan.execute.complete'),
      stateIn('#plan.execute.failed'),
      stateIn('#plan.validate.queued'),
      stateIn('#plan.validate.complete'),
      stateIn('#plan.validate.failed'),
      stateIn('#plan.apply.queued'),
      stateIn('#plan.apply.failed'),
    ]),
    hasMoreSteps,
    isOpen,
    appendsSteps,
    isOpenConflict,
  },
  actions: {
    ...reconcilingActions,
    ...resolvingActions,
    ...groupActions,
    /** A phase command runs exactly that phase. */
    aimAt: assign({ target: (_, params: { phase: Phase }) => params.phase }),
    /** `plan.run` runs as far as the automation or `until` allows. */
    aimByDrive: assign({
      target: ({ context, event }, params: { phase: Phase }) =>
        driveTarget(context.automation, params.phase, event.type === 'plan.run' ? event.until : undefined),
    }),

    /** A step succeeded: its calls and `step.completed` journaled, its position, commit and changeset taken, its reconciliation pending. */
    succeedStep: planSetup.enqueueActions(({ context, event, enqueue }) => {
      const outcome = (event as unknown as { output: Extract<StepOutcome, { ok: true }> }).output;
      enqueue.emit({ type: 'journal' as const, entry: callsEntry(outcome) });
      enqueue.assign(succeededStep(context, outcome, true));
      enqueue.emit(journal({ type: 'step.completed', phase: 'execute', data: { index: outcome.index, commit: outcome.headCommit } }));
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
      enqueue.emit({ type: 'journal' as const, entry: callsEntry(outcome) });
      enqueue.assign(updates);
      enqueue.emit(journal({ type: 'step.completed', phase: 'execute', data: { index: outcome.index, commit: outcome.headCommit } }));
      if (outcome.changeset) {
        enqueue.emit({ type: 'changeset', changeset: outcome.changeset });
        // a step that wrote gets its checkpoint at its commit (as checkpointStep would)
        enqueue.emit(checkpointEmitted('step', { ...context, ...updates }, { phase: 'execute', status: 'queued' }));
      }
    }),
  },
}).createMachine({
  id: 'plan',
  context: ({ input }) => ({
    planId: input.planId,
    name: input.name,
    automation: input.automation,
    phase: 'strategize',
    target: null,
    decisionRootId: null,
    stepCount: 0,
    lastCompletedStep: null,
    toolCalls: 0,
    sandbox: input.child?.sandbox ?? null,
    changesetId: null,
    appliedCommit: null,
    error: null,
    lastCheckpointId: null,
    reversionCount: 0,
    invariants: [],
    reconciliation: true,
    pendingReconcile: null,
    applyStrategy: 'three-way',
    merge: null,
    child: input.child ?? null,
    groupSteps: [],
    group: null,
    subplanStatuses: {},
    subplanConfig: null,
    clean: true,
    sideEffects: 0,
    open: false,
    correction: null,
  }),
  initial: 'strategize',
  // Commands are handled at the root so every phase rule is one named guard;
  // a command no guard allows is left unhandled and the runtime answers
  // PHASE_GUARD (snapshot.can(command) is false).
  on: {
    'plan.strategize': {
      guard: 'canStrategize',
      target: '.strategize.processing',
      actions: { type: 'aimAt', params: { phase: 'strategize' } },
    },
    'plan.execute': {
      guard: 'canExecute',
      target: '.execute.processing',
      actions: { type: 'aimAt', params: { phase: 'execute' } },
    },
    'plan.validate': {
      guard: 'canValidate',
      target: '.validate.processing',
      actions: { type: 'aimAt', params: { phase: 'validate' } },
    },
    'plan.apply': {
      guard: 'canApply',
      target: '.apply.processing',
      actions: [
        { type: 'aimAt', params: { phase: 'apply' } },
        assign({ applyStrategy: ({ event }) => (event.type === 'plan.apply' ? event.strategy : undefined) ?? 'three-way' }),
      ],
    },
    'plan.run': [
      {
        guard: 'isStrategizeQueued',
        target: '.strategize.processing',
        actions: { type: 'aimByDrive', params: { phase: 'strategize' } },
      },
      {
        guard: 'canRunExecute',
        target: '.execute.processing',
        actions: { type: 'aimByDrive', params: { phase: 'execute' } },
      },
      {
        guard: 'canRunValidate',
        target: '.validate.processing',
        actions: { type: 'aimByDrive', params: { phase: 'validate' } },
      },
      {
        guard: 'canRunApply',
        target: '.apply.processing',
        actions: { type: 'aimByDrive', params: { phase: 'apply' } },
      },
    ],
    'plan.corrected': [
      {
        // appended steps run first; the last of them reconciles as post-correction (SPEC §10)
        guard: and(['canReconcileCorrection', 'appendsSteps']),
        target: '.execute.queued',
        actions: [
          'stopDriving',
          assign(({ context, event }) => {
            const appended = event.type === 'plan.corrected' ? (event.appended ?? 0) : 0;
            const at = (context.lastCompletedStep ?? -1) + 1;
            return {
              phase: 'execute' as const,
              error: null,
              correction: { decisionId: event.type === 'plan.corrected' ? event.decisionId : '', through: at + appended - 1 },
              stepCount: context.stepCount + appended,
              // appended steps go right after the last executed one: later groups move down
              groupSteps: context.groupSteps.map((index) => (index >= at ? index + appended : index)),
            };
          }),
        ],
      },
      {
        guard: 'canReconcileCorrection',
        target: '.execute.correcting',
        actions: [
          'stopDriving',
          assign(({ event }) => ({
            pendingReconcile: { trigger: 'post-correction' as const, decisionId: event.type === 'plan.corrected' ? event.decisionId : null },
          })),
        ],
      },
    ],
    // one conflicting file resolved; the waiting state moves on when none are left
    'plan.resolve': {
      guard: 'isOpenConflict',
      actions: [
        assign({
          merge: ({ context, event }) => {
            const merge = context.merge!;
            const file = event.type === 'plan.resolve' ? event.file : '';
            return { ...merge, open: merge.open.filter((open) => open !== file) };
          },
        }),
        emit(({ context, event }) =>
          journal({
            type: 'conflict.resolved',
            phase: context.phase,
            data: event.type === 'plan.resolve' ? { file: event.file, with: event.with, remaining: context.merge?.open.length ?? 0 } : {},
          }),
        ),
      ],
    },
    'plan.merged': {
      guard: 'canBeMerged',
      target: '.done',
      actions: [
        assign({ phase: 'apply', appliedCommit: ({ event }) => (event.type === 'plan.merged' ? event.commit : null) }),
        emit(({ context, event }) =>
          journal({ type: 'phase.completed', phase: 'apply', data: { commit: event.type === 'plan.merged' ? event.commit : null, mergedInto: context.child?.parentId ?? null } }),
        ),
      ],
    },
    'plan.cancel': {
      guard: 'isNotTerminal',
      target: '.cancelled',
      actions: [
        'stopDriving',
        // a cancelled plan leaves no open conflicts behind
        enqueueActions(({ context, enqueue }) => {
          if (context.merge) enqueue.emit({ type: 'conflicts', closed: context.merge.files });
        }),
        emit(({ context, event }) =>
          journal({ type: 'plan.cancelled', phase: context.phase, data: event.type === 'plan.cancel' && event.reason ? { reason: event.reason } : {} }),
        ),
      ],
    },
  },
  states: {
    strategize: strategizeState,
    execute: {
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
                      groupSteps: event.type === 'plan.step' && event.group ? [...context.groupSteps, index] : context.groupSteps,
                    };
                  }),
                },
                'plan.finish': {
                  target: '#plan.execute.complete',
                  actions: assign({
                    target: ({ context, event }) => driveTarget(context.automation, 'execute', event.type === 'plan.finish' ? event.until : undefined),
                  }),
                },
              },
            },
            // a group of subplans (SPEC §8): its supervisor starts, watches and merges the children
            group: groupState,
            step: {
              entry: emit(({ context }) => {
                const index = (context.lastCompletedStep ?? -1) + 1;
                return journal({ type: 'step.started', phase: 'execute', data: { index } });
              }),
              invoke: {
                src: 'executeStep',
                // on restore this input is computed again from the persisted
                // context, so a re-run starts from the last step commit
                input: ({ context }) => {
                  const index = (context.lastCompletedStep ?? -1) + 1;
                  return { planId: context.planId, index, sandbox: requireSandbox(context), changesetId: context.changesetId, discardOnFailure: context.open };
                },
                onDone: [
                  {
                    // nothing to reconcile: straight on to the next step (one microstep fewer per step)
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
                        return journal({ type: 'step.failed', phase: 'execute', data: { index: outcome.index, code: outcome.error.code, message: outcome.error.message } });
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
    },
    validate: validateState,
    apply: applyState,
    done: { type: 'final', entry: 'stopDriving' },
    cancelled: { type: 'final' },
    invalidated: { type: 'final' },
  },
});

// tool calls that went through and may have written to the sandbox
function sideEffectsOf(outcome: StepOutcome): number {
  return outcome.calls.filter((call) => call.success && call.writes).length;
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
function succeededStep(context: PlanContext, outcome: Extract<StepOutcome, { ok: true }>, reconciled: boolean): Partial<PlanContext> {
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
