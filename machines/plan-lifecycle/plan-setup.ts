import { assign, emit, setup } from 'xstate';
import {
  toPlanError,
  type CheckpointTrigger,
  type Phase,
  type RestoreStatus,
  type SandboxInfo,
} from '../../src/domain/index.js';
import { invariantReconcilerMachine } from '../invariant-reconciler/index.js';
import { requiredActor } from '../required-actor.js';
import { subplanSupervisorMachine, type SupervisorState } from '../subplan-supervisor/index.js';
import type {
  ApplyInput,
  ApplyOutcome,
  CommitMergeInput,
  CommitMergeOutput,
  ExecuteStepInput,
  LoadGroupInput,
  PrepareSandboxInput,
  StepOutcome,
  StrategizeInput,
  StrategizeOutput,
  ValidateInput,
  ValidateOutcome,
} from './actor-io.js';
import { checkpointEmitted } from './checkpoints.js';
import { continuesPast, outcomeSucceeded } from './guards.js';
import { journal } from './journal.js';
import type { PlanCommand } from './plan-command.js';
import type { PlanContext, PlanMachineInput } from './plan-context.js';
import type { PlanEmitted } from './plan-emitted.js';

// the runtime provides the real actors (actors/); these defaults say what is missing
const required = <TOutput, TInput>(name: string) => requiredActor<TOutput, TInput>('planLifecycleMachine', name);

/**
 * What every phase of the plan machine builds on: its types, the actors the
 * runtime provides, and the actions and guards more than one phase uses. A
 * phase file extends it with its own actions and guards, so the names its
 * states use are checked; machine.ts extends it with all of them.
 *
 * @example
 * const phaseSetup = planSetup.extend({ guards: { reconciles } });
 * const failed = phaseSetup.createStateConfig({ entry: ['journalFailure', 'stopDriving'] });
 */
export const planSetup = setup({
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
    commitMerge: required<CommitMergeOutput, CommitMergeInput>('commitMerge'),
    loadGroup: required<SupervisorState, LoadGroupInput>('loadGroup'),
    // the supervisor is a child machine (DESIGN §3), invoked by this string key so it restores
    supervise: subplanSupervisorMachine,
    // the reconciler is a child machine (DESIGN §3); its `runCheck` actor is
    // provided by the runtime, or another reconciler logic replaces it whole
    reconcile: invariantReconcilerMachine,
  },
  guards: {
    continuesPast,
    outcomeSucceeded,
  },
  actions: {
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
    /** A checkpoint with this transition's snapshot (SPEC §10), restoring to `point`. */
    checkpoint: emit(({ context }, params: { trigger: CheckpointTrigger; phase: Phase; status: RestoreStatus }) =>
      checkpointEmitted(params.trigger, context, { phase: params.phase, status: params.status }),
    ),
  },
});
