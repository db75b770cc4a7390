import { and, not } from 'xstate';
import {
  TroupeError,
  SANDBOX_UNAVAILABLE_HINT,
  toPlanError,
  violationMessage,
  type PlanError,
} from '../../src/domain/index.js';
import type { ReconcileInput, ReconcileOutput } from '../invariant-reconciler/index.js';
import { checkpointEmitted } from './checkpoints.js';
import { journal } from './journal.js';
import type { PendingReconcile, PlanContext } from './plan-context.js';
import { planSetup } from './plan-setup.js';
import { requireSandbox } from './require-sandbox.js';

// Reconciling (SPEC §1, DESIGN §3): strategize, each step, a correction and
// validate end by checking the plan's invariants with the reconciler child
// machine. The trigger waits in `pendingReconcile`, so a restored plan
// re-runs the same check.

/** The plan reconciles its invariants: it has some, and its plan file did not turn reconciliation off. */
export function reconciles({ context }: { context: PlanContext }): boolean {
  return context.reconciliation && context.invariants.length > 0;
}

/** The reconciler ended `reconciled`: every invariant holds. */
export function reconciliationHeld({ event }: { event: unknown }): boolean {
  return (event as { output?: ReconcileOutput }).output?.outcome === 'reconciled';
}

/** The pending reconciliation waits: a correction's appended steps are checked after the last of them. */
export function reconcileDeferred({ context }: { context: PlanContext }): boolean {
  return context.pendingReconcile?.deferred === true;
}

/**
 * The guards of reconciling, for `setup`.
 *
 * @example
 * planSetup.extend({ guards: reconcilingGuards }).createStateConfig({ always: { guard: 'reconciles', target: 'checking' } });
 */
export const reconcilingGuards = { reconciles, reconciliationHeld, reconcileDeferred };

/**
 * The actions of reconciling, for `setup`: the outcome recorded, the phase
 * failed when an invariant broke, the step checkpoint taken, the trigger forgotten.
 *
 * @example
 * planSetup.extend({ actions: reconcilingActions, guards: reconcilingGuards });
 */
export const reconcilingActions = {
  /**
   * The reconciler itself failed: nothing says the invariants hold, and
   * running the phase again would step past them, so it is not retryable.
   */
  failFromReconciler: planSetup.assign({
    clean: false,
    error: ({ context, event }) => ({
      ...toPlanError((event as unknown as { error: unknown }).error, context.phase),
      hint: 'the invariants were not checked; see docs/reference/invariants.md#reconcilers',
      retryable: false,
    }),
  }),
  /**
   * A step (or group) that wrote to the sandbox was reconciled: a `step`
   * checkpoint at its commit, `clean` as the reconciliation ended (the
   * actions before it recorded that); it restores to `(execute, queued)`
   * with the next step to run.
   */
  checkpointStep: planSetup.enqueueActions(({ context, enqueue }) => {
    const pending = context.pendingReconcile;
    // after a step (or a correction's last appended step) that wrote
    if (pending?.step === undefined || !pending.wrote) return;
    enqueue.emit(checkpointEmitted('step', context, { phase: 'execute', status: 'queued' }));
  }),
  /** Nothing to reconcile (no invariants, or checks off): the trigger passes unrecorded. */
  forgetReconcile: planSetup.assign({ pendingReconcile: null }),
  /** Record the reconciliation (a decision and a journal event), whatever its outcome. */
  recordReconciliation: planSetup.enqueueActions(({ context, event, enqueue }) => {
    const output = (event as unknown as { output: ReconcileOutput }).output;
    const pending = requirePending(context);
    enqueue.emit({
      type: 'reconciliation',
      parentId: pending.decisionId,
      trigger: output.trigger,
      ...(output.step === undefined ? {} : { step: output.step }),
      outcome: output.outcome,
      results: output.results,
    });
    enqueue.emit(
      journal({
        type: output.outcome === 'reconciled' ? 'invariant.reconciled' : 'invariant.violated',
        phase: context.phase,
        data: {
          trigger: output.trigger,
          ...(output.step === undefined ? {} : { step: output.step }),
          results: output.results,
        },
      }),
    );
    // pendingReconcile is cleared by forgetReconcile, after a step checkpoint read it
    enqueue.assign({ clean: output.outcome === 'reconciled' });
  }),
  /** The invariants do not hold: the phase fails with INVARIANT_VIOLATED naming each one. */
  failOnViolation: planSetup.assign({
    error: ({ context, event }) => violation(context, (event as unknown as { output: ReconcileOutput }).output),
  }),
};

/**
 * The plan's setup with reconciling's actions and guards: the phases that
 * reconcile (strategize, execute, validate) type their states with it.
 *
 * @example
 * export const validateState = reconcilingSetup.createStateConfig({ states: { reconciling: reconcilingStates('#plan.validate.complete', '#plan.validate.failed') } });
 */
export const reconcilingSetup = planSetup.extend({ actions: reconcilingActions, guards: reconcilingGuards });

/**
 * The states that reconcile at a trigger (DESIGN §3): `deciding` skips
 * when there is nothing to check, `checking` invokes the reconciler; the
 * plan goes to `onHold` when every invariant holds and to `onViolation`
 * (the phase's failed state) when one does not.
 */
export function reconcilingStates(onHold: string, onViolation: string) {
  return reconcilingSetup.createStateConfig({
    initial: 'deciding',
    states: {
      deciding: {
        always: [
          { guard: and(['reconciles', not('reconcileDeferred')]), target: 'checking' },
          { target: onHold, actions: ['checkpointStep', 'forgetReconcile'] },
        ],
      },
      checking: {
        invoke: {
          id: 'reconciler',
          src: 'reconcile',
          input: ({ context }) => reconcileInput(context),
          onDone: [
            {
              guard: 'reconciliationHeld',
              target: onHold,
              actions: ['recordReconciliation', 'checkpointStep', 'forgetReconcile'],
            },
            {
              target: onViolation,
              actions: ['failOnViolation', 'recordReconciliation', 'checkpointStep', 'forgetReconcile'],
            },
          ],
          onError: { target: onViolation, actions: ['failFromReconciler', 'checkpointStep', 'forgetReconcile'] },
        },
      },
    },
  });
}

// what the reconciler checks, from the plan's context and the pending trigger
function reconcileInput(context: PlanContext): ReconcileInput {
  const pending = requirePending(context);
  return {
    planId: context.planId,
    trigger: pending.trigger,
    invariants: context.invariants,
    sandbox: requireSandbox(context),
    ...(pending.step === undefined ? {} : { step: pending.step }),
  };
}

function requirePending(context: PlanContext): PendingReconcile {
  if (!context.pendingReconcile)
    throw new TroupeError('INTERNAL_ERROR', `plan ${context.name} is reconciling without a trigger`);
  return context.pendingReconcile;
}

function violation(context: PlanContext, output: ReconcileOutput): PlanError {
  const failed = output.results.filter((result) => !result.passed);
  // checks whose commands could not be contained did not run: say that, not that the rule broke
  const unavailable = failed.length > 0 && failed.every((result) => result.message.startsWith('SANDBOX_UNAVAILABLE'));
  return {
    code: unavailable ? 'SANDBOX_UNAVAILABLE' : 'INVARIANT_VIOLATED',
    message: violationMessage(output.results, output.trigger, output.step),
    phase: context.phase,
    ...(output.step === undefined ? {} : { step: output.step }),
    details: {
      trigger: output.trigger,
      // with the lines of output that say why (a failed test's name): plan status shows them
      violations: failed.map((result) => ({
        id: result.id,
        tier: result.tier,
        check: result.check,
        message: result.message,
        ...(result.lines ? { lines: result.lines } : {}),
      })),
    },
    hint: unavailable
      ? `${SANDBOX_UNAVAILABLE_HINT}; then ${violationHint(context, output.trigger)}`
      : violationHint(context, output.trigger),
    // running the phase again would step past the violation: only a correction fixes it
    retryable: false,
  };
}

function violationHint(context: PlanContext, trigger: ReconcileOutput['trigger']): string {
  if (trigger === 'post-strategize') {
    // nothing ran yet: the project itself breaks the rule, and a restarted
    // strategize starts from the project's HEAD again
    return `make the invariant hold in the project (or change it), then restart strategize: troupe plan strategize ${context.name}`;
  }
  const where = context.sandbox ? ` (${context.sandbox.worktree})` : '';
  // after a step its commit broke the rule; after validate, what validate left may have
  const what =
    trigger === 'post-validate'
      ? 'the sandbox as validate left it is kept'
      : 'what broke it is committed in the sandbox';
  return (
    `${what}${where} for you to inspect; correct the plan: append a step that fixes it (troupe plan correct ${context.name} --mode append --step '{"title": …, "tool": …, "input": …}'), ` +
    `or go back to its last clean checkpoint (troupe plan correct ${context.name} --mode revert) — see docs/reference/checkpoints.md`
  );
}
