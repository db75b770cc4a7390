import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId, type SandboxInfo } from '../../src/domain/index.js';
import { createGitSandboxes, sandboxBaseRef, type GitSandboxes } from '../../src/sandbox/index.js';
import { git, tempDir, tempRepo, writeFiles } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';

let repo: string;
let cleanup: () => Promise<void>;
let sandboxes: GitSandboxes;

beforeEach(async () => {
  ({ dir: repo, cleanup } = await tempRepo({ 'README.md': '# test\n', 'src/a.txt': 'one\ntwo\nthree\n', '.gitignore': 'build/\n' }));
  // as `troupe init` does: the project's own commits never pick up sandboxes
  await writeFile(join(repo, '.git', 'info', 'exclude'), '.troupe/\n');
  sandboxes = createGitSandboxes(repo);
});
afterEach(async () => {
  await cleanup();
});

const plan = (name = 'demo/x') => ({ id: newId(), name });

async function commitInProject(files: Record<string, string>, message = 'project change'): Promise<string> {
  await writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}


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
    expect(await sandboxes.startOver({ ...sandbox, baseCommit: head, headCommit: head })).toEqual({ ...sandbox, baseCommit: head, headCommit: head });
  });
});

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

  it('creates many sandboxes at once', async () => {
    const head = git(repo, 'rev-parse', 'HEAD');
    const made = await Promise.all(Array.from({ length: 12 }, (_, index) => sandboxes.ensure(plan(`demo/x-${index}`))));
    expect(made.every((sandbox) => sandbox.baseCommit === head && sandbox.headCommit === head)).toBe(true);
    for (const sandbox of made) expect(git(sandboxes.pathOf(sandbox), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(sandbox.branch);
    // each checked out in full and clean, and none left locked (their files are checked out side by side, each locked meanwhile)
    for (const sandbox of made) {
      expect(await readFile(join(sandboxes.pathOf(sandbox), 'src/a.txt'), 'utf8')).toBe('one\ntwo\nthree\n');
      expect(git(sandboxes.pathOf(sandbox), 'status', '--porcelain')).toBe('');
    }
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
    // and from spawn points given as ids, the way child plans are made
    const children = await Promise.all(Array.from({ length: 12 }, (_, index) => sandboxes.ensure(plan(`demo/y-${index}`), { base: head })));
    for (const sandbox of children) expect(git(sandboxes.pathOf(sandbox), 'status', '--porcelain')).toBe('');
    expect(git(repo, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
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

  it('re-attaches a branch left without a worktree', async () => {
    const p = plan();
    const created = await sandboxes.ensure(p);
    git(repo, 'worktree', 'remove', '--force', sandboxes.pathOf(created));

    const again = await sandboxes.ensure(p);

    expect(again).toEqual(created);
    expect(git(sandboxes.pathOf(again), 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(created.branch);
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

    expect(await createGitSandboxes(repo).reopen(p, recorded, { onCreated: (head) => created.push(head) })).toEqual(recorded);
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

    expect(git(path, 'show', '--format=', '--name-status', commit).split('\n')).toEqual(['D\tREADME.md', 'A\tdocs/new file.md', 'M\tsrc/a.txt']);
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

    expect(await sandboxes.pendingPaths(sandbox)).toEqual(['README.md', 'deep/new dir/with space.txt', 'line\nbreak.txt', 'src/a.txt']);
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
    await sandboxes.reset(sandbox, sandbox.baseCommit, { seen: { head: sandbox.baseCommit, tracked: [], untracked: [] } });
    expect(await readFile(join(path, 'README.md'), 'utf8')).toBe('edited after the look\n');
    await sandboxes.reset(sandbox, step);
    expect(git(path, 'rev-parse', 'HEAD')).toBe(step);
  });
});

describe('changedPaths', () => {
  it('lists the paths diff lists, with how each changed, without counting lines', async () => {
    const sandbox = await sandboxes.ensure(plan());
    const path = sandboxes.pathOf(sandbox);
    await writeFiles(path, { 'src/a.txt': 'one\nTWO\n', 'z last.txt': 'a\n', 'image.bin': Buffer.from([0, 1, 2, 0, 255]) });
    await rm(join(path, 'README.md'));
    const head = await sandboxes.commit(sandbox, 'step 1');

    const listed = await sandboxes.changedPaths(sandbox, sandbox.baseCommit, head);
    expect(listed).toEqual([
      { path: 'README.md', action: 'deleted' },
      { path: 'image.bin', action: 'added' },
      { path: 'src/a.txt', action: 'modified' },
      { path: 'z last.txt', action: 'added' },
    ]);
    expect(listed).toEqual((await sandboxes.diff(sandbox, sandbox.baseCommit, head)).map(({ path: changed, action }) => ({ path: changed, action })));
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
    const error = await rejection(sandboxes.remove({ worktree: 'precious', branch: 'main', baseCommit: 'x', headCommit: 'x' }));
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(existsSync(join(repo, 'precious'))).toBe(true);
    expect(git(repo, 'branch', '--list', 'main')).not.toBe('');
  });
});

describe('concurrency and odd paths', () => {
  it('creates one sandbox when ensure is called twice at once', async () => {
    const p = plan();
    const [first, second] = await Promise.all([sandboxes.ensure(p), sandboxes.ensure(p)]);
    expect(second).toEqual(first);
    expect(git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((line) => line.startsWith('worktree '))).toHaveLength(2);
  });

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
