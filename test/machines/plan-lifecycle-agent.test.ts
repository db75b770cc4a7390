import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  appendsSteps,
  isOpen,
  planLifecycleMachine,
  planPosition,
  reconcileDeferred,
  type ExecuteStepInput,
  type PlanContext,
  type PlanEmitted,
  type ReconciliationEmitted,
  type StepOutcome,
} from '../../machines/index.js';
import type { Decision, JournalEntry, TieredInvariant } from '../../src/domain/index.js';
import { at, context, INPUT, scriptedActors, startPlan, trail } from './plan-lifecycle-fixtures.js';

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

describe('what an agent-driven plan journals', () => {
  const READ = {
    id: 'D0',
    planId: 'P',
    parentId: 'ROOT',
    type: 'step',
    title: 'git status',
    payload: { tool: 'shell/exec', input: { command: 'git status' } },
    createdAt: 't',
  } as unknown as Decision;
  const wrote = (index: number): StepOutcome => ({
    ok: true,
    index,
    decisionId: `D${index}`,
    headCommit: `c${index}`,
    changeset: { id: 'CS', planId: 'P', baseCommit: 'base', headCommit: `c${index}`, files: [] },
    calls: [{ tool: 'fs/write-file', success: true, durationMs: 1, writes: true }],
  });

  /** An open plan whose agent's calls end as `outcomes` says, one per plan.step. */
  async function agentPlan(outcomes: StepOutcome[], options: { invariants?: TieredInvariant[] } = {}) {
    const { actors, calls } = scriptedActors({ steps: 0, open: true, invariants: options.invariants ?? [] });
    const machine = planLifecycleMachine.provide({
      actors: {
        ...actors,
        executeStep: fromPromise<StepOutcome, ExecuteStepInput>(async ({ input }) => {
          calls.executed.push(input);
          return outcomes.shift()!;
        }),
      },
    });
    const actor = createActor(machine, { input: INPUT });
    const emitted: PlanEmitted[] = [];
    actor.on('*', (event) => emitted.push(event as PlanEmitted));
    actor.start().send({ type: 'plan.run' });
    await waitFor(actor, (snapshot) => snapshot.matches({ execute: { processing: 'open' } }));
    const step = async (event: { type: 'plan.step'; group?: boolean } = { type: 'plan.step' }) => {
      const from = emitted.length;
      const ran = calls.executed.length;
      actor.send(event);
      const open = await waitFor(
        actor,
        (snapshot) => calls.executed.length > ran && snapshot.matches({ execute: { processing: 'open' } }),
      );
      return { open, trail: trail(emitted.slice(from)) };
    };
    return { actor, calls, emitted, step };
  }

  it('a call that wrote: step.started once, its calls, step.completed, the changeset and a checkpoint, reconciled or not', async () => {
    const plain = await agentPlan([wrote(0), wrote(1)]);
    expect((await plain.step()).trail).toEqual([
      'journal step.started execute {"index":0}',
      'journal tool.called execute {"index":0,"calls":[{"tool":"fs/write-file","success":true,"durationMs":1,"writes":true}]}',
      'journal step.completed execute {"index":0,"commit":"c0"}',
      'changeset CS at c0',
      'checkpoint step (execute, queued) at c0',
    ]);
    expect((await plain.step()).trail[0]).toBe('journal step.started execute {"index":1}');

    const reconciled = await agentPlan([wrote(0)], { invariants: INVARIANTS });
    expect((await reconciled.step()).trail).toEqual([
      'journal step.started execute {"index":0}',
      'journal tool.called execute {"index":0,"calls":[{"tool":"fs/write-file","success":true,"durationMs":1,"writes":true}]}',
      'journal step.completed execute {"index":0,"commit":"c0"}',
      'changeset CS at c0',
      'reconciliation post-step step 0 under D0: reconciled',
      'journal invariant.reconciled execute {"trigger":"post-step","step":0,"results":[{"id":"no-bad","tier":"plan","check":"file-absent","passed":true,"message":"holds","durationMs":1}]}',
      'checkpoint step (execute, queued) at c0',
    ]);
  });

  it('a call troupe refused: journaled with its calls and why, counted, and nothing else changes', async () => {
    const refused: StepOutcome = {
      ok: false,
      index: 0,
      error: { code: 'SCOPE_VIOLATION', message: 'out of scope' },
      calls: [
        { tool: 'fs/write-file', success: true, durationMs: 1, writes: true },
        { tool: 'fs/write-file', success: false, durationMs: 1, writes: true, code: 'SCOPE_VIOLATION' },
      ],
    };
    const plan = await agentPlan([refused]);
    const { open, trail: entries } = await plan.step();
    expect(entries).toEqual([
      'journal step.started execute {"index":0}',
      'journal tool.called execute {"index":0,"calls":[{"tool":"fs/write-file","success":true,"durationMs":1,"writes":true},{"tool":"fs/write-file","success":false,"durationMs":1,"writes":true,"code":"SCOPE_VIOLATION"}]}',
      'journal step.failed execute {"index":0,"code":"SCOPE_VIOLATION","message":"out of scope"}',
    ]);
    expect(open.context).toMatchObject({
      lastCompletedStep: 0,
      toolCalls: 2,
      sideEffects: 1,
      error: null,
      sandbox: { headCommit: 'base' },
    });
  });

  it('a call that changed nothing is a read: numbered, its decision stored as a tool call, the step taken back', async () => {
    const read: StepOutcome = {
      ok: true,
      index: 0,
      decisionId: 'D0',
      headCommit: 'base',
      changeset: null,
      read: READ,
      calls: [
        { tool: 'shell/exec', success: false, durationMs: 2, code: 'TOOL_FAILED' },
        { tool: 'shell/exec', success: true, durationMs: 3 },
      ],
    };
    const plan = await agentPlan([read, { ...read, calls: [{ tool: 'shell/exec', success: true, durationMs: 1 }] }]);
    const first = await plan.step({ type: 'plan.step', group: false });
    expect(first.trail).toEqual([
      'journal read.completed execute {"read":1,"step":0,"decisionId":"D0","title":"git status","tool":"shell/exec"}',
      'journal tool.called execute {"read":1,"calls":[{"tool":"shell/exec","success":false,"durationMs":2,"code":"TOOL_FAILED"},{"tool":"shell/exec","success":true,"durationMs":3}]}',
      `read ${JSON.stringify({
        type: 'read',
        step: 0,
        decision: {
          ...READ,
          type: 'tool_call',
          title: 'read 1: git status',
          payload: {
            tool: 'shell/exec',
            input: { command: 'git status' },
            outcome: 'read',
            success: false,
            code: 'TOOL_FAILED',
            durationMs: 5,
            read: 1,
          },
        },
      })}`,
    ]);
    // the step is taken back: the next call runs as step 0 again
    expect(first.open.context).toMatchObject({ stepCount: 0, lastCompletedStep: null, reads: 1, toolCalls: 2 });
    expect(plan.calls.executed.map((input) => [input.index, input.readIfUnchanged])).toEqual([[0, true]]);

    const second = await plan.step();
    expect(second.trail[0]).toBe(
      'journal read.completed execute {"read":2,"step":0,"decisionId":"D0","title":"git status","tool":"shell/exec"}',
    );
    expect(second.open.context).toMatchObject({ stepCount: 0, reads: 2, toolCalls: 3 });
  });

  it('a read whose decision names no tool takes the tool of its first call; one without input reads as no input', async () => {
    const bare: StepOutcome = {
      ok: true,
      index: 0,
      decisionId: 'D0',
      headCommit: 'base',
      changeset: null,
      read: { ...READ, payload: {} },
      calls: [{ tool: 'shell/exec', success: true, durationMs: 1 }],
    };
    const plan = await agentPlan([bare, { ...bare, calls: [] }]);
    const read = async () => ((await plan.step()).trail.at(-1) ?? '').replace(/^read /, '');
    expect(JSON.parse(await read()).decision.payload).toEqual({
      tool: 'shell/exec',
      input: {},
      outcome: 'read',
      success: true,
      durationMs: 1,
      read: 1,
    });
    expect(JSON.parse(await read()).decision.payload).toEqual({
      tool: '',
      input: {},
      outcome: 'read',
      success: true,
      durationMs: 0,
      read: 2,
    });
  });

  it('a step the agent marks as a group of subplans is a group step at its place in the list', async () => {
    const plan = await agentPlan([wrote(0)]);
    await plan.step();
    plan.actor.send({ type: 'plan.step', group: true });
    const grouped = plan.actor.getSnapshot();
    expect(grouped.context.groupSteps).toEqual([1]);
    expect(grouped.context.stepCount).toBe(2);
    expect(grouped.matches({ execute: { processing: 'group' } })).toBe(true);
  });

  it('a step marked as a group is one wherever it comes: first, or after several steps', async () => {
    const first = await agentPlan([]);
    first.actor.send({ type: 'plan.step', group: true });
    expect(first.actor.getSnapshot().context.groupSteps).toEqual([0]);
    expect(first.actor.getSnapshot().matches({ execute: { processing: 'group' } })).toBe(true);

    const third = await agentPlan([wrote(0), wrote(1)]);
    await third.step();
    await third.step();
    third.actor.send({ type: 'plan.step', group: true });
    expect(third.actor.getSnapshot().context.groupSteps).toEqual([2]);
    expect(third.actor.getSnapshot().matches({ execute: { processing: 'group' } })).toBe(true);
  });

  it('a read names the tool its decision named, whatever its calls ran, and keeps the caller’s id for the call', async () => {
    const decision = {
      ...READ,
      payload: { tool: 'fs/read-file', input: { path: 'a.ts' }, call: 'toolu_1' },
    } as unknown as Decision;
    const read: StepOutcome = {
      ok: true,
      index: 0,
      decisionId: 'D0',
      headCommit: 'base',
      changeset: null,
      read: decision,
      calls: [{ tool: 'shell/exec', success: true, durationMs: 1 }],
    };
    const plan = await agentPlan([read, { ...read, read: READ }]);
    const payload = async () => {
      await plan.step();
      const read = plan.emitted.at(-1)!;
      return read.type === 'read' ? read.decision.payload : read;
    };
    expect(await payload()).toEqual({
      tool: 'fs/read-file',
      input: { path: 'a.ts' },
      outcome: 'read',
      success: true,
      durationMs: 1,
      read: 1,
      call: 'toolu_1',
    });
    // no id for the call: no call key
    expect(await payload()).toStrictEqual({
      tool: 'shell/exec',
      input: { command: 'git status' },
      outcome: 'read',
      success: true,
      durationMs: 1,
      read: 2,
    });
  });

  it('a read keeps the group steps before it', async () => {
    // step 0 was a group; the agent's next call (step 1) changes nothing
    const read: StepOutcome = {
      ok: true,
      index: 1,
      decisionId: 'D1',
      headCommit: 'base',
      changeset: null,
      read: READ,
      calls: [{ tool: 'shell/exec', success: true, durationMs: 1 }],
    };
    const { actors } = scriptedActors();
    const machine = planLifecycleMachine.provide({
      actors: { ...actors, executeStep: fromPromise<StepOutcome, ExecuteStepInput>(async () => read) },
    });
    const actor = createActor(machine, {
      input: INPUT,
      snapshot: at(
        { execute: { processing: 'open' } },
        { phase: 'execute', open: true, stepCount: 1, lastCompletedStep: 0, groupSteps: [0] },
      ),
    }).start();
    actor.send({ type: 'plan.step' });
    const open = await waitFor(
      actor,
      (snapshot) => snapshot.context.reads === 1 && snapshot.matches({ execute: { processing: 'open' } }),
    );
    expect(open.context).toMatchObject({ groupSteps: [0], stepCount: 1, lastCompletedStep: 0 });
    actor.stop();
  });

  it('the steps of a correction are never reads; the agent’s calls after them are again', async () => {
    const plan = await agentPlan([wrote(0), wrote(1), wrote(2)]);
    await plan.step();
    plan.actor.send({ type: 'plan.finish', until: 'execute' });
    await waitFor(plan.actor, (snapshot) => position(snapshot).status === 'complete');
    plan.actor.send({ type: 'plan.corrected', decisionId: 'C1', appended: 1 });
    plan.actor.send({ type: 'plan.execute' });
    const reopened = await waitFor(
      plan.actor,
      (snapshot) => plan.calls.executed.length === 2 && snapshot.matches({ execute: { processing: 'open' } }),
    );
    expect(reopened.context.correction).toBeNull();
    await plan.step();
    expect(plan.calls.executed.map((input) => [input.index, input.readIfUnchanged])).toEqual([
      [0, true],
      [1, false],
      [2, true],
    ]);
  });
});
