import { createActor, fromPromise, toPromise } from 'xstate';
import { invariantReconcilerMachine, type ReconcileInput, type ReconcileOutput } from '../machines/index.js';
import { invariantResultSchema, TroupeError, type InvariantResult, type TieredInvariant } from '../src/domain/index.js';

/**
 * What a reconciler may use: a way to check one invariant, and a cancel signal.
 *
 * @example
 * async reconcile({ invariants }, context: ReconcilerContext) {
 *   const results: InvariantResult[] = [];
 *   for (const invariant of invariants) if (!context.signal.aborted) results.push(await context.runCheck(invariant));
 *   return results;
 * },
 */
export interface ReconcilerContext {
  /** Check one invariant in the plan's sandbox with its registered check; never throws. */
  runCheck(invariant: TieredInvariant): Promise<InvariantResult>;
  signal: AbortSignal;
}

/**
 * Reconciles a plan's invariants at a trigger (SPEC §4). The runtime
 * decides the outcome from the results (every result passed → reconciled),
 * records them and blocks the transition on a violation — a reconciler only
 * decides what to check and how. Chosen by `actors.reconciler` in
 * `.troupe/config.json` or `createRuntime({ actors: { reconciler } })`.
 *
 * @example
 * // check the cheap invariants after each step and all of them elsewhere
 * const thrifty: Reconciler = {
 *   name: 'thrifty',
 *   async reconcile({ trigger, invariants }, { runCheck }) {
 *     const chosen = trigger === 'post-step' ? invariants.filter((i) => i.check !== 'command') : invariants;
 *     return Promise.all(chosen.map(runCheck));
 *   },
 * };
 */
export interface Reconciler {
  readonly name: string;
  reconcile(input: ReconcileInput, context: ReconcilerContext): Promise<InvariantResult[]>;
}

/**
 * The default reconciler: {@link invariantReconcilerMachine}, every
 * invariant checked, up to four at a time. In a runtime it runs as a child
 * actor of the plan (visible in the inspector); `reconcile` runs the same
 * machine on its own.
 *
 * @example
 * const runtime = await createRuntime({ dir, actors: { reconciler: defaultReconciler } });
 * const results = await defaultReconciler.reconcile(input, { runCheck, signal: AbortSignal.timeout(60_000) });
 */
export const defaultReconciler: Reconciler = Object.freeze({
  name: 'default',
  async reconcile(input: ReconcileInput, context: ReconcilerContext): Promise<InvariantResult[]> {
    const cancelled = () => new TroupeError('CANCELLED', `the ${input.trigger} reconciliation was cancelled`);
    if (context.signal.aborted) throw cancelled();
    const machine = invariantReconcilerMachine.provide({
      actors: { runCheck: fromPromise(({ input: check }) => context.runCheck(check.invariant)) },
    });
    const actor = createActor(machine, { input });
    const stop = () => actor.stop();
    context.signal.addEventListener('abort', stop, { once: true });
    try {
      const output = await toPromise(actor.start());
      // a stopped actor completes without output
      if (output === undefined) throw cancelled();
      return output.results;
    } finally {
      context.signal.removeEventListener('abort', stop);
    }
  },
});

/**
 * The outcome of a custom reconciler's answer: its results, checked, and
 * `reconciled` when every one passed. Answers that are not results are an
 * internal error of that reconciler, never a pass.
 */
export function reconcileOutput(reconciler: Reconciler, input: ReconcileInput, answer: unknown): ReconcileOutput {
  const parsed = invariantResultSchema.array().safeParse(answer);
  if (!parsed.success) {
    throw new TroupeError(
      'INTERNAL_ERROR',
      `reconciler "${reconciler.name}" answered something that is not a list of invariant results`,
      {
        hint: 'a reconciler returns [{ id, tier, check, passed, message, durationMs }, …]',
      },
    );
  }
  const results = parsed.data;
  return {
    outcome: results.every((result) => result.passed) ? 'reconciled' : 'violated',
    trigger: input.trigger,
    ...(input.step === undefined ? {} : { step: input.step }),
    results,
  };
}
