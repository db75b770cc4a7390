import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  planIdentityOf,
  planLifecycleMachine,
  planPosition,
  planRecordOf,
  type ApplyInput,
  type ApplyOutcome,
  type ExecuteStepInput,
  type StepOutcome,
  type PlanContext,
  type PlanEmitted,
  type PrepareSandboxInput,
  type StrategizeInput,
  type StrategizeOutput,
  type ValidateInput,
  type ValidateOutcome,
} from '../../machines/index.js';
import type { Decision, SandboxInfo, TieredInvariant } from '../../src/domain/index.js';
import { context, INPUT, SANDBOX, scriptedActors, startPlan, trail } from './plan-lifecycle-fixtures.js';

// What a plan tells the runtime, entry by entry: the journal users read
// (`plan logs`, `plan events`), the changesets, checkpoints and decisions
// stored with each transition, and what the machine asks its actors.

const INVARIANTS: TieredInvariant[] = [{ id: 'no-bad', check: 'file-absent', path: 'bad.txt', tier: 'plan' }];

const position = (snapshot: { value: unknown; context: PlanContext }) =>
  planPosition(snapshot.value as never, snapshot.context);

const held = '[{"id":"no-bad","tier":"plan","check":"file-absent","passed":true,"message":"holds","durationMs":1}]';
const writeCall = (index: number) =>
  `journal tool.called execute {"index":${index},"calls":[{"tool":"fs/write-file","success":true,"durationMs":1,"writes":true}]}`;

describe('what a plan journals and emits', () => {
  it('a run to done that reconciles: every phase, step, changeset, reconciliation and checkpoint in order', async () => {
    const plan = startPlan('auto', { writes: true, invariants: INVARIANTS });
    plan.actor.send({ type: 'plan.run' });
    const done = await waitFor(plan.actor, (snapshot) => snapshot.status === 'done');

    expect(trail(plan.emitted)).toEqual([
      'journal phase.started strategize {}',
      'decisions ',
      'steps D0,D1',
      'reconciliation post-strategize under ROOT: reconciled',
      `journal invariant.reconciled strategize {"trigger":"post-strategize","results":${held}}`,
      'journal phase.completed strategize {}',
      'checkpoint phase (strategize, complete) at base',
      'journal phase.started execute {}',
      'checkpoint pre-execute (execute, queued) at base',
      'journal step.started execute {"index":0}',
      writeCall(0),
      'journal step.completed execute {"index":0,"commit":"c0"}',
      'changeset CS at c0',
      'reconciliation post-step step 0 under D0: reconciled',
      `journal invariant.reconciled execute {"trigger":"post-step","step":0,"results":${held}}`,
      'checkpoint step (execute, queued) at c0',
      'journal step.started execute {"index":1}',
      writeCall(1),
      'journal step.completed execute {"index":1,"commit":"c1"}',
      'changeset CS at c1',
      'reconciliation post-step step 1 under D1: reconciled',
      `journal invariant.reconciled execute {"trigger":"post-step","step":1,"results":${held}}`,
      'checkpoint step (execute, queued) at c1',
      'journal phase.completed execute {}',
      'checkpoint post-execute (execute, complete) at c1',
      'journal phase.started validate {}',
      'reconciliation post-validate under ROOT: reconciled',
      `journal invariant.reconciled validate {"trigger":"post-validate","results":${held}}`,
      'journal phase.completed validate {}',
      'checkpoint phase (validate, complete) at c1',
      'journal phase.started apply {}',
      'journal phase.completed apply {"commit":"applied"}',
    ]);
    // two calls, each a write that went through
    expect(done.context).toMatchObject({ toolCalls: 2, sideEffects: 2, changesetId: 'CS', appliedCommit: 'applied' });
  });

  it('a run with nothing to reconcile: each step that wrote still gets its changeset and checkpoint', async () => {
    const plan = startPlan('review', { writes: true });
    plan.actor.send({ type: 'plan.run', until: 'execute' });
    await plan.rest();

    expect(trail(plan.emitted).slice(trail(plan.emitted).indexOf('journal phase.started execute {}'))).toEqual([
      'journal phase.started execute {}',
      'checkpoint pre-execute (execute, queued) at base',
      'journal step.started execute {"index":0}',
      writeCall(0),
      'journal step.completed execute {"index":0,"commit":"c0"}',
      'changeset CS at c0',
      'checkpoint step (execute, queued) at c0',
      'journal step.started execute {"index":1}',
      writeCall(1),
      'journal step.completed execute {"index":1,"commit":"c1"}',
      'changeset CS at c1',
      'checkpoint step (execute, queued) at c1',
      'journal phase.completed execute {}',
      'checkpoint post-execute (execute, complete) at c1',
    ]);
  });

  it('a step that wrote nothing: no changeset and no step checkpoint, reconciled or not', async () => {
    for (const invariants of [INVARIANTS, []]) {
      const plan = startPlan('review', { steps: 1, invariants });
      plan.actor.send({ type: 'plan.run', until: 'execute' });
      await plan.rest();
      expect(
        trail(plan.emitted).filter((line) => /^(changeset|checkpoint step)/.test(line)),
        `${invariants.length} invariants`,
      ).toEqual([]);
      expect(trail(plan.emitted)).toContain('journal step.completed execute {"index":0,"commit":"c0"}');
    }
  });

  it('a failed step: its calls, step.failed with the code and message, phase.failed; a call that failed is no side effect', async () => {
    const plan = startPlan('review', { failStep: 1, writes: true });
    plan.actor.send({ type: 'plan.run' });
    const failed = await plan.rest();

    const message = failed.context.error!.message;
    expect(trail(plan.emitted).slice(-4)).toEqual([
      'journal step.started execute {"index":1}',
      'journal tool.called execute {"index":1,"calls":[{"tool":"shell/run","success":false,"durationMs":1,"code":"TOOL_FAILED"}]}',
      `journal step.failed execute {"index":1,"code":"TOOL_FAILED","message":"${message}"}`,
      `journal phase.failed execute {"code":"TOOL_FAILED","message":"${message}"}`,
    ]);
    expect(failed.context).toMatchObject({ toolCalls: 2, sideEffects: 1 });
  });

  it('strategize: its decisions and the entries it found are stored with it', async () => {
    const { actors } = scriptedActors();
    const decision = {
      id: 'ROOT',
      planId: 'P',
      parentId: null,
      type: 'strategy',
      title: 'the plan',
      payload: {},
      createdAt: 't',
    } as unknown as Decision;
    const machine = planLifecycleMachine.provide({
      actors: {
        ...actors,
        strategize: fromPromise<StrategizeOutput, StrategizeInput>(async () => ({
          decisions: [decision],
          decisionRootId: 'ROOT',
          steps: [],
          invariants: [],
          reconciliation: true,
          groupSteps: [],
          entries: [{ type: 'overlap.detected', phase: 'strategize', data: { step: 0 } }],
        })),
      },
    });
    const emitted: PlanEmitted[] = [];
    const actor = createActor(machine, { input: INPUT });
    actor.on('*', (event) => emitted.push(event as PlanEmitted));
    actor.start().send({ type: 'plan.strategize' });
    await waitFor(actor, (snapshot) => position(snapshot).status === 'complete');

    expect(trail(emitted).slice(0, 5)).toEqual([
      'journal phase.started strategize {}',
      'decisions ROOT',
      'steps ',
      'journal overlap.detected strategize {"step":0}',
      'journal phase.completed strategize {}',
    ]);
  });

  it('apply: the projects it committed to, and what a strategy settled only when it settled something', async () => {
    const settles = async (resolved: NonNullable<Extract<ApplyOutcome, { ok: true }>['resolved']>) => {
      const projects = [{ name: 'demo/x', project: '/work/other', commit: 'o1' }];
      const { actors } = scriptedActors({ steps: 0 });
      const machine = planLifecycleMachine.provide({
        actors: {
          ...actors,
          apply: fromPromise<ApplyOutcome, ApplyInput>(async () => ({ ok: true, commit: 'c', resolved, projects })),
        },
      });
      const emitted: PlanEmitted[] = [];
      const actor = createActor(machine, { input: { ...INPUT, automation: 'auto' } });
      actor.on('*', (event) => emitted.push(event as PlanEmitted));
      actor.start().send({ type: 'plan.run' });
      await waitFor(actor, (snapshot) => snapshot.status === 'done');
      return trail(emitted).slice(trail(emitted).indexOf('journal phase.started apply {}'));
    };
    const settled = [{ file: 'a.ts', kind: 'content' as const, with: 'theirs' as const, hunks: 2 }];
    expect(await settles(settled)).toEqual([
      'journal phase.started apply {}',
      `conflicts ${JSON.stringify({ type: 'conflicts', settled })}`,
      'journal phase.completed apply {"commit":"c","projects":[{"name":"demo/x","project":"/work/other","commit":"o1"}]}',
    ]);
    expect(await settles([])).toEqual([
      'journal phase.started apply {}',
      'journal phase.completed apply {"commit":"c","projects":[{"name":"demo/x","project":"/work/other","commit":"o1"}]}',
    ]);
  });

  it('a cancel journals its reason, in the phase the plan was in; a plan cancelled before it ran reads (strategize, cancelled)', async () => {
    const plan = startPlan('review');
    plan.actor.send({ type: 'plan.cancel', reason: 'not needed' });
    expect(position(plan.actor.getSnapshot())).toEqual({ phase: 'strategize', status: 'cancelled' });
    expect(trail(plan.emitted)).toEqual(['journal plan.cancelled strategize {"reason":"not needed"}']);

    const running = startPlan('review');
    running.actor.send({ type: 'plan.run', until: 'execute' });
    await running.rest();
    running.actor.send({ type: 'plan.cancel' });
    expect(trail(running.emitted).at(-1)).toBe('journal plan.cancelled execute {}');
    // no reason: no reason key at all, not one that JSON would drop
    expect(running.emitted.at(-1)).toStrictEqual({
      type: 'journal',
      entry: { type: 'plan.cancelled', phase: 'execute', data: {} },
    });
  });
});

describe('a step that fails', () => {
  /** A plan of one step that ends with `outcome`, run until it stops. */
  async function failing(outcome: Extract<StepOutcome, { ok: false }>) {
    const { actors } = scriptedActors({ steps: 1 });
    const machine = planLifecycleMachine.provide({
      actors: { ...actors, executeStep: fromPromise<StepOutcome, ExecuteStepInput>(async () => outcome) },
    });
    const actor = createActor(machine, { input: INPUT });
    actor.start().send({ type: 'plan.run' });
    return (await waitFor(actor, (snapshot) => position(snapshot).status === 'failed')).context;
  }
  const fix = `correct the plan: troupe plan correct demo/x --mode append --step '{"title": …, "tool": …, "input": …}' runs a step in its place, troupe plan rollback demo/x goes back`;

  it('counts as side effects only the calls that went through and wrote', async () => {
    const calls = [
      { tool: 'fs/write-file', success: true, durationMs: 1, writes: true },
      { tool: 'fs/read-file', success: true, durationMs: 1, writes: false },
      { tool: 'shell/run', success: false, durationMs: 1, writes: true, code: 'TOOL_FAILED' as const },
    ];
    const context = await failing({ ok: false, index: 0, error: { code: 'TOOL_FAILED', message: 'exit 1' }, calls });
    expect(context).toMatchObject({ toolCalls: 3, sideEffects: 1 });
  });

  it('says how to get past it: a correction or a rollback, after the step’s own hint', async () => {
    expect(
      (await failing({ ok: false, index: 0, error: { code: 'TOOL_FAILED', message: 'exit 1' }, calls: [] })).error,
    ).toEqual({ code: 'TOOL_FAILED', message: 'exit 1', phase: 'execute', step: 0, hint: fix, retryable: false });
    expect(
      (
        await failing({
          ok: false,
          index: 0,
          error: { code: 'TOOL_FAILED', message: 'exit 1', hint: 'see the log' },
          calls: [],
        })
      ).error?.hint,
    ).toBe(`see the log; ${fix}`);
  });

  it('that timed out runs again: its error keeps its own hint, nothing about a correction', async () => {
    const error = await failing({
      ok: false,
      index: 0,
      error: { code: 'TIMEOUT', message: 'took too long', hint: 'raise timeoutMs' },
      calls: [],
    });
    expect(error.error).toEqual({
      code: 'TIMEOUT',
      message: 'took too long',
      phase: 'execute',
      step: 0,
      hint: 'raise timeoutMs',
      retryable: true,
    });
  });
});

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
