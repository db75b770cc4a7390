import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, writeFiles } from '../helpers/temp.js';
import { plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

// What a sandbox holds and what changed in it: a commit's files, the pending
// paths of its worktree, the changes between two commits.

useGitSandboxes();

describe('files', () => {
  it('lists a commit once and hands each caller its own copy', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const first = await sandboxes.files(sandbox, sandbox.baseCommit);
    first.push('changed by the caller');
    // a second listing must not ask git: make git unable to answer
    await rm(join(repo, '.git', 'objects'), { recursive: true, force: true });

    expect(await sandboxes.files(sandbox, sandbox.baseCommit)).toEqual(['.gitignore', 'README.md', 'src/a.txt']);
  });
});

describe('pendingPaths', () => {
  it('lists modified, deleted and untracked files, but not ignored ones', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFiles(path, {
      'src/a.txt': 'changed\n',
      'deep/new dir/with space.txt': 'x\n',
      'line\nbreak.txt': 'x\n',
      'build/out.js': 'ignored\n',
    });
    await rm(join(path, 'README.md'));

    expect(await sandboxes.pendingPaths(sandbox)).toEqual([
      'README.md',
      'deep/new dir/with space.txt',
      'line\nbreak.txt',
      'src/a.txt',
    ]);
  });

  it('lists both sides of a staged rename', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    git(path, 'mv', 'src/a.txt', 'src/renamed.txt');

    expect(await sandboxes.pendingPaths(sandbox)).toEqual(['src/a.txt', 'src/renamed.txt']);
  });

  it('gives the status the paths come from with pendingState, and nothing for a worktree that went missing', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFiles(path, { 'src/a.txt': 'changed\n', 'new.txt': 'x\n' });

    expect(await sandboxes.pendingState(sandbox)).toEqual({
      paths: ['new.txt', 'src/a.txt'],
      status: { head: sandbox.baseCommit, tracked: ['src/a.txt'], untracked: ['new.txt'] },
    });
    await rm(path, { recursive: true, force: true });
    expect(await sandboxes.pendingState(sandbox)).toEqual({ paths: [], status: null });
  });
});

describe('changedPaths', () => {
  it('lists the paths diff lists, with how each changed, without counting lines', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFiles(path, {
      'src/a.txt': 'one\nTWO\n',
      'z last.txt': 'a\n',
      'image.bin': Buffer.from([0, 1, 2, 0, 255]),
    });
    await rm(join(path, 'README.md'));
    const head = await sandboxes.commit(sandbox, 'step 1');

    const listed = await sandboxes.changedPaths(sandbox, sandbox.baseCommit, head);
    expect(listed).toEqual([
      { path: 'README.md', action: 'deleted' },
      { path: 'image.bin', action: 'added' },
      { path: 'src/a.txt', action: 'modified' },
      { path: 'z last.txt', action: 'added' },
    ]);
    expect(listed).toEqual(
      (await sandboxes.diff(sandbox, sandbox.baseCommit, head)).map(({ path: changed, action }) => ({
        path: changed,
        action,
      })),
    );
    expect(await sandboxes.changedPaths(sandbox, head, head)).toEqual([]);
  });
});

describe('diff', () => {
  it('reports added, modified and deleted files with line counts, sorted by path', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFiles(path, {
      'src/a.txt': 'one\nTWO\nthree\nfour\n',
      'z last.txt': 'a\nb\n',
      'image.bin': Buffer.from([0, 1, 2, 3, 0, 255]),
    });
    await rm(join(path, 'README.md'));
    const head = await sandboxes.commit(sandbox, 'step 1');

    expect(await sandboxes.diff(sandbox, sandbox.baseCommit, head)).toEqual([
      { path: 'README.md', action: 'deleted', linesAdded: 0, linesRemoved: 1 },
      { path: 'image.bin', action: 'added', linesAdded: 0, linesRemoved: 0, binary: true },
      { path: 'src/a.txt', action: 'modified', linesAdded: 2, linesRemoved: 1 },
      { path: 'z last.txt', action: 'added', linesAdded: 2, linesRemoved: 0 },
    ]);
  });

  it('reports a rename as a delete and an add, and a file turned symlink as modified', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    git(path, 'mv', 'src/a.txt', 'src/b.txt');
    await rm(join(path, 'README.md'));
    await symlink('src/b.txt', join(path, 'README.md'));
    const head = await sandboxes.commit(sandbox, 'step 1');

    const changes = await sandboxes.diff(sandbox, sandbox.baseCommit, head);

    expect(changes.map(({ path: file, action }) => [file, action])).toEqual([
      ['README.md', 'modified'],
      ['src/a.txt', 'deleted'],
      ['src/b.txt', 'added'],
    ]);
  });

  it('is empty between a commit and itself', async () => {
    const sandbox = await sandboxes.ensure(plan());
    expect(await sandboxes.diff(sandbox, sandbox.baseCommit, sandbox.baseCommit)).toEqual([]);
  });
});

describe('concurrency and odd paths', () => {
  it('keeps tabs and newlines in file names intact', async () => {
    const sandbox = await sandboxes.ensure(plan());
    await writeFiles(sandboxes.pathOf(sandbox), { 'tab\there.txt': 'x\n', 'new\nline.txt': 'y\ny\n' });
    expect(await sandboxes.pendingPaths(sandbox)).toEqual(['new\nline.txt', 'tab\there.txt']);
    const head = await sandboxes.commit(sandbox, 'step 1');
    expect(await sandboxes.diff(sandbox, sandbox.baseCommit, head)).toEqual([
      { path: 'new\nline.txt', action: 'added', linesAdded: 2, linesRemoved: 0 },
      { path: 'tab\there.txt', action: 'added', linesAdded: 1, linesRemoved: 0 },
    ]);
  });
});
