import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  planLifecycleMachine,
  planPosition,
  type ExecuteStepInput,
  type PlanContext,
  type PlanEmitted,
  type StepOutcome,
} from '../../machines/index.js';
import type { Decision, TieredInvariant } from '../../src/domain/index.js';
import { at, INPUT, scriptedActors, trail } from './plan-lifecycle-fixtures.js';

// What an agent-driven plan (SPEC §16) journals, call by call: steps, refusals, reads and group steps.

const INVARIANTS: TieredInvariant[] = [{ id: 'no-bad', check: 'file-absent', path: 'bad.txt', tier: 'plan' }];

const position = (snapshot: { value: unknown; context: PlanContext }) =>
  planPosition(snapshot.value as never, snapshot.context);

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
