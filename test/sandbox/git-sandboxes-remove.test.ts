import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SandboxInfo } from '../../src/domain/index.js';
import { sandboxBaseRef } from '../../src/sandbox/index.js';
import { git } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

useGitSandboxes();

describe('remove', () => {
  it('removes the worktree, its branch and its base ref, and is safe to repeat', async () => {
    const p = plan();
    const sandbox: SandboxInfo = await sandboxes.ensure(p);
    await writeFile(join(sandboxes.pathOf(sandbox), 'dirty.txt'), 'uncommitted\n');

    await sandboxes.remove(sandbox);
    await sandboxes.remove(sandbox);

    expect(existsSync(sandboxes.pathOf(sandbox))).toBe(false);
    expect(git(repo, 'branch', '--list', sandbox.branch)).toBe('');
    expect(git(repo, 'for-each-ref', sandboxBaseRef(p.id))).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toContain(p.id);
  });

  it('is safe when the worktree directory was already deleted by hand', async () => {
    const sandbox = await sandboxes.ensure(plan());
    await rm(sandboxes.pathOf(sandbox), { recursive: true, force: true });

    await sandboxes.remove(sandbox);

    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/prunable/);
    expect(git(repo, 'branch', '--list', sandbox.branch)).toBe('');
  });

  it('refuses a record whose worktree is not under .troupe/worktrees', async () => {
    await mkdir(join(repo, 'precious'));
    const error = await rejection(
      sandboxes.remove({ worktree: 'precious', branch: 'main', baseCommit: 'x', headCommit: 'x' }),
    );
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(existsSync(join(repo, 'precious'))).toBe(true);
    expect(git(repo, 'branch', '--list', 'main')).not.toBe('');
  });
});
