import { existsSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git, tempDir, writeFiles } from '../helpers/temp.js';
import { plan, repo, sandboxes, useGitSandboxes } from './git-sandboxes-fixture.js';

useGitSandboxes();

describe('commit', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('commits as troupe whatever the user config and environment say', async () => {
    const home = await tempDir('troupe-home-');
    try {
      const gitconfig = [
        '[user]\n\tname = Someone Else\n\temail = someone@example.com',
        '[author]\n\tname = Author Override\n\temail = author@example.com',
        '[committer]\n\tname = Committer Override\n\temail = committer@example.com',
        // signing without a key would fail the commit if troupe did not turn it off
        '[commit]\n\tgpgsign = true',
        '',
      ].join('\n');
      await writeFile(join(home.dir, '.gitconfig'), gitconfig);
      Object.assign(process.env, {
        HOME: home.dir,
        GIT_CONFIG_GLOBAL: join(home.dir, '.gitconfig'),
        GIT_AUTHOR_NAME: 'Env Author',
        GIT_AUTHOR_EMAIL: 'env-author@example.com',
        GIT_COMMITTER_NAME: 'Env Committer',
        GIT_COMMITTER_EMAIL: 'env-committer@example.com',
      });

      const sandbox = await sandboxes.ensure(plan());
      await writeFile(join(sandboxes.pathOf(sandbox), 'c.txt'), 'c\n');
      const commit = await sandboxes.commit(sandbox, 'step 1: write c.txt');

      expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%G?|%s', commit)).toBe(
        'troupe <troupe@localhost>|troupe <troupe@localhost>|N|step 1: write c.txt',
      );
    } finally {
      await home.cleanup();
    }
  });

  it("does not run the project's hooks", async () => {
    const marker = join(repo, 'hook-ran');
    for (const hook of ['pre-commit', 'commit-msg', 'post-commit', 'post-checkout']) {
      const path = join(repo, '.git', 'hooks', hook);
      await writeFile(path, `#!/bin/sh\necho ${hook} >> "${marker}"\nexit 1\n`);
      await chmod(path, 0o755);
    }

    const sandbox = await sandboxes.ensure(plan());
    await writeFile(join(sandboxes.pathOf(sandbox), 'c.txt'), 'c\n');
    const commit = await sandboxes.commit(sandbox, 'step 1');

    expect(git(repo, 'show', '--format=', '--name-only', commit)).toBe('c.txt');
    expect(existsSync(marker)).toBe(false);
  });

  it('stages new, changed and deleted files', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFiles(path, { 'src/a.txt': 'ONE\ntwo\nthree\n', 'docs/new file.md': 'new\n' });
    await rm(join(path, 'README.md'));

    const commit = await sandboxes.commit(sandbox, 'step 1');

    expect(git(path, 'show', '--format=', '--name-status', commit).split('\n')).toEqual([
      'D\tREADME.md',
      'A\tdocs/new file.md',
      'M\tsrc/a.txt',
    ]);
    expect(await sandboxes.pendingPaths(sandbox)).toEqual([]);
  });

  it('makes an empty commit when nothing changed', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const commit = await sandboxes.commit(sandbox, 'step 1: nothing to do');

    expect(commit).not.toBe(sandbox.baseCommit);
    expect(git(repo, 'rev-parse', `${commit}^`)).toBe(sandbox.baseCommit);
    expect(git(repo, 'rev-parse', `${commit}^{tree}`)).toBe(git(repo, 'rev-parse', `${sandbox.baseCommit}^{tree}`));
    expect(git(repo, 'rev-parse', sandbox.branch)).toBe(commit);
  });
});

describe('stage and commitStaged', () => {
  it('stages every change, names what it staged, and commits it with the changeset from the base', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const root = sandboxes.pathOf(sandbox);
    expect(await sandboxes.stage(sandbox)).toEqual([]);
    await writeFiles(root, { 'src/a.txt': 'one\n2\nthree\nfour\n', 'new/b.txt': 'b\n' });
    await rm(join(root, 'README.md'));
    expect(await sandboxes.stage(sandbox)).toEqual(['README.md', 'new/b.txt', 'src/a.txt']);
    const { headCommit, files } = await sandboxes.commitStaged(sandbox, 'step 1', sandbox.baseCommit);
    expect(headCommit).toBe(git(root, 'rev-parse', 'HEAD'));
    expect(git(root, 'log', '-1', '--format=%s %an')).toBe('step 1 troupe');
    expect(git(root, 'status', '--porcelain')).toBe('');
    expect(files).toEqual(await sandboxes.diff(sandbox, sandbox.baseCommit, headCommit));
    expect(files).toEqual([
      { path: 'README.md', action: 'deleted', linesAdded: 0, linesRemoved: 1 },
      { path: 'new/b.txt', action: 'added', linesAdded: 1, linesRemoved: 0 },
      { path: 'src/a.txt', action: 'modified', linesAdded: 2, linesRemoved: 1 },
    ]);
  });
});
