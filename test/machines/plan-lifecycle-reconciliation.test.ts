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
  summary,
} from './plan-lifecycle-reconciliation-fixtures.js';

describe('planLifecycleMachine: invariant reconciliation', () => {
  describe('a plan whose invariants hold', () => {
    it('reconciles after strategize, after every step and after validate, each under its decision', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(position(snapshot)).toEqual({ phase: 'validate', status: 'complete' });
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1, 2]);
      expect(reconciliations(plan.emitted).map(summary)).toEqual([
        { parentId: 'ROOT', trigger: 'post-strategize', step: undefined, outcome: 'reconciled' },
        { parentId: 'D0', trigger: 'post-step', step: 0, outcome: 'reconciled' },
        { parentId: 'D1', trigger: 'post-step', step: 1, outcome: 'reconciled' },
        { parentId: 'D2', trigger: 'post-step', step: 2, outcome: 'reconciled' },
        { parentId: 'ROOT', trigger: 'post-validate', step: undefined, outcome: 'reconciled' },
      ]);
      for (const event of reconciliations(plan.emitted)) {
        expect(event.results.map(({ id, tier, check, passed }) => ({ id, tier, check, passed }))).toEqual([
          { id: 'tests-pass', tier: 'project', check: 'command', passed: true },
          { id: 'header-exists', tier: 'plan', check: 'file-exists', passed: true },
        ]);
      }
      // a reconciliation that follows no step carries no step key at all
      expect(reconciliations(plan.emitted)[0]).not.toHaveProperty('step');
      expect(reconciliations(plan.emitted)[4]).not.toHaveProperty('step');
    });

    it('journals invariant.reconciled with the trigger, the step and every result', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      await plan.rest();
      const entries = invariantEntries(plan.emitted);
      expect(
        entries.map((entry) => ({
          type: entry.type,
          phase: entry.phase,
          trigger: entry.data.trigger,
          step: entry.data.step,
        })),
      ).toEqual([
        { type: 'invariant.reconciled', phase: 'strategize', trigger: 'post-strategize', step: undefined },
        { type: 'invariant.reconciled', phase: 'execute', trigger: 'post-step', step: 0 },
        { type: 'invariant.reconciled', phase: 'execute', trigger: 'post-step', step: 1 },
        { type: 'invariant.reconciled', phase: 'execute', trigger: 'post-step', step: 2 },
        { type: 'invariant.reconciled', phase: 'validate', trigger: 'post-validate', step: undefined },
      ]);
      expect(entries[0]?.data).not.toHaveProperty('step');
      const reconciled = reconciliations(plan.emitted);
      entries.forEach((entry, at) => expect(entry.data.results).toEqual(reconciled[at]?.results));
    });

    it('journals each reconciliation after what it checks and before the phase completes', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      await plan.rest();
      const step = ['step.started', 'tool.called', 'step.completed', 'invariant.reconciled'];
      expect(journalTypes(plan.emitted)).toEqual([
        'phase.started',
        'invariant.reconciled',
        'phase.completed',
        'phase.started',
        ...step,
        ...step,
        ...step,
        'phase.completed',
        'phase.started',
        'invariant.reconciled',
        'phase.completed',
      ]);
    });

    it('checks every invariant at every trigger, against the sandbox as each step left it', async () => {
      const plan = startPlan('review', { steps: 3, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      await plan.rest();
      expect(plan.calls.checked.map((input) => [input.trigger, input.invariant.id, input.sandbox.headCommit])).toEqual([
        ['post-strategize', 'tests-pass', 'base'],
        ['post-strategize', 'header-exists', 'base'],
        ['post-step', 'tests-pass', 'c0'],
        ['post-step', 'header-exists', 'c0'],
        ['post-step', 'tests-pass', 'c1'],
        ['post-step', 'header-exists', 'c1'],
        ['post-step', 'tests-pass', 'c2'],
        ['post-step', 'header-exists', 'c2'],
        ['post-validate', 'tests-pass', 'c2'],
        ['post-validate', 'header-exists', 'c2'],
      ]);
      expect(plan.calls.checked.every((input) => input.planId === 'P')).toBe(true);
    });

    it('keeps the invariants and leaves no reconciliation pending once it rests', async () => {
      const plan = startPlan('review', { steps: 1, invariants: INVARIANTS });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(snapshot.context.invariants).toEqual(INVARIANTS);
      expect(snapshot.context.reconciliation).toBe(true);
      expect(snapshot.context.pendingReconcile).toBeNull();
      expect(snapshot.context.error).toBeNull();
    });

    it('reads as processing while a reconciliation runs, and does not let execute start before it passes', async () => {
      const plan = startGatedPlan('manual', {
        steps: 1,
        invariants: INVARIANTS,
        gate: (input) => input.trigger === 'post-strategize',
      });
      plan.actor.send({ type: 'plan.run' });
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      const reconciling = plan.actor.getSnapshot();
      expect(reconciling.value).toEqual({ strategize: { reconciling: 'checking' } });
      expect(position(reconciling)).toEqual({ phase: 'strategize', status: 'processing' });
      expect(reconciling.context.pendingReconcile).toEqual({ trigger: 'post-strategize', decisionId: 'ROOT' });
      expect(reconciling.can({ type: 'plan.execute' })).toBe(false);
      expect(reconciling.can({ type: 'plan.run' })).toBe(false);
      expect(reconciling.can({ type: 'plan.corrected', decisionId: 'C1' })).toBe(false);
      expect(reconciliations(plan.emitted)).toEqual([]);
      for (const check of plan.waiting) check.answer(true);
      const complete = await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'complete');
      expect(position(complete)).toEqual({ phase: 'strategize', status: 'complete' });
      expect(complete.can({ type: 'plan.execute' })).toBe(true);
    });

    it('reads as processing while a post-step and a post-validate reconciliation run', async () => {
      const plan = startGatedPlan('review', {
        steps: 2,
        invariants: INVARIANTS,
        gate: (input) => input.trigger !== 'post-strategize',
      });
      plan.actor.send({ type: 'plan.run' });
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      const afterStep = plan.actor.getSnapshot();
      expect(afterStep.value).toEqual({ execute: { processing: { reconciling: 'checking' } } });
      expect(position(afterStep)).toEqual({ phase: 'execute', status: 'processing' });
      expect(afterStep.context.pendingReconcile).toEqual({
        trigger: 'post-step',
        decisionId: 'D0',
        step: 0,
        wrote: false,
      });
      // the next step waits for the reconciliation
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0]);
      for (const check of plan.waiting.splice(0)) check.answer(true);
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);
      for (const check of plan.waiting.splice(0)) check.answer(true);
      await vi.waitFor(() => expect(plan.waiting).toHaveLength(2));
      const afterValidate = plan.actor.getSnapshot();
      expect(afterValidate.value).toEqual({ validate: { reconciling: 'checking' } });
      expect(position(afterValidate)).toEqual({ phase: 'validate', status: 'processing' });
      expect(afterValidate.can({ type: 'plan.apply' })).toBe(false);
      for (const check of plan.waiting.splice(0)) check.answer(true);
      expect(position(await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'complete'))).toEqual({
        phase: 'validate',
        status: 'complete',
      });
    });
  });

  describe('a plan that does not reconcile', () => {
    it('runs no check and emits no reconciliation when its plan file says reconciliation: false', async () => {
      const plan = startPlan('auto', { steps: 2, invariants: INVARIANTS, reconciliation: false, holds: () => false });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await waitFor(plan.actor, (s) => s.status === 'done');
      expect(snapshot.value).toBe('done');
      expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);
      expect(plan.calls.checked).toEqual([]);
      expect(reconciliations(plan.emitted)).toEqual([]);
      expect(invariantEntries(plan.emitted)).toEqual([]);
      expect(snapshot.context.reconciliation).toBe(false);
    });

    it('runs no check and emits no reconciliation when it has no invariants', async () => {
      const plan = startPlan('review', { steps: 2 });
      plan.actor.send({ type: 'plan.run' });
      const snapshot = await plan.rest();
      expect(position(snapshot)).toEqual({ phase: 'validate', status: 'complete' });
      expect(plan.calls.checked).toEqual([]);
      expect(reconciliations(plan.emitted)).toEqual([]);
      expect(invariantEntries(plan.emitted)).toEqual([]);
    });

    it('leaves no reconciliation pending when it stops between phases', async () => {
      const plan = startPlan('manual', { steps: 1, invariants: INVARIANTS, reconciliation: false });
      plan.actor.send({ type: 'plan.run' });
      const strategized = await plan.rest();
      expect(position(strategized)).toEqual({ phase: 'strategize', status: 'complete' });
      expect(strategized.context.pendingReconcile).toBeNull();
      plan.actor.send({ type: 'plan.run' });
      const executed = await plan.rest();
      expect(position(executed)).toEqual({ phase: 'execute', status: 'complete' });
      expect(executed.context.pendingReconcile).toBeNull();
    });
  });
});
