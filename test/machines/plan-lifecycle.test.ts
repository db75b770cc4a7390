import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  planLifecycleMachine,
  planPosition,
  planRecordOf,
  type ExecuteStepInput,
  type PlanContext,
  type PlanEmitted,
  type StepOutcome,
  type StrategizeInput,
  type StrategizeOutput,
} from '../../machines/index.js';
import { INPUT, SANDBOX, scriptedActors, startPlan } from './plan-lifecycle-fixtures.js';

const position = (snapshot: { value: unknown; context: PlanContext }) =>
  planPosition(snapshot.value as never, snapshot.context);
const journalTypes = (emitted: PlanEmitted[]) =>
  emitted.flatMap((event) => (event.type === 'journal' ? [event.entry.type] : []));

describe('planLifecycleMachine', () => {
  it('runs strategize → execute → validate and stops at (validate, complete) under review', async () => {
    const plan = startPlan('review');
    plan.actor.send({ type: 'plan.run' });
    const snapshot = await plan.rest();
    expect(position(snapshot)).toEqual({ phase: 'validate', status: 'complete' });
    expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);
    expect(plan.calls.applied).toBe(0);
    expect(snapshot.context.toolCalls).toBe(2);
    expect(snapshot.context.sandbox?.headCommit).toBe('c1');
    // the step list leaves the machine as an event; the context keeps only its length
    expect(plan.emitted.find((event) => event.type === 'steps')).toEqual({
      type: 'steps',
      steps: [
        { decisionId: 'D0', title: 'step 0' },
        { decisionId: 'D1', title: 'step 1' },
      ],
    });
    expect(snapshot.context.stepCount).toBe(2);
    expect(journalTypes(plan.emitted)).toEqual([
      'phase.started',
      'phase.completed',
      'phase.started',
      'step.started',
      'tool.called',
      'step.completed',
      'step.started',
      'tool.called',
      'step.completed',
      'phase.completed',
      'phase.started',
      'phase.completed',
    ]);
  });

  it('runs to done under auto and records the applied commit', async () => {
    const plan = startPlan('auto');
    plan.actor.send({ type: 'plan.run' });
    const snapshot = await waitFor(plan.actor, (s) => s.status === 'done');
    expect(snapshot.value).toBe('done');
    expect(snapshot.context.appliedCommit).toBe('applied');
    expect(position(snapshot)).toEqual({ phase: 'apply', status: 'done' });
  });

  it('runs one phase per plan.run under manual', async () => {
    const plan = startPlan('manual');
    plan.actor.send({ type: 'plan.run' });
    expect(position(await plan.rest())).toEqual({ phase: 'strategize', status: 'complete' });
    plan.actor.send({ type: 'plan.run' });
    expect(position(await plan.rest())).toEqual({ phase: 'execute', status: 'complete' });
    expect(plan.calls.validated).toBe(0);
  });

  it('runs only the named phase for a phase command, whatever the automation', async () => {
    const plan = startPlan('auto');
    plan.actor.send({ type: 'plan.strategize' });
    expect(position(await plan.rest())).toEqual({ phase: 'strategize', status: 'complete' });
    expect(plan.calls.executed).toHaveLength(0);
  });

  it('stops at --until even under auto', async () => {
    const plan = startPlan('auto');
    plan.actor.send({ type: 'plan.run', until: 'execute' });
    expect(position(await plan.rest())).toEqual({ phase: 'execute', status: 'complete' });
  });

  it('fails execute with the step’s structured error and stops before the next step', async () => {
    const plan = startPlan('review', { steps: 3, failStep: 1 });
    plan.actor.send({ type: 'plan.run' });
    const snapshot = await plan.rest();
    expect(position(snapshot)).toEqual({ phase: 'execute', status: 'failed' });
    expect(plan.calls.executed.map((input) => input.index)).toEqual([0, 1]);
    expect(snapshot.context.error).toEqual({
      code: 'TOOL_FAILED',
      message: 'exit 1',
      phase: 'execute',
      step: 1,
      details: { exitCode: 1 },
      // a failed step does not run again by itself: the hint says what works now
      hint: `correct the plan: troupe plan correct demo/x --mode append --step '{"title": …, "tool": …, "input": …}' runs a step in its place, troupe plan rollback demo/x goes back`,
      retryable: false,
    });
    expect(snapshot.context.lastCompletedStep).toBe(0);
    expect(snapshot.context.toolCalls).toBe(2);
    expect(journalTypes(plan.emitted).slice(-3)).toEqual(['tool.called', 'step.failed', 'phase.failed']);
  });

  it('keeps an unexpected throw from an actor as a structured error', async () => {
    const { actors } = scriptedActors();
    const actor = createActor(
      planLifecycleMachine.provide({
        actors: {
          ...actors,
          strategize: fromPromise<StrategizeOutput, StrategizeInput>(async () => {
            throw new Error('boom');
          }),
        },
      }),
      { input: { planId: 'P', name: 'demo/x', automation: 'review' } },
    ).start();
    actor.send({ type: 'plan.run' });
    const snapshot = await waitFor(actor, (s) => JSON.stringify(s.value).includes('failed'));
    expect(snapshot.context.error).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'boom',
      phase: 'strategize',
      retryable: true,
    });
    // a failed strategize can be restarted
    expect(snapshot.can({ type: 'plan.strategize' })).toBe(true);
  });

  it('retries a retryable apply failure and clears the old error when the phase starts again', async () => {
    const plan = startPlan('auto', { applyOk: false });
    plan.actor.send({ type: 'plan.run' });
    const failed = await plan.rest();
    expect(position(failed)).toEqual({ phase: 'apply', status: 'failed' });
    expect(failed.context.error?.code).toBe('DIRTY_WORKTREE');
    expect(failed.can({ type: 'plan.apply' })).toBe(true);
  });

  it('cancels a running step: the actor is stopped and its signal aborted', async () => {
    let aborted = false;
    const { actors } = scriptedActors();
    const actor = createActor(
      planLifecycleMachine.provide({
        actors: {
          ...actors,
          executeStep: fromPromise<StepOutcome, ExecuteStepInput>(
            ({ signal }) => new Promise<never>(() => signal.addEventListener('abort', () => (aborted = true))),
          ),
        },
      }),
      { input: { planId: 'P', name: 'demo/x', automation: 'review' } },
    );
    const emitted: PlanEmitted[] = [];
    actor.on('*', (event) => emitted.push(event as PlanEmitted));
    actor.start();
    actor.send({ type: 'plan.run' });
    await waitFor(actor, (s) => JSON.stringify(s.value).includes('step'));
    actor.send({ type: 'plan.cancel', reason: 'changed my mind' });
    expect(actor.getSnapshot().value).toBe('cancelled');
    expect(aborted).toBe(true);
    expect(journalTypes(emitted).at(-1)).toBe('plan.cancelled');
    expect(position(actor.getSnapshot())).toEqual({ phase: 'execute', status: 'cancelled' });
  });

  it('re-runs the step in flight when restored from a snapshot taken during it', async () => {
    const { actors } = scriptedActors({ steps: 3 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = createActor(
      planLifecycleMachine.provide({
        actors: {
          ...actors,
          executeStep: fromPromise<StepOutcome, ExecuteStepInput>(async ({ input }) => {
            if (input.index === 1) await new Promise(() => {}); // the process "dies" here
            release();
            return {
              ok: true,
              index: input.index,
              decisionId: `D${input.index}`,
              headCommit: `c${input.index}`,
              changeset: null,
              calls: [],
            };
          }),
        },
      }),
      { input: { planId: 'P', name: 'demo/x', automation: 'review' } },
    ).start();
    first.send({ type: 'plan.run' });
    await gate;
    await waitFor(first, (s) => s.context.lastCompletedStep === 0);
    const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();

    const { actors: fresh, calls } = scriptedActors({ steps: 3 });
    const restored = createActor(planLifecycleMachine.provide({ actors: fresh }), {
      snapshot: persisted,
      input: INPUT,
    }).start();
    const snapshot = await waitFor(
      restored,
      (s) => position(s).status === 'complete' && s.context.phase === 'validate',
    );
    expect(calls.executed.map((input) => ({ index: input.index, from: input.sandbox.headCommit }))).toEqual([
      { index: 1, from: 'c0' },
      { index: 2, from: 'c1' },
    ]);
    expect(snapshot.context.lastCompletedStep).toBe(2);
  });

  it('derives the plan record from a snapshot', async () => {
    const plan = startPlan('review');
    plan.actor.send({ type: 'plan.run' });
    const snapshot = await plan.rest();
    const identity = {
      id: 'P',
      name: 'demo/x',
      goal: 'g',
      parentId: null,
      rootId: 'P',
      project: 'default',
      automation: 'review' as const,
      createdAt: 't0',
    };
    expect(planRecordOf(identity, snapshot as never, 't1', ['D0', 'D1'])).toMatchObject({
      phase: 'validate',
      status: 'complete',
      decisionRootId: 'ROOT',
      strategyDecisionIds: ['D0', 'D1'],
      toolCalls: 2,
      lastCompletedStep: 1,
      sandbox: { ...SANDBOX, headCommit: 'c1' },
      updatedAt: 't1',
    });
  });
});

describe('planLifecycleMachine without its I/O actors', () => {
  it('fails the phase saying which actor is missing and how to provide it', async () => {
    const actor = createActor(planLifecycleMachine, {
      input: { planId: 'P', name: 'demo/x', automation: 'review' },
    }).start();
    actor.send({ type: 'plan.run' });
    const snapshot = await waitFor(actor, (state) => position(state).status === 'failed');
    expect(position(snapshot)).toEqual({ phase: 'strategize', status: 'failed' });
    expect(snapshot.context.error).toMatchObject({
      code: 'INTERNAL_ERROR',
      message: 'planLifecycleMachine needs the "prepareSandbox" actor',
    });
    actor.stop();
  });
});

describe('the step loop of execute', () => {
  it('goes from a step straight into the next plain one (no pass through next), and through next only to start, to a group or to the end', async () => {
    const { actors, calls } = scriptedActors({ steps: 3, reconciliation: false });
    // step 2 is a group of subplans: the plan goes there through next, as ever
    const steps = [0, 1, 2].map((index) => ({ decisionId: `D${index}`, title: `step ${index}` }));
    const grouped = {
      ...actors,
      strategize: fromPromise<StrategizeOutput, StrategizeInput>(async () => ({
        decisions: [],
        decisionRootId: 'ROOT',
        steps,
        invariants: [],
        reconciliation: false,
        groupSteps: [2],
      })),
    };
    const nexts: number[] = [];
    const actor = createActor(planLifecycleMachine.provide({ actors: grouped }), {
      input: INPUT,
      inspect: (event) => {
        if (event.type !== '@xstate.microstep' || event.actorRef !== actor) return;
        const snapshot = event.snapshot as unknown as {
          value: { execute?: { processing?: unknown } };
          context: PlanContext;
        };
        if (snapshot.value.execute?.processing === 'next') nexts.push(snapshot.context.lastCompletedStep ?? -1);
      },
    });
    actor.start();
    actor.send({ type: 'plan.run', until: 'execute' });
    await waitFor(actor, (snapshot) => snapshot.matches({ execute: { processing: 'group' } }));
    // in through next before the first step, straight from step 0 into step 1, through next into the group
    expect(nexts).toEqual([-1, 1]);
    expect(calls.executed.map((input) => input.index)).toEqual([0, 1]);
    actor.stop();
  });

  it('journals each step as before when it goes straight on: started, its calls, completed, in order', async () => {
    const plan = startPlan('manual', { steps: 4, reconciliation: false });
    plan.actor.send({ type: 'plan.run', until: 'execute' });
    const snapshot = await plan.rest();
    expect(position(snapshot)).toEqual({ phase: 'execute', status: 'complete' });
    expect(plan.calls.executed.map((input) => [input.index, input.sandbox.headCommit])).toEqual([
      [0, 'base'],
      [1, 'c0'],
      [2, 'c1'],
      [3, 'c2'],
    ]);
    const steps = plan.emitted.flatMap((event) =>
      event.type === 'journal' && event.entry.type.startsWith('step.')
        ? [`${event.entry.type} ${String(event.entry.data.index)}`]
        : [],
    );
    expect(steps).toEqual([
      'step.started 0',
      'step.completed 0',
      'step.started 1',
      'step.completed 1',
      'step.started 2',
      'step.completed 2',
      'step.started 3',
      'step.completed 3',
    ]);
    expect(snapshot.context.lastCompletedStep).toBe(3);
  });
});
