import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bubblewrapArguments,
  emptyFile,
  isInside,
  KERNEL_SETTINGS,
  switchUserArguments,
  type ContainmentPolicy,
} from '../../src/sandbox/bubblewrap-policy.js';
import { PROJECT_GIT } from '../../src/sandbox/project-view.js';
import { git, tempDir, tempRepo, writeFiles } from '../helpers/temp.js';

// The arguments the bubblewrap sandbox starts every command with (DESIGN §11),
// read off for a real repository, worktree and home: what each mount is, and
// the order that makes later mounts win.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function made<T extends { cleanup: () => Promise<void> }>(promise: Promise<T>): Promise<T> {
  const result = await promise;
  cleanups.push(result.cleanup);
  return result;
}

// every operand list that follows `flag`, `arity` operands each
function operands(args: readonly string[], flag: string, arity: number): string[][] {
  const found: string[][] = [];
  args.forEach((arg, at) => {
    if (arg === flag) found.push(args.slice(at + 1, at + 1 + arity));
  });
  return found;
}
const tmpfs = (args: readonly string[]) => operands(args, '--tmpfs', 1).map(([path]) => path);
const remounted = (args: readonly string[]) => operands(args, '--remount-ro', 1).map(([path]) => path);
const roBinds = (args: readonly string[]) => operands(args, '--ro-bind', 2);
const at = (args: readonly string[], ...slice: string[]) =>
  args.findIndex((_, index) => slice.every((part, offset) => args[index + offset] === part));

const runIsDirectory = (path: string) => existsSync(path) && lstatSync(path).isDirectory();

/** A project with a worktree of its own under .troupe/, a home with secrets, another project and an empty file. */
async function scene() {
  const project = await realpath((await made(tempRepo({ 'README.md': '# p\n' }))).dir);
  const worktree = join(project, '.troupe', 'worktrees', 'p1');
  git(project, 'worktree', 'add', '-q', '-b', 'p1', worktree);
  // untracked: what sandbox.share is for
  await writeFiles(project, { 'node_modules/x/index.js': 'x\n', 'cache/deep/data': 'd\n' });
  const home = await realpath((await made(tempDir('troupe-home-'))).dir);
  const elsewhere = await realpath((await made(tempDir('troupe-elsewhere-'))).dir);
  await writeFiles(home, { '.ssh/id_rsa': 'key\n', '.npmrc': 'token\n', 'notes.txt': 'kept\n' });
  await writeFiles(elsewhere, { 'aws/credentials': 'aws\n', 'hidden.txt': 'h\n' });
  await symlink(join(elsewhere, 'aws'), join(home, '.aws'));
  const other = await realpath((await made(tempDir('troupe-other-'))).dir);
  const empty = join(elsewhere, 'empty');
  await writeFile(empty, '');
  const policy: ContainmentPolicy = {
    projectRoot: project,
    home,
    hide: [join(elsewhere, 'hidden.txt'), join(elsewhere, 'missing')],
    share: [],
  };
  return { project, worktree, home, elsewhere, other, empty, policy };
}

describe('bubblewrapArguments', () => {
  it('starts with the namespaces, a read-only root, fresh /dev and /proc and a private /tmp and /dev/shm; the network goes unless the plan asks for it', async () => {
    const { worktree, policy, empty } = await scene();
    const kernel = [
      '--ro-bind',
      '/proc/sys',
      '/proc/sys',
      '--ro-bind-try',
      '/proc/sysrq-trigger',
      '/proc/sysrq-trigger',
    ];
    const closed = await bubblewrapArguments(
      policy,
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    expect(closed.args.slice(0, 28)).toEqual([
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--unshare-net',
      '--disable-userns',
      '--cap-drop',
      'ALL',
      '--die-with-parent',
      '--new-session',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--tmpfs',
      '/dev/shm',
      '--proc',
      '/proc',
      ...kernel,
      '--tmpfs',
      '/tmp',
    ]);
    const open = await bubblewrapArguments(
      policy,
      { worktree, network: true, readOnly: false },
      { disableUserns: false, emptyFile: empty },
    );
    expect(open.args.slice(0, 26)).toEqual([
      '--unshare-user',
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--cap-drop',
      'ALL',
      '--die-with-parent',
      '--new-session',
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--tmpfs',
      '/dev/shm',
      '--proc',
      '/proc',
      ...kernel,
      '--tmpfs',
      '/tmp',
    ]);
    // with a size, each private file system is bounded
    const sized = await bubblewrapArguments(
      policy,
      { worktree, network: false, readOnly: false, tmpfsBytes: 1 << 20 },
      { disableUserns: true, emptyFile: empty },
    );
    expect(sized.args.slice(14, 32)).toEqual([
      '--dev',
      '/dev',
      '--size',
      String(1 << 20),
      '--tmpfs',
      '/dev/shm',
      '--proc',
      '/proc',
      ...kernel,
      '--size',
      String(1 << 20),
      '--tmpfs',
      '/tmp',
    ]);
  });

  it("as root, runs commands as the dedicated identity: no user namespace (its uid 0 would be the host's), only the capabilities to switch, /tmp open to it", async () => {
    const { worktree, policy, empty } = await scene();
    const identity = { kind: 'dedicated' as const, uid: 998, gid: 997, name: 'troupe-sandbox' };
    const { args } = await bubblewrapArguments(
      policy,
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty, identity },
    );
    expect(args.slice(0, 15)).toEqual([
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--unshare-cgroup-try',
      '--unshare-net',
      '--cap-drop',
      'ALL',
      '--cap-add',
      'CAP_SETUID',
      '--cap-add',
      'CAP_SETGID',
      '--cap-add',
      'CAP_SETPCAP',
      '--die-with-parent',
      '--new-session',
    ]);
    expect(args).not.toContain('--unshare-user');
    expect(args).not.toContain('--disable-userns');
    expect(operands(args, '--tmpfs', 1).flat()).toEqual(expect.arrayContaining(['/tmp', '/dev/shm']));
    for (const place of ['/tmp', '/dev/shm'])
      expect(args.slice(args.indexOf(place) - 3, args.indexOf(place) - 1)).toEqual(['--perms', '1777']);
    // the folders on the way to the worktree, seen at the project's path, and to the repository's git
    // directory are made open to it (bubblewrap makes them 0700) — the private /tmp's and /run's
    const project = policy.projectRoot;
    const joined = args.join(' ');
    expect(joined).toContain(`--perms 0755 --dir /run/troupe --ro-bind ${join(project, '.git')} ${PROJECT_GIT}`);
    expect(joined).toContain(`--bind ${worktree} ${project} `);
    // a project in an open folder of /tmp: the sandbox's /tmp is its own, the folder made again open
    const open = await realpath((await made(tempDir('troupe-open-'))).dir);
    chmodSync(open, 0o755);
    const app = join(open, 'app');
    await mkdir(app);
    git(app, 'init', '-q');
    git(app, 'commit', '-q', '--allow-empty', '-m', 'base');
    const appTree = join(app, '.troupe', 'worktrees', 'a1');
    git(app, 'worktree', 'add', '-q', '-b', 'a1', appTree);
    const inTmp = await bubblewrapArguments(
      { ...policy, projectRoot: app },
      { worktree: appTree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty, identity },
    );
    expect(inTmp.args.join(' ')).toContain(`--perms 0755 --dir ${open} --bind ${appTree} ${app} `);
    expect(switchUserArguments(identity, '/usr/bin/setpriv')).toEqual([
      '/usr/bin/setpriv',
      '--reuid=998',
      '--regid=997',
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
    ]);
    expect(switchUserArguments({ kind: 'own', uid: 1000, gid: 1000, name: 'me' }, '/usr/bin/setpriv')).toEqual([]);
  });

  it('empties /run, and lets a plan with the network keep name resolution from it', async () => {
    const { worktree, policy, empty } = await scene();
    const runs = ['/run', '/var/run'].filter(runIsDirectory);
    expect(runs.length).toBeGreaterThan(0);
    const closed = (
      await bubblewrapArguments(
        policy,
        { worktree, network: false, readOnly: false },
        { disableUserns: true, emptyFile: empty },
      )
    ).args;
    const open = (
      await bubblewrapArguments(
        policy,
        { worktree, network: true, readOnly: false },
        { disableUserns: true, emptyFile: empty },
      )
    ).args;
    for (const run of runs) {
      expect(tmpfs(closed)).toContain(run);
      expect(remounted(closed)).toContain(run);
      expect(operands(open, '--ro-bind-try', 2)).toEqual(
        expect.arrayContaining([
          [join(run, 'systemd/resolve'), join(run, 'systemd/resolve')],
          [join(run, 'resolvconf'), join(run, 'resolvconf')],
        ]),
      );
    }
    expect(
      operands(closed, '--ro-bind-try', 2)
        .flat()
        .filter((path) => path.startsWith('/run') || path.startsWith('/var/run')),
    ).toEqual([]);
    // a /var/run that is a symlink to /run is not mounted over twice
    if (!runIsDirectory('/var/run')) expect(tmpfs(closed)).not.toContain('/var/run');
  });

  it('hides the secrets of $HOME and sandbox.hide that exist: directories under an empty file system, files under the empty file, links at their target', async () => {
    const { worktree, policy, empty, home, elsewhere } = await scene();
    const { args } = await bubblewrapArguments(
      policy,
      { worktree, network: false, readOnly: false },
      { disableUserns: true, emptyFile: empty },
    );
    expect(tmpfs(args)).toContain(join(home, '.ssh'));
    expect(remounted(args)).toContain(join(home, '.ssh'));
    expect(tmpfs(args)).toContain(join(elsewhere, 'aws'));
    expect(roBinds(args)).toContainEqual([empty, join(home, '.npmrc')]);
    expect(roBinds(args)).toContainEqual([empty, join(elsewhere, 'hidden.txt')]);
    // an empty file is not a file system: nothing to remount
    expect(remounted(args)).not.toContain(join(home, '.npmrc'));
    for (const absent of [
      join(home, '.gnupg'),
      join(home, '.aws'),
      join(elsewhere, 'missing'),
      join(home, 'notes.txt'),
    ])
      expect(args).not.toContain(absent);
  });

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

describe('emptyFile', () => {
  const isEmptyReadOnly = (file: string) => {
    expect(file).toMatch(/\/troupe-empty-[^/]+\/empty$/);
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(statSync(file).mode & 0o777).toBe(0o444);
  };

  it('is one empty read-only file for the whole process, made again if it was removed', () => {
    const file = emptyFile();
    expect(emptyFile()).toBe(file);
    isEmptyReadOnly(file);
    rmSync(dirname(file), { recursive: true, force: true });
    const again = emptyFile();
    expect(again).not.toBe(file);
    isEmptyReadOnly(again);
  });

  it('leaves a listener that removes it when the process exits', () => {
    const file = emptyFile();
    rmSync(dirname(file), { recursive: true, force: true });
    const before = process.listeners('exit');
    const made = emptyFile();
    const added = process.listeners('exit').filter((listener) => !before.includes(listener));
    expect(added).toHaveLength(1);
    added[0]!.call(process, 0);
    expect(existsSync(dirname(made))).toBe(false);
  });

  it('is removed when the process exits', () => {
    const script = `import { emptyFile } from ${JSON.stringify(new URL('../../src/sandbox/bubblewrap-policy.ts', import.meta.url).pathname)}; process.stdout.write(emptyFile());`;
    const file = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    expect(file).toMatch(/\/troupe-empty-[^/]+\/empty$/);
    expect(existsSync(dirname(file))).toBe(false);
  });
});

describe('isInside', () => {
  it.each([
    ['/a/b', '/a', true],
    ['/a/b/c', '/a', true],
    ['/a/..b', '/a', true],
    ['/a', '/a', false],
    ['/ab', '/a', false],
    ['/', '/a', false],
    ['/b/a', '/a', false],
  ])('%s inside %s: %s', (path, dir, inside) => {
    expect(isInside(path, dir)).toBe(inside);
  });
});
