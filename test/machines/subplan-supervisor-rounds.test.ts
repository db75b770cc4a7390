import { describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  advance,
  initialState,
  resolvedMerge,
  roundStateAt,
  subplanSupervisorMachine,
  type MergeChildInput,
  type MergeChildOutput,
  type RunChildInput,
  type RunChildOutput,
  type StartChildInput,
} from '../../machines/index.js';
import { PLAN_SNAPSHOT_MIGRATIONS } from '../../src/runtime/persistence/snapshot-check.js';
import {
  CONFIG,
  children,
  parentOf,
  type PersistedParent,
  mergeRound,
  merged,
  supervise,
} from './subplan-supervisor-fixtures.js';

// The supervisor machine with scripted actors: rounds of merges, conflicts
// and merges that fail in them, and restoring a group mid-way.

describe('subplanSupervisorMachine', () => {
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
