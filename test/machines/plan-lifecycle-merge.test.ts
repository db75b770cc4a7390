import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import {
  hasNoConflicts,
  isOpenConflict,
  planLifecycleMachine,
  planPosition,
  surfacedConflicts,
  type ApplyInput,
  type ApplyOutcome,
  type CommitMergeInput,
  type CommitMergeOutput,
  type PlanContext,
  type PlanEmitted,
  type SurfacedMerge,
} from '../../machines/index.js';
import { at, context, journal, scriptedActors } from './plan-lifecycle-fixtures.js';

// Apply that surfaces conflicts (SPEC §9): (apply, waiting), resolved file by
// file, the merge commit made with the last one, applied when apply runs again.

const SURFACED: SurfacedMerge = {
  base: 'base',
  ours: 'head1',
  theirs: 'c1',
  clean: 'clean1',
  conflicts: [
    {
      file: 'a.ts',
      kind: 'content',
      hunks: [{ ours: 'x\n', base: 'y\n', theirs: 'z\n' }],
      edit: '.troupe/conflicts/P/a.ts',
    },
    { file: 'b.bin', kind: 'binary', hunks: [{ ours: 'binary', base: 'binary', theirs: 'binary' }], edit: null },
  ],
};

const position = (snapshot: { value: unknown; context: PlanContext }) =>
  planPosition(snapshot.value as never, snapshot.context);

/** A plan whose first apply surfaces SURFACED and whose later applies succeed. */
function mergingPlan(options: { commitFails?: boolean } = {}) {
  const { actors } = scriptedActors({ steps: 1 });
  const applied: ApplyInput[] = [];
  const committed: CommitMergeInput[] = [];
  const machine = planLifecycleMachine.provide({
    actors: {
      ...actors,
      apply: fromPromise<ApplyOutcome, ApplyInput>(async ({ input }) => {
        applied.push(input);
        return applied.length === 1 ? { ok: false, merge: SURFACED } : { ok: true, commit: 'applied' };
      }),
      commitMerge: fromPromise<CommitMergeOutput, CommitMergeInput>(async ({ input }) => {
        committed.push(input);
        if (options.commitFails) throw new Error('git broke');
        return {
          commit: 'merge1',
          resolved: input.merge.files.map((file) => ({ file, with: 'theirs' as const })),
          changeset: null,
        };
      }),
    },
  });
  const actor = createActor(machine, { input: { planId: 'P', name: 'demo/x', automation: 'review' } });
  const emitted: PlanEmitted[] = [];
  actor.on('*', (event) => emitted.push(event as PlanEmitted));
  actor.start();
  const rest = () =>
    waitFor(actor, (snapshot) => snapshot.status !== 'active' || position(snapshot).status !== 'processing');
  return { actor, machine, emitted, applied, committed, rest };
}

async function waiting(options: { commitFails?: boolean } = {}) {
  const plan = mergingPlan(options);
  plan.actor.send({ type: 'plan.run' });
  await plan.rest();
  plan.actor.send({ type: 'plan.apply' });
  await plan.rest();
  return plan;
}

describe('planLifecycleMachine: apply conflicts', () => {
  it('waits in (apply, waiting) with the merge in context and the conflicts emitted for the store', async () => {
    const plan = await waiting();
    const snapshot = plan.actor.getSnapshot();
    expect(position(snapshot)).toEqual({ phase: 'apply', status: 'waiting' });
    expect(snapshot.context.merge).toEqual({
      target: 'project',
      child: null,
      base: 'base',
      ours: 'head1',
      theirs: 'c1',
      clean: 'clean1',
      files: ['a.ts', 'b.bin'],
      open: ['a.ts', 'b.bin'],
      commit: null,
    });
    expect(plan.emitted).toContainEqual({ type: 'conflicts', open: SURFACED.conflicts });
    expect(plan.emitted.at(-1)).toEqual({
      type: 'journal',
      entry: { type: 'merge.conflict', phase: 'apply', data: { files: ['a.ts', 'b.bin'] } },
    });
    expect(plan.applied[0]).toMatchObject({ strategy: 'three-way', merged: null });
  });

  it('refuses to apply or run on while conflicts are open, and accepts only open files', async () => {
    const plan = await waiting();
    const snapshot = plan.actor.getSnapshot();
    expect(snapshot.can({ type: 'plan.apply' })).toBe(false);
    expect(snapshot.can({ type: 'plan.run', until: 'apply' })).toBe(false);
    expect(snapshot.can({ type: 'plan.resolve', file: 'c.ts', with: 'ours' })).toBe(false);
    expect(snapshot.can({ type: 'plan.resolve', file: 'a.ts', with: 'ours' })).toBe(true);
    plan.actor.send({ type: 'plan.resolve', file: 'a.ts', with: 'ours' });
    // resolved once: not again
    expect(plan.actor.getSnapshot().can({ type: 'plan.resolve', file: 'a.ts', with: 'ours' })).toBe(false);
    expect(plan.actor.getSnapshot().context.merge?.open).toEqual(['b.bin']);
    expect(position(plan.actor.getSnapshot())).toEqual({ phase: 'apply', status: 'waiting' });
    expect(journal(plan.emitted).at(-1)).toEqual(['conflict.resolved', { file: 'a.ts', with: 'ours', remaining: 1 }]);
  });

  it('makes the merge commit with the last resolution, records it, and applies it on the next apply', async () => {
    const plan = await waiting();
    plan.actor.send({ type: 'plan.resolve', file: 'a.ts', with: 'file' });
    plan.actor.send({ type: 'plan.resolve', file: 'b.bin', with: 'theirs' });
    const merged = await plan.rest();
    expect(position(merged)).toEqual({ phase: 'apply', status: 'queued' });
    expect(plan.committed).toHaveLength(1);
    expect(plan.committed[0]?.merge).toMatchObject({ clean: 'clean1', files: ['a.ts', 'b.bin'], open: [] });
    expect(merged.context.merge).toMatchObject({ commit: 'merge1', open: [] });
    expect(plan.emitted).toContainEqual({ type: 'conflicts', closed: ['a.ts', 'b.bin'] });
    expect(plan.emitted).toContainEqual(
      expect.objectContaining({
        type: 'merge',
        parentId: 'ROOT',
        merge: expect.objectContaining({ commit: 'merge1' }),
      }),
    );
    expect(journal(plan.emitted).at(-1)).toEqual(['merge.completed', { files: ['a.ts', 'b.bin'], commit: 'merge1' }]);

    plan.actor.send({ type: 'plan.apply', strategy: 'ours' });
    const done = await waitFor(plan.actor, (snapshot) => snapshot.status === 'done');
    expect(plan.applied[1]).toMatchObject({ strategy: 'ours', merged: { base: 'head1', head: 'merge1' } });
    expect(done.context).toMatchObject({ appliedCommit: 'applied', merge: null });
  });

  it('fails apply when the merge commit cannot be made', async () => {
    const plan = await waiting({ commitFails: true });
    plan.actor.send({ type: 'plan.resolve', file: 'a.ts', with: 'ours' });
    plan.actor.send({ type: 'plan.resolve', file: 'b.bin', with: 'ours' });
    const failed = await plan.rest();
    expect(position(failed)).toEqual({ phase: 'apply', status: 'failed' });
    expect(failed.context.error).toMatchObject({ code: 'INTERNAL_ERROR', message: 'git broke' });
  });

  it('drops the open conflicts when cancelled while waiting', async () => {
    const plan = await waiting();
    plan.actor.send({ type: 'plan.cancel' });
    expect(plan.actor.getSnapshot().value).toBe('cancelled');
    expect(plan.emitted.at(-2)).toEqual({ type: 'conflicts', closed: ['a.ts', 'b.bin'] });
  });

  it('restores a waiting plan and goes on resolving', async () => {
    const plan = await waiting();
    plan.actor.send({ type: 'plan.resolve', file: 'a.ts', with: 'ours' });
    const persisted = plan.actor.getPersistedSnapshot();
    plan.actor.stop();

    const restored = createActor(plan.machine, {
      input: { planId: 'P', name: 'demo/x', automation: 'review' },
      snapshot: structuredClone(persisted) as never,
    }).start();
    expect(position(restored.getSnapshot())).toEqual({ phase: 'apply', status: 'waiting' });
    restored.send({ type: 'plan.resolve', file: 'b.bin', with: 'ours' });
    expect(position(await waitFor(restored, (snapshot) => position(snapshot).status !== 'processing'))).toEqual({
      phase: 'apply',
      status: 'queued',
    });
  });

  it('records what a strategy settled when apply succeeds', async () => {
    const { actors } = scriptedActors({ steps: 1 });
    const settled = [{ file: 'a.ts', kind: 'content' as const, with: 'theirs' as const, hunks: 2 }];
    const machine = planLifecycleMachine.provide({
      actors: {
        ...actors,
        apply: fromPromise<ApplyOutcome, ApplyInput>(async () => ({ ok: true, commit: 'c', resolved: settled })),
      },
    });
    const actor = createActor(machine, { input: { planId: 'P', name: 'demo/x', automation: 'auto' } });
    const emitted: PlanEmitted[] = [];
    actor.on('*', (event) => emitted.push(event as PlanEmitted));
    actor.start().send({ type: 'plan.run' });
    await waitFor(actor, (snapshot) => snapshot.status === 'done');
    expect(emitted).toContainEqual({ type: 'conflicts', settled });
  });
});

describe('merge guards', () => {
  const merge = {
    target: 'project' as const,
    child: null,
    base: 'b',
    ours: 'o',
    theirs: 't',
    clean: 'c',
    files: ['a', 'b'],
    open: ['b'],
    commit: null,
  };

  it('hasNoConflicts holds when nothing is open, or no merge waits', () => {
    expect(hasNoConflicts({ context: context({ merge }) })).toBe(false);
    expect(hasNoConflicts({ context: context({ merge: { ...merge, open: [] } }) })).toBe(true);
    expect(hasNoConflicts({ context: context() })).toBe(true);
  });

  it('isOpenConflict holds only for a file still open in a merge not yet committed', () => {
    const resolve = (file: string) => ({ type: 'plan.resolve' as const, file, with: 'ours' as const });
    expect(isOpenConflict({ context: context({ merge }), event: resolve('b') })).toBe(true);
    expect(isOpenConflict({ context: context({ merge }), event: resolve('a') })).toBe(false);
    expect(isOpenConflict({ context: context({ merge: { ...merge, commit: 'm' } }), event: resolve('b') })).toBe(false);
    expect(isOpenConflict({ context: context(), event: resolve('b') })).toBe(false);
  });

  it('surfacedConflicts tells a waiting merge from a success and a failure', () => {
    expect(surfacedConflicts({ event: { output: { ok: false, merge: SURFACED } } })).toBe(true);
    expect(
      surfacedConflicts({ event: { output: { ok: false, error: { code: 'DIRTY_WORKTREE', message: 'x' } } } }),
    ).toBe(false);
    expect(surfacedConflicts({ event: { output: { ok: true, commit: null } } })).toBe(false);
    expect(surfacedConflicts({ event: {} })).toBe(false);
  });

  it('reads (apply, waiting) and (apply, processing) while merging', () => {
    expect(position(at({ apply: 'waiting' }, { phase: 'apply' }))).toEqual({ phase: 'apply', status: 'waiting' });
    expect(position(at({ apply: 'merging' }, { phase: 'apply' }))).toEqual({ phase: 'apply', status: 'processing' });
  });
});
