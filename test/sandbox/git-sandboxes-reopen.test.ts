import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGitSandboxes, sandboxBaseRef } from '../../src/sandbox/index.js';
import { git } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

useGitSandboxes();

describe('reopen', () => {
  it('returns a sandbox this process made as recorded, without asking git', async () => {
    const p = plan();
    const made = await sandboxes.ensure(p);
    const recorded = { ...made, headCommit: await sandboxes.commit(made, 'step 1') };
    // git could not answer now: the repository is gone
    await rename(join(repo, '.git'), join(repo, '.git-away'));

    expect(await sandboxes.reopen(p, recorded)).toEqual(recorded);
    expect(await rejection(createGitSandboxes(repo).reopen(p, recorded))).toBeInstanceOf(Error);
    await rename(join(repo, '.git-away'), join(repo, '.git'));
  });

  it('makes a lost worktree again, keeping the recorded base and head', async () => {
    const p = plan();
    const made = await sandboxes.ensure(p);
    await writeFile(join(sandboxes.pathOf(made), 'kept.txt'), 'kept\n');
    const recorded = { ...made, headCommit: await sandboxes.commit(made, 'step 1') };
    await rm(sandboxes.pathOf(made), { recursive: true, force: true });

    expect(await sandboxes.reopen(p, recorded)).toEqual(recorded);
    expect(await readFile(join(sandboxes.pathOf(made), 'kept.txt'), 'utf8')).toBe('kept\n');
  });

  it('makes a worktree another machine moved at its recorded head, whatever its branch says here, checked out clean', async () => {
    const p = plan();
    const made = await sandboxes.ensure(p);
    await writeFile(join(sandboxes.pathOf(made), 'moved.txt'), 'moved\n');
    const recorded = { ...made, headCommit: await sandboxes.commit(made, 'step 1 elsewhere') };
    // here the worktree is gone and the branch is still where this machine last saw it
    git(repo, 'worktree', 'remove', '--force', sandboxes.pathOf(made));
    git(repo, 'branch', '-f', made.branch, made.baseCommit);
    const created: string[] = [];

    expect(await createGitSandboxes(repo).reopen(p, recorded, { onCreated: (head) => created.push(head) })).toEqual(
      recorded,
    );
    expect(created).toEqual([recorded.headCommit]);
    expect(git(sandboxes.pathOf(made), 'rev-parse', 'HEAD')).toBe(recorded.headCommit);
    expect(git(sandboxes.pathOf(made), 'status', '--porcelain')).toBe('');
    expect(git(repo, 'rev-parse', sandboxBaseRef(p.id))).toBe(made.baseCommit);
  });

  it('checks with git a sandbox another process made', async () => {
    const p = plan();
    const made = await sandboxes.ensure(p);
    git(repo, 'worktree', 'lock', '--reason', 'initializing', sandboxes.pathOf(made));

    expect(await createGitSandboxes(repo).reopen(p, made)).toEqual(made);
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
  });
});
