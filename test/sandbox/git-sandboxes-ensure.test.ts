import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newId } from '../../src/domain/index.js';
import { createGitSandboxes, sandboxBaseRef } from '../../src/sandbox/index.js';
import { git, tempDir } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { commitInProject, plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

// ensure: a plan's sandbox made on its branch from HEAD or a given base, found again
// as it is on a second call, and what it refuses to make.

useGitSandboxes();

describe('ensure', () => {
  it('creates a worktree at .troupe/worktrees/<id> on the plan branch at HEAD', async () => {
    const p = plan();
    const head = git(repo, 'rev-parse', 'HEAD');
    const sandbox = await sandboxes.ensure(p);

    expect(sandbox).toEqual({
      worktree: `.troupe/worktrees/${p.id}`,
      branch: `troupe/demo-x-${p.id.slice(-6).toLowerCase()}`,
      baseCommit: head,
      headCommit: head,
    });
    const path = sandboxes.pathOf(sandbox);
    expect(path).toBe(join(repo, '.troupe', 'worktrees', p.id));
    expect(git(path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(sandbox.branch);
    expect(await readFile(join(path, 'src/a.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('starts from the given base commit', async () => {
    const first = git(repo, 'rev-parse', 'HEAD');
    await commitInProject({ 'b.txt': 'b\n' });
    const sandbox = await sandboxes.ensure(plan(), { base: first });

    expect(sandbox.baseCommit).toBe(first);
    expect(existsSync(join(sandboxes.pathOf(sandbox), 'b.txt'))).toBe(false);
  });

  it('returns the existing sandbox unchanged on a second call, even after the project moved', async () => {
    const p = plan();
    const created = await sandboxes.ensure(p);
    await writeFile(join(sandboxes.pathOf(created), 'new.txt'), 'new\n');
    const step = await sandboxes.commit(created, 'step 1');
    await commitInProject({ 'b.txt': 'b\n' });

    const again = await sandboxes.ensure(p, { base: git(repo, 'rev-parse', 'HEAD') });

    expect(again).toEqual({ ...created, headCommit: step });
    expect(await readFile(join(sandboxes.pathOf(again), 'new.txt'), 'utf8')).toBe('new\n');
  });

  it('refuses a project with no commits', async () => {
    const empty = await tempDir();
    try {
      git(empty.dir, 'init', '-q', '-b', 'main');
      const error = await rejection(createGitSandboxes(empty.dir).ensure(plan()));
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(error.message).toMatch(/the project has no commits yet/);
      expect(error.hint).toBe('make a first commit');
    } finally {
      await empty.cleanup();
    }
  });

  it('refuses an id that is not a ULID and a name that is not a plan name', async () => {
    expect((await rejection(sandboxes.ensure({ id: '../../etc', name: 'demo/x' }))).code).toBe('VALIDATION_ERROR');
    expect((await rejection(sandboxes.ensure({ id: newId(), name: 'Not A Name' }))).code).toBe('VALIDATION_ERROR');
    expect(existsSync(join(repo, '.troupe'))).toBe(false);
  });

  it('refuses a base that is not a commit', async () => {
    const error = await rejection(sandboxes.ensure(plan(), { base: '--output=/tmp/x' }));
    expect(error.code).toBe('VALIDATION_ERROR');
    expect((await rejection(sandboxes.ensure(plan(), { base: 'no-such-branch' }))).code).toBe('VALIDATION_ERROR');
  });
});

describe('ensure from a commit id (a child plan at its spawn point)', () => {
  it('creates the sandbox, records its base and says it checked the worktree out', async () => {
    const base = git(repo, 'rev-parse', 'HEAD');
    const p = plan();
    const created: string[] = [];

    const sandbox = await sandboxes.ensure(p, { base, onCreated: (head) => created.push(head) });

    expect(sandbox).toMatchObject({ baseCommit: base, headCommit: base });
    expect(git(repo, 'rev-parse', sandboxBaseRef(p.id))).toBe(base);
    expect(git(sandboxes.pathOf(sandbox), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(sandbox.branch);
    expect(created).toEqual([base]);
    expect(git(sandboxes.pathOf(sandbox), 'status', '--porcelain')).toBe('');
  });

  it('does not say so for a worktree that was already there', async () => {
    const base = git(repo, 'rev-parse', 'HEAD');
    const p = plan();
    await sandboxes.ensure(p, { base });
    const created: string[] = [];

    await createGitSandboxes(repo).ensure(p, { base, onCreated: (head) => created.push(head) });

    expect(created).toEqual([]);
  });

  it('re-attaches a branch that outlived its worktree, keeping its commits and its recorded base', async () => {
    const first = git(repo, 'rev-parse', 'HEAD');
    const p = plan();
    const made = await sandboxes.ensure(p, { base: first });
    await writeFile(join(sandboxes.pathOf(made), 'kept.txt'), 'kept\n');
    const step = await sandboxes.commit(made, 'step 1');
    git(repo, 'worktree', 'remove', '--force', sandboxes.pathOf(made));
    const later = await commitInProject({ 'later.txt': 'later\n' });

    const again = await createGitSandboxes(repo).ensure(p, { base: later });

    expect(again).toEqual({ ...made, headCommit: step });
    expect(git(repo, 'rev-parse', sandboxBaseRef(p.id))).toBe(first);
    expect(await readFile(join(sandboxes.pathOf(again), 'kept.txt'), 'utf8')).toBe('kept\n');
  });

  it('replaces a registration whose directory is gone', async () => {
    const base = git(repo, 'rev-parse', 'HEAD');
    const p = plan();
    const made = await sandboxes.ensure(p, { base });
    git(repo, 'branch', '-q', '-m', made.branch, 'elsewhere');
    await rm(sandboxes.pathOf(made), { recursive: true, force: true });

    const again = await createGitSandboxes(repo).ensure(p, { base });

    expect(again).toEqual(made);
    expect(git(sandboxes.pathOf(again), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(made.branch);
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/prunable/);
  });

  it('refuses a commit id that names no commit, and writes no base ref', async () => {
    const p = plan();
    const tree = git(repo, 'rev-parse', 'HEAD^{tree}');

    expect(await rejection(sandboxes.ensure(p, { base: tree }))).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(await rejection(sandboxes.ensure(p, { base: 'f'.repeat(40) }))).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(git(repo, 'for-each-ref', sandboxBaseRef(p.id))).toBe('');
  });
});
