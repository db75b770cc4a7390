import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

// Sandboxes made at once: their checkouts run side by side, each worktree locked
// meanwhile — and what a process killed in the middle of one leaves behind.

useGitSandboxes();

describe('ensure', () => {
  it('creates many sandboxes at once', async () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    const made = await Promise.all(Array.from({ length: 12 }, (_, index) => sandboxes.ensure(plan(`demo/x-${index}`))));
    expect(made.every((sandbox) => sandbox.baseCommit === head && sandbox.headCommit === head)).toBe(true);
    for (const sandbox of made)
      expect(git(sandboxes.pathOf(sandbox), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(sandbox.branch);
    // each checked out in full and clean, and none left locked (their files are checked out side by side, each locked meanwhile)
    for (const sandbox of made) {
      expect(await readFile(join(sandboxes.pathOf(sandbox), 'src/a.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
      expect(git(sandboxes.pathOf(sandbox), 'status', '--porcelain')).toBe('');
    }
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
    // and from spawn points given as ids, the way child plans are made
    const children = await Promise.all(
      Array.from({ length: 12 }, (_, index) => sandboxes.ensure(plan(`demo/y-${index}`), { base: head })),
    );
    for (const sandbox of children) expect(git(sandboxes.pathOf(sandbox), 'status', '--porcelain')).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
  });

  it('makes again a worktree registered without its files, as a process killed while checking it out leaves it', async () => {
    const p = plan();
    const created = await sandboxes.ensure(p);
    const path = sandboxes.pathOf(created);
    // registered and locked, no files and no index: what the add's first half leaves
    git(repo, 'worktree', 'remove', '--force', path);
    git(repo, 'worktree', 'add', '--quiet', '--no-checkout', '--lock', path, created.branch);
    expect(existsSync(join(path, 'src'))).toBe(false);

    const again = await sandboxes.ensure(p);

    expect(again).toEqual(created);
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
    expect(await readFile(join(path, 'src/a.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
    expect(git(path, 'status', '--porcelain')).toBe('');
  });

  it('recreates a worktree that git still holds locked by an unfinished add', async () => {
    const p = plan();
    const created = await sandboxes.ensure(p);
    git(repo, 'worktree', 'lock', '--reason', 'initializing', sandboxes.pathOf(created));
    await rm(join(sandboxes.pathOf(created), 'src'), { recursive: true });

    const again = await sandboxes.ensure(p);

    expect(again).toEqual(created);
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
    expect(await readFile(join(sandboxes.pathOf(again), 'src/a.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
  });
});

describe('concurrency and odd paths', () => {
  it('creates one sandbox when ensure is called twice at once', async () => {
    const p = plan();
    const [first, second] = await Promise.all([sandboxes.ensure(p), sandboxes.ensure(p)]);
    expect(second).toEqual(first);
    expect(
      git(repo, 'worktree', 'list', '--porcelain')
        .split('\n')
        .filter((line) => line.startsWith('worktree ')),
    ).toHaveLength(2);
  });
});
