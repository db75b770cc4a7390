import { and, assign, emit, enqueueActions, fromPromise, not, or, setup, stateIn } from 'xstate';
import { TroupeError, driveTarget, isRetryableByDefault, toPlanError, type JournalEntry, type Phase, type PlanError, type SandboxInfo } from '../../src/domain/index.js';
import { continuesPast, driveReaches, hasMoreSteps, isRetryableFailure, outcomeSucceeded } from './guards.js';
import type {
  ActorFailure,
  ApplyInput,
  ApplyOutcome,
  ExecuteStepInput,
  PlanCommand,
  PlanContext,
  PlanEmitted,
  PlanMachineInput,
  PrepareSandboxInput,
  StepOutcome,
  StrategizeInput,
  StrategizeOutput,
  ValidateInput,
  ValidateOutcome,
} from './types.js';

/**
 * Version of the persisted shape of this machine. Bump it when states or
 * context change incompatibly, and add a migration (DESIGN §3).
 */
export const PLAN_MACHINE_VERSION = 1;

// The runtime provides the real actors (actors/); these defaults fail loudly
// so a machine used without them says what is missing.
function required<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new TroupeError('INTERNAL_ERROR', `planLifecycleMachine needs the "${name}" actor`, {
      hint: `provide it: planLifecycleMachine.provide({ actors: { ${name}: … } })`,
    });
  });
}

function failure(phase: Phase, error: ActorFailure, step?: number): PlanError {
  return {
    code: error.code,
    message: error.message,
    phase,
    ...(step === undefined ? {} : { step }),
    ...(error.details === undefined ? {} : { details: error.details }),
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    retryable: error.retryable ?? isRetryableByDefault(error.code),
  };
}

function journal(entry: JournalEntry): PlanEmitted {
  return { type: 'journal', entry };
}

function requireSandbox(context: PlanContext): SandboxInfo {
  // strategize always records a sandbox before it completes; reaching a later
  // phase without one would be a bug in a provided actor
  if (!context.sandbox) throw new TroupeError('INTERNAL_ERROR', `plan ${context.name} has no sandbox`);
  return context.sandbox;
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
export const planLifecycleMachine = setup({
  types: {
    context: {} as PlanContext,
    input: {} as PlanMachineInput,
    events: {} as PlanCommand,
    emitted: {} as PlanEmitted,
  },
  actors: {
    prepareSandbox: required<SandboxInfo, PrepareSandboxInput>('prepareSandbox'),
    strategize: required<StrategizeOutput, StrategizeInput>('strategize'),
    executeStep: required<StepOutcome, ExecuteStepInput>('executeStep'),
    validate: required<ValidateOutcome, ValidateInput>('validate'),
    apply: required<ApplyOutcome, ApplyInput>('apply'),
  },
  // The phase rules of SPEC §5, one named guard each (PLAN_GUARDS lists them).
  guards: {
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
    /** Apply may run: validate is complete, apply is queued, or it failed in a way a re-run can fix. */
    canApply: or(['isValidateComplete', stateIn('#plan.apply.queued'), and([stateIn('#plan.apply.failed'), 'isRetryableFailure'])]),
    driveReaches,
    /** `plan.run` may start execute: execute may run and the drive reaches it. */
    canRunExecute: and(['canExecute', { type: 'driveReaches', params: { phase: 'execute' as const } }]),
    /** `plan.run` may start validate. */
    canRunValidate: and(['canValidate', { type: 'driveReaches', params: { phase: 'validate' as const } }]),
    /** `plan.run` may start apply (only `auto` or `--until apply` reach it). */
    canRunApply: and(['canApply', { type: 'driveReaches', params: { phase: 'apply' as const } }]),
    continuesPast,
    hasMoreSteps,
    outcomeSucceeded,
  },
  actions: {
    /** A phase command runs exactly that phase. */
    aimAt: assign({ target: (_, params: { phase: Phase }) => params.phase }),
    /** `plan.run` runs as far as the automation or `until` allows. */
    aimByDrive: assign({
      target: ({ context, event }, params: { phase: Phase }) =>
        driveTarget(context.automation, params.phase, event.type === 'plan.run' ? event.until : undefined),
    }),
    enterPhase: assign({ phase: (_, params: { phase: Phase }) => params.phase, error: null }),
    journalPhase: emit(({ context }, params: { type: 'phase.started' | 'phase.completed' }) =>
      journal({ type: params.type, phase: context.phase, data: {} }),
    ),
    journalFailure: emit(({ context }) =>
      journal({
        type: 'phase.failed',
        phase: context.phase,
        data: context.error ? { code: context.error.code, message: context.error.message } : {},
      }),
    ),
    /** An actor threw instead of answering: keep what it said as the structured error. */
    failFromThrow: assign({
      error: ({ context, event }) => toPlanError((event as unknown as { error: unknown }).error, context.phase),
    }),
    stopDriving: assign({ target: null }),
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
    sandbox: null,
    changesetId: null,
    appliedCommit: null,
    error: null,
    lastCheckpointId: null,
    reversionCount: 0,
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
      actions: { type: 'aimAt', params: { phase: 'apply' } },
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
    'plan.cancel': {
      guard: 'isNotTerminal',
      target: '.cancelled',
      actions: [
        'stopDriving',
        emit(({ context, event }) =>
          journal({ type: 'plan.cancelled', phase: context.phase, data: event.type === 'plan.cancel' && event.reason ? { reason: event.reason } : {} }),
        ),
      ],
    },
  },
  states: {
    strategize: {
      initial: 'queued',
      states: {
        queued: {},
        processing: {
          entry: [
            { type: 'enterPhase', params: { phase: 'strategize' } },
            { type: 'journalPhase', params: { type: 'phase.started' } },
          ],
          initial: 'sandbox',
          states: {
            sandbox: {
              invoke: {
                src: 'prepareSandbox',
                input: ({ context }) => ({ planId: context.planId, name: context.name, sandbox: context.sandbox }),
                onDone: { target: 'strategist', actions: assign({ sandbox: ({ event }) => event.output }) },
                onError: { target: '#plan.strategize.failed', actions: 'failFromThrow' },
              },
            },
            strategist: {
              invoke: {
                src: 'strategize',
                input: ({ context }) => ({ planId: context.planId, sandbox: requireSandbox(context) }),
                onDone: {
                  target: '#plan.strategize.complete',
                  actions: [
                    assign({
                      decisionRootId: ({ event }) => event.output.decisionRootId,
                      stepCount: ({ event }) => event.output.steps.length,
                      lastCompletedStep: null,
                    }),
                    emit(({ event }) => ({ type: 'decisions' as const, decisions: event.output.decisions })),
                    emit(({ event }) => ({ type: 'steps' as const, steps: event.output.steps })),
                  ],
                },
                onError: { target: '#plan.strategize.failed', actions: 'failFromThrow' },
              },
            },
          },
        },
        complete: {
          entry: { type: 'journalPhase', params: { type: 'phase.completed' } },
          always: { guard: { type: 'continuesPast', params: { phase: 'strategize' } }, target: '#plan.execute.processing' },
        },
        failed: { entry: ['journalFailure', 'stopDriving'] },
      },
    },
    execute: {
      initial: 'queued',
      states: {
        queued: {},
        processing: {
          entry: [
            { type: 'enterPhase', params: { phase: 'execute' } },
            { type: 'journalPhase', params: { type: 'phase.started' } },
          ],
          initial: 'next',
          states: {
            next: {
              always: [{ guard: 'hasMoreSteps', target: 'step' }, { target: '#plan.execute.complete' }],
            },
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
                  return { planId: context.planId, index, sandbox: requireSandbox(context), changesetId: context.changesetId };
                },
                onDone: [
                  {
                    guard: 'outcomeSucceeded',
                    target: 'next',
                    actions: [
                      emit(({ event }) => ({ type: 'journal' as const, entry: callsEntry(event.output) })),
                      assign(({ context, event }) => {
                        const outcome = event.output as Extract<StepOutcome, { ok: true }>;
                        return {
                          lastCompletedStep: outcome.index,
                          toolCalls: context.toolCalls + outcome.calls.length,
                          sandbox: { ...requireSandbox(context), headCommit: outcome.headCommit },
                          changesetId: outcome.changeset?.id ?? context.changesetId,
                        };
                      }),
                      emit(({ event }) => {
                        const outcome = event.output as Extract<StepOutcome, { ok: true }>;
                        return journal({ type: 'step.completed', phase: 'execute', data: { index: outcome.index, commit: outcome.headCommit } });
                      }),
                      enqueueActions(({ event, enqueue }) => {
                        // the changeset only changes when the step wrote something
                        const { changeset } = event.output as Extract<StepOutcome, { ok: true }>;
                        if (changeset) enqueue.emit({ type: 'changeset', changeset });
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
                          error: failure('execute', outcome.error, outcome.index),
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
          },
        },
        complete: {
          entry: { type: 'journalPhase', params: { type: 'phase.completed' } },
          always: { guard: { type: 'continuesPast', params: { phase: 'execute' } }, target: '#plan.validate.processing' },
        },
        failed: { entry: ['journalFailure', 'stopDriving'] },
      },
    },
    validate: {
      initial: 'queued',
      states: {
        queued: {},
        processing: {
          entry: [
            { type: 'enterPhase', params: { phase: 'validate' } },
            { type: 'journalPhase', params: { type: 'phase.started' } },
          ],
          invoke: {
            src: 'validate',
            input: ({ context }) => ({ planId: context.planId, sandbox: requireSandbox(context) }),
            onDone: [
              { guard: 'outcomeSucceeded', target: 'complete' },
              {
                target: 'failed',
                actions: assign({
                  error: ({ event }) => failure('validate', (event.output as Extract<ValidateOutcome, { ok: false }>).error),
                }),
              },
            ],
            onError: { target: 'failed', actions: 'failFromThrow' },
          },
        },
        complete: {
          entry: { type: 'journalPhase', params: { type: 'phase.completed' } },
          always: { guard: { type: 'continuesPast', params: { phase: 'validate' } }, target: '#plan.apply.processing' },
        },
        failed: { entry: ['journalFailure', 'stopDriving'] },
      },
    },
    apply: {
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
            input: ({ context }) => ({ planId: context.planId, name: context.name, sandbox: requireSandbox(context) }),
            onDone: [
              {
                guard: 'outcomeSucceeded',
                target: '#plan.done',
                actions: [
                  assign({ appliedCommit: ({ event }) => (event.output as Extract<ApplyOutcome, { ok: true }>).commit }),
                  emit(({ event }) =>
                    journal({
                      type: 'phase.completed',
                      phase: 'apply',
                      data: { commit: (event.output as Extract<ApplyOutcome, { ok: true }>).commit },
                    }),
                  ),
                ],
              },
              {
                target: 'failed',
                actions: assign({
                  error: ({ event }) => failure('apply', (event.output as Extract<ApplyOutcome, { ok: false }>).error),
                }),
              },
            ],
            onError: { target: 'failed', actions: 'failFromThrow' },
          },
        },
        failed: { entry: ['journalFailure', 'stopDriving'] },
      },
    },
    done: { type: 'final', entry: 'stopDriving' },
    cancelled: { type: 'final' },
    invalidated: { type: 'final' },
  },
});

function callsEntry(outcome: StepOutcome): JournalEntry {
  // one journal entry per step for its tool calls keeps the journal compact;
  // custom executors may call several tools in one step
  return { type: 'tool.called', phase: 'execute', data: { index: outcome.index, calls: outcome.calls } };
}
