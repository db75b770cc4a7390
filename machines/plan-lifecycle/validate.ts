import { assign } from 'xstate';
import type { ValidateOutcome } from './actor-io.js';
import { failure } from './failure.js';
import { reconcilingSetup, reconcilingStates } from './reconciling.js';
import { requireSandbox } from './require-sandbox.js';

/**
 * Validate (SPEC §5): the plan's validate commands run in the sandbox, then
 * the invariants are reconciled (`post-validate`); a failed command fails
 * the phase with what the actor reported, retryable as it said.
 */
export const validateState = reconcilingSetup.createStateConfig({
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
          {
            guard: 'outcomeSucceeded',
            target: 'reconciling',
            actions: assign({
              pendingReconcile: ({ context }) => ({
                trigger: 'post-validate' as const,
                decisionId: context.decisionRootId,
              }),
            }),
          },
          {
            target: 'failed',
            actions: assign({
              error: ({ event }) =>
                failure('validate', (event.output as Extract<ValidateOutcome, { ok: false }>).error),
            }),
          },
        ],
        onError: { target: 'failed', actions: 'failFromThrow' },
      },
    },
    // the invariants must hold before apply can start (SPEC §5)
    reconciling: reconcilingStates('#plan.validate.complete', '#plan.validate.failed'),
    complete: {
      entry: [
        { type: 'journalPhase', params: { type: 'phase.completed' } },
        { type: 'checkpoint', params: { trigger: 'phase', phase: 'validate', status: 'complete' } },
      ],
      always: { guard: { type: 'continuesPast', params: { phase: 'validate' } }, target: '#plan.apply.processing' },
    },
    failed: { entry: ['journalFailure', 'stopDriving'] },
  },
});
