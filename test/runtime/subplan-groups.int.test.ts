import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Strategist } from '../../actors/index.js';
import { git } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { project } from './runtime-fixture.js';
import { children, group, writer } from './subplans-fixture.js';

// How a group of child plans runs — parallel, sequential, dependency-ordered,
// or decided by the strategist — and merges back into the parent.

describe('subplans on real git and LevelDB', () => {
  it('runs a parallel group: each child in its own sandbox, merged into the parent in entry order', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      group([writer('a.txt', 'a\n'), writer('b.txt', 'b\n'), writer('c.txt', 'c\n')]),
    );
    const record = await runtime.run(plan.id);

    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null, lastCompletedStep: 0 });
    const worktree = join(dir, record.sandbox!.worktree);
    for (const file of ['a.txt', 'b.txt', 'c.txt'])
      expect(readFileSync(join(worktree, file), 'utf8')).toBe(`${file[0]}\n`);
    expect(git(worktree, 'status', '--porcelain')).toBe('');

    const kids = await children(runtime, plan);
    expect(kids.map((kid) => [kid.name, kid.phase, kid.status, kid.rootId, kid.automation])).toEqual([
      ['demo/fan-1', 'apply', 'done', plan.id, 'review'],
      ['demo/fan-2', 'apply', 'done', plan.id, 'review'],
      ['demo/fan-3', 'apply', 'done', plan.id, 'review'],
    ]);
    // each child worked in its own worktree, branched from the parent's head
    expect(new Set(kids.map((kid) => kid.sandbox!.worktree)).size).toBe(3);
    expect(
      kids.every(
        (kid) =>
          kid.sandbox!.baseCommit === plan.sandbox?.baseCommit ||
          kid.sandbox!.baseCommit === record.sandbox!.baseCommit,
      ),
    ).toBe(true);
    expect(record.subplanStatuses).toEqual(
      Object.fromEntries(kids.map((kid) => [kid.id, { name: kid.name, status: 'complete', attempt: 1, error: null }])),
    );
    expect(record.subplanConfig).toMatchObject({ mode: 'parallel', maxParallel: 2, stepIndex: 0 });

    // the parent's journal tells the story; children journal under their own ids
    const types = (await runtime.events(plan.id)).map((event) => event.type);
    expect(types.filter((type) => type === 'subplan.spawned')).toHaveLength(3);
    expect(types.filter((type) => type === 'merge.completed')).toHaveLength(3);
    // each status a child went through, once: running, then complete (its merge is merge.completed, not another status)
    const statuses = (await runtime.events(plan.id))
      .filter((event) => event.type === 'subplan.status')
      .map((event) => `${String(event.data.name)} ${String(event.data.status)}`);
    for (const kid of kids)
      expect(statuses.filter((line) => line.startsWith(`${kid.name} `))).toEqual([
        `${kid.name} running`,
        `${kid.name} complete`,
      ]);
    expect((await runtime.events(kids[0]!.id))[0]).toMatchObject({ type: 'plan.created', data: { parentId: plan.id } });
    // the changeset shows what the children brought in
    expect((await runtime.changes(plan.id))?.files.map((file) => file.path)).toEqual(['a.txt', 'b.txt', 'c.txt']);

    // apply brings everything onto the project's branch
    expect(await runtime.runPhase(plan.id, 'apply')).toMatchObject({ status: 'done' });
    for (const file of ['a.txt', 'b.txt', 'c.txt']) expect(existsSync(join(dir, file))).toBe(true);
  });

  it('merges the children that validated while an earlier one still ran in one round: a merge commit each, in entry order', async () => {
    const lines = 'one\ntwo\nthree\n';
    const { dir, runtime } = await project({ 'notes.txt': lines });
    // the first child validates last: the other two wait for it, then all three merge in one round;
    // the third changes the file the second changed (other lines): the engine merges it within the round
    const slow = {
      goal: 'Write a.txt slowly',
      resourceScopes: ['a.txt'],
      strategy: { steps: [step('Slow', 'shell/run', { command: 'sleep 2 && echo a > a.txt' })] },
    };
    const plan = await runtime.createPlan(
      group(
        [slow, writer('notes.txt', lines.replace('one', 'ONE')), writer('notes.txt', lines.replace('three', 'THREE'))],
        { maxParallel: 3 },
      ),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'notes.txt'), 'utf8')).toBe('ONE\ntwo\nTHREE\n');
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a\n');
    expect(git(worktree, 'status', '--porcelain')).toBe('');

    const kids = await children(runtime, plan);
    const merges = (await runtime.events(plan.id)).filter((event) => event.type === 'merge.completed');
    expect(merges.map((event) => [event.data.childId, event.data.files])).toEqual([
      [kids[0]!.id, ['a.txt']],
      [kids[1]!.id, ['notes.txt']],
      [kids[2]!.id, ['notes.txt']],
    ]);
    // the parent's history: one merge commit per child, each onto the one before, the child's head its second parent
    const chain = git(worktree, 'log', '--first-parent', '--format=%H %P', '-3').split('\n').reverse();
    expect(chain.map((line) => line.split(' ')[0])).toEqual(merges.map((event) => event.data.commit));
    chain.forEach((line, index) => {
      const [, first, second] = line.split(' ');
      if (index > 0) expect(first).toBe(chain[index - 1]!.split(' ')[0]);
      expect(second).toBe(kids[index]!.sandbox!.headCommit);
    });
    for (const [index, kid] of kids.entries())
      expect(kid).toMatchObject({ status: 'done', appliedCommit: merges[index]!.data.commit });
    const checkpoints = await runtime.checkpoints(plan.id);
    expect(checkpoints.filter((checkpoint) => checkpoint.trigger === 'pre-merge')).toHaveLength(1);
    expect(
      checkpoints
        .filter((checkpoint) => checkpoint.trigger === 'post-merge')
        .map((checkpoint) => checkpoint.sandboxCommit),
    ).toEqual(merges.map((event) => event.data.commit));
  });

  it('sequential: each child starts from the parent head after the previous merge, and sees its result', async () => {
    const { dir, runtime } = await project();
    const first = writer('log.txt', 'first\n');
    const second = {
      goal: 'Append',
      resourceScopes: ['log.txt'],
      strategy: { steps: [step('Append', 'shell/run', { command: 'echo second >> log.txt' })] },
    };
    const plan = await runtime.createPlan(group([first, second], { mode: 'sequential' }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'log.txt'), 'utf8')).toBe('first\nsecond\n');
    const [one, two] = await children(runtime, plan);
    // the second branched from the parent's head after the first merged
    expect(git(dir, 'merge-base', '--is-ancestor', one!.sandbox!.headCommit, two!.sandbox!.baseCommit)).toBe('');
  });

  it('lets a merged child’s worktree and branch go once its merge is committed, keeping its commits', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      group([writer('a.txt', 'a\n'), writer('b.txt', 'b\n')], { mode: 'parallel', maxParallel: 2 }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const kids = await children(runtime, plan);
    expect(kids.map((kid) => kid.status)).toEqual(['done', 'done']);
    for (const kid of kids) {
      expect(existsSync(join(dir, kid.sandbox!.worktree))).toBe(false);
      expect(git(dir, 'branch', '--list', kid.sandbox!.branch)).toBe('');
      expect(git(dir, 'worktree', 'list')).not.toContain(kid.id);
      // every commit a checkpoint of it points at is still there, kept by ref
      for (const checkpoint of await runtime.checkpoints(kid.id)) {
        if (checkpoint.sandboxCommit) expect(git(dir, 'cat-file', '-t', checkpoint.sandboxCommit)).toBe('commit');
      }
      expect(git(dir, 'for-each-ref', '--format=%(objectname)', `refs/troupe/keep/${kid.id}/`)).toContain(
        kid.sandbox!.headCommit,
      );
      // and what it changed is still shown
      expect((await runtime.patch(kid.id)).patch).toContain(`+++ b/${kid.name.endsWith('-1') ? 'a' : 'b'}.txt`);
    }
    // the parent's own sandbox stays: it has not ended
    expect(existsSync(join(dir, record.sandbox!.worktree))).toBe(true);
  });

  it('dependency-ordered: a child waits for what it depends on and sees its result; merges follow the dependency order', async () => {
    const { dir, runtime } = await project();
    const entries = [
      { ...writer('late.txt', 'late\n'), name: 'demo/late', dependsOn: ['demo/early'] },
      { ...writer('early.txt', 'early\n'), name: 'demo/early' },
    ];
    const plan = await runtime.createPlan(group(entries, { mode: 'dependency-ordered' }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ status: 'complete' });
    const late = (await children(runtime, plan)).find((kid) => kid.name === 'demo/late')!;
    // its sandbox went with its merge (housekeeping); its commit holds what it saw
    expect(git(dir, 'show', `${late.sandbox!.headCommit}:early.txt`)).toBe('early');
    const merged = (await runtime.events(plan.id))
      .filter((event) => event.type === 'merge.completed')
      .map((event) => event.data.childId);
    expect(merged).toEqual([(await children(runtime, plan)).find((kid) => kid.name === 'demo/early')!.id, late.id]);
  });
});

describe('what a child plan is given', () => {
  it('runs the children a strategist decided itself with builtin/plan-subplan as one more group', async () => {
    const strategist: Strategist = {
      name: 'spawning',
      async strategize({ plan }, { callTool }) {
        if (plan.parentId)
          return {
            steps: [step('Write', 'fs/write-file', { path: `${plan.name.split('/')[1]}.txt`, content: 'x\n' })],
          };
        const first = await callTool('builtin/plan-subplan', {
          goal: 'First',
          name: 'demo/one',
          resourceScopes: ['one.txt'],
          parallel: true,
        });
        if (!first.success) throw new Error(first.error.message);
        const second = await callTool('builtin/plan-subplan', {
          goal: 'Second',
          name: 'demo/two',
          resourceScopes: ['two.txt'],
          parallel: true,
          dependencies: [(first.output as { decisionId: string }).decisionId],
        });
        if (!second.success) throw new Error(second.error.message);
        return { steps: [] };
      },
    };
    const { dir, runtime } = await project(undefined, { actors: { strategist } });
    const plan = await runtime.createPlan(planYaml({ name: 'demo/spawner' }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({
      phase: 'validate',
      status: 'complete',
      subplanConfig: { mode: 'dependency-ordered' },
    });
    expect((await children(runtime, plan)).map((kid) => [kid.name, kid.status])).toEqual([
      ['demo/one', 'done'],
      ['demo/two', 'done'],
    ]);
    for (const file of ['one.txt', 'two.txt'])
      expect(readFileSync(join(dir, record.sandbox!.worktree, file), 'utf8')).toBe('x\n');
  });
});
