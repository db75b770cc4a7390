import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxBaseRef } from '../../src/sandbox/index.js';
import { git, writeFiles } from '../helpers/temp.js';
import { commitInProject, plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

// ensure repairs a sandbox that lost part of itself: its base ref, its worktree
// directory, its registration with git.

useGitSandboxes();

describe('ensure', () => {
  it('recovers the base from the branch reflog when its base ref is gone', async () => {
    const p = plan();
    await commitInProject({ 'b.txt': 'b\n' });
    const created = await sandboxes.ensure(p);
    await sandboxes.commit(created, 'step 1');
    // the project drops the base commit: a merge base would now point before it
    git(repo, 'reset', '-q', '--hard', 'HEAD~1');
    git(repo, 'update-ref', '-d', sandboxBaseRef(p.id));

    const again = await sandboxes.ensure(p);

    expect(again.baseCommit).toBe(created.baseCommit);
    expect(git(repo, 'rev-parse', sandboxBaseRef(p.id))).toBe(created.baseCommit);
  });

  it('replaces a directory that git does not know as a worktree', async () => {
    const p = plan();
    const path = join(repo, '.troupe', 'worktrees', p.id);
    await writeFiles(path, { 'junk.txt': 'left by a crash\n' });

    const sandbox = await sandboxes.ensure(p);

    expect(existsSync(join(path, 'junk.txt'))).toBe(false);
    expect(git(path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(sandbox.branch);
  });

  it('re-attaches the branch when the worktree directory was deleted, keeping its commits', async () => {
    const p = plan();
    const created = await sandboxes.ensure(p);
    await writeFile(join(sandboxes.pathOf(created), 'kept.txt'), 'kept\n');
    const step = await sandboxes.commit(created, 'step 1');
    await rm(sandboxes.pathOf(created), { recursive: true, force: true });

    const again = await sandboxes.ensure(p);

    expect(again).toEqual({ ...created, headCommit: step });
    expect(await readFile(join(sandboxes.pathOf(again), 'kept.txt'), 'utf8')).toBe('kept\n');
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/prunable/);
  });

  it('makes the worktree again from its branch when a power cut emptied its .git file, or its registration', async () => {
    for (const damage of ['.git file', 'registration'] as const) {
      const p = plan();
      const created = await sandboxes.ensure(p);
      await writeFile(join(sandboxes.pathOf(created), 'kept.txt'), 'kept\n');
      const step = await sandboxes.commit(created, 'step 1');
      const pointer = join(sandboxes.pathOf(created), '.git');
      if (damage === '.git file') await writeFile(pointer, '');
      else await writeFile(join((await readFile(pointer, 'utf8')).replace(/^gitdir:\s*/, '').trim(), 'HEAD'), '');
      // what git itself says of it now
      expect(() => git(sandboxes.pathOf(created), 'status')).toThrow();

      const again = await sandboxes.ensure(p);

      expect(again, damage).toEqual({ ...created, headCommit: step });
      expect(await readFile(join(sandboxes.pathOf(again), 'kept.txt'), 'utf8')).toBe('kept\n');
      expect(git(sandboxes.pathOf(again), 'status', '--porcelain')).toBe('');
    }
  });

  it('says which step commit cannot be read when a power cut emptied its object: REPOSITORY_DAMAGED, not an internal error', async () => {
    const p = plan();
    const created = await sandboxes.ensure(p);
    await writeFile(join(sandboxes.pathOf(created), 'lost.txt'), 'lost\n');
    const step = await sandboxes.commit(created, 'step 1');
    const object = join(repo, '.git', 'objects', step.slice(0, 2), step.slice(2));
    await writeFile(object, '');
    await writeFile(join(sandboxes.pathOf(created), 'lost.txt'), 'changed\n');

    const reset = sandboxes.reset({ ...created, headCommit: step }, step);

    await expect(reset).rejects.toMatchObject({
      code: 'REPOSITORY_DAMAGED',
      message: expect.stringContaining(`the step commit ${step} of plan ${p.id} cannot be read`),
      hint: expect.stringContaining('troupe doctor --repair'),
    });
  });

  it('re-attaches a branch left without a worktree', async () => {
    const p = plan();
    const created = await sandboxes.ensure(p);
    git(repo, 'worktree', 'remove', '--force', sandboxes.pathOf(created));

    const again = await sandboxes.ensure(p);

    expect(again).toEqual(created);
    expect(git(sandboxes.pathOf(again), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(created.branch);
  });
});
