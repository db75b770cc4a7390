import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bubblewrapArguments, emptyFile, isInside, switchUserArguments } from '../../src/sandbox/bubblewrap-policy.js';
import { PROJECT_GIT } from '../../src/sandbox/project-view.js';
import { git, tempDir } from '../helpers/temp.js';
import { made, operands, tmpfs, remounted, roBinds, runIsDirectory, scene } from './bubblewrap-policy-fixture.js';

// The arguments the bubblewrap sandbox starts every command with (DESIGN §11),
// read off for a real repository, worktree and home: the namespaces, the identity,
// /run and the secrets it hides; and the empty file and path test it uses.

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
