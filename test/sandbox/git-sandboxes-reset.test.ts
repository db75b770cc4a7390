import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, writeFiles } from '../helpers/temp.js';
import { plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

useGitSandboxes();

describe('reset', () => {
  it('goes back to a commit, removes untracked files and keeps ignored ones', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFiles(path, { 'src/a.txt': 'step one\n', 'step.txt': 'x\n' });
    await sandboxes.commit(sandbox, 'step 1');
    await writeFiles(path, { 'untracked/file.txt': 'x\n', 'build/cache.bin': 'keep me\n', 'README.md': 'dirty\n' });

    await sandboxes.reset(sandbox, sandbox.baseCommit);

    expect(git(path, 'rev-parse', 'HEAD')).toBe(sandbox.baseCommit);
    expect(git(repo, 'rev-parse', sandbox.branch)).toBe(sandbox.baseCommit);
    expect(await readFile(join(path, 'src/a.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(await readFile(join(path, 'README.md'), 'utf8')).toBe('# test\n');
    expect(existsSync(join(path, 'step.txt'))).toBe(false);
    expect(existsSync(join(path, 'untracked'))).toBe(false);
    expect(await readFile(join(path, 'build/cache.bin'), 'utf8')).toBe('keep me\n');
    expect(await sandboxes.pendingPaths(sandbox)).toEqual([]);
  });
});

describe('reset of a worktree the caller saw clean', () => {
  it('moves it to the commit without asking for its status first', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFile(join(path, 'new.txt'), 'new\n');
    const step = await sandboxes.commit(sandbox, 'step 1');

    await sandboxes.reset({ ...sandbox, headCommit: step }, sandbox.baseCommit, { cleanAt: step });

    expect(git(path, 'rev-parse', 'HEAD')).toBe(sandbox.baseCommit);
    expect(existsSync(join(path, 'new.txt'))).toBe(false);
    expect(git(path, 'status', '--porcelain')).toBe('');
  });

  it('does nothing when it is already there', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    // only a caller that saw it clean may say so: what it did not see stays
    await writeFile(join(path, 'README.md'), 'edited\n');

    await sandboxes.reset(sandbox, sandbox.baseCommit, { cleanAt: sandbox.baseCommit });

    expect(await readFile(join(path, 'README.md'), 'utf8')).toBe('edited\n');
  });
});

describe('reset with the status the caller just read', () => {
  it('acts on that status without asking git again: what it says is untracked is removed, and a clean one at the commit is left alone', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFiles(path, { 'step.txt': 'x\n' });
    const step = await sandboxes.commit(sandbox, 'step 1');
    await writeFiles(path, { 'untracked.txt': 'x\n' });
    const { status } = await sandboxes.pendingState(sandbox);

    await sandboxes.reset(sandbox, sandbox.baseCommit, { seen: status! });
    expect(git(path, 'rev-parse', 'HEAD')).toBe(sandbox.baseCommit);
    expect(existsSync(join(path, 'step.txt'))).toBe(false);
    expect(existsSync(join(path, 'untracked.txt'))).toBe(false);

    // a status saying it is clean at the commit is taken at its word (no git status asked): an edit made after it stays
    await writeFile(join(path, 'README.md'), 'edited after the look\n');
    await sandboxes.reset(sandbox, sandbox.baseCommit, {
      seen: { head: sandbox.baseCommit, tracked: [], untracked: [] },
    });
    expect(await readFile(join(path, 'README.md'), 'utf8')).toBe('edited after the look\n');
    await sandboxes.reset(sandbox, step);
    expect(git(path, 'rev-parse', 'HEAD')).toBe(step);
  });
});
