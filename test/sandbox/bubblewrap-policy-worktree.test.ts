import { readFileSync, statSync } from 'node:fs';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bubblewrapArguments, KERNEL_SETTINGS } from '../../src/sandbox/bubblewrap-policy.js';
import { PROJECT_GIT } from '../../src/sandbox/project-view.js';
import { git, tempDir, tempRepo, writeFiles } from '../helpers/temp.js';
import { made, operands, tmpfs, remounted, roBinds, at, scene } from './bubblewrap-policy-fixture.js';

// The arguments the bubblewrap sandbox starts every command with (DESIGN §11),
// read off for a real repository and worktree: how the worktree, its git
// directory and the shared paths are mounted, and the order that makes later mounts win.

describe('bubblewrapArguments', () => {
  it("shows the worktree at the project's own path over the user's checkout, with the repository's git directory read-only beside it; hides the other registered projects", async () => {
    const { worktree, policy, empty, project, other } = await scene();
    const plan = await bubblewrapArguments(
      policy,
      { worktree, network: false, readOnly: false, otherProjects: [other, join(other, 'gone')] },
      { disableUserns: true, emptyFile: empty },
    );
    const { args } = plan;
    expect(plan.worktree).toBe(worktree);
    expect(plan.inside).toBe(project);
    expect(tmpfs(args)).toContain(other);
    expect(remounted(args)).toContain(other);
    // the checkout is covered whole by the worktree: nothing of it is mounted, nothing to empty
    expect(tmpfs(args)).not.toContain(project);
    expect(args).not.toContain(join(other, 'gone'));
    expect(args.every((arg) => typeof arg === 'string')).toBe(true);
    const gitDir = join(project, '.git');
    // the repository's git directory, worktrees' own included, once, read-only, where nothing of the project is
    expect(roBinds(args).filter(([from]) => from!.startsWith(gitDir))).toEqual([[gitDir, PROJECT_GIT]]);
    // the worktree's .git there: a file of troupe's naming its git directory under that place, read-only
    const pointer = roBinds(args).find(([, to]) => to === join(project, '.git'))!;
    expect(readFileSync(pointer[0]!, 'utf8')).toBe(`gitdir: ${PROJECT_GIT}/worktrees/p1\n`);
    expect(statSync(pointer[0]!).mode & 0o222).toBe(0);
    // later mounts win: the git directory, the worktree over the checkout, its .git file
    const order = [
      at(args, '--ro-bind', gitDir, PROJECT_GIT),
      at(args, '--bind', worktree, project),
      at(args, '--ro-bind', pointer[0]!, join(project, '.git')),
    ];
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(args.slice(-2)).toEqual(['--chdir', project]);
  });

  it('binds the worktree read-only for a read-only command', async () => {
    const { worktree, policy, empty } = await scene();
    const { args } = await bubblewrapArguments(
      policy,
      { worktree, network: false, readOnly: true },
      { disableUserns: true, emptyFile: empty },
    );
    expect(roBinds(args)).toContainEqual([worktree, policy.projectRoot]);
    expect(args).not.toContain('--bind');
  });

  it('hides nothing of a project that is itself the worktree, and keeps its .git read-only', async () => {
    const { policy, empty, project } = await scene();
    const { args } = await bubblewrapArguments(
      policy,
      { worktree: project, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    expect(tmpfs(args)).not.toContain(project);
    expect(args.filter((arg) => arg === join(project, '.git'))).toHaveLength(4);
    expect(roBinds(args)).toContainEqual([join(project, '.git'), join(project, '.git')]);
    expect(operands(args, '--bind', 2)).toEqual([[project, project]]);
  });

  it('shares project paths read-only at their place in the worktree as the command sees it, naming the mount points bubblewrap will make', async () => {
    const { worktree, policy, empty, project } = await scene();
    await mkdir(join(worktree, 'cache'));
    await symlink('/etc', join(worktree, 'linked'));
    await writeFiles(project, { 'linked/x': 'x\n' });
    const shared = { ...policy, share: ['node_modules', 'cache/deep', 'not-in-project', 'linked'] };
    const plan = await bubblewrapArguments(
      shared,
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    expect(roBinds(plan.args)).toEqual(
      expect.arrayContaining([
        [join(project, 'node_modules'), join(project, 'node_modules')],
        [join(project, 'cache/deep'), join(project, 'cache/deep')],
      ]),
    );
    expect(plan.args).not.toContain(join(worktree, 'not-in-project'));
    // a place in the worktree a command turned into a symlink is never mounted through
    expect(plan.args).not.toContain(join(project, 'linked'));
    expect(plan.placeholders).toEqual([join(worktree, 'node_modules'), join(worktree, 'cache/deep')]);
    expect(at(plan.args, '--ro-bind', join(project, 'node_modules'))).toBeGreaterThan(
      at(plan.args, '--bind', worktree, project),
    );
    // node_modules/.bin first on PATH, as npm's scripts have it
    expect(plan.pathFirst).toEqual([join(project, 'node_modules/.bin')]);
  });

  it('counts the mount points other running commands made as missing, and makes every missing directory on the way', async () => {
    const { worktree, policy, empty, project } = await scene();
    await mkdir(join(worktree, 'node_modules'));
    const shared = { ...policy, share: ['node_modules', 'cache/deep'] };
    const pending = new Set([join(worktree, 'node_modules')]);
    const plan = await bubblewrapArguments(
      shared,
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty, pending },
    );
    expect(plan.placeholders).toEqual([
      join(worktree, 'node_modules'),
      join(worktree, 'cache'),
      join(worktree, 'cache/deep'),
    ]);
    const mine = await bubblewrapArguments(
      shared,
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    expect(mine.placeholders).toEqual([join(worktree, 'cache'), join(worktree, 'cache/deep')]);
    expect(roBinds(mine.args)).toContainEqual([join(project, 'node_modules'), join(project, 'node_modules')]);
  });

  it('keeps a .git pointer file read-only even when it names no git directory it can follow', async () => {
    const { policy, empty, project } = await scene();
    for (const pointer of [
      'not a pointer\n',
      'gitdir: /nonexistent/git/dir\n',
      `notgitdir: ${join(project, '.git')}\n`,
    ]) {
      const worktree = await realpath((await made(tempDir('troupe-wt-'))).dir);
      await writeFile(join(worktree, '.git'), pointer);
      const { args } = await bubblewrapArguments(
        policy,
        { worktree, network: false, readOnly: false },
        { disableUserns: true, emptyFile: empty },
      );
      const binds = roBinds(args).filter(
        ([from]) => from !== '/' && from !== empty && !KERNEL_SETTINGS.includes(from!),
      );
      expect(binds).toEqual([[join(worktree, '.git'), join(worktree, '.git')]]);
    }
    const bare = await realpath((await made(tempDir('troupe-wt-'))).dir);
    const { args } = await bubblewrapArguments(
      policy,
      { worktree: bare, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    expect(args).not.toContain(join(bare, '.git'));
  });
});

describe('bubblewrapArguments: where the git directory is', () => {
  // a worktree whose .git file says `pointer`, in a fresh folder
  async function worktreeWith(pointer: string): Promise<string> {
    const worktree = await realpath((await made(tempDir('troupe-wt-'))).dir);
    await writeFile(join(worktree, '.git'), pointer);
    return worktree;
  }

  it('follows a pointer written without a space or a final newline', async () => {
    const { policy, empty, project } = await scene();
    const gitDir = join(project, '.git');
    for (const pointer of [`gitdir:${gitDir}\n`, `gitdir: ${gitDir}`]) {
      const { args } = await bubblewrapArguments(
        policy,
        { worktree: await worktreeWith(pointer), network: false, readOnly: false },
        { disableUserns: true, emptyFile: empty },
      );
      // a git directory that is its own common directory is bound once
      expect(roBinds(args).filter(([from]) => from === gitDir)).toEqual([[gitDir, gitDir]]);
    }
  });

  it('binds a git directory that lives outside its common directory as well, and hides no repository when the common directory is not a .git', async () => {
    const { policy, empty } = await scene();
    const store = await realpath((await made(tempDir('troupe-gitstore-'))).dir);
    await mkdir(join(store, 'repo.git'));
    await writeFiles(store, { 'wt/commondir': '../repo.git\n' });
    const { args } = await bubblewrapArguments(
      policy,
      { worktree: await worktreeWith(`gitdir: ${join(store, 'wt')}\n`), network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    expect(roBinds(args)).toEqual(
      expect.arrayContaining([
        [join(store, 'repo.git'), join(store, 'repo.git')],
        [join(store, 'wt'), join(store, 'wt')],
      ]),
    );
    expect(at(args, '--ro-bind', join(store, 'repo.git'))).toBeLessThan(at(args, '--ro-bind', join(store, 'wt')));
    expect(tmpfs(args)).not.toContain(store);
  });

  it('hides the repository a worktree belongs to and shares from it, when that is not the project (a child of another project)', async () => {
    const { policy, empty, project } = await scene();
    const neighbour = await realpath((await made(tempRepo({ 'README.md': '# n\n' }))).dir);
    const worktree = join(neighbour, '.troupe', 'worktrees', 'c1');
    git(neighbour, 'worktree', 'add', '-q', '-b', 'c1', worktree);
    await writeFiles(neighbour, { 'vendor/n.js': 'n\n' });
    const { args } = await bubblewrapArguments(
      { ...policy, share: ['vendor', 'node_modules'] },
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    // the worktree is seen at the neighbour's path, over its checkout; the project is hidden
    expect(tmpfs(args)).toContain(project);
    expect(tmpfs(args)).not.toContain(neighbour);
    expect(operands(args, '--bind', 2)).toEqual([[worktree, neighbour]]);
    expect(roBinds(args)).toContainEqual([join(neighbour, 'vendor'), join(neighbour, 'vendor')]);
    // the project's node_modules is not the neighbour's: nothing to share
    expect(args).not.toContain(join(project, 'node_modules'));
  });

  it('hides a project whose folder is gone by its path, and shares nothing from it', async () => {
    const { policy, empty, elsewhere } = await scene();
    const gone = join(elsewhere, 'gone-project');
    const worktree = await realpath((await made(tempDir('troupe-wt-'))).dir);
    const { args } = await bubblewrapArguments(
      { ...policy, projectRoot: gone, share: ['node_modules'] },
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    expect(tmpfs(args)).toContain(gone);
    expect(args).not.toContain(join(worktree, 'node_modules'));
  });
});

describe('bubblewrapArguments: shares never mount through what a command changed', () => {
  it('skips a share whose place in the worktree is under a symlink or a file', async () => {
    const { worktree, policy, empty, project, elsewhere } = await scene();
    await writeFiles(project, { 'via/deep/x': 'x\n', 'through/deep/x': 'x\n', 'data/y': 'y\n' });
    await writeFiles(elsewhere, { 'target/deep/keep': 'k\n' });
    await symlink(join(elsewhere, 'target'), join(worktree, 'via'));
    await symlink(join(elsewhere, 'target'), join(worktree, 'through'));
    await writeFile(join(worktree, 'data'), 'a file now\n');
    const shares = ['via/deep', 'through/deep/x', 'data/y'];
    const plan = await bubblewrapArguments(
      { ...policy, share: shares },
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    for (const shared of shares) expect(plan.args).not.toContain(join(project, shared));
    expect(plan.placeholders).toEqual([]);
  });
});
