import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TroupeError } from '../../src/domain/index.js';
import {
  BubblewrapSandbox,
  commandEnv,
  createCommandSandbox,
  findBubblewrap,
  HOME_SECRETS,
  UnconfinedSandbox,
} from '../../src/sandbox/index.js';
import { spawnCommand } from '../../src/sandbox/spawn-command.js';
import { codeSpans } from '../docs/markdown.js';
import { git, tempDir, visibleTempDir, writeFiles } from '../helpers/temp.js';

// The bubblewrap sandbox on real bubblewrap: its policy, what it reports,
// and SANDBOX_UNAVAILABLE when bubblewrap cannot be used (fake bwrap programs
// stand for the broken installs).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function place(visible = false): Promise<string> {
  const made = visible ? await visibleTempDir('troupe-bwrap-') : await tempDir('troupe-bwrap-');
  cleanups.push(made.cleanup);
  return made.dir;
}

/** A fake `bwrap`: answers --help and --version, and does `body` (sh) for a command. */
async function fakeBwrap(
  body: string,
  help = 'usage: bwrap\n    --json-status-fd FD  Write container status\n',
): Promise<string> {
  const dir = await place();
  const path = join(dir, 'bwrap');
  writeFileSync(
    path,
    `#!/bin/sh\ncase "$1" in --help) printf '%s' '${help}'; exit 0;; --version) echo 'bubblewrap 9.9'; exit 0;; esac\n${body}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** The places docs/explanation/sandbox.md promises to hide: `.cargo/credentials(.toml)` is both names. */
function documentedHomeSecrets(): string[] {
  const doc = readFileSync(new URL('../../docs/explanation/sandbox.md', import.meta.url), 'utf8');
  const paragraph = /The secret places of `\$HOME` that are always hidden:([\s\S]*?)The list is/.exec(doc)?.[1] ?? '';
  const places = codeSpans(paragraph).flatMap((span) => {
    const optional = /^(.+)\((.+)\)$/.exec(span);
    return optional ? [optional[1]!, optional[1]! + optional[2]!] : [span];
  });
  expect(places).toContain('.ssh');
  return places;
}

const unavailable = (pattern: RegExp) =>
  expect.objectContaining({ code: 'SANDBOX_UNAVAILABLE', message: expect.stringMatching(pattern) });

describe('findBubblewrap', () => {
  it('finds bwrap on the search path, with its version and --disable-userns', async () => {
    const binary = await findBubblewrap({});
    expect(binary.path).toMatch(/\/bwrap$/);
    expect(binary.version).toMatch(/^\d+\.\d+/);
    expect(typeof binary.disableUserns).toBe('boolean');
  });

  it('says why bubblewrap cannot be used, and how to fix it', async () => {
    await expect(findBubblewrap({ platform: 'darwin' })).rejects.toEqual(unavailable(/needs Linux; this is darwin/));
    await expect(findBubblewrap({ searchPath: await place() })).rejects.toEqual(unavailable(/no bwrap on PATH/));
    await expect(findBubblewrap({ bwrap: '/nonexistent/bwrap' })).rejects.toEqual(
      unavailable(/names \/nonexistent\/bwrap, which is not an executable file/),
    );
    await expect(findBubblewrap({ bwrap: await fakeBwrap('exit 0', 'usage: bwrap --bind\n') })).rejects.toEqual(
      unavailable(/bubblewrap 9.9 is too old: troupe needs bubblewrap 0.5 or later/),
    );
    const broken = join(await place(), 'bwrap');
    writeFileSync(broken, '#!/bin/sh\nexit 3\n');
    chmodSync(broken, 0o755);
    await expect(findBubblewrap({ bwrap: broken })).rejects.toEqual(unavailable(/did not run/));
    const error = (await findBubblewrap({ searchPath: '' }).catch((caught: unknown) => caught)) as TroupeError;
    expect(error.hint).toContain('sudo apt-get install bubblewrap');
    expect(error.hint).toContain('{"sandbox": {"mode": "off"}}');
  });
});

describe('BubblewrapSandbox', () => {
  it('rejects SANDBOX_UNAVAILABLE, with bubblewrap’s words, when it cannot set the sandbox up — and runs nothing', async () => {
    const worktree = await place();
    const noUserns = new BubblewrapSandbox({
      projectRoot: worktree,
      bwrap: await fakeBwrap("echo 'bwrap: setting up uid map: Permission denied' >&2; exit 1"),
    });
    const run = noUserns.run({ command: 'touch ran', worktree, env: commandEnv(), network: false });
    await expect(run).rejects.toEqual(
      unavailable(/unprivileged user namespaces are disabled \(bwrap: setting up uid map: Permission denied\)/),
    );
    await expect(run).rejects.toMatchObject({ hint: expect.stringContaining('kernel.unprivileged_userns_clone=1') });
    expect(existsSync(join(worktree, 'ran'))).toBe(false);
    const probe = await noUserns.probe();
    expect(probe).toMatchObject({
      ok: false,
      detail: expect.stringContaining('uid map'),
      fix: expect.stringContaining('user namespaces'),
    });

    const other = new BubblewrapSandbox({
      projectRoot: worktree,
      bwrap: await fakeBwrap("echo 'bwrap: Can not mount proc' >&2; exit 1"),
    });
    await expect(other.run({ command: 'true', worktree, env: commandEnv(), network: false })).rejects.toMatchObject({
      message: expect.stringContaining('the sandbox could not start (bwrap: Can not mount proc)'),
      hint: expect.stringContaining('install bubblewrap'),
    });
    expect(await new BubblewrapSandbox({ projectRoot: worktree, bwrap: '/nonexistent/bwrap' }).probe()).toMatchObject({
      ok: false,
      detail: expect.stringContaining('not an executable file'),
    });
  });

  it('probes by running a contained true', async () => {
    expect(await new BubblewrapSandbox({ projectRoot: await place() }).probe()).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^bubblewrap \S+ \(.*bwrap\) ran a contained command$/),
    });
  });

  it('reports a command killed by a signal as that signal, as an unconfined shell does', async () => {
    const worktree = await place();
    const sandbox = new BubblewrapSandbox({ projectRoot: worktree });
    expect(await sandbox.run({ command: 'kill -TERM $$', worktree, env: commandEnv(), network: false })).toMatchObject({
      exitCode: null,
      signal: 'SIGTERM',
    });
    expect(await sandbox.run({ command: 'exit 3', worktree, env: commandEnv(), network: false })).toMatchObject({
      exitCode: 3,
      signal: null,
    });
  });

  it('does not start when the signal has aborted, and answers 127 for a worktree that is gone', async () => {
    const worktree = await place();
    const sandbox = new BubblewrapSandbox({ projectRoot: worktree });
    const controller = new AbortController();
    controller.abort();
    expect(
      await sandbox.run({
        command: 'touch ran',
        worktree,
        env: commandEnv(),
        network: false,
        signal: controller.signal,
      }),
    ).toMatchObject({ cancelled: true, exitCode: null });
    expect(existsSync(join(worktree, 'ran'))).toBe(false);
    expect(
      await sandbox.run({ command: 'true', worktree: join(worktree, 'gone'), env: commandEnv(), network: false }),
    ).toMatchObject({
      exitCode: 127,
      stderrTail: expect.stringContaining('is not accessible'),
    });
  });

  it('makes the worktree read-only too for a read-only phase', async () => {
    const worktree = await place();
    const result = await new BubblewrapSandbox({ projectRoot: worktree }).run({
      command: 'cat /dev/null > x',
      worktree,
      env: commandEnv(),
      network: false,
      readOnly: true,
    });
    expect(result).toMatchObject({ exitCode: 2, stderrTail: expect.stringContaining('Read-only file system') });
  });

  it('hides a file with an empty one, follows a symlink to what it hides, and sets TMPDIR to its own /tmp', async () => {
    const home = await place(true);
    const elsewhere = await place(true);
    await writeFiles(home, { '.netrc': 'machine x password y\n' });
    await writeFiles(elsewhere, { 'keys/id': 'secret\n', token: 'secret\n' });
    symlinkSync(join(elsewhere, 'keys'), join(home, '.ssh'));
    const worktree = await place();
    const sandbox = new BubblewrapSandbox({ projectRoot: worktree, home, hide: [join(elsewhere, 'token')] });
    const result = await sandbox.run({
      command: `wc -c < ${home}/.netrc; ls ${home}/.ssh/ | wc -l; wc -c < ${elsewhere}/token; echo "$TMPDIR"`,
      worktree,
      env: { ...commandEnv(), TMPDIR: '/somewhere' },
      network: false,
    });
    expect(result.stdoutTail, result.stderrTail).toBe('0\n0\n0\n/tmp\n');
    expect(HOME_SECRETS).toContain('.ssh');
  });

  it("hides the secrets of the account's home too, when $HOME is somewhere else (sudo -E, a tool that set HOME)", async () => {
    const home = await place(true);
    const account = await place(true);
    await writeFiles(account, { '.netrc': 'machine x password y\n', '.ssh/id_rsa': 'key\n', 'notes.txt': 'kept\n' });
    const worktree = await place();
    const result = await new BubblewrapSandbox({ projectRoot: worktree, home, accountHome: account }).run({
      command: `wc -c < ${account}/.netrc; ls ${account}/.ssh | wc -l; cat ${account}/notes.txt`,
      worktree,
      env: commandEnv(),
      network: false,
    });
    expect(result.stdoutTail, result.stderrTail).toBe('0\n0\nkept\n');
  });

  it.runIf(process.getuid?.() === 0)(
    'as root, gives the command a home it can read where its owner let anyone: a toolchain there runs, private files are not there',
    async () => {
      const home = await place();
      await writeFiles(home, {
        'tool/run.sh': 'echo tool ran\n',
        'private.txt': 'mine\n',
        '.npmrc': '//registry/:_authToken=secret\n',
      });
      chmodSync(join(home, 'tool/run.sh'), 0o755);
      chmodSync(join(home, 'private.txt'), 0o600);
      chmodSync(home, 0o700);
      const worktree = await place();
      const result = await new BubblewrapSandbox({ projectRoot: worktree, home }).run({
        command: `${home}/tool/run.sh; cat ${home}/private.txt 2>&1 | sed 's/.*: //'; wc -c < ${home}/.npmrc; touch ${home}/new 2>&1 | sed 's/.*: //'`,
        worktree,
        env: commandEnv(),
        network: false,
      });
      expect(result.stdoutTail, result.stderrTail).toBe(
        'tool ran\nNo such file or directory\n0\nRead-only file system\n',
      );
    },
  );

  it.runIf(process.getuid?.() === 0)(
    'as root, reaches a worktree by its own path when a folder above the project is closed to the command (mktemp -d)',
    async () => {
      const closed = await place();
      const project = join(closed, 'project');
      mkdirSync(project);
      git(project, 'init', '-q');
      await writeFiles(project, {
        'node_modules/greeting/index.js': 'module.exports = "hi";\n',
        'neighbour.txt': 'n\n',
      });
      const worktree = join(project, '.troupe', 'worktrees', 'w');
      mkdirSync(worktree, { recursive: true });
      writeFileSync(join(worktree, 't.js'), 'console.log(require("greeting"))\n');
      const sandbox = new BubblewrapSandbox({ projectRoot: project, share: ['node_modules'] });
      // node resolves the script and the module by their real paths, through the closed folder
      const result = await sandbox.run({
        command: `node ${worktree}/t.js && ls -A ${closed}`,
        worktree,
        env: commandEnv(),
        network: false,
      });
      expect(result.stdoutTail, result.stderrTail).toBe('hi\nproject\n');
      // a home in there too: its tools reachable, its secrets hidden
      const home = join(closed, 'home');
      await writeFiles(home, { 'bin/tool': 'echo tool ran\n', '.ssh/id_rsa': 'key\n' });
      chmodSync(join(home, 'bin/tool'), 0o755);
      const withHome = await new BubblewrapSandbox({ projectRoot: project, home, accountHome: home }).run({
        command: `${home}/bin/tool && ls -A ${home}/.ssh | wc -l && ls -A ${closed}`,
        worktree,
        env: commandEnv(),
        network: false,
      });
      expect(withHome.stdoutTail, withHome.stderrTail).toBe('tool ran\n0\nhome\nproject\n');
    },
  );

  it('hides every place of HOME_SECRETS and of docs/explanation/sandbox.md, whether it is a file or a directory', async () => {
    // the documented places too: one dropped from the list is still planted, and found
    const secrets = [...new Set([...HOME_SECRETS, ...documentedHomeSecrets()])];
    const worktree = await place();
    for (const shape of ['file', 'directory'] as const) {
      const home = await place(true);
      await writeFiles(
        home,
        Object.fromEntries(secrets.map((entry) => [shape === 'file' ? entry : join(entry, 'id'), 'secret\n'])),
      );
      // a line per place: the bytes of the file, or the entries of the directory (nothing when it is not there)
      const size = (path: string) =>
        shape === 'file' ? `wc -c < '${path}'` : `test -d '${path}' && ls -A '${path}' | wc -l`;
      const command = secrets.map((entry) => `echo "${entry} $(${size(join(home, entry))})"`).join('; ');
      const result = await new BubblewrapSandbox({ projectRoot: worktree, home }).run({
        command,
        worktree,
        env: commandEnv(),
        network: false,
        tailBytes: 65_536,
      });
      expect(result.stdoutTail.split('\n').filter(Boolean), `as a ${shape}: ${result.stderrTail}`).toEqual(
        secrets.map((entry) => `${entry} 0`),
      );
    }
  });

  it('binds shared paths read-only into the worktree and removes the mount points it made, also under concurrent commands', async () => {
    const project = await place(true);
    git(project, 'init', '-q');
    await writeFiles(project, {
      'node_modules/dep/index.js': 'module.exports = 1;\n',
      'packages/a/node_modules/x.js': 'x\n',
      'vendor/lib.txt': 'lib\n',
      '.env.test': 'A=1\n',
    });
    const worktree = join(project, '.troupe', 'worktrees', 'w');
    mkdirSync(worktree, { recursive: true });
    // a symlink a command left where a shared path goes is never mounted through
    symlinkSync('/etc', join(worktree, 'vendor'));
    const sandbox = new BubblewrapSandbox({
      projectRoot: project,
      share: ['node_modules', 'packages/a/node_modules', 'vendor', '.env.test', 'missing'],
    });
    const run = (command: string) => sandbox.run({ command, worktree, env: commandEnv(), network: false });
    const [slow, fast] = await Promise.all([
      run('sleep 0.5; cat node_modules/dep/index.js packages/a/node_modules/x.js .env.test'),
      run(
        'cat node_modules/dep/index.js; { echo y > node_modules/dep/index.js; } 2>&1; test -L vendor && echo vendor stays a link',
      ),
    ]);
    expect(slow.stdoutTail).toBe('module.exports = 1;\nx\nA=1\n');
    expect(fast.stdoutTail).toMatch(/^module.exports = 1;\n.*Read-only file system\nvendor stays a link\n$/);
    for (const made of ['node_modules', 'packages', '.env.test']) expect(existsSync(join(worktree, made))).toBe(false);
    expect(readFileSync(join(project, 'node_modules/dep/index.js'), 'utf8')).toBe('module.exports = 1;\n');
  });

  it('removes its mount points only where it made them: a folder on the way a command swapped for a symlink is not followed', async () => {
    const project = await place(true);
    const victim = await place(true);
    git(project, 'init', '-q');
    await writeFiles(project, { 'front/node_modules/dep.js': 'x\n' });
    // an empty folder of the user's elsewhere, where the swapped path would lead
    mkdirSync(join(victim, 'node_modules'));
    const worktree = join(project, '.troupe', 'worktrees', 'w');
    mkdirSync(join(worktree, 'front'), { recursive: true });
    const sandbox = new BubblewrapSandbox({ projectRoot: project, share: ['front/node_modules'] });
    const result = await sandbox.run({
      command: `mv front f2 && ln -s ${victim} front`,
      worktree,
      env: commandEnv(),
      network: false,
    });
    expect(result.exitCode, result.stderrTail).toBe(0);
    expect(existsSync(join(victim, 'node_modules'))).toBe(true);
  });

  it('is what createCommandSandbox makes unless the mode is off, expanding ~/ in hide', async () => {
    const home = await place(true);
    await writeFiles(home, { 'private/key': 'secret\n' });
    const worktree = await place();
    const contained = createCommandSandbox({ mode: 'contained', projectRoot: worktree, home, hide: ['~/private'] });
    expect(contained.kind).toBe('bubblewrap');
    expect(
      (await contained.run({ command: `ls ${home}/private | wc -l`, worktree, env: commandEnv(), network: false }))
        .stdoutTail,
    ).toBe('0\n');
    expect(createCommandSandbox({ mode: 'off', projectRoot: worktree })).toBeInstanceOf(UnconfinedSandbox);
    expect(await new UnconfinedSandbox().probe()).toMatchObject({ ok: true });
  });
});

describe('spawnCommand’s gate', () => {
  it('says go on fd 4 only once the program reported its child pid on fd 3', async () => {
    const dir = await place();
    const done = await spawnCommand({
      file: 'sh',
      args: [
        '-c',
        'read -r early <&4 & sleep 0.2; kill $! 2>/dev/null && echo "no go before the pid"; echo \'{ "child-pid": 7 }\' >&3; read -r go <&4; echo "$go"',
      ],
      cwd: dir,
      env: commandEnv(),
      statusFd: true,
      gate: true,
    });
    expect(done).toMatchObject({
      exitCode: 0,
      stdoutTail: 'no go before the pid\ngo\n',
      status: '{ "child-pid": 7 }\n',
      started: true,
    });
  });
});
