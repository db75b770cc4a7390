import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { planLifecycleMachine, type ReconcileInput, type ReconcileOutput } from '../../machines/index.js';
import { INPUT, SANDBOX, scriptedActors } from './plan-lifecycle-fixtures.js';
import { INVARIANTS, position } from './plan-lifecycle-reconciliation-fixtures.js';

describe('planLifecycleMachine: invariant reconciliation', () => {
  describe('a reconciler provided whole', () => {
    /** A plan of one step that writes, reconciled by `answer`; what the reconciler was asked, and the plan once it rests. */
    async function reconciledBy(answer: (input: ReconcileInput) => ReconcileOutput) {
      const { actors } = scriptedActors({ steps: 1, invariants: INVARIANTS, writes: true });
      const asked: ReconcileInput[] = [];
      const reconcile = fromPromise<ReconcileOutput, ReconcileInput>(
        async ({ input }) => (asked.push(input), answer(input)),
      );
      const actor = createActor(
        planLifecycleMachine.provide({ actors: { ...actors, reconcile: reconcile as never } }),
        { input: INPUT },
      );
      actor.start().send({ type: 'plan.run' });
      const rest = await waitFor(actor, (snapshot) => position(snapshot).status !== 'processing');
      return { asked, rest };
    }

    it('is asked with the step only after a step: the key is absent after strategize and validate', async () => {
      const { asked, rest } = await reconciledBy((input) => ({
        trigger: input.trigger,
        ...(input.step === undefined ? {} : { step: input.step }),
        outcome: 'reconciled',
        results: [],
      }));
      expect(position(rest)).toEqual({ phase: 'validate', status: 'complete' });
      const sandbox = { ...SANDBOX, headCommit: 'c0' };
      expect(asked).toStrictEqual([
        { planId: 'P', trigger: 'post-strategize', invariants: INVARIANTS, sandbox: SANDBOX },
        { planId: 'P', trigger: 'post-step', invariants: INVARIANTS, sandbox, step: 0 },
        { planId: 'P', trigger: 'post-validate', invariants: INVARIANTS, sandbox },
      ]);
    });

    it('that says violated without a failed check fails the phase with INVARIANT_VIOLATED, not SANDBOX_UNAVAILABLE', async () => {
      const { rest } = await reconciledBy((input) => ({ trigger: input.trigger, outcome: 'violated', results: [] }));
      expect(position(rest)).toEqual({ phase: 'strategize', status: 'failed' });
      expect(rest.context.error).toMatchObject({
        code: 'INVARIANT_VIOLATED',
        details: { trigger: 'post-strategize', violations: [] },
      });
    });
  });

  it('fails the phase, not retryably, when the reconciler itself fails: nothing says the invariants hold', async () => {
    const { actors } = scriptedActors({ steps: 1, invariants: INVARIANTS });
    const actor = createActor(
      planLifecycleMachine.provide({
        actors: {
          ...actors,
          reconcile: fromPromise<never, unknown>(async () => {
            throw new Error('reconciler crashed');
          }) as never,
        },
      }),
      { input: INPUT },
    ).start();
    actor.send({ type: 'plan.run' });
    const snapshot = await waitFor(actor, (s) => position(s).status === 'failed');
    expect(position(snapshot)).toEqual({ phase: 'strategize', status: 'failed' });
    expect(snapshot.context.error).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'reconciler crashed',
      phase: 'strategize',
      hint: expect.stringContaining('invariants were not checked'),
      retryable: false,
    });
    expect(snapshot.can({ type: 'plan.execute' })).toBe(false);
    expect(snapshot.context.target).toBeNull();
  });
});
