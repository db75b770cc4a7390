import { describe, expect, it, vi } from 'vitest';
import { assign, createActor, fromPromise, setup, waitFor, type AnyActorLogic } from 'xstate';
import {
  initialState,
  subplanSupervisorMachine,
  type GroupConfig,
  type MergeChildInput,
  type MergeChildOutput,
  type RunChildInput,
  type RunChildOutput,
  type StartChildInput,
  type SupervisedChild,
  type SupervisorOutput,
  type SupervisorReport,
  type SupervisorState,
} from '../../machines/index.js';
import { TroupeError } from '../../src/domain/index.js';

// The supervisor machine around its rules: actors that throw, what it tells
// its parent and when, what its persisted snapshot keeps, what it hands its
// actors.

const CONFIG: GroupConfig = {
  mode: 'parallel',
  maxParallel: 2,
  mergeStrategy: 'ours',
  failurePolicy: 'continue',
  retries: 0,
  timeoutMs: null,
  contextView: 'full',
};

const kids = (count: number): SupervisedChild[] =>
  Array.from({ length: count }, (_, index) => ({
    childId: `C${index}`,
    name: `demo/x-${index + 1}`,
    decisionId: `D${index}`,
    dependsOn: [],
    project: null,
  }));

const state = (config: Partial<GroupConfig>, count: number): SupervisorState =>
  initialState({
    planId: 'P',
    stepIndex: 0,
    groupDecisionId: 'G',
    config: { ...CONFIG, ...config },
    children: kids(count),
    head: 'h0',
  });

function round(input: MergeChildInput): MergeChildOutput {
  let head = input.ours;
  return {
    merged: input.children.map(({ child }) => ({
      childId: child.childId,
      head: (head = `${head}+${child.childId}`),
      settled: [],
      files: [],
    })),
    changeset: null,
  };
}

/** Actors that validate every child and merge cleanly, with some replaced. */
function actorsWith(overrides: Record<string, AnyActorLogic> = {}) {
  return {
    startChild: fromPromise(async () => ({ startedAt: 1 })),
    runChild: fromPromise(async ({ input }: { input: RunChildInput }): Promise<RunChildOutput> => ({
      ok: true,
      head: `t-${input.childId}`,
    })),
    mergeChild: fromPromise(async ({ input }: { input: MergeChildInput }) => round(input)),
    cancelChildren: fromPromise(async () => {}),
    ...overrides,
  };
}

/** A parent that invokes the supervisor and keeps its reports. */
function run(input: SupervisorState, actors: Record<string, AnyActorLogic>, snapshot?: unknown) {
  const reports: SupervisorReport[] = [];
  const parent = setup({
    types: {} as { context: { output: SupervisorOutput | null } },
    actors: { supervise: subplanSupervisorMachine.provide({ actors: actors as never }) },
  }).createMachine({
    context: { output: null },
    initial: 'running',
    states: {
      running: {
        invoke: {
          id: 'supervisor',
          src: 'supervise',
          input,
          onDone: { target: 'done', actions: assign({ output: ({ event }) => event.output }) },
        },
        on: { 'subplans.changed': { actions: ({ event }) => void reports.push(event as SupervisorReport) } },
      },
      done: { type: 'final' },
    },
  });
  const actor = createActor(parent, snapshot === undefined ? {} : { snapshot: snapshot as never }).start();
  const done = async () =>
    (await waitFor(actor, (current) => current.status === 'done', { timeout: 5_000 })).context.output!;
  return { actor, reports, done };
}

describe('subplanSupervisorMachine and its actors', () => {
  it('without its actors, fails each child with the missing actor’s name and how to provide it', async () => {
    const output = await run(state({}, 1), {}).done();
    expect(output).toMatchObject({ outcome: 'done', failed: ['C0'] });
    expect(output.state.statuses.C0!.error).toEqual({
      code: 'INTERNAL_ERROR',
      message: 'subplanSupervisorMachine needs the "startChild" actor',
      hint: 'provide it: subplanSupervisorMachine.provide({ actors: { startChild: … } })',
      phase: 'execute',
      retryable: true,
    });
  });

  it('retries an attempt whose run threw, keeping what the error said', async () => {
    let calls = 0;
    const runChild = fromPromise(async ({ input }: { input: RunChildInput }): Promise<RunChildOutput> => {
      calls += 1;
      if (calls === 1) throw new TroupeError('TOOL_FAILED', 'the agent went away', { details: { exitCode: 137 } });
      return { ok: true, head: `t-${input.childId}` };
    });
    const retried = run(state({ retries: 1 }, 1), actorsWith({ runChild }));
    const output = await retried.done();
    expect(output).toMatchObject({
      outcome: 'done',
      failed: [],
      state: { head: 'h0+C0', statuses: { C0: { attempt: 2, merged: true } } },
    });
    const retry = retried.reports.flatMap((report) => report.changes).find((change) => change.status === 'retrying')!;
    expect(retry).toMatchObject({ childId: 'C0', attempt: 2 });
    const failing = fromPromise(async (): Promise<RunChildOutput> => {
      throw new TroupeError('TOOL_FAILED', 'the agent went away', { details: { exitCode: 137 } });
    });
    const failed = await run(state({}, 1), actorsWith({ runChild: failing })).done();
    expect(failed.state.statuses.C0!.error).toEqual({
      code: 'TOOL_FAILED',
      message: 'the agent went away',
      details: { exitCode: 137 },
      phase: 'execute',
      retryable: false,
    });
  });

  it('ends merge-failed when the merge actor threw, and goes on when the cancellation threw', async () => {
    const mergeChild = fromPromise(async (): Promise<MergeChildOutput> => {
      throw new TroupeError('INTERNAL_ERROR', 'disk full');
    });
    const output = await run(state({}, 1), actorsWith({ mergeChild })).done();
    expect(output).toMatchObject({
      outcome: 'merge-failed',
      childId: 'C0',
      error: { code: 'INTERNAL_ERROR', message: 'disk full' },
    });
    const hang = new Promise<RunChildOutput>(() => {});
    const runChild = fromPromise(async ({ input }: { input: RunChildInput }): Promise<RunChildOutput> =>
      input.childId === 'C0' ? { ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } } : hang,
    );
    const cancelChildren = fromPromise(async () => {
      throw new TroupeError('INTERNAL_ERROR', 'could not cancel');
    });
    const stopped = await run(
      state({ failurePolicy: 'fail-fast' }, 2),
      actorsWith({ runChild, cancelChildren }),
    ).done();
    expect(stopped).toMatchObject({ outcome: 'done', failed: ['C0', 'C1'], state: { cancelling: 0 } });
  });

  it('hands its actors the group’s context view, merge strategy and deadlines', async () => {
    const starts: StartChildInput[] = [];
    const runs: RunChildInput[] = [];
    const merges: MergeChildInput[] = [];
    const startChild = fromPromise(async ({ input }: { input: StartChildInput }) => {
      starts.push(input);
      return { startedAt: 10 };
    });
    const runChild = fromPromise(async ({ input }: { input: RunChildInput }): Promise<RunChildOutput> => {
      runs.push(input);
      return { ok: true, head: 't' };
    });
    const mergeChild = fromPromise(async ({ input }: { input: MergeChildInput }) => {
      merges.push(input);
      return round(input);
    });
    await run(state({ timeoutMs: 5 }, 1), actorsWith({ startChild, runChild, mergeChild })).done();
    expect(starts).toEqual([{ planId: 'P', child: kids(1)[0], attempt: 1, spawnHead: 'h0', contextView: 'full' }]);
    expect(runs).toEqual([{ planId: 'P', childId: 'C0', attempt: 1, deadline: 15 }]);
    expect(merges).toEqual([
      {
        planId: 'P',
        children: [{ child: kids(1)[0], base: 'h0', theirs: 't' }],
        ours: 'h0',
        strategy: 'ours',
        changesetId: null,
      },
    ]);
  });

  it('tells its parent when it begins and when something changed, not when an attempt merely started', async () => {
    const supervised = run(state({}, 1), actorsWith());
    const output = await supervised.done();
    // begin (C0 spawned), C0 complete, C0 merged
    expect(
      supervised.reports.map((report) => [
        report.spawned,
        report.changes.map((change) => change.status),
        report.merged?.children.map((child) => child.childId),
      ]),
    ).toEqual([
      [['C0'], ['running'], undefined],
      [[], ['complete'], undefined],
      [[], [], ['C0']],
    ]);
    expect(supervised.reports.at(-1)!.state).toEqual(output.state);
    // restored with nothing to start, it still tells its parent where it stands
    const hang = fromPromise(() => new Promise<RunChildOutput>(() => {}));
    const restored = run(
      {
        ...state({}, 1),
        statuses: {
          C0: { ...state({}, 1).statuses.C0!, status: 'running', attempt: 1, spawnHead: 'h0', started: true },
        },
      },
      actorsWith({ runChild: hang }),
    );
    await vi.waitFor(() => expect(restored.reports).toHaveLength(1));
    expect(restored.reports[0]).toMatchObject({ changes: [], spawned: [] });
    expect('merged' in restored.reports[0]!).toBe(false);
    restored.actor.stop();
  });

  it('keeps in its persisted snapshot only the actors still under way', async () => {
    const release: Array<(output: RunChildOutput) => void> = [];
    const runChild = fromPromise(
      ({ input }: { input: RunChildInput }) =>
        new Promise<RunChildOutput>((resolve) => release.push(() => resolve({ ok: true, head: `t-${input.childId}` }))),
    );
    const supervised = run(state({ maxParallel: 2 }, 2), actorsWith({ runChild }));
    await vi.waitFor(() => expect(release).toHaveLength(2));
    const persisted = supervised.actor.getPersistedSnapshot() as unknown as {
      children: { supervisor: { snapshot: { children: Record<string, unknown> } } };
    };
    expect(Object.keys(persisted.children.supervisor.snapshot.children).sort()).toEqual(['run:C0:1', 'run:C1:1']);
    for (const resolve of release) resolve({ ok: true, head: '' });
    await supervised.done();
    // an attempt that threw is dropped too: only its retry's run is left
    const attempts: number[] = [];
    const flaky = fromPromise(({ input }: { input: RunChildInput }) => {
      attempts.push(input.attempt);
      return input.attempt === 1
        ? Promise.reject(new TroupeError('TOOL_FAILED', 'x'))
        : new Promise<RunChildOutput>(() => {});
    });
    const retried = run(state({ retries: 1 }, 1), actorsWith({ runChild: flaky }));
    await vi.waitFor(() => expect(attempts).toEqual([1, 2]));
    const after = retried.actor.getPersistedSnapshot() as unknown as {
      children: { supervisor: { snapshot: { children: Record<string, unknown> } } };
    };
    expect(Object.keys(after.children.supervisor.snapshot.children)).toEqual(['run:C0:2']);
    retried.actor.stop();
  });
});
