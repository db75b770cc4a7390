import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import {
  appendsSteps,
  isOpen,
  planLifecycleMachine,
  planPosition,
  reconcileDeferred,
  type PlanContext,
  type PlanEmitted,
  type ReconciliationEmitted,
} from '../../machines/index.js';
import type { JournalEntry, TieredInvariant } from '../../src/domain/index.js';
import { at, context, INPUT, scriptedActors, startPlan } from './plan-lifecycle-fixtures.js';

// Agent-driven plans (SPEC §16) and corrections that append steps (SPEC §10), as pure transitions.

const INVARIANTS: TieredInvariant[] = [{ id: 'no-bad', check: 'file-absent', path: 'bad.txt', tier: 'plan' }];

const position = (snapshot: { value: unknown; context: PlanContext }) =>
  planPosition(snapshot.value as never, snapshot.context);
const journal = (emitted: PlanEmitted[]): JournalEntry[] =>
  emitted.flatMap((event) => (event.type === 'journal' ? [event.entry] : []));
const reconciliations = (emitted: PlanEmitted[]) =>
  emitted
    .filter((event): event is ReconciliationEmitted => event.type === 'reconciliation')
    .map(({ parentId, trigger, step, outcome }) => ({ parentId, trigger, step, outcome }));
const checkpoints = (emitted: PlanEmitted[]) =>
  emitted.flatMap((event) => (event.type === 'checkpoint' ? [event.trigger] : []));

describe('agent-driven plan guards', () => {
  it('isOpen reads whether strategize left the plan open for steps from outside', () => {
    expect(isOpen({ context: context({ open: true }) })).toBe(true);
    expect(isOpen({ context: context() })).toBe(false);
  });

  it('reconcileDeferred holds only for a pending reconciliation a correction put off', () => {
    expect(
      reconcileDeferred({
        context: context({ pendingReconcile: { trigger: 'post-step', decisionId: 'D1', step: 1, deferred: true } }),
      }),
    ).toBe(true);
    expect(
      reconcileDeferred({
        context: context({ pendingReconcile: { trigger: 'post-step', decisionId: 'D1', step: 1 } }),
      }),
    ).toBe(false);
    expect(reconcileDeferred({ context: context() })).toBe(false);
  });

  it('appendsSteps holds for a correction that appended at least one step', () => {
    expect(appendsSteps({ event: { type: 'plan.corrected', decisionId: 'C', appended: 2 } })).toBe(true);
    expect(appendsSteps({ event: { type: 'plan.corrected', decisionId: 'C', appended: 0 } })).toBe(false);
    expect(appendsSteps({ event: { type: 'plan.corrected', decisionId: 'C' } })).toBe(false);
    expect(appendsSteps({ event: { type: 'plan.cancel' } })).toBe(false);
  });
});

describe('an agent-driven plan', () => {
  async function openPlan(options: Parameters<typeof startPlan>[1] = {}) {
    const plan = startPlan('review', { steps: 0, open: true, invariants: INVARIANTS, writes: true, ...options });
    plan.actor.send({ type: 'plan.run' });
    const opened = await plan.rest();
    return { ...plan, opened };
  }

  it('rests open in execute, read as (execute, waiting), once strategize and its reconciliation passed', async () => {
    const plan = await openPlan();
    expect(plan.opened.value).toEqual({ execute: { processing: 'open' } });
    expect(position(plan.opened)).toEqual({ phase: 'execute', status: 'waiting' });
    expect(plan.opened.context.open).toBe(true);
    expect(plan.opened.can({ type: 'plan.step' })).toBe(true);
    expect(plan.opened.can({ type: 'plan.finish' })).toBe(true);
    expect(plan.calls.executed).toEqual([]);
    expect(checkpoints(plan.emitted)).toEqual(['phase', 'pre-execute']);
  });

  it('runs one step per plan.step, discarding a failed one, reconciles and checkpoints it, and opens again', async () => {
    const plan = await openPlan();
    plan.actor.send({ type: 'plan.step' });
    const after = await waitFor(
      plan.actor,
      (snapshot) => snapshot.matches({ execute: { processing: 'open' } }) && snapshot.context.lastCompletedStep === 0,
    );
    expect(plan.calls.executed).toEqual([expect.objectContaining({ index: 0, discardOnFailure: true })]);
    expect(after.context).toMatchObject({
      stepCount: 1,
      sideEffects: 1,
      sandbox: { headCommit: 'c0' },
      pendingReconcile: null,
    });
    expect(reconciliations(plan.emitted).at(-1)).toEqual({
      parentId: 'D0',
      trigger: 'post-step',
      step: 0,
      outcome: 'reconciled',
    });
    expect(checkpoints(plan.emitted).at(-1)).toBe('step');
    expect(journal(plan.emitted).map((entry) => entry.type)).toContain('step.completed');
  });

  it('stays open after a step that failed: the failure is journaled, the plan carries no error', async () => {
    const plan = await openPlan({ failStep: 0 });
    plan.actor.send({ type: 'plan.step' });
    const after = await waitFor(
      plan.actor,
      (snapshot) => snapshot.matches({ execute: { processing: 'open' } }) && snapshot.context.lastCompletedStep === 0,
    );
    expect(position(after)).toEqual({ phase: 'execute', status: 'waiting' });
    expect(after.context.error).toBeNull();
    expect(after.context.sandbox?.headCommit).toBe('base');
    expect(journal(plan.emitted).at(-1)).toMatchObject({
      type: 'step.failed',
      data: { index: 0, code: 'TOOL_FAILED' },
    });
    expect(reconciliations(plan.emitted).filter((entry) => entry.trigger === 'post-step')).toEqual([]);
  });

  it('finishes: execute completes and the plan is driven on as its automation says', async () => {
    const plan = await openPlan();
    plan.actor.send({ type: 'plan.finish' });
    const rest = await plan.rest();
    expect(position(rest)).toEqual({ phase: 'validate', status: 'complete' });
    expect(plan.calls.validated).toBe(1);
    expect(rest.can({ type: 'plan.step' })).toBe(false);
  });

  it('finishes only up to until when given one', async () => {
    const plan = await openPlan();
    plan.actor.send({ type: 'plan.finish', until: 'execute' });
    expect(position(await plan.rest())).toEqual({ phase: 'execute', status: 'complete' });
    expect(plan.calls.validated).toBe(0);
  });

  it('fails execute with the error its agent gave (a model that does not answer), and a retryable one runs execute open again', async () => {
    const plan = await openPlan();
    plan.actor.send({ type: 'plan.fail', error: { code: 'MODEL_UNAVAILABLE', message: 'the model did not answer' } });
    const failed = plan.actor.getSnapshot();
    expect(position(failed)).toEqual({ phase: 'execute', status: 'failed' });
    expect(failed.context.error).toMatchObject({ code: 'MODEL_UNAVAILABLE', phase: 'execute', retryable: true });
    expect(journal(plan.emitted).at(-1)).toMatchObject({ type: 'phase.failed', data: { code: 'MODEL_UNAVAILABLE' } });
    plan.actor.send({ type: 'plan.execute' });
    const reopened = await plan.rest();
    expect(position(reopened)).toEqual({ phase: 'execute', status: 'waiting' });
    expect(reopened.context.error).toBeNull();
    // a step limit needs a correction: execute does not simply run again
    plan.actor.send({ type: 'plan.fail', error: { code: 'MODEL_STEP_LIMIT', message: 'used its 2 calls' } });
    expect(plan.actor.getSnapshot().can({ type: 'plan.execute' })).toBe(false);
    expect(
      at({ execute: 'queued' }, { phase: 'execute', open: true }).can({
        type: 'plan.fail',
        error: { code: 'MODEL_UNAVAILABLE', message: 'x' },
      }),
    ).toBe(false);
  });

  it('takes no step once it is not open', () => {
    const queued = at({ execute: 'queued' }, { phase: 'execute', open: true });
    expect(queued.can({ type: 'plan.step' })).toBe(false);
    expect(queued.can({ type: 'plan.finish' })).toBe(false);
    const scripted = at({ execute: 'complete' }, { phase: 'execute' });
    expect(scripted.can({ type: 'plan.step' })).toBe(false);
  });
});

describe('a correction that appends steps', () => {
  it('runs the appended steps first and reconciles once, after the last of them, as post-correction', async () => {
    let broken = true;
    const plan = startPlan('review', {
      steps: 2,
      writes: true,
      invariants: INVARIANTS,
      holds: (input) => !(broken && input.trigger === 'post-step'),
    });
    plan.actor.send({ type: 'plan.run' });
    const failed = await plan.rest();
    expect(position(failed)).toEqual({ phase: 'execute', status: 'failed' });
    expect(failed.context.lastCompletedStep).toBe(0);
    broken = false;

    plan.actor.send({ type: 'plan.corrected', decisionId: 'C1', appended: 2 });
    const queued = plan.actor.getSnapshot();
    // nothing is checked before the appended steps ran
    expect(position(queued)).toEqual({ phase: 'execute', status: 'queued' });
    expect(queued.context).toMatchObject({ error: null, stepCount: 4, correction: { decisionId: 'C1', through: 2 } });
    const before = reconciliations(plan.emitted).length;

    plan.actor.send({ type: 'plan.execute' });
    const done = await plan.rest();
    expect(position(done)).toEqual({ phase: 'execute', status: 'complete' });
    expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1, 2, 3]);
    // step 1 (appended) is not checked on its own; step 2 (the last appended) is checked as the correction; step 3 is the plan's own
    expect(reconciliations(plan.emitted).slice(before)).toEqual([
      { parentId: 'C1', trigger: 'post-correction', step: 2, outcome: 'reconciled' },
      { parentId: 'D3', trigger: 'post-step', step: 3, outcome: 'reconciled' },
    ]);
    expect(done.context.correction).toBeNull();
  });

  it('puts the appended steps right after the last step that ran: the groups after it move down', () => {
    const corrected = (value: unknown, overrides: Partial<PlanContext>, appended: number) => {
      const actor = createActor(planLifecycleMachine.provide({ actors: scriptedActors().actors }), {
        input: INPUT,
        snapshot: at(value, overrides),
      }).start();
      actor.send({ type: 'plan.corrected', decisionId: 'C1', appended });
      const { context: after } = actor.getSnapshot();
      actor.stop();
      return {
        groupSteps: after.groupSteps,
        correction: after.correction,
        stepCount: after.stepCount,
        error: after.error,
      };
    };
    // step 0 ran and step 1 (a group) failed: the two appended steps are 1 and 2, the groups 3 and 5
    const failed = {
      phase: 'execute' as const,
      stepCount: 4,
      lastCompletedStep: 0,
      groupSteps: [1, 3],
      error: { code: 'TOOL_FAILED' as const, message: 'x', phase: 'execute' as const, retryable: false },
    };
    expect(corrected({ execute: 'failed' }, failed, 2)).toEqual({
      groupSteps: [3, 5],
      correction: { decisionId: 'C1', through: 2 },
      stepCount: 6,
      error: null,
    });
    // nothing ran yet: the appended step is step 0, and the group that was first comes after it
    expect(
      corrected({ execute: 'queued' }, { phase: 'execute', stepCount: 2, lastCompletedStep: null, groupSteps: [0] }, 1),
    ).toEqual({ groupSteps: [1], correction: { decisionId: 'C1', through: 0 }, stepCount: 3, error: null });
  });

  it('fails the plan when the appended steps did not restore the invariants', async () => {
    const plan = startPlan('review', {
      steps: 1,
      writes: true,
      invariants: INVARIANTS,
      holds: (input) => input.trigger === 'post-strategize',
    });
    plan.actor.send({ type: 'plan.run' });
    expect(position(await plan.rest())).toEqual({ phase: 'execute', status: 'failed' });
    plan.actor.send({ type: 'plan.corrected', decisionId: 'C1', appended: 1 });
    plan.actor.send({ type: 'plan.execute' });
    const failed = await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'failed');
    expect(failed.context.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      message: expect.stringContaining('after the correction'),
      hint: expect.stringContaining('troupe plan correct demo/x'),
    });
    expect(reconciliations(plan.emitted).at(-1)).toEqual({
      parentId: 'C1',
      trigger: 'post-correction',
      step: 1,
      outcome: 'violated',
    });
  });
});
