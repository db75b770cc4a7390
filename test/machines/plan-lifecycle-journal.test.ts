import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  planLifecycleMachine,
  planPosition,
  type ApplyInput,
  type ApplyOutcome,
  type ExecuteStepInput,
  type StepOutcome,
  type PlanContext,
  type PlanEmitted,
  type StrategizeInput,
  type StrategizeOutput,
} from '../../machines/index.js';
import type { Decision, TieredInvariant } from '../../src/domain/index.js';
import { INPUT, scriptedActors, startPlan, trail } from './plan-lifecycle-fixtures.js';

// What a plan tells the runtime, entry by entry: the journal users read
// (`plan logs`, `plan events`), the changesets, checkpoints and decisions
// stored with each transition, and the error a failed step leaves.

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
