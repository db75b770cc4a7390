import { describe, expect, it, vi } from 'vitest';
import { assign, createActor, fromPromise, setup, waitFor, type AnyActorLogic } from 'xstate';
import {
  advance,
  initialState,
  mergeOrderOf,
  resolvedMerge,
  roundStateAt,
  subplanSupervisorMachine,
  type CancelChildrenInput,
  type GroupConfig,
  type MergeChildInput,
  type MergeChildOutput,
  type RunChildInput,
  type RunChildOutput,
  type StartChildInput,
  type SupervisedChild,
  type SupervisorOutput,
  type SupervisorReport,
} from '../../machines/index.js';
import { PLAN_SNAPSHOT_MIGRATIONS } from '../../src/runtime/persistence/snapshot-check.js';

// The supervisor machine with scripted actors: modes, retries, timeouts as
// deadlines, fail-fast and continue, conflicts, restore.

const CONFIG: GroupConfig = {
  mode: 'parallel',
  maxParallel: 2,
  mergeStrategy: 'three-way',
  failurePolicy: 'fail-fast',
  retries: 0,
  timeoutMs: null,
  contextView: 'skeleton',
};

function children(count: number, dependsOn: Record<number, number[]> = {}): SupervisedChild[] {
  return Array.from({ length: count }, (_, index) => ({
    childId: `C${index}`,
    name: `demo/x-${index + 1}`,
    decisionId: `D${index}`,
    dependsOn: (dependsOn[index] ?? []).map((dependency) => `C${dependency}`),
    project: null,
  }));
}

interface Script {
  /** How each child's attempts end, in order (default: validates). */
  outcomes?: Record<string, RunChildOutput[]>;
  /** Children whose merge conflicts. */
  conflicts?: string[];
  /** Children whose run never answers on its own (until cancelled). */
  hangs?: string[];
}

/** A parent plan stand-in that invokes the supervisor by a string key (as the plan does: restore needs it). */
function parentOf(supervisor: AnyActorLogic, input: unknown, reports: SupervisorReport[] = []) {
  return setup({
    types: {} as { context: { output: SupervisorOutput | null } },
    actors: { supervise: supervisor as typeof subplanSupervisorMachine },
  }).createMachine({
    context: { output: null },
    initial: 'running',
    states: {
      running: {
        invoke: {
          id: 'supervisor',
          src: 'supervise',
          input: input as never,
          onDone: { target: 'done', actions: assign({ output: ({ event }) => event.output as SupervisorOutput }) },
        },
        on: { 'subplans.changed': { actions: ({ event }) => void reports.push(event as SupervisorReport) } },
      },
      done: { type: 'final' },
    },
  });
}

/** The parts of a persisted parent this file reads. */
interface PersistedParent {
  children: Record<
    string,
    {
      snapshot: {
        context: { state: { merging: unknown } };
        children: Record<string, { snapshot: { input: unknown } }>;
      };
    }
  >;
}

/** A scripted round: each child merged onto the head before it, up to the first that conflicts. */
function mergeRound(input: MergeChildInput, conflicts: readonly string[]): MergeChildOutput {
  let head = input.ours;
  const merged: MergeChildOutput['merged'] = [];
  for (const { child, base, theirs } of input.children) {
    if (conflicts.includes(child.childId)) {
      return {
        merged,
        changeset: null,
        stopped: {
          childId: child.childId,
          merge: {
            base,
            ours: head,
            theirs,
            clean: 'clean',
            conflicts: [{ file: 'a.txt', kind: 'content', hunks: [], edit: null }],
          },
        },
      };
    }
    head = `${head}+${child.childId}`;
    merged.push({ childId: child.childId, head, settled: [], files: [] });
  }
  return { merged, changeset: null };
}

/** Every child the rounds merged, in order. */
function merged(rounds: readonly MergeChildInput[]): string[] {
  return rounds.flatMap((round) => round.children.map(({ child }) => child.childId));
}

/** A parent that invokes the supervisor and keeps its reports, with scripted actors. */
function supervise(config: Partial<GroupConfig>, kids: SupervisedChild[], script: Script = {}) {
  const log: string[] = [];
  const started: StartChildInput[] = [];
  const runs: RunChildInput[] = [];
  const merges: MergeChildInput[] = [];
  const cancels: CancelChildrenInput[] = [];
  const reports: SupervisorReport[] = [];
  const release = new Map<string, (output: RunChildOutput) => void>();
  let running = 0;
  let peak = 0;
  const supervisor = subplanSupervisorMachine.provide({
    actors: {
      startChild: fromPromise(async ({ input }: { input: StartChildInput }) => {
        started.push(input);
        return { startedAt: 1_000 };
      }),
      runChild: fromPromise(async ({ input }: { input: RunChildInput }): Promise<RunChildOutput> => {
        runs.push(input);
        running += 1;
        peak = Math.max(peak, running);
        log.push(`run ${input.childId}#${input.attempt}`);
        try {
          if (script.hangs?.includes(input.childId))
            return await new Promise((resolve) => release.set(input.childId, resolve));
          await new Promise((resolve) => setTimeout(resolve, 5));
          const attempts = script.outcomes?.[input.childId] ?? [];
          return attempts[input.attempt - 1] ?? { ok: true, head: `t-${input.childId}` };
        } finally {
          running -= 1;
        }
      }),
      mergeChild: fromPromise(async ({ input }: { input: MergeChildInput }): Promise<MergeChildOutput> => {
        merges.push(input);
        for (const { child } of input.children) log.push(`merge ${child.childId}`);
        return mergeRound(input, script.conflicts ?? []);
      }),
      cancelChildren: fromPromise(async ({ input }: { input: CancelChildrenInput }) => {
        cancels.push(input);
        for (const childId of input.childIds)
          release.get(childId)?.({ ok: false, error: { code: 'CANCELLED', message: 'cancelled' }, cancelled: true });
      }),
    },
  });
  const state = initialState({
    planId: 'P',
    stepIndex: 0,
    groupDecisionId: 'G',
    config: { ...CONFIG, ...config },
    children: kids,
    head: 'h0',
  });
  const parent = parentOf(supervisor, state, reports);
  const actor = createActor(parent).start();
  const done = async () =>
    (await waitFor(actor, (snapshot) => snapshot.status === 'done', { timeout: 5_000 })).context.output!;
  return { actor, done, log, started, runs, merges, cancels, reports, release, peak: () => peak };
}

describe('subplanSupervisorMachine', () => {
  it('parallel: runs at most maxParallel at once, forks all from the same head, merges in entry order', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 2 }, children(5));
    const output = await run.done();
    expect(output).toMatchObject({ outcome: 'done', failed: [] });
    expect(run.peak()).toBe(2);
    expect(new Set(run.started.map((start) => start.spawnHead))).toEqual(new Set(['h0']));
    expect(merged(run.merges)).toEqual(['C0', 'C1', 'C2', 'C3', 'C4']);
    expect(output.state.head).toBe('h0+C0+C1+C2+C3+C4');
    // every child reported: spawned, then its statuses
    expect(run.reports.flatMap((report) => report.spawned)).toEqual(['C0', 'C1', 'C2', 'C3', 'C4']);
  });

  it('sequential: one at a time, each merged before the next starts from the new head', async () => {
    const run = supervise({ mode: 'sequential', maxParallel: 4 }, children(3));
    await run.done();
    expect(run.log).toEqual(['run C0#1', 'merge C0', 'run C1#1', 'merge C1', 'run C2#1', 'merge C2']);
    expect(run.started.map((start) => start.spawnHead)).toEqual(['h0', 'h0+C0', 'h0+C0+C1']);
  });

  it('dependency-ordered: starts a child when what it depends on merged, merges topologically', async () => {
    const kids = children(3, { 0: [2] });
    expect(mergeOrderOf(kids, 'dependency-ordered')).toEqual(['C1', 'C2', 'C0']);
    const run = supervise({ mode: 'dependency-ordered', maxParallel: 3 }, kids);
    await run.done();
    expect(merged(run.merges)).toEqual(['C1', 'C2', 'C0']);
    const c0 = run.started.find((start) => start.child.childId === 'C0')!;
    expect(c0.spawnHead).toContain('+C2');
  });

  it('retries a failed attempt while attempt <= retries, at the same spawn point, but not a validation error', async () => {
    const failure: RunChildOutput = { ok: false, error: { code: 'TOOL_FAILED', message: 'flaky' } };
    const run = supervise({ retries: 1, failurePolicy: 'continue' }, children(3), {
      outcomes: {
        C0: [failure],
        C1: [failure, failure],
        C2: [{ ok: false, error: { code: 'VALIDATION_ERROR', message: 'bad' } }],
      },
    });
    const output = await run.done();
    expect(run.runs.filter((input) => input.childId === 'C0').map((input) => input.attempt)).toEqual([1, 2]);
    expect(run.runs.filter((input) => input.childId === 'C1').map((input) => input.attempt)).toEqual([1, 2]);
    expect(run.runs.filter((input) => input.childId === 'C2').map((input) => input.attempt)).toEqual([1]);
    expect(output.state.statuses).toMatchObject({
      C0: { status: 'complete', attempt: 2, merged: true },
      C1: { status: 'failed', attempt: 2 },
      C2: { status: 'failed', attempt: 1 },
    });
    expect(output).toMatchObject({ outcome: 'done', failed: ['C1', 'C2'] });
    const retried = run.started.filter((start) => start.child.childId === 'C0');
    expect(retried.map((start) => [start.attempt, start.spawnHead])).toEqual([
      [1, 'h0'],
      [2, 'h0'],
    ]);
    expect(
      run.reports
        .flatMap((report) => report.changes)
        .some((change) => change.childId === 'C0' && change.status === 'retrying' && change.attempt === 2),
    ).toBe(true);
  });

  it('passes each attempt an absolute deadline from when it started', async () => {
    const run = supervise({ timeoutMs: 250 }, children(1));
    await run.done();
    expect(run.runs[0]).toMatchObject({ childId: 'C0', deadline: 1_250 });
  });

  it('fail-fast: cancels running siblings and pending ones on the first final failure', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 2, failurePolicy: 'fail-fast' }, children(4), {
      outcomes: { C0: [{ ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } }] },
      hangs: ['C1'],
    });
    const output = await run.done();
    expect(run.cancels).toEqual([{ planId: 'P', childIds: ['C1'], reason: 'demo/x-1 failed (fail-fast)' }]);
    expect(output.state.statuses).toMatchObject({
      C0: { status: 'failed' },
      C1: { status: 'cancelled' },
      C2: { status: 'cancelled', attempt: 0 },
      C3: { status: 'cancelled', attempt: 0 },
    });
    expect(output).toMatchObject({ outcome: 'done', failed: ['C0', 'C1', 'C2', 'C3'] });
  });

  it('continue: lets the others finish and merge, and reports the failure at the end', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 4, failurePolicy: 'continue' }, children(3), {
      outcomes: { C1: [{ ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } }] },
    });
    const output = await run.done();
    expect(run.cancels).toEqual([]);
    expect(merged(run.merges)).toEqual(['C0', 'C2']);
    expect(output).toMatchObject({ outcome: 'done', failed: ['C1'] });
  });

  it('cancels what depends on a child that failed, under continue', async () => {
    const run = supervise({ mode: 'dependency-ordered', failurePolicy: 'continue' }, children(3, { 1: [0], 2: [1] }), {
      outcomes: { C0: [{ ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } }] },
    });
    const output = await run.done();
    expect(output.state.statuses).toMatchObject({
      C0: { status: 'failed' },
      C1: { status: 'cancelled', attempt: 0 },
      C2: { status: 'cancelled', attempt: 0 },
    });
    expect(output.state.statuses.C1?.error?.message).toContain('demo/x-1');
  });

  it('a child cancelled on purpose is recorded cancelled, stops nobody under fail-fast, and does not fail the group', async () => {
    const withdrawn: RunChildOutput = {
      ok: false,
      cancelled: true,
      withdrawn: true,
      error: { code: 'CANCELLED', message: 'demo/x-2 was cancelled' },
    };
    const run = supervise({ mode: 'parallel', maxParallel: 3, failurePolicy: 'fail-fast', retries: 2 }, children(3), {
      outcomes: { C1: [withdrawn] },
    });
    const output = await run.done();
    expect(run.cancels).toEqual([]);
    expect(run.runs.filter((input) => input.childId === 'C1')).toHaveLength(1);
    expect(merged(run.merges)).toEqual(['C0', 'C2']);
    expect(output.state.statuses).toMatchObject({ C1: { status: 'cancelled', withdrawn: true, merged: false } });
    expect(output).toMatchObject({ outcome: 'done', failed: [] });
  });

  it('withdraws what waited only on a child cancelled on purpose; what waited on a failure still fails the group', async () => {
    const withdrawn: RunChildOutput = {
      ok: false,
      cancelled: true,
      withdrawn: true,
      error: { code: 'CANCELLED', message: 'demo/x-1 was cancelled' },
    };
    const dropped = await supervise(
      { mode: 'dependency-ordered', failurePolicy: 'continue' },
      children(3, { 1: [0] }),
      { outcomes: { C0: [withdrawn] } },
    ).done();
    expect(dropped.state.statuses).toMatchObject({
      C0: { status: 'cancelled', withdrawn: true },
      C1: { status: 'cancelled', attempt: 0, withdrawn: true },
      C2: { merged: true },
    });
    expect(dropped.state.statuses.C1?.error?.message).toContain('was cancelled');
    expect(dropped).toMatchObject({ outcome: 'done', failed: [] });
    const broken = await supervise({ mode: 'dependency-ordered', failurePolicy: 'continue' }, children(2, { 1: [0] }), {
      outcomes: { C0: [{ ok: false, error: { code: 'TOOL_FAILED', message: 'broke' } }] },
    }).done();
    expect(broken.state.statuses.C1?.withdrawn).toBeUndefined();
    expect(broken).toMatchObject({ outcome: 'done', failed: ['C0', 'C1'] });
  });

  it('stops on a conflicting merge with the merge and its state, to go on after the user resolved it', async () => {
    const run = supervise({ mode: 'sequential' }, children(3), { conflicts: ['C1'] });
    const output = await run.done();
    expect(output).toMatchObject({ outcome: 'conflict', childId: 'C1', merge: { ours: 'h0+C0', theirs: 't-C1' } });
    expect(output.state.statuses).toMatchObject({
      C0: { merged: true },
      C1: { status: 'complete', merged: false },
      C2: { status: 'pending' },
    });
  });

  it('merges every child ready at once in one round, in merge order, and journals each', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 3 }, children(3), { hangs: ['C0', 'C1', 'C2'] });
    await vi.waitFor(() => expect(run.release.size).toBe(3));
    // C2 and C1 finish first: nothing merges before C0, first in the merge order
    run.release.get('C2')!({ ok: true, head: 't-C2' });
    run.release.get('C1')!({ ok: true, head: 't-C1' });
    await vi.waitFor(() =>
      expect(
        run.reports.filter((report) => report.changes.some((change) => change.status === 'complete')),
      ).toHaveLength(2),
    );
    expect(run.merges).toEqual([]);
    run.release.get('C0')!({ ok: true, head: 't-C0' });
    const output = await run.done();
    expect(output).toMatchObject({ outcome: 'done', failed: [] });
    expect(run.merges).toEqual([
      {
        planId: 'P',
        ours: 'h0',
        strategy: 'three-way',
        changesetId: null,
        children: ['C0', 'C1', 'C2'].map((id) => ({
          child: expect.objectContaining({ childId: id }),
          base: 'h0',
          theirs: `t-${id}`,
        })),
      },
    ]);
    expect(output.state.head).toBe('h0+C0+C1+C2');
    const report = run.reports.find((candidate) => candidate.merged)!;
    expect(report.merged!.children.map((child) => [child.childId, child.head])).toEqual([
      ['C0', 'h0+C0'],
      ['C1', 'h0+C0+C1'],
      ['C2', 'h0+C0+C1+C2'],
    ]);
  });

  it('a conflict in the middle of a round keeps what merged before it and stops there', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 3 }, children(3), {
      hangs: ['C0', 'C1', 'C2'],
      conflicts: ['C1'],
    });
    await vi.waitFor(() => expect(run.release.size).toBe(3));
    run.release.get('C2')!({ ok: true, head: 't-C2' });
    run.release.get('C1')!({ ok: true, head: 't-C1' });
    await vi.waitFor(() =>
      expect(
        run.reports.filter((report) => report.changes.some((change) => change.status === 'complete')),
      ).toHaveLength(2),
    );
    run.release.get('C0')!({ ok: true, head: 't-C0' });
    const output = await run.done();
    expect(output).toMatchObject({
      outcome: 'conflict',
      childId: 'C1',
      merge: { base: 'h0', ours: 'h0+C0', theirs: 't-C1' },
    });
    expect(output.state).toMatchObject({ head: 'h0+C0', merging: [] });
    expect(output.state.statuses).toMatchObject({
      C0: { merged: true },
      C1: { status: 'complete', merged: false },
      C2: { status: 'complete', merged: false },
    });
    // the user resolved C1: the supervisor goes on from there and merges C2 onto the resolution
    const resumed = advance(resolvedMerge(output.state, 'C1', 'resolved'), { kind: 'begin' });
    expect(resumed.effects).toEqual([
      {
        kind: 'merge',
        children: [expect.objectContaining({ child: expect.objectContaining({ childId: 'C2' }) })],
        ours: 'resolved',
        changesetId: null,
      },
    ]);
  });

  it('a merge that fails in the middle of a round fails that child; what merged before it stays merged', () => {
    let state = initialState({
      planId: 'P',
      stepIndex: 0,
      groupDecisionId: 'G',
      config: { ...CONFIG, maxParallel: 2 },
      children: children(2),
      head: 'h0',
    });
    state = advance(state, { kind: 'begin' }).state;
    for (const childId of ['C0', 'C1']) {
      state = advance(state, { kind: 'started', childId, attempt: 1, startedAt: 1 }).state;
      state = advance(state, { kind: 'ran', childId, attempt: 1, output: { ok: true, head: `t-${childId}` } }).state;
    }
    expect(state.merging).toEqual(['C0']);
    // C1 completed while C0's round ran: the next round takes it
    const first = advance(state, {
      kind: 'merged',
      childId: 'C0',
      output: { merged: [{ childId: 'C0', head: 'm0', settled: [], files: ['a'] }], changeset: null },
    });
    expect(first.state.merging).toEqual(['C1']);
    const error = { code: 'MERGE_CONFLICT' as const, message: 'b.txt conflicts (fail-on-conflict)' };
    const failed = advance(first.state, {
      kind: 'merged',
      childId: 'C1',
      output: { merged: [], changeset: null, stopped: { childId: 'C1', error } },
    });
    expect(failed.end).toMatchObject({ outcome: 'merge-failed', childId: 'C1', error });
    expect(failed.state.statuses).toMatchObject({ C0: { merged: true }, C1: { status: 'failed', merged: false } });
    // an answer for a round that is not the one under way changes nothing
    expect(
      advance(first.state, { kind: 'merged', childId: 'C0', output: { merged: [], changeset: null } }).state,
    ).toEqual(first.state);
  });

  it('roundStateAt: the state right after one child of a round merged, to restore to', () => {
    const after = {
      ...initialState({
        planId: 'P',
        stepIndex: 0,
        groupDecisionId: 'G',
        config: CONFIG,
        children: children(3),
        head: 'h0',
      }),
      head: 'm2',
    };
    for (const childId of ['C0', 'C1', 'C2'])
      after.statuses[childId] = { ...after.statuses[childId]!, status: 'complete', merged: true };
    const round = ['C0', 'C1', 'C2'].map((childId, index) => ({ childId, head: `m${index}`, settled: [], files: [] }));
    const atFirst = roundStateAt(after, round, 0);
    expect(atFirst).toMatchObject({ head: 'm0', merging: [] });
    expect(Object.fromEntries(Object.entries(atFirst.statuses).map(([id, child]) => [id, child.merged]))).toEqual({
      C0: true,
      C1: false,
      C2: false,
    });
    expect(roundStateAt(after, round, 2)).toEqual({ ...after, merging: [] });
  });

  it('a merge under way stored by plan machine version 5 (one child) restores as a round of it', async () => {
    const actors = (merges: MergeChildInput[], hang: boolean) =>
      subplanSupervisorMachine.provide({
        actors: {
          startChild: fromPromise(async () => ({ startedAt: 1 })),
          runChild: fromPromise(async ({ input }: { input: RunChildInput }): Promise<RunChildOutput> => ({
            ok: true,
            head: `t-${input.childId}`,
          })),
          mergeChild: fromPromise(async ({ input }: { input: MergeChildInput }): Promise<MergeChildOutput> => {
            merges.push(input);
            return hang ? new Promise(() => {}) : mergeRound(input, []);
          }),
          cancelChildren: fromPromise(async () => {}),
        },
      });
    const state = initialState({
      planId: 'P',
      stepIndex: 0,
      groupDecisionId: 'G',
      config: { ...CONFIG, mode: 'sequential' },
      children: children(2),
      head: 'h0',
    });
    const first: MergeChildInput[] = [];
    const actor = createActor(parentOf(actors(first, true), state)).start();
    await vi.waitFor(() => expect(first).toHaveLength(1));
    const current = structuredClone(actor.getPersistedSnapshot()) as unknown as PersistedParent;
    actor.stop();
    // the same snapshot as version 5 stored it: `merging` named the child, the merge actor took one child
    const supervisor = current.children.supervisor!.snapshot;
    const merge = supervisor.children['merge:C0']!.snapshot;
    const { children: round, ...input } = merge.input as MergeChildInput;
    const version5 = structuredClone(current);
    version5.children.supervisor!.snapshot.context.state.merging = 'C0';
    version5.children.supervisor!.snapshot.children['merge:C0']!.snapshot.input = { ...input, ...round[0]! };
    expect(PLAN_SNAPSHOT_MIGRATIONS[5]!(version5)).toEqual(current);

    const again: MergeChildInput[] = [];
    const restored = createActor(parentOf(actors(again, false), state), {
      snapshot: PLAN_SNAPSHOT_MIGRATIONS[5]!(version5) as never,
    }).start();
    const output = (await waitFor(restored, (snapshot) => snapshot.status === 'done', { timeout: 5_000 })).context
      .output!;
    expect(merged(again)).toEqual(['C0', 'C1']);
    expect(output).toMatchObject({ outcome: 'done', failed: [], state: { head: 'h0+C0+C1', merging: [] } });
  });

  it('restores mid fan-out and goes on without starting a child twice', async () => {
    const run = supervise({ mode: 'parallel', maxParallel: 2 }, children(3), { hangs: ['C0', 'C1'] });
    await vi.waitFor(() => expect(run.runs).toHaveLength(2));
    const persisted = structuredClone(run.actor.getPersistedSnapshot());
    run.actor.stop();
    const again = { started: [] as StartChildInput[], runs: [] as RunChildInput[] };
    // the same supervisor logic, restored from the parent's persisted snapshot
    const restoredParent = parentOf(
      subplanSupervisorMachine.provide({
        actors: {
          startChild: fromPromise(async ({ input }: { input: StartChildInput }) => {
            again.started.push(input);
            return { startedAt: 1 };
          }),
          runChild: fromPromise(async ({ input }: { input: RunChildInput }): Promise<RunChildOutput> => {
            again.runs.push(input);
            return { ok: true, head: `t-${input.childId}` };
          }),
          mergeChild: fromPromise(async ({ input }: { input: MergeChildInput }): Promise<MergeChildOutput> =>
            mergeRound(input, []),
          ),
          cancelChildren: fromPromise(async () => {}),
        },
      }),
      initialState({
        planId: 'P',
        stepIndex: 0,
        groupDecisionId: 'G',
        config: CONFIG,
        children: children(3),
        head: 'h0',
      }),
    );
    const restored = createActor(restoredParent, { snapshot: persisted as never }).start();
    const output = (await waitFor(restored, (snapshot) => snapshot.status === 'done', { timeout: 5_000 })).context
      .output!;
    expect(output).toMatchObject({ outcome: 'done', failed: [] });
    // the two attempts in flight ran again (idempotent); no child was started a second time as a new attempt
    expect(again.runs.map((input) => `${input.childId}#${input.attempt}`).sort()).toEqual(['C0#1', 'C1#1', 'C2#1']);
    expect(again.started.map((input) => input.child.childId)).toEqual(['C2']);
  });
});
