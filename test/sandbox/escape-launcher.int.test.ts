import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { Level } from 'level';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, HostServer, hostSocketPath } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { BubblewrapSandbox, commandEnv, findLauncher } from '../../src/sandbox/index.js';
import { git, visibleTempDir, writeFiles } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// The escape suite, second part (issue 33): what reached the host through
// the sandbox's own start-up — the plan's environment given to bubblewrap
// itself (LD_PRELOAD, LD_DEBUG_OUTPUT), the descriptors troupe holds open
// (LevelDB's files, inherited pipes), another project's host socket. Each
// attempt is made as a plan would make it, on real bubblewrap; the places it
// aimed at live outside /tmp, so only the sandbox's policy keeps them safe.

const cleanups: (() => Promise<void> | void)[] = [];
let outside: string;
let worktree: string;
let db: Level<string, string>;
let dbDir: string;

beforeAll(async () => {
  const outsideDir = await visibleTempDir('troupe-launcher-outside-');
  const worktreeDir = await visibleTempDir('troupe-launcher-worktree-');
  cleanups.push(outsideDir.cleanup, worktreeDir.cleanup);
  outside = outsideDir.dir;
  worktree = worktreeDir.dir;
  // a LevelDB open in this process, as troupe's store is while it runs commands: its files are
  // opened without close-on-exec, so every program started from here inherits them
  dbDir = join(outside, 'store');
  db = new Level(dbDir);
  await db.open();
  await db.put('plan', 'kept');
  cleanups.push(() => db.close());
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const run = (sandbox: BubblewrapSandbox, command: string, env: Record<string, string> = {}) =>
  sandbox.run({ command, worktree, env: commandEnv(env), network: false, timeoutMs: 30_000 });

const sandboxOf = (options: { preferPosix?: boolean } = {}) =>
  new BubblewrapSandbox({ projectRoot: outside, home: outside, launcher: findLauncher(options) });

describe('nothing of the plan reaches the program that builds the sandbox', () => {
  it('LD_PRELOAD of a library an earlier step built loads only inside the sandbox: its constructor cannot write on the host', async () => {
    const mark = join(outside, 'preloaded-on-host');
    const source = join(worktree, 'evil.c');
    // what a plan's step would write and compile in its worktree
    writeFileSync(
      source,
      `#include <fcntl.h>\n#include <unistd.h>\n__attribute__((constructor)) static void evil(void) { int fd = open("${mark}", O_WRONLY | O_CREAT, 0644); if (fd >= 0) { write(fd, "x", 1); close(fd); } }\n`,
    );
    const built = spawnSync('cc', ['-shared', '-fPIC', '-o', join(worktree, 'evil.so'), source], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const result = await run(sandboxOf(), 'echo "preload=$LD_PRELOAD"; touch inside.txt', {
      LD_PRELOAD: join(worktree, 'evil.so'),
    });
    expect(result.exitCode, result.stderrTail).toBe(0);
    // the command itself had it (the project allowed it), and ran
    expect(result.stdoutTail).toContain(`preload=${join(worktree, 'evil.so')}`);
    expect(existsSync(join(worktree, 'inside.txt'))).toBe(true);
    // bubblewrap ran on the host without it: nothing was written there
    expect(existsSync(mark)).toBe(false);
    // named relative to the worktree, as a plan file would: bubblewrap starts in /, not in the worktree
    const relative = await run(sandboxOf(), 'pwd', { LD_PRELOAD: './evil.so' });
    expect(relative.stdoutTail.trim()).toBe(worktree);
    expect(existsSync(mark)).toBe(false);
  });

  it('LD_DEBUG_OUTPUT creates no file on the host', async () => {
    const target = join(outside, 'debug-out');
    const result = await run(sandboxOf(), 'echo "debug=$LD_DEBUG"', { LD_DEBUG: 'files', LD_DEBUG_OUTPUT: target });
    expect(result.exitCode, result.stderrTail).toBe(0);
    expect(result.stdoutTail).toContain('debug=files');
    expect(readdirSync(outside).filter((name) => name.startsWith('debug-out'))).toEqual([]);
  });
});

describe('only stdin, stdout and stderr enter a command', () => {
  // the descriptors the shell holds, by number, each with what it points at (the listing's
  // own descriptor is gone again once the glob is expanded: the test skips it)
  const listing = 'for f in /proc/self/fd/*; do [ -e "$f" ] || continue; n=${f##*/}; echo "$n $(readlink "$f")"; done';

  it('a command finds exactly 0, 1 and 2 open, though this process holds LevelDB files open', async () => {
    const result = await run(sandboxOf(), listing);
    expect(result.exitCode, result.stderrTail).toBe(0);
    const numbers = result.stdoutTail
      .trim()
      .split('\n')
      .map((line) => line.split(' ')[0]);
    expect(numbers).toEqual(['0', '1', '2']);
  });

  it('writing through every descriptor it can find leaves the store intact', async () => {
    const result = await run(
      sandboxOf(),
      'for f in /proc/self/fd/*; do [ -e "$f" ] || continue; n=${f##*/}; case $n in 0|1|2) ;; *) head -c 4096 /dev/urandom > "$f" 2>/dev/null && echo "wrote $n";; esac; done; true',
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdoutTail).not.toContain('wrote');
    await db.close();
    await db.open();
    expect(await db.get('plan')).toBe('kept');
  });

  it('without bash inside, what sh cannot close is /dev/null, and writing through it harms nothing', async () => {
    const posix = sandboxOf({ preferPosix: true });
    const result = await run(posix, listing);
    expect(result.exitCode, result.stderrTail).toBe(0);
    const others = result.stdoutTail
      .trim()
      .split('\n')
      .filter((line) => !/^[012] /.test(line));
    for (const line of others) expect(line).toMatch(/^\d+ \/dev\/null$/);
    await run(posix, 'for f in /proc/self/fd/*; do head -c 4096 /dev/urandom > "$f" 2>/dev/null; done; true');
    await db.close();
    await db.open();
    expect(await db.get('plan')).toBe('kept');
  });
});

describe('a plan file cannot set loader variables unless the project allows them', () => {
  let project: string;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    const made = await visibleTempDir('troupe-launcher-project-');
    cleanups.push(made.cleanup);
    project = made.dir;
    git(project, 'init', '-q', '-b', 'main');
    await writeFiles(project, { 'README.md': '# loader\n' });
    git(project, 'add', '-A');
    git(project, 'commit', '-q', '-m', 'init');
  });

  it('LD_PRELOAD, LD_AUDIT, GCONV_PATH and MALLOC_* in env: VALIDATION_ERROR naming each key; nothing is created', async () => {
    runtime = await createRuntime({ dir: project, report: () => {}, warn: () => {} });
    try {
      const file = planYaml({
        name: 'loader/refused',
        env: { LD_PRELOAD: './evil.so', LD_AUDIT: 'x', GCONV_PATH: '/x', MALLOC_TRACE: '/x', NODE_ENV: 'test' },
      });
      const error = await runtime.createPlan(file).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
      const fields = (error as { details: { issues: { path: string; message: string }[] } }).details.issues
        .map((issue) => issue.path)
        .sort();
      expect(fields).toEqual(['env.GCONV_PATH', 'env.LD_AUDIT', 'env.LD_PRELOAD', 'env.MALLOC_TRACE']);
      expect((error as Error).message).toContain('allowLoaderEnv');
      expect(await runtime.listPlans({})).toEqual([]);
    } finally {
      await runtime.close();
    }
  });

  it('with sandbox.allowLoaderEnv the plan runs, and the variable reaches the command inside only', async () => {
    writeFileSync(join(project, '.troupe', 'config.json'), JSON.stringify({ sandbox: { allowLoaderEnv: true } }));
    runtime = await createRuntime({ dir: project, report: () => {}, warn: () => {} });
    try {
      const plan = await runtime.createPlan(
        planYaml({
          name: 'loader/allowed',
          env: { LD_DEBUG: 'files', LD_DEBUG_OUTPUT: join(outside, 'plan-debug') },
          strategy: { steps: [step('Echo', 'shell/run', { command: 'echo "$LD_DEBUG" > seen.txt' })] },
        }),
      );
      const record = await runtime.run(plan.id, { until: 'execute' });
      expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'execute', status: 'complete' });
      expect(readFileSync(join(project, '.troupe', 'worktrees', plan.id, 'seen.txt'), 'utf8')).toBe('files\n');
      expect(readdirSync(outside).filter((name) => name.startsWith('plan-debug'))).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});

describe('no troupe host socket is reachable from a sandbox', () => {
  it('another project’s host, listening, cannot be found or connected to from a plan’s command', async () => {
    // a runtime directory outside /tmp and /run: what hides it is the sandbox's policy, not the private /tmp
    const runtimeDir = await visibleTempDir('troupe-launcher-run-');
    cleanups.push(runtimeDir.cleanup);
    const before = process.env.XDG_RUNTIME_DIR;
    process.env.XDG_RUNTIME_DIR = runtimeDir.dir;
    cleanups.push(() => {
      if (before === undefined) delete process.env.XDG_RUNTIME_DIR;
      else process.env.XDG_RUNTIME_DIR = before;
    });
    const projects = await Promise.all([visibleTempDir('troupe-launcher-a-'), visibleTempDir('troupe-launcher-b-')]);
    for (const made of projects) {
      cleanups.push(made.cleanup);
      git(made.dir, 'init', '-q', '-b', 'main');
      await writeFiles(made.dir, { 'README.md': '# p\n' });
      git(made.dir, 'add', '-A');
      git(made.dir, 'commit', '-q', '-m', 'init');
    }
    const [a, b] = projects.map((made) => made.dir) as [string, string];
    const other = await createRuntime({ dir: b, report: () => {}, warn: () => {} });
    const host = await HostServer.listen(other, hostSocketPath(b));
    const mine = await createRuntime({ dir: a, report: () => {}, warn: () => {} });
    try {
      const socket = hostSocketPath(b);
      expect(socket.startsWith(runtimeDir.dir)).toBe(true);
      // the socket answers on the host
      await new Promise<void>((resolve, reject) =>
        connect(socket)
          .once('connect', function (this: ReturnType<typeof connect>) {
            this.destroy();
            resolve();
          })
          .once('error', reject),
      );
      const probe = `node -e 'const s=require("net").connect(${JSON.stringify(socket)});s.on("connect",()=>{console.log("CONNECTED");process.exit(0)});s.on("error",e=>{console.log(e.code);process.exit(0)})' > seen.txt; ls -A ${JSON.stringify(dirname(socket))} >> seen.txt 2>&1; true`;
      const plan = await mine.createPlan(
        planYaml({
          name: 'socket/try',
          strategy: { steps: [step('Reach the other host', 'shell/run', { command: probe })] },
        }),
      );
      const record = await mine.run(plan.id, { until: 'execute' });
      expect(record, JSON.stringify(record.error)).toMatchObject({ phase: 'execute', status: 'complete' });
      const seen = readFileSync(join(a, '.troupe', 'worktrees', plan.id, 'seen.txt'), 'utf8');
      expect(seen).not.toContain('CONNECTED');
      expect(seen.split('\n')[0]).toBe('ENOENT');
      // the folder of the sockets is there, and empty, inside
      expect(seen.split('\n').slice(1).join('').trim()).toBe('');
      // and the other project's plans are untouched
      expect(await other.listPlans({})).toEqual([]);
    } finally {
      await mine.close();
      await host.close();
      await other.close();
    }
  });
});
