import { describe, expect, it, vi } from 'vitest';
import { waitFor } from 'xstate';
import { startPlan } from './plan-lifecycle-fixtures.js';
import {
  INVARIANTS,
  invariantEntries,
  journalTypes,
  position,
  reconciliations,
  startGatedPlan,
} from './plan-lifecycle-reconciliation-fixtures.js';

describe('planLifecycleMachine: invariant reconciliation', () => {
  describe('plan.corrected', () => {
    it('requeues execute when the invariants hold again, under the correction decision, and execute runs the rest', async () => {
      let broken = true;
      const plan = startPlan('review', {
        steps: 3,
        invariants: INVARIANTS,
        holds: (input) => !(broken && input.trigger === 'post-step' && input.sandbox.headCommit === 'c1'),
      });
      plan.actor.send({ type: 'plan.run' });
      const failed = await plan.rest();
      expect(position(failed)).toEqual({ phase: 'execute', status: 'failed' });
      expect(failed.can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(true);

      broken = false;
      const checkedBefore = plan.calls.checked.length;
      plan.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      const queued = await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'queued');
      expect(position(queued)).toEqual({ phase: 'execute', status: 'queued' });
      expect(queued.context.error).toBeNull();
      expect(queued.context.pendingReconcile).toBeNull();
      expect(queued.context.lastCompletedStep).toBe(1);
      expect(
        plan.calls.checked
          .slice(checkedBefore)
          .map((input) => [input.trigger, input.invariant.id, input.sandbox.headCommit]),
      ).toEqual([
        ['post-correction', 'tests-pass', 'c1'],
        ['post-correction', 'header-exists', 'c1'],
      ]);
      const correction = reconciliations(plan.emitted).at(-1);
      expect(correction).toEqual({
        type: 'reconciliation',
        parentId: 'C1',
        trigger: 'post-correction',
        outcome: 'reconciled',
        results: expect.any(Array),
      });
      expect(correction?.results).toHaveLength(2);
      expect(invariantEntries(plan.emitted).at(-1)).toMatchObject({
        type: 'invariant.reconciled',
        phase: 'execute',
        data: { trigger: 'post-correction' },
      });
      // no step ran during the correction
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);

      expect(queued.can({ type: 'plan.execute' })).toBe(true);
      plan.actor.send({ type: 'plan.execute' });
      const complete = await plan.rest();
      expect(position(complete)).toEqual({ phase: 'execute', status: 'complete' });
      expect(plan.calls.executed.map((input) => ({ index: input.index, from: input.sandbox.headCommit }))).toEqual([
        { index: 0, from: 'base' },
        { index: 1, from: 'c0' },
        { index: 2, from: 'c1' },
      ]);
      expect(complete.context.lastCompletedStep).toBe(2);
      expect(reconciliations(plan.emitted).at(-1)).toMatchObject({
        parentId: 'D2',
        trigger: 'post-step',
        step: 2,
        outcome: 'reconciled',
      });
    });

    it('fails execute again when the invariants still do not hold', async () => {
      const plan = startPlan('review', {
        steps: 3,
        invariants: INVARIANTS,
        holds: (input) => input.invariant.id !== 'header-exists' || input.trigger === 'post-strategize',
      });
      plan.actor.send({ type: 'plan.run' });
      expect(position(await plan.rest())).toEqual({ phase: 'execute', status: 'failed' });
      const emittedBefore = plan.emitted.length;
      plan.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      const failed = await waitFor(
        plan.actor,
        (snapshot) => position(snapshot).status === 'failed' && plan.emitted.length > emittedBefore,
      );
      expect(position(failed)).toEqual({ phase: 'execute', status: 'failed' });
      expect(failed.context.error).toEqual({
        code: 'INVARIANT_VIOLATED',
        message: 'invariant "header-exists" (plan) does not hold after the correction: broken',
        phase: 'execute',
        details: {
          trigger: 'post-correction',
          violations: [{ id: 'header-exists', tier: 'plan', check: 'file-exists', message: 'broken' }],
        },
        hint: expect.any(String),
        retryable: false,
      });
      expect(failed.can({ type: 'plan.execute' })).toBe(false);
      expect(reconciliations(plan.emitted).at(-1)).toMatchObject({
        parentId: 'C1',
        trigger: 'post-correction',
        outcome: 'violated',
      });
      expect(reconciliations(plan.emitted).at(-1)).not.toHaveProperty('step');
      expect(journalTypes(plan.emitted.slice(emittedBefore))).toEqual(['invariant.violated', 'phase.failed']);
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0]);
      // another correction may be tried
      expect(failed.can({ type: 'plan.corrected', decisionId: 'C2' })).toBe(true);
    });

    it('reads as (execute, processing) while the correction is reconciled', async () => {
      let broken = true;
      const plan = startGatedPlan('review', {
        steps: 2,
        invariants: INVARIANTS,
        holds: (input) => !(broken && input.trigger === 'post-step'),
        gate: (input) => input.trigger === 'post-correction',
      });
      plan.actor.send({ type: 'plan.run' });
      await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'failed');
      broken = false;
      plan.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      const correcting = plan.actor.getSnapshot();
      expect(correcting.value).toEqual({ execute: { correcting: 'checking' } });
      expect(position(correcting)).toEqual({ phase: 'execute', status: 'processing' });
      expect(correcting.context.pendingReconcile).toEqual({ trigger: 'post-correction', decisionId: 'C1' });
      expect(correcting.can({ type: 'plan.execute' })).toBe(false);
      expect(correcting.can({ type: 'plan.corrected', decisionId: 'C2' })).toBe(false);
      for (const check of plan.waiting) check.answer(true);
      expect(position(await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'queued'))).toEqual({
        phase: 'execute',
        status: 'queued',
      });
    });

    it('requeues execute without checking anything on a plan that does not reconcile', async () => {
      const plan = startPlan('review', { steps: 2, invariants: INVARIANTS, reconciliation: false });
      plan.actor.send({ type: 'plan.run' });
      expect(position(await plan.rest())).toEqual({ phase: 'validate', status: 'complete' });
      plan.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      const queued = plan.actor.getSnapshot();
      expect(position(queued)).toEqual({ phase: 'execute', status: 'queued' });
      expect(queued.context.pendingReconcile).toBeNull();
      expect(plan.calls.checked).toEqual([]);
      expect(reconciliations(plan.emitted)).toEqual([]);
    });

    it('is refused before strategize is complete and once the plan has ended', async () => {
      const queued = startPlan('review', { invariants: INVARIANTS });
      expect(position(queued.actor.getSnapshot())).toEqual({ phase: 'strategize', status: 'queued' });
      expect(queued.actor.getSnapshot().can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
      queued.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      expect(position(queued.actor.getSnapshot())).toEqual({ phase: 'strategize', status: 'queued' });

      const processing = startGatedPlan('review', { invariants: INVARIANTS, gate: () => true });
      processing.actor.send({ type: 'plan.run' });
      expect(position(processing.actor.getSnapshot())).toEqual({ phase: 'strategize', status: 'processing' });
      expect(processing.actor.getSnapshot().can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
      processing.actor.stop();

      const done = startPlan('auto', { invariants: INVARIANTS });
      done.actor.send({ type: 'plan.run' });
      const ended = await waitFor(done.actor, (snapshot) => snapshot.status === 'done');
      expect(ended.can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
      done.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      expect(done.actor.getSnapshot().value).toBe('done');
      expect(done.calls.checked.filter((input) => input.trigger === 'post-correction')).toEqual([]);

      const cancelled = startPlan('review', { invariants: INVARIANTS });
      cancelled.actor.send({ type: 'plan.cancel' });
      expect(cancelled.actor.getSnapshot().can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
    });
  });
});
