import { assign, enqueueActions, fromPromise, setup } from 'xstate';
import { TroupeError, type InvariantResult } from '../../src/domain/index.js';
import {
  DEFAULT_CHECK_CONCURRENCY,
  type CheckInput,
  type ReconcileInput,
  type ReconcileOutput,
  type ReconcilerContext,
} from './types.js';

const CHECK_ID_PREFIX = 'check-';

// the runtime provides the real check runner (actors/checks); the default
// fails loudly so a machine used without it says what is missing
const runCheck = fromPromise<InvariantResult, CheckInput>(async () => {
  throw new TroupeError('INTERNAL_ERROR', 'invariantReconcilerMachine needs the "runCheck" actor', {
    hint: 'provide it: invariantReconcilerMachine.provide({ actors: { runCheck: … } })',
  });
});

// the index of one of this reconciler's started checks, or -1 for any other actor
function startedCheck(context: ReconcilerContext, actorId: string): number {
  if (!actorId.startsWith(CHECK_ID_PREFIX)) return -1;
  const index = Number(actorId.slice(CHECK_ID_PREFIX.length));
  return Number.isInteger(index) && index >= 0 && index < context.next ? index : -1;
}

function allAnswered(context: ReconcilerContext): boolean {
  return context.results.every((result) => result !== null);
}

/**
 * Reconciles a plan's invariants at one trigger (SPEC §1, DESIGN §3): runs
 * each check as an invoked `runCheck` actor, at most `concurrency` at a
 * time, and ends in `reconciled` (every invariant holds) or `violated`,
 * with every result as output. A check that throws counts as a violation
 * saying why. Pure: the checks do the I/O.
 *
 * @example
 * const reconciler = invariantReconcilerMachine.provide({ actors: { runCheck: fromPromise(async ({ input }) => check(input)) } });
 * const actor = createActor(reconciler, { input: { planId, trigger: 'post-step', invariants, sandbox } }).start();
 * const { outcome, results } = await toPromise(actor);
 */
export const invariantReconcilerMachine = setup({
  types: {
    context: {} as ReconcilerContext,
    input: {} as ReconcileInput,
    output: {} as ReconcileOutput,
  },
  actors: { runCheck },
  guards: {
    /** Every check answered and every invariant holds. */
    allHold: ({ context }) => allAnswered(context) && context.results.every((result) => result?.passed === true),
    /** Every check answered. */
    allAnswered: ({ context }) => allAnswered(context),
  },
  actions: {
    /** Start checks until `concurrency` run or none is left. */
    startChecks: enqueueActions(({ context, enqueue }) => {
      let { next, running } = context;
      while (running < context.concurrency && next < context.invariants.length) {
        const invariant = context.invariants[next];
        if (invariant) {
          enqueue.spawnChild('runCheck', {
            id: `${CHECK_ID_PREFIX}${next}`,
            input: { planId: context.planId, trigger: context.trigger, invariant, sandbox: context.sandbox },
          });
        }
        next += 1;
        running += 1;
      }
      enqueue.assign({ next, running });
    }),
    recordResult: assign(({ context, event }) => {
      const done = event as unknown as { actorId: string; output: InvariantResult };
      const index = startedCheck(context, done.actorId);
      const invariant = context.invariants[index];
      if (!invariant || context.results[index] !== null) return {};
      // the result names the invariant as the plan declared it, whatever the runner said
      const result: InvariantResult = {
        ...done.output,
        id: invariant.id,
        tier: invariant.tier,
        check: invariant.check,
      };
      return {
        running: context.running - 1,
        results: context.results.map((known, at) => (at === index ? result : known)),
      };
    }),
    recordFailure: assign(({ context, event }) => {
      const failed = event as unknown as { actorId: string; error: unknown };
      const index = startedCheck(context, failed.actorId);
      const invariant = context.invariants[index];
      if (!invariant || context.results[index] !== null) return {};
      const reason = failed.error instanceof Error ? failed.error.message : String(failed.error);
      const result: InvariantResult = {
        id: invariant.id,
        tier: invariant.tier,
        check: invariant.check,
        passed: false,
        message: `the check could not run: ${reason}`,
        durationMs: 0,
      };
      return {
        running: context.running - 1,
        results: context.results.map((known, at) => (at === index ? result : known)),
      };
    }),
  },
}).createMachine({
  id: 'reconciler',
  context: ({ input }) => ({
    planId: input.planId,
    trigger: input.trigger,
    invariants: input.invariants,
    sandbox: input.sandbox,
    step: input.step ?? null,
    concurrency: Number.isFinite(input.concurrency)
      ? Math.max(1, Math.floor(input.concurrency as number))
      : DEFAULT_CHECK_CONCURRENCY,
    next: 0,
    running: 0,
    results: input.invariants.map(() => null),
  }),
  initial: 'checking',
  states: {
    checking: {
      entry: 'startChecks',
      on: {
        'xstate.done.actor.*': { actions: ['recordResult', 'startChecks'] },
        'xstate.error.actor.*': { actions: ['recordFailure', 'startChecks'] },
      },
      always: [
        { guard: 'allHold', target: 'reconciled' },
        { guard: 'allAnswered', target: 'violated' },
      ],
    },
    /** Every invariant holds. */
    reconciled: { type: 'final' },
    /** At least one invariant does not hold. */
    violated: { type: 'final' },
  },
  output: ({ context }) => {
    const results = context.results.filter((result): result is InvariantResult => result !== null);
    return {
      outcome: results.every((result) => result.passed) ? 'reconciled' : 'violated',
      trigger: context.trigger,
      ...(context.step === null ? {} : { step: context.step }),
      results,
    };
  },
});
