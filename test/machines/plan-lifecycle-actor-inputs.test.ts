import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  planIdentityOf,
  planLifecycleMachine,
  planPosition,
  planRecordOf,
  type ApplyInput,
  type ApplyOutcome,
  type PlanContext,
  type PlanEmitted,
  type PrepareSandboxInput,
  type StrategizeInput,
  type StrategizeOutput,
  type ValidateInput,
  type ValidateOutcome,
} from '../../machines/index.js';
import type { SandboxInfo } from '../../src/domain/index.js';
import { context, INPUT, SANDBOX, scriptedActors, startPlan, trail } from './plan-lifecycle-fixtures.js';

// What the machine asks its actors, for a root plan and for a child plan,
// and the record and identity of a plan just created.

const position = (snapshot: { value: unknown; context: PlanContext }) =>
  planPosition(snapshot.value as never, snapshot.context);

describe('a child plan', () => {
  const CHILD_SANDBOX: SandboxInfo = { ...SANDBOX, worktree: '.troupe/worktrees/C', branch: 'troupe/demo-x-1-c' };

  function childPlan() {
    const { actors } = scriptedActors({ steps: 0 });
    const asked: { prepared: PrepareSandboxInput[]; strategized: StrategizeInput[] } = {
      prepared: [],
      strategized: [],
    };
    const machine = planLifecycleMachine.provide({
      actors: {
        ...actors,
        prepareSandbox: fromPromise<SandboxInfo, PrepareSandboxInput>(
          async ({ input }) => (asked.prepared.push(input), input.sandbox ?? SANDBOX),
        ),
        strategize: fromPromise<StrategizeOutput, StrategizeInput>(async ({ input }) => {
          asked.strategized.push(input);
          return {
            decisions: [],
            decisionRootId: 'ROOT',
            steps: [],
            invariants: [],
            reconciliation: true,
            groupSteps: [],
          };
        }),
      },
    });
    const child = {
      parentId: 'PARENT',
      decisionId: 'D-spawn',
      attempt: 1,
      contextView: 'skeleton' as const,
      sandbox: CHILD_SANDBOX,
    };
    const actor = createActor(machine, { input: { planId: 'C', name: 'demo/x-1', automation: 'review', child } });
    const emitted: PlanEmitted[] = [];
    actor.on('*', (event) => emitted.push(event as PlanEmitted));
    actor.start().send({ type: 'plan.run' });
    return { actor, emitted, asked, child };
  }

  it('works in the sandbox its parent made for it, and says it is a child to the actors', async () => {
    const { actor, asked, child } = childPlan();
    await waitFor(
      actor,
      (snapshot) => position(snapshot).phase === 'validate' && position(snapshot).status === 'complete',
    );

    expect(asked.prepared).toEqual([{ planId: 'C', name: 'demo/x-1', sandbox: CHILD_SANDBOX, child: true }]);
    expect(asked.strategized).toEqual([{ planId: 'C', sandbox: CHILD_SANDBOX, child }]);
  });

  it('never applies: it is done when its parent merged it, with the commit and the parent journaled', async () => {
    const { actor, emitted } = childPlan();
    const validated = await waitFor(
      actor,
      (snapshot) => position(snapshot).phase === 'validate' && position(snapshot).status === 'complete',
    );
    expect(validated.can({ type: 'plan.apply' })).toBe(false);

    actor.send({ type: 'plan.merged', commit: 'm1' });
    const done = actor.getSnapshot();
    expect(position(done)).toEqual({ phase: 'apply', status: 'done' });
    expect(done.context.appliedCommit).toBe('m1');
    expect(trail(emitted).at(-1)).toBe('journal phase.completed apply {"commit":"m1","mergedInto":"PARENT"}');
  });

  it('a root plan is not merged by anyone: it applies', async () => {
    const plan = startPlan('review', { steps: 0 });
    plan.actor.send({ type: 'plan.run' });
    const validated = await plan.rest();
    expect(validated.can({ type: 'plan.merged', commit: 'm1' })).toBe(false);
    expect(validated.can({ type: 'plan.apply' })).toBe(true);
  });
});

describe('what the machine asks its actors', () => {
  it('a root plan: a sandbox of its own, then strategize, validate and apply in it', async () => {
    const { actors } = scriptedActors({ steps: 0 });
    const asked: {
      prepared: PrepareSandboxInput[];
      strategized: StrategizeInput[];
      validated: ValidateInput[];
      applied: ApplyInput[];
    } = { prepared: [], strategized: [], validated: [], applied: [] };
    const machine = planLifecycleMachine.provide({
      actors: {
        ...actors,
        prepareSandbox: fromPromise<SandboxInfo, PrepareSandboxInput>(
          async ({ input }) => (asked.prepared.push(input), SANDBOX),
        ),
        strategize: fromPromise<StrategizeOutput, StrategizeInput>(async ({ input }) => {
          asked.strategized.push(input);
          return {
            decisions: [],
            decisionRootId: 'ROOT',
            steps: [],
            invariants: [],
            reconciliation: true,
            groupSteps: [],
          };
        }),
        validate: fromPromise<ValidateOutcome, ValidateInput>(
          async ({ input }) => (asked.validated.push(input), { ok: true, results: [] }),
        ),
        apply: fromPromise<ApplyOutcome, ApplyInput>(
          async ({ input }) => (asked.applied.push(input), { ok: true, commit: 'applied' }),
        ),
      },
    });
    const actor = createActor(machine, { input: INPUT });
    actor.start().send({ type: 'plan.run' });
    await waitFor(
      actor,
      (snapshot) => position(snapshot).phase === 'validate' && position(snapshot).status === 'complete',
    );
    actor.send({ type: 'plan.apply', strategy: 'theirs' });
    await waitFor(actor, (snapshot) => snapshot.status === 'done');

    expect(asked).toEqual({
      prepared: [{ planId: 'P', name: 'demo/x', sandbox: null, child: false }],
      strategized: [{ planId: 'P', sandbox: SANDBOX, child: null }],
      validated: [{ planId: 'P', sandbox: SANDBOX }],
      applied: [{ planId: 'P', name: 'demo/x', sandbox: SANDBOX, strategy: 'theirs', merged: null }],
    });
  });

  it('a failed validate or apply is the plan’s error as the actor gave it, with its details and hint', async () => {
    const error = {
      code: 'TOOL_FAILED' as const,
      message: 'tests failed',
      details: { exitCode: 1 },
      hint: 'run the tests',
      retryable: true,
    };
    const failedIn = async (phase: 'validate' | 'apply') => {
      const { actors } = scriptedActors({ steps: 0 });
      const machine = planLifecycleMachine.provide({
        actors: {
          ...actors,
          validate: fromPromise<ValidateOutcome, ValidateInput>(async () =>
            phase === 'validate' ? { ok: false, results: [], error } : { ok: true, results: [] },
          ),
          apply: fromPromise<ApplyOutcome, ApplyInput>(async () => ({ ok: false, error })),
        },
      });
      const actor = createActor(machine, { input: { ...INPUT, automation: 'auto' } });
      actor.start().send({ type: 'plan.run' });
      return (await waitFor(actor, (snapshot) => position(snapshot).status === 'failed')).context.error;
    };
    expect(await failedIn('validate')).toEqual({ ...error, phase: 'validate' });
    expect(await failedIn('apply')).toEqual({ ...error, phase: 'apply' });
  });

  it('an actor’s failure without details or hint is the plan’s error without them', async () => {
    const plan = startPlan('review', { validateOk: false, steps: 0 });
    plan.actor.send({ type: 'plan.run' });
    const failed = await plan.rest();
    expect(failed.context.error).toStrictEqual({
      code: 'TOOL_FAILED',
      message: 'tests failed',
      phase: 'validate',
      retryable: true,
    });
  });
});

describe('the record of a plan just created', () => {
  it('is queued in strategize, not agent-driven, with nothing decided yet', () => {
    const actor = createActor(planLifecycleMachine, { input: INPUT }).start();
    const identity = {
      id: 'P',
      name: 'demo/x',
      goal: 'g',
      parentId: null,
      rootId: 'P',
      project: '/work/project',
      automation: 'review' as const,
      createdAt: 't',
    };
    expect(planRecordOf(identity, actor.getSnapshot(), 'now', [])).toMatchObject({
      phase: 'strategize',
      status: 'queued',
      agentDriven: false,
      sandbox: null,
      decisionRootId: null,
      lastCompletedStep: null,
      toolCalls: 0,
      error: null,
    });
    actor.stop();
  });

  it('starts from nothing: no steps, invariants or groups, reconciliation on, a three-way apply, clean, not open', () => {
    const actor = createActor(planLifecycleMachine, { input: INPUT }).start();
    // the fixture's context is a plan's first one, with a sandbox strategize has not prepared yet
    expect(actor.getSnapshot().context).toStrictEqual(context({ sandbox: null }));
    actor.stop();
  });
});

describe('planIdentityOf', () => {
  it('keeps the fields that never change after creation, and nothing else', () => {
    const identity = {
      id: 'P',
      name: 'demo/x',
      goal: 'g',
      parentId: null,
      rootId: 'P',
      project: '/work/project',
      automation: 'review' as const,
      createdAt: 't',
    };
    expect(planIdentityOf({ ...identity, phase: 'execute', status: 'queued' } as typeof identity)).toStrictEqual(
      identity,
    );
  });
});
