import { describe, expect, it, vi } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { planLifecycleMachine, planPosition, type PlanEmitted } from '../../machines/index.js';
import { INPUT, SANDBOX, scriptedActors } from './plan-lifecycle-fixtures.js';
import {
  INVARIANTS,
  journal,
  journalTypes,
  position,
  reconciliations,
  startGatedPlan,
  summary,
} from './plan-lifecycle-reconciliation-fixtures.js';

describe('planLifecycleMachine: invariant reconciliation', () => {
  it('cancels a running reconciliation: its checks are stopped and their signals abort', async () => {
    const plan = startGatedPlan('review', {
      steps: 2,
      invariants: INVARIANTS,
      gate: (input) => input.trigger === 'post-step',
    });
    plan.actor.send({ type: 'plan.run' });
    await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
    expect(position(plan.actor.getSnapshot())).toEqual({ phase: 'execute', status: 'processing' });
    plan.actor.send({ type: 'plan.cancel', reason: 'changed my mind' });
    const snapshot = plan.actor.getSnapshot();
    expect(snapshot.value).toBe('cancelled');
    expect(position(snapshot)).toEqual({ phase: 'execute', status: 'cancelled' });
    expect(plan.waiting.map((check) => check.aborted())).toEqual([true, true]);
    expect(snapshot.children).toEqual({});
    expect(journal(plan.emitted).at(-1)).toEqual({
      type: 'plan.cancelled',
      phase: 'execute',
      data: { reason: 'changed my mind' },
    });
    // the post-step reconciliation never ended: nothing recorded for it, and no step ran after it
    expect(reconciliations(plan.emitted).map((event) => event.trigger)).toEqual(['post-strategize']);
    expect(plan.calls.executed.map((input) => input.index)).toEqual([0]);
  });

  describe('restore', () => {
    it('re-runs a post-step reconciliation in flight (not the step) and continues', async () => {
      const first = startGatedPlan('review', {
        steps: 3,
        invariants: INVARIANTS,
        gate: (input) => input.trigger === 'post-step' && input.sandbox.headCommit === 'c1',
      });
      first.actor.send({ type: 'plan.run' });
      await vi.waitFor(() => expect(first.waiting).toHaveLength(2));
      const persisted = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot()));
      first.actor.stop();
      expect(persisted.value).toEqual({ execute: { processing: { reconciling: 'checking' } } });
      expect(planPosition(persisted.value, persisted.context)).toEqual({ phase: 'execute', status: 'processing' });
      expect(persisted.context.pendingReconcile).toEqual({
        trigger: 'post-step',
        decisionId: 'D1',
        step: 1,
        wrote: false,
      });

      const { actors, calls } = scriptedActors({ steps: 3, invariants: INVARIANTS });
      const restored = createActor(planLifecycleMachine.provide({ actors }), { snapshot: persisted, input: INPUT });
      const emitted: PlanEmitted[] = [];
      restored.on('*', (event) => emitted.push(event as PlanEmitted));
      restored.start();
      const snapshot = await waitFor(
        restored,
        (s) => s.context.phase === 'validate' && position(s).status === 'complete',
      );
      expect(calls.executed.map((input) => ({ index: input.index, from: input.sandbox.headCommit }))).toEqual([
        { index: 2, from: 'c1' },
      ]);
      expect(calls.strategized).toBe(0);
      expect(calls.checked.map((input) => [input.trigger, input.sandbox.headCommit])).toEqual([
        ['post-step', 'c1'],
        ['post-step', 'c1'],
        ['post-step', 'c2'],
        ['post-step', 'c2'],
        ['post-validate', 'c2'],
        ['post-validate', 'c2'],
      ]);
      expect(reconciliations(emitted).map(summary)).toEqual([
        { parentId: 'D1', trigger: 'post-step', step: 1, outcome: 'reconciled' },
        { parentId: 'D2', trigger: 'post-step', step: 2, outcome: 'reconciled' },
        { parentId: 'ROOT', trigger: 'post-validate', step: undefined, outcome: 'reconciled' },
      ]);
      expect(journalTypes(emitted).slice(0, 2)).toEqual(['invariant.reconciled', 'step.started']);
      expect(snapshot.context.lastCompletedStep).toBe(2);
      expect(snapshot.context.sandbox).toEqual({ ...SANDBOX, headCommit: 'c2' });
    });

    it('re-runs a correction’s reconciliation in flight and requeues execute', async () => {
      let broken = true;
      const first = startGatedPlan('review', {
        steps: 2,
        invariants: INVARIANTS,
        holds: (input) => !(broken && input.trigger === 'post-step'),
        gate: (input) => input.trigger === 'post-correction',
      });
      first.actor.send({ type: 'plan.run' });
      await waitFor(first.actor, (snapshot) => position(snapshot).status === 'failed');
      broken = false;
      first.actor.send({ type: 'plan.corrected', decisionId: 'C1' });
      await vi.waitFor(() => expect(first.waiting).toHaveLength(2));
      const persisted = JSON.parse(JSON.stringify(first.actor.getPersistedSnapshot()));
      first.actor.stop();

      const { actors, calls } = scriptedActors({ steps: 2, invariants: INVARIANTS });
      const restored = createActor(planLifecycleMachine.provide({ actors }), { snapshot: persisted, input: INPUT });
      const emitted: PlanEmitted[] = [];
      restored.on('*', (event) => emitted.push(event as PlanEmitted));
      restored.start();
      const snapshot = await waitFor(restored, (s) => position(s).status === 'queued');
      expect(position(snapshot)).toEqual({ phase: 'execute', status: 'queued' });
      expect(calls.checked.map((input) => input.trigger)).toEqual(['post-correction', 'post-correction']);
      expect(calls.executed).toEqual([]);
      expect(reconciliations(emitted).map(summary)).toEqual([
        { parentId: 'C1', trigger: 'post-correction', step: undefined, outcome: 'reconciled' },
      ]);
    });
  });
});
