import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { step } from './fixtures.js';
import { project } from './runtime-fixture.js';
import { children, group, writer } from './subplans-fixture.js';

// A child merge that conflicts with the parent: waiting for a resolution, or
// settled by the group's mergeStrategy.

describe('subplans on real git and LevelDB', () => {
  it('waits in (execute, waiting) on a conflicting child merge, and goes on once resolved', async () => {
    const { dir, runtime } = await project({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    const entries = [
      {
        goal: 'Edit one way',
        resourceScopes: ['shared.txt'],
        strategy: {
          steps: [step('Edit', 'fs/write-file', { path: 'shared.txt', content: 'one\nTWO first\nthree\n' })],
        },
      },
      {
        goal: 'Edit the other',
        resourceScopes: ['shared.txt'],
        strategy: {
          steps: [step('Edit', 'fs/write-file', { path: 'shared.txt', content: 'one\nTWO second\nthree\n' })],
        },
      },
      writer('after.txt', 'after\n'),
    ];
    const plan = await runtime.createPlan(group(entries, { mode: 'parallel', maxParallel: 3 }));
    const waiting = await runtime.run(plan.id);
    expect(waiting).toMatchObject({ phase: 'execute', status: 'waiting' });
    const kids = await children(runtime, plan);
    const list = await runtime.conflicts(plan.id);
    expect(list.conflicts).toEqual([
      expect.objectContaining({
        file: 'shared.txt',
        child: kids[1]!.id,
        kind: 'content',
        hunks: [{ ours: 'TWO first\n', base: 'two\n', theirs: 'TWO second\n' }],
      }),
    ]);
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'MERGE_CONFLICT' });

    const resolved = await runtime.resolve(plan.id, 'shared.txt', { with: 'theirs' });
    expect(resolved).toMatchObject({
      remaining: [],
      mergeCommit: expect.stringMatching(/^[0-9a-f]{40}$/),
      plan: { phase: 'execute', status: 'queued' },
    });
    // the merge commit is the sandbox's head, with the child's head as its second parent
    expect(resolved.plan.sandbox!.headCommit).toBe(resolved.mergeCommit);
    expect(git(join(dir, resolved.plan.sandbox!.worktree), 'rev-parse', `${resolved.mergeCommit}^2`)).toBe(
      (await runtime.getPlan(kids[1]!.id)).sandbox!.headCommit,
    );
    expect((await runtime.getPlan(kids[1]!.id)).status).toBe('done');
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'shared.txt'), 'utf8')).toBe('one\nTWO second\nthree\n');
    expect(readFileSync(join(worktree, 'after.txt'), 'utf8')).toBe('after\n');
    expect(Object.values(record.subplanStatuses).map((child) => child.status)).toEqual([
      'complete',
      'complete',
      'complete',
    ]);
  });

  it('settles a conflicting child merge by the group mergeStrategy, recording it', async () => {
    const { dir, runtime } = await project({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    const edit = (line: string) => ({
      goal: `Edit ${line}`,
      resourceScopes: ['shared.txt'],
      strategy: { steps: [step('Edit', 'fs/write-file', { path: 'shared.txt', content: `one\n${line}\nthree\n` })] },
    });
    const plan = await runtime.createPlan(group([edit('A'), edit('B')], { mergeStrategy: 'ours' }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(readFileSync(join(dir, record.sandbox!.worktree, 'shared.txt'), 'utf8')).toBe('one\nA\nthree\n');
    const tree = await runtime.explain(plan.id);
    expect(JSON.stringify(tree)).toContain('"type":"conflict_resolution"');
  });
});
