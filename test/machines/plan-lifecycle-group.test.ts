import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { initialState, planLifecycleMachine, type LoadGroupInput, type SupervisorState } from '../../machines/index.js';
import { at, groupPlan, INPUT, scriptedActors, trail } from './plan-lifecycle-fixtures.js';
import { position, CONFIG, children, CLEAN, subplanEntries, entry, never } from './plan-lifecycle-group-fixtures.js';

// A step that is a group of subplans, run by the real supervisor with
// scripted children: what the plan journals and records as children start,
// end and merge, and the error it fails with when they do not all merge.

describe('planLifecycleMachine: a group of subplans', () => {
  it('journals each child spawned before it runs, and what ended before what took its slot', async () => {
    const { actor, emitted } = groupPlan(
      children(2),
      { ...CONFIG, maxParallel: 1, failurePolicy: 'continue' },
      {
        ...CLEAN,
        runChild: async (input) =>
          input.childId === 'C1'
            ? { ok: false, error: { code: 'TOOL_FAILED', message: 'boom', details: { exitCode: 1 } } }
            : { ok: true, head: 't-C2' },
      },
    );
    await waitFor(actor, (state) => position(state).status === 'failed');

    expect(subplanEntries(emitted)).toEqual([
      entry('subplan.spawned', { childId: 'C1', name: 'demo/x-1', status: 'running', attempt: 1 }),
      entry('subplan.status', { childId: 'C1', name: 'demo/x-1', status: 'running', attempt: 1 }),
      // C1's failure freed the one slot C2 takes: in that order, in one report
      entry('subplan.status', {
        childId: 'C1',
        name: 'demo/x-1',
        status: 'failed',
        attempt: 1,
        error: { code: 'TOOL_FAILED', message: 'boom' },
      }),
      entry('subplan.spawned', { childId: 'C2', name: 'demo/x-2', status: 'running', attempt: 1 }),
      entry('subplan.status', { childId: 'C2', name: 'demo/x-2', status: 'running', attempt: 1 }),
      entry('subplan.status', { childId: 'C2', name: 'demo/x-2', status: 'complete', attempt: 1 }),
    ]);
    expect(actor.getSnapshot().context.error).toMatchObject({
      code: 'TOOL_FAILED',
      message: '1 of 2 child plans did not finish: demo/x-1 failed (TOOL_FAILED: boom)',
    });
    actor.stop();
  });

  it('keeps the children of an earlier group in the record beside those of the next', async () => {
    const { actor } = groupPlan([children(1, 1), children(1, 2)], CONFIG, CLEAN);
    const done = await waitFor(actor, (state) => position(state).status !== 'processing');

    expect(position(done)).toEqual({ phase: 'validate', status: 'complete' });
    expect(done.context.subplanStatuses).toEqual({
      C1: { name: 'demo/x-1', status: 'complete', attempt: 1, error: null },
      C2: { name: 'demo/x-2', status: 'complete', attempt: 1, error: null },
    });
    actor.stop();
  });

  it('fails execute with each child that did not merge and how it ended; the code is the failed child’s, whoever comes first', async () => {
    // fail-fast: C3 fails while C1 still runs (cancelled) and C2 validated but waits behind C1 to merge (never merged)
    const { actor, emitted } = groupPlan(
      children(3),
      { ...CONFIG, maxParallel: 3 },
      {
        ...CLEAN,
        runChild: async (input) => {
          if (input.childId === 'C1') return never;
          if (input.childId === 'C2') return { ok: true, head: 't-C2' };
          await new Promise((resolve) => setTimeout(resolve, 5));
          return {
            ok: false,
            error: { code: 'TOOL_FAILED', message: 'boom', hint: 'look at the log', details: { exitCode: 1 } },
          };
        },
      },
    );
    const failed = await waitFor(actor, (state) => position(state).status === 'failed');

    const cancelled = { code: 'CANCELLED', message: 'cancelled: demo/x-3 failed (fail-fast)' };
    expect(failed.context.error).toEqual({
      code: 'TOOL_FAILED',
      message:
        '3 of 3 child plans did not finish: demo/x-1 cancelled; demo/x-2 complete; demo/x-3 failed (TOOL_FAILED: boom)',
      phase: 'execute',
      step: 0,
      details: {
        children: [
          { childId: 'C1', name: 'demo/x-1', status: 'cancelled', attempt: 1, error: cancelled },
          { childId: 'C2', name: 'demo/x-2', status: 'complete', attempt: 1, error: null },
          {
            childId: 'C3',
            name: 'demo/x-3',
            status: 'failed',
            attempt: 1,
            error: { code: 'TOOL_FAILED', message: 'boom' },
          },
        ],
      },
      hint: 'troupe plan tree <plan> shows each child; troupe plan status <child> says why it stopped',
      retryable: false,
    });
    expect(trail(emitted)).toContain(
      `journal step.failed execute ${JSON.stringify({ index: 0, code: 'TOOL_FAILED', message: failed.context.error!.message })}`,
    );
    actor.stop();
  });

  it('a group left by a step that failed is not resumed by the group step that comes next: that one is loaded', async () => {
    // the group of step 0 failed; a correction put one step before it, so the group is now step 1
    const stale = initialState({
      planId: 'P',
      stepIndex: 0,
      groupDecisionId: 'G0',
      config: CONFIG,
      children: children(1),
      head: 'base',
    });
    const loaded: LoadGroupInput[] = [];
    const { actors } = scriptedActors({ steps: 2 });
    const machine = planLifecycleMachine.provide({
      actors: {
        ...actors,
        loadGroup: fromPromise<SupervisorState, LoadGroupInput>(
          ({ input }) => (loaded.push(input), new Promise<never>(() => {})),
        ),
      },
    });
    const snapshot = at(
      { execute: 'queued' },
      { phase: 'execute', stepCount: 2, lastCompletedStep: null, groupSteps: [1], group: stale },
    );
    const actor = createActor(machine, { input: INPUT, snapshot }).start();
    actor.send({ type: 'plan.execute' });
    await waitFor(actor, (state) => state.matches({ execute: { processing: { group: 'loading' } } }));
    expect(loaded.map((input) => input.index)).toEqual([1]);
    actor.stop();
  });

  it('a group step is a step: journaled at its index, reconciled under the group’s decision, checkpointed where its merges left the sandbox', async () => {
    const invariants = [{ id: 'no-bad', check: 'file-absent' as const, path: 'bad.txt', tier: 'plan' as const }];
    const plan = groupPlan([children(1, 1), children(1, 2)], CONFIG, {
      ...CLEAN,
      invariants,
      // the first group's merge brings nothing; the second's moves the sandbox
      mergeChild: async (input) => ({
        merged: input.children.map(({ child }) => ({
          childId: child.childId,
          head: child.childId === 'C1' ? input.ours : `m-${child.childId}`,
          settled: [],
          files: [],
        })),
        changeset: null,
      }),
    });
    await waitFor(plan.actor, (state) => position(state).status === 'complete');
    const steps = trail(plan.emitted).filter((line) =>
      /step\.|post-step|checkpoint (step|post-merge|pre-merge)/.test(line),
    );
    expect(steps).toEqual([
      'journal step.started execute {"index":0}',
      'checkpoint pre-merge (execute, queued) at base',
      'checkpoint post-merge (execute, queued) at base',
      'journal step.completed execute {"index":0,"commit":"base"}',
      'reconciliation post-step step 0 under G0: reconciled',
      expect.stringMatching(/^journal invariant.reconciled execute \{"trigger":"post-step","step":0,/),
      // nothing merged moved the sandbox: no step checkpoint
      'journal step.started execute {"index":1}',
      'checkpoint pre-merge (execute, queued) at base',
      'checkpoint post-merge (execute, queued) at m-C2',
      'journal step.completed execute {"index":1,"commit":"m-C2"}',
      'reconciliation post-step step 1 under G1: reconciled',
      expect.stringMatching(/^journal invariant.reconciled execute \{"trigger":"post-step","step":1,/),
      'checkpoint step (execute, queued) at m-C2',
    ]);
    // the group's configuration is on the record, at its step
    expect(plan.actor.getSnapshot().context.subplanConfig).toEqual({ ...CONFIG, stepIndex: 1 });
  });
});
