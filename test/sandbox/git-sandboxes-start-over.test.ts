import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxBaseRef } from '../../src/sandbox/index.js';
import { git } from '../helpers/temp.js';
import { commitInProject, plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

useGitSandboxes();

describe('startOver', () => {
  it('moves an untouched sandbox — worktree, branch and base — to the project HEAD', async () => {
    const p = plan();
    const sandbox = await sandboxes.ensure(p);
    const head = await commitInProject({ LICENSE: 'MIT\n' });
    await writeFile(join(sandboxes.pathOf(sandbox), 'stray.txt'), 'left by a reader\n');

    const moved = await sandboxes.startOver(sandbox);

    expect(moved).toEqual({ ...sandbox, baseCommit: head, headCommit: head });
    const path = sandboxes.pathOf(moved);
    expect(await readFile(join(path, 'LICENSE'), 'utf8')).toBe('MIT\n');
    expect(existsSync(join(path, 'stray.txt'))).toBe(false);
    expect(git(repo, 'rev-parse', sandboxBaseRef(p.id))).toBe(head);
    expect(git(repo, 'rev-parse', `refs/heads/${sandbox.branch}`)).toBe(head);
    // ensure() agrees afterwards
    expect(await sandboxes.ensure(p)).toEqual(moved);
  });

  it('leaves a sandbox with step commits where it is', async () => {
    const sandbox = await sandboxes.ensure(plan());
    await writeFile(join(sandboxes.pathOf(sandbox), 'step.txt'), 'x\n');
    const stepped = { ...sandbox, headCommit: await sandboxes.commit(sandbox, 'step 1') };
    await commitInProject({ LICENSE: 'MIT\n' });

    expect(await sandboxes.startOver(stepped)).toBe(stepped);
    expect(existsSync(join(sandboxes.pathOf(sandbox), 'LICENSE'))).toBe(false);
  });

  it('finishes a move that was interrupted after the base ref changed, when called again with the old sandbox', async () => {
    const p = plan();
    const sandbox = await sandboxes.ensure(p);
    const head = await commitInProject({ LICENSE: 'MIT\n' });
    git(repo, 'update-ref', sandboxBaseRef(p.id), head); // the crash came here

    expect(await sandboxes.startOver(sandbox)).toEqual({ ...sandbox, baseCommit: head, headCommit: head });
    expect(git(repo, 'rev-parse', `refs/heads/${sandbox.branch}`)).toBe(head);
    expect(await sandboxes.startOver({ ...sandbox, baseCommit: head, headCommit: head })).toEqual({
      ...sandbox,
      baseCommit: head,
      headCommit: head,
    });
  });
});
