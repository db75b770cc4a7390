import { assign, emit, enqueueActions } from 'xstate';
import { journal } from './journal.js';
import { reconcilingSetup, reconcilingStates } from './reconciling.js';
import { requireSandbox } from './require-sandbox.js';

/**
 * Strategize (SPEC §5): the sandbox is prepared, the strategist decides the
 * steps, and the invariants are reconciled (`post-strategize`) before execute
 * may start. The decisions and the step list leave as emitted events; the
 * context keeps only the root, the count and what the phases after need.
 */
export const strategizeState = reconcilingSetup.createStateConfig({
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
            input: ({ context }) => ({
              planId: context.planId,
              name: context.name,
              sandbox: context.sandbox,
              child: context.child !== null,
            }),
            onDone: { target: 'strategist', actions: assign({ sandbox: ({ event }) => event.output }) },
            onError: { target: '#plan.strategize.failed', actions: 'failFromThrow' },
          },
        },
        strategist: {
          invoke: {
            src: 'strategize',
            input: ({ context }) => ({
              planId: context.planId,
              sandbox: requireSandbox(context),
              child: context.child,
            }),
            onDone: {
              target: '#plan.strategize.reconciling',
              actions: [
                assign({
                  decisionRootId: ({ event }) => event.output.decisionRootId,
                  stepCount: ({ event }) => event.output.steps.length,
                  lastCompletedStep: null,
                  invariants: ({ event }) => event.output.invariants,
                  groupSteps: ({ event }) => event.output.groupSteps,
                  reconciliation: ({ event }) => event.output.reconciliation,
                  open: ({ event }) => event.output.open === true,
                  pendingReconcile: ({ event }) => ({
                    trigger: 'post-strategize' as const,
                    decisionId: event.output.decisionRootId,
                  }),
                }),
                emit(({ event }) => ({ type: 'decisions' as const, decisions: event.output.decisions })),
                emit(({ event }) => ({ type: 'steps' as const, steps: event.output.steps })),
                enqueueActions(({ event, enqueue }) => {
                  for (const entry of event.output.entries ?? []) enqueue.emit(journal(entry));
                }),
              ],
            },
            onError: { target: '#plan.strategize.failed', actions: 'failFromThrow' },
          },
        },
      },
    },
    // the invariants must hold before execute can start (SPEC §5)
    reconciling: reconcilingStates('#plan.strategize.complete', '#plan.strategize.failed'),
    complete: {
      entry: [
        { type: 'journalPhase', params: { type: 'phase.completed' } },
        { type: 'checkpoint', params: { trigger: 'phase', phase: 'strategize', status: 'complete' } },
      ],
      always: { guard: { type: 'continuesPast', params: { phase: 'strategize' } }, target: '#plan.execute.processing' },
    },
    failed: { entry: ['journalFailure', 'stopDriving'] },
  },
});
