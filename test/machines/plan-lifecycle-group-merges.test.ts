import { describe, expect, it } from 'vitest';
import { waitFor } from 'xstate';
import type { CommitMergeInput, MergeChildInput } from '../../machines/index.js';
import { groupPlan, journal, trail } from './plan-lifecycle-fixtures.js';
import { position, CONFIG, children, CLEAN } from './plan-lifecycle-group-fixtures.js';

// The merges of a group of subplans, run by the real supervisor with scripted
// children: conflicts that wait for the user, strategies, merges that fail, rounds.

describe('planLifecycleMachine: a group of subplans', () => {
  it('a child’s merge that conflicts waits in execute for the user; the resolved merge lands in the sandbox and the same group goes on', async () => {
    const surfaced = {
      base: 'base',
      ours: 'base',
      theirs: 't-C1',
      clean: 'clean1',
      conflicts: [{ file: 'a.ts', kind: 'content' as const, hunks: [], edit: '.troupe/conflicts/P/a.ts' }],
    };
    const rounds: MergeChildInput[] = [];
    const committed: CommitMergeInput[] = [];
    const plan = groupPlan(
      children(2),
      { ...CONFIG, mode: 'sequential', maxParallel: 1 },
      {
        runChild: async (input) => ({ ok: true, head: `t-${input.childId}` }),
        mergeChild: async (input) => {
          rounds.push(input);
          const { childId } = input.children[0]!.child;
          if (childId === 'C1') return { merged: [], changeset: null, stopped: { childId, merge: surfaced } };
          return {
            merged: [{ childId, head: `m-${childId}`, settled: [], files: [`${childId}.txt`] }],
            changeset: { id: 'CS', planId: 'P', baseCommit: 'base', headCommit: `m-${childId}`, files: [] },
          };
        },
        commitMerge: async (input) => {
          committed.push(input);
          return {
            commit: 'merge1',
            resolved: [{ file: 'a.ts', with: 'ours' }],
            changeset: { id: 'CS', planId: 'P', baseCommit: 'base', headCommit: 'merge1', files: [] },
          };
        },
      },
    );
    const waiting = await waitFor(plan.actor, (state) => position(state).status === 'waiting');
    expect(position(waiting)).toEqual({ phase: 'execute', status: 'waiting' });
    expect(waiting.context.merge).toEqual({
      target: 'sandbox',
      child: 'C1',
      base: 'base',
      ours: 'base',
      theirs: 't-C1',
      clean: 'clean1',
      files: ['a.ts'],
      open: ['a.ts'],
      commit: null,
    });
    expect(trail(plan.emitted).slice(-2)).toEqual([
      `conflicts ${JSON.stringify({ type: 'conflicts', open: surfaced.conflicts, child: 'C1' })}`,
      'journal merge.conflict execute {"childId":"C1","name":"demo/x-1","files":["a.ts"]}',
    ]);

    const from = plan.emitted.length;
    plan.actor.send({ type: 'plan.resolve', file: 'a.ts', with: 'ours' });
    const queued = await waitFor(plan.actor, (state) => position(state).status === 'queued');
    expect(committed).toEqual([
      {
        planId: 'P',
        name: 'demo/x',
        merge: { ...waiting.context.merge, open: [] },
        sandbox: waiting.context.sandbox,
        changesetId: null,
        childName: 'demo/x-1',
      },
    ]);
    expect(trail(plan.emitted.slice(from))).toEqual([
      'journal conflict.resolved execute {"file":"a.ts","with":"ours","remaining":0}',
      `merge ${JSON.stringify({ type: 'merge', parentId: 'ROOT', merge: { ...waiting.context.merge, open: [], commit: 'merge1' }, childName: 'demo/x-1', resolved: [{ file: 'a.ts', with: 'ours' }] })}`,
      'conflicts {"type":"conflicts","closed":["a.ts"]}',
      'journal merge.completed execute {"childId":"C1","files":["a.ts"],"commit":"merge1"}',
      'changeset CS at merge1',
    ]);
    // the merge commit is where the sandbox is, and C1 counts as merged
    expect(queued.context).toMatchObject({
      merge: null,
      changesetId: 'CS',
      sandbox: { headCommit: 'merge1' },
      group: { head: 'merge1', merging: [] },
    });
    expect(queued.context.group?.statuses['C1']).toMatchObject({ status: 'complete', merged: true });

    plan.actor.send({ type: 'plan.execute' });
    const done = await waitFor(plan.actor, (state) => position(state).status === 'complete');
    // the group was kept, not loaded again: C2 merges onto the merge commit
    expect(plan.loaded).toHaveLength(1);
    expect(rounds.map((round) => [round.ours, round.children.map(({ child }) => child.childId)])).toEqual([
      ['base', ['C1']],
      ['merge1', ['C2']],
    ]);
    expect(done.context.sandbox?.headCommit).toBe('m-C2');
    expect(journal(plan.emitted).filter(([type]) => type === 'step.started' || type === 'step.completed')).toEqual([
      ['step.started', { index: 0 }],
      ['step.started', { index: 0 }],
      ['step.completed', { index: 0, commit: 'm-C2' }],
    ]);
  });

  it('a conflict in a later child’s merge names that child', async () => {
    const surfaced = {
      base: 'm-C1',
      ours: 'm-C1',
      theirs: 't-C2',
      clean: 'clean2',
      conflicts: [{ file: 'b.ts', kind: 'content' as const, hunks: [], edit: '.troupe/conflicts/P/b.ts' }],
    };
    const plan = groupPlan(
      children(2),
      { ...CONFIG, mode: 'sequential', maxParallel: 1 },
      {
        runChild: async (input) => ({ ok: true, head: `t-${input.childId}` }),
        mergeChild: async (input) => {
          const { childId } = input.children[0]!.child;
          if (childId === 'C2') return { merged: [], changeset: null, stopped: { childId, merge: surfaced } };
          return { merged: [{ childId, head: `m-${childId}`, settled: [], files: [] }], changeset: null };
        },
      },
    );
    const waiting = await waitFor(plan.actor, (state) => position(state).status === 'waiting');
    expect(waiting.context.merge).toMatchObject({ child: 'C2', files: ['b.ts'] });
    expect(trail(plan.emitted).at(-1)).toBe(
      'journal merge.conflict execute {"childId":"C2","name":"demo/x-2","files":["b.ts"]}',
    );
    plan.actor.stop();
  });

  it('what a strategy settled in a child’s merge is recorded for that child, and nothing for a child it settled nothing in', async () => {
    const settled = [{ file: 'a.ts', kind: 'content' as const, with: 'theirs' as const, hunks: 1 }];
    const plan = groupPlan(
      children(2),
      { ...CONFIG, mergeStrategy: 'theirs' },
      {
        ...CLEAN,
        mergeChild: async (input) => ({
          merged: input.children.map(({ child }) => ({
            childId: child.childId,
            head: `m-${child.childId}`,
            settled: child.childId === 'C1' ? settled : [],
            files: [],
          })),
          changeset: null,
        }),
      },
    );
    await waitFor(plan.actor, (state) => position(state).status === 'complete');
    expect(plan.emitted.filter((event) => event.type === 'conflicts')).toEqual([
      { type: 'conflicts', settled, child: 'C1' },
    ]);
    // the merges brought no changeset
    expect(plan.emitted.filter((event) => event.type === 'changeset')).toEqual([]);
  });

  it('fails execute when a child’s merge fails (fail-on-conflict), naming that child, not retryable', async () => {
    const config = { ...CONFIG, mode: 'sequential' as const, maxParallel: 1 };
    const { actor, emitted } = groupPlan(children(2), config, {
      runChild: async (input) => ({ ok: true, head: `t-${input.childId}` }),
      // the first child merges; the second's merge stops the group
      mergeChild: async (input) => {
        const { childId } = input.children[0]!.child;
        if (childId === 'C1') return { merged: [{ childId, head: 'm-C1', settled: [], files: [] }], changeset: null };
        return {
          merged: [],
          changeset: null,
          stopped: {
            childId,
            error: {
              code: 'MERGE_CONFLICT',
              message: 'a conflict surfaced and the strategy is fail-on-conflict',
              hint: 'resolve by hand',
              details: { files: ['a.txt'] },
            },
          },
        };
      },
    });
    const snapshot = await waitFor(actor, (state) => position(state).status === 'failed');

    expect(position(snapshot)).toEqual({ phase: 'execute', status: 'failed' });
    expect(snapshot.context.error).toEqual({
      code: 'MERGE_CONFLICT',
      message: 'merging child plan demo/x-2 failed: a conflict surfaced and the strategy is fail-on-conflict',
      phase: 'execute',
      step: 0,
      details: { childId: 'C2', files: ['a.txt'] },
      hint: 'resolve by hand',
      retryable: false,
    });
    expect(snapshot.context.subplanStatuses['C2']).toMatchObject({ name: 'demo/x-2', status: 'failed' });
    expect(journal(emitted)).toContainEqual([
      'step.failed',
      {
        index: 0,
        code: 'MERGE_CONFLICT',
        message: 'merging child plan demo/x-2 failed: a conflict surfaced and the strategy is fail-on-conflict',
      },
    ]);
    actor.stop();
  });

  it('rounds of merges: one pre-merge checkpoint per round, then per child its journal entry (its own files) and a post-merge checkpoint at its head', async () => {
    const rounds: MergeChildInput[] = [];
    const { actor, emitted } = groupPlan(
      children(3),
      { ...CONFIG, maxParallel: 3 },
      {
        // C2 validates first; C1, first in the merge order, later: both merge in one round; C3 validates
        // while that round runs, so the next round starts as that one ends, in the same report
        runChild: async (input) => {
          await new Promise((resolve) => setTimeout(resolve, { C1: 30, C2: 0, C3: 60 }[input.childId]));
          return { ok: true, head: `t-${input.childId}` };
        },
        mergeChild: async (input) => {
          rounds.push(input);
          if (rounds.length === 1) await new Promise((resolve) => setTimeout(resolve, 100));
          return {
            merged: input.children.map(({ child }) => ({
              childId: child.childId,
              head: `m-${child.childId}`,
              settled: [],
              files: [`${child.childId}.txt`],
            })),
            changeset: {
              id: 'CS',
              planId: 'P',
              baseCommit: 'b',
              headCommit: `m-${input.children.at(-1)!.child.childId}`,
              files: [],
            },
          };
        },
      },
    );
    const snapshot = await waitFor(
      actor,
      (state) =>
        state.context.group?.merging.length === 0 &&
        Object.values(state.context.group.statuses).every((child) => child.merged),
    );

    expect(rounds.map((round) => [round.ours, round.children.map(({ child }) => child.childId)])).toEqual([
      [expect.any(String), ['C1', 'C2']],
      ['m-C2', ['C3']],
    ]);
    expect(trail(emitted).filter((line) => /^(journal merge.completed|changeset)/.test(line))).toEqual([
      'changeset CS at m-C2',
      'journal merge.completed execute {"childId":"C1","name":"demo/x-1","files":["C1.txt"],"commit":"m-C1"}',
      'journal merge.completed execute {"childId":"C2","name":"demo/x-2","files":["C2.txt"],"commit":"m-C2"}',
      'changeset CS at m-C3',
      'journal merge.completed execute {"childId":"C3","name":"demo/x-3","files":["C3.txt"],"commit":"m-C3"}',
    ]);
    expect(snapshot.context.changesetId).toBe('CS');
    const checkpoints = emitted.flatMap((event) =>
      event.type === 'checkpoint' && event.trigger.endsWith('-merge') ? [event] : [],
    );
    const merged = (event: (typeof checkpoints)[number]) =>
      ['C1', 'C2', 'C3'].filter((childId) => event.context.group?.statuses[childId]?.merged);
    expect(
      checkpoints.map((event) => [
        event.trigger,
        event.context.sandbox?.headCommit,
        merged(event),
        event.context.group?.merging,
      ]),
    ).toEqual([
      ['pre-merge', rounds[0]!.ours, [], []],
      ['post-merge', 'm-C1', ['C1'], []],
      ['post-merge', 'm-C2', ['C1', 'C2'], []],
      // the second round starts from where the first left the sandbox
      ['pre-merge', 'm-C2', ['C1', 'C2'], []],
      ['post-merge', 'm-C3', ['C1', 'C2', 'C3'], []],
    ]);
    // restored to the first post-merge checkpoint, the plan would merge C2 again: its group is at C1's head
    expect(checkpoints[1]!.context.group?.head).toBe('m-C1');
    expect(snapshot.context.sandbox?.headCommit).toBe('m-C3');
    actor.stop();
  });
});
