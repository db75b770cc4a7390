import { createActor, fromPromise, waitFor } from 'xstate';
import { describe, expect, it } from 'vitest';
import {
  initialState,
  planLifecycleMachine,
  planPosition,
  restorableContext,
  restorePointOf,
  startedChildren,
  type CheckpointEmitted,
  type PlanContext,
  type PlanEmitted,
  type ReconcileInput,
  type ReconcileOutput,
} from '../../machines/index.js';
import type { TieredInvariant } from '../../src/domain/index.js';
import { context, scriptedActors, startPlan } from './plan-lifecycle-fixtures.js';

// Which transitions ask for a checkpoint (SPEC §10), what context it keeps and
// where it restores to; the runtime turns each into a record.

const INVARIANT: TieredInvariant = {
  id: 'readme',
  check: 'file-exists',
  path: 'README.md',
  tier: 'plan',
} as TieredInvariant;
const checkpoints = (emitted: PlanEmitted[]) =>
  emitted.filter((event): event is CheckpointEmitted => event.type === 'checkpoint');

describe('planLifecycleMachine: checkpoints', () => {
  it('asks for phase, pre-execute, step and post-execute checkpoints in order, each at a state at rest', async () => {
    const plan = startPlan('review', { steps: 2, writes: true, invariants: [INVARIANT] });
    plan.actor.send({ type: 'plan.run' });
    await plan.rest();
    const taken = checkpoints(plan.emitted);
    expect(taken.map((checkpoint) => [checkpoint.trigger, checkpoint.point.phase, checkpoint.point.status])).toEqual([
      ['phase', 'strategize', 'complete'],
      ['pre-execute', 'execute', 'queued'],
      ['step', 'execute', 'queued'],
      ['step', 'execute', 'queued'],
      ['post-execute', 'execute', 'complete'],
      ['phase', 'validate', 'complete'],
    ]);
    // nothing in flight is kept: no drive, no pending reconciliation, no error
    for (const { context: kept } of taken)
      expect(kept).toMatchObject({ target: null, pendingReconcile: null, error: null, clean: true });
    const [, , first, second] = taken;
    expect([first!.context.lastCompletedStep, first!.context.sandbox?.headCommit, first!.context.sideEffects]).toEqual([
      0,
      'c0',
      1,
    ]);
    expect([
      second!.context.lastCompletedStep,
      second!.context.sandbox?.headCommit,
      second!.context.sideEffects,
    ]).toEqual([1, 'c1', 2]);
  });

  it('takes no step checkpoint for a step that wrote nothing', async () => {
    const plan = startPlan('review', { steps: 2, writes: false });
    plan.actor.send({ type: 'plan.run' });
    await plan.rest();
    expect(checkpoints(plan.emitted).map((checkpoint) => checkpoint.trigger)).toEqual([
      'phase',
      'pre-execute',
      'post-execute',
      'phase',
    ]);
  });

  it('marks the checkpoint of a step that broke an invariant not clean, before the phase fails', async () => {
    const plan = startPlan('review', {
      steps: 3,
      writes: true,
      invariants: [INVARIANT],
      holds: (input) => !(input.trigger === 'post-step' && input.sandbox.headCommit === 'c1'),
    });
    plan.actor.send({ type: 'plan.run' });
    await plan.rest();
    const taken = checkpoints(plan.emitted);
    expect(taken.map((checkpoint) => [checkpoint.trigger, checkpoint.context.clean])).toEqual([
      ['phase', true],
      ['pre-execute', true],
      ['step', true],
      ['step', false],
    ]);
    expect(plan.actor.getSnapshot().context.clean).toBe(false);
    expect(planPosition(plan.actor.getSnapshot().value, plan.actor.getSnapshot().context)).toEqual({
      phase: 'execute',
      status: 'failed',
    });
  });

  it('marks the step checkpoint not clean when the reconciler itself fails after the step', async () => {
    const { actors } = scriptedActors({ steps: 2, writes: true, invariants: [INVARIANT] });
    // the reconciler answers after strategize and fails (throws) after the first step
    const flaky = fromPromise<ReconcileOutput, ReconcileInput>(async ({ input }) => {
      if (input.trigger === 'post-step') throw new Error('reconciler down');
      return { trigger: input.trigger, outcome: 'reconciled', results: [] };
    });
    const actor = createActor(planLifecycleMachine.provide({ actors: { ...actors, reconcile: flaky as never } }), {
      input: { planId: 'P', name: 'demo/x', automation: 'review' },
    });
    const emitted: PlanEmitted[] = [];
    actor.on('*', (event) => emitted.push(event as PlanEmitted));
    actor.start();
    actor.send({ type: 'plan.run' });
    await waitFor(actor, (snapshot) => planPosition(snapshot.value, snapshot.context).status === 'failed');
    expect(checkpoints(emitted).map((checkpoint) => [checkpoint.trigger, checkpoint.context.clean])).toEqual([
      ['phase', true],
      ['pre-execute', true],
      ['step', false],
    ]);
    expect(actor.getSnapshot().context).toMatchObject({ clean: false, lastCompletedStep: 0 });
  });

  it('restores from a checkpoint at (execute, queued) and runs the next step', async () => {
    const plan = startPlan('review', { steps: 3, writes: true });
    plan.actor.send({ type: 'plan.run' });
    await plan.rest();
    const afterFirst = checkpoints(plan.emitted).find((checkpoint) => checkpoint.trigger === 'step')!;
    const { actors, calls } = scriptedActors({ steps: 3, writes: true });
    const machine = planLifecycleMachine.provide({ actors });
    const resolved = machine.resolveState({
      value: { [afterFirst.point.phase]: afterFirst.point.status },
      context: afterFirst.context,
    });
    const restored = createActor(machine, {
      snapshot: machine.getPersistedSnapshot(resolved) as never,
      input: { planId: 'P', name: 'demo/x', automation: 'review' },
    }).start();
    expect(planPosition(restored.getSnapshot().value, restored.getSnapshot().context)).toEqual({
      phase: 'execute',
      status: 'queued',
    });
    restored.send({ type: 'plan.execute' });
    await waitFor(restored, (snapshot) => planPosition(snapshot.value, snapshot.context).status === 'complete');
    expect(calls.executed.map((input) => [input.index, input.sandbox.headCommit])).toEqual([
      [1, 'c0'],
      [2, 'c1'],
    ]);
  });

  it('appends corrected steps after the last executed one, moving later groups down', () => {
    const snapshot = planLifecycleMachine.resolveState({
      value: { execute: 'complete' },
      context: context({ phase: 'execute', stepCount: 4, lastCompletedStep: 1, groupSteps: [1, 3] }),
    });
    const actor = createActor(planLifecycleMachine, {
      snapshot: planLifecycleMachine.getPersistedSnapshot(snapshot) as never,
      input: { planId: 'P', name: 'demo/x', automation: 'review' },
    }).start();
    actor.send({ type: 'plan.corrected', decisionId: 'C', appended: 2 });
    expect(actor.getSnapshot().context).toMatchObject({ stepCount: 6, groupSteps: [1, 5] });
  });

  it('appends corrected steps before a group that was next, and first of all when no step ran yet', () => {
    const corrected = (value: unknown, overrides: Partial<PlanContext>) => {
      const snapshot = planLifecycleMachine.resolveState({ value: value as never, context: context(overrides) });
      const actor = createActor(planLifecycleMachine, {
        snapshot: planLifecycleMachine.getPersistedSnapshot(snapshot) as never,
        input: { planId: 'P', name: 'demo/x', automation: 'review' },
      }).start();
      actor.send({ type: 'plan.corrected', decisionId: 'C', appended: 2 });
      return actor.getSnapshot().context;
    };
    // the group was the next step: it moves down behind the appended ones
    expect(
      corrected({ execute: 'failed' }, { phase: 'execute', stepCount: 4, lastCompletedStep: 1, groupSteps: [2] }),
    ).toMatchObject({ groupSteps: [4], correction: { decisionId: 'C', through: 3 } });
    // right after strategize: the appended steps are steps 0 and 1
    expect(
      corrected(
        { strategize: 'complete' },
        { phase: 'strategize', stepCount: 3, lastCompletedStep: null, groupSteps: [0, 2] },
      ),
    ).toMatchObject({ stepCount: 5, groupSteps: [2, 4], correction: { decisionId: 'C', through: 1 } });
  });
});

describe('restore points', () => {
  it('keeps a state at rest and queues a phase that was running or waiting', () => {
    expect(restorePointOf({ phase: 'execute', status: 'complete' })).toEqual({ phase: 'execute', status: 'complete' });
    expect(restorePointOf({ phase: 'validate', status: 'failed' })).toEqual({ phase: 'validate', status: 'failed' });
    expect(restorePointOf({ phase: 'execute', status: 'processing' })).toEqual({ phase: 'execute', status: 'queued' });
    expect(restorePointOf({ phase: 'apply', status: 'waiting' })).toEqual({ phase: 'apply', status: 'queued' });
    expect(restorePointOf({ phase: 'execute', status: 'queued' })).toEqual({ phase: 'execute', status: 'queued' });
    expect(() => restorePointOf({ phase: 'apply', status: 'done' })).toThrow('a done plan has no state to restore');
  });

  it('keeps the error only for a failed state and a merge only once it is committed', () => {
    const error = { code: 'TOOL_FAILED' as const, message: 'x', phase: 'execute' as const, retryable: true };
    const open = {
      target: 'project' as const,
      child: null,
      base: 'b',
      ours: 'o',
      theirs: 't',
      clean: 'c',
      files: ['a'],
      open: ['a'],
      commit: null,
    };
    const busy = context({
      target: 'apply',
      error,
      merge: open,
      pendingReconcile: { trigger: 'post-step', decisionId: 'D', step: 0 },
    });
    expect(restorableContext(busy, { phase: 'execute', status: 'failed' })).toMatchObject({
      target: null,
      pendingReconcile: null,
      error,
      merge: null,
    });
    expect(restorableContext(busy, { phase: 'execute', status: 'queued' }).error).toBeNull();
    expect(
      restorableContext({ ...busy, merge: { ...open, open: [], commit: 'm' } }, { phase: 'apply', status: 'queued' })
        .merge?.commit,
    ).toBe('m');
  });

  it('lists the children that had started, from the record and the running group', () => {
    const kept = context({
      subplanStatuses: {
        A: { name: 'a', status: 'complete', attempt: 1, error: null },
        B: { name: 'b', status: 'pending', attempt: 0, error: null },
      },
    });
    expect(startedChildren(kept)).toEqual(['A']);
    // the group running now: its children that started (attempt 1 or more), with the record's, sorted, each once
    const group = initialState({
      planId: 'P',
      stepIndex: 1,
      groupDecisionId: 'G',
      config: {
        mode: 'parallel',
        maxParallel: 2,
        mergeStrategy: 'three-way',
        failurePolicy: 'fail-fast',
        retries: 0,
        timeoutMs: null,
        contextView: 'skeleton',
      },
      children: ['D', 'C', 'E'].map((childId) => ({
        childId,
        name: childId,
        decisionId: `S${childId}`,
        dependsOn: [],
        project: null,
      })),
      head: 'h',
    });
    const running = {
      ...group,
      statuses: {
        ...group.statuses,
        D: { ...group.statuses['D']!, status: 'running' as const, attempt: 1 },
        C: { ...group.statuses['C']!, status: 'retrying' as const, attempt: 2 },
      },
    };
    const both = context({
      ...kept,
      subplanStatuses: { ...kept.subplanStatuses, D: { name: 'd', status: 'running', attempt: 1, error: null } },
      group: running,
    });
    expect(startedChildren(both)).toEqual(['A', 'C', 'D']);
  });
});
