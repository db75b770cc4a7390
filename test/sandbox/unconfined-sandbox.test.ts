import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UnconfinedSandbox, commandEnv, type CommandRequest } from '../../src/sandbox/index.js';
import { eventually, isAlive, tempSandbox } from '../tools/helpers.js';

// the sandbox of "sandbox": {"mode": "off"}: commands run as the user, in a process group of their own
const unconfined = new UnconfinedSandbox();
type Request = Omit<CommandRequest, 'worktree' | 'env' | 'network'> & { cwd: string; env?: Record<string, string> };
const runCommand = ({ cwd, env, ...request }: Request) =>
  unconfined.run({ ...request, worktree: cwd, env: env ?? commandEnv(), network: true });

let sandbox: { root: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  sandbox = await tempSandbox();
});
afterEach(() => sandbox.cleanup());

async function pidFrom(file: string): Promise<number> {
  let text = '';
  await eventually(async () => {
    text = await readFile(file, 'utf8').catch(() => '');
    return text.trim() !== '';
  });
  return Number(text.trim());
}

describe('UnconfinedSandbox', () => {
  it('runs sh -c in the working directory and keeps both outputs', async () => {
    const result = await runCommand({ command: 'pwd; echo oops >&2; exit 3', cwd: sandbox.root });
    expect(result).toMatchObject({
      exitCode: 3,
      signal: null,
      timedOut: false,
      cancelled: false,
      stdoutTail: `${sandbox.root}\n`,
      stderrTail: 'oops\n',
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps only the end of large output', async () => {
    const result = await runCommand({
      command: 'i=0; while [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done; echo END',
      cwd: sandbox.root,
      tailBytes: 64,
    });
    expect(result.exitCode).toBe(0);
    expect(Buffer.byteLength(result.stdoutTail)).toBeLessThanOrEqual(64);
    expect(result.stdoutTail.endsWith('line 19999\nEND\n')).toBe(true);
  });

  it('does not start a tail in the middle of a UTF-8 character', async () => {
    const result = await runCommand({ command: "printf 'ééééé'", cwd: sandbox.root, tailBytes: 5 });
    expect(result.stdoutTail).toBe('éé');
  });

  it('captures the whole output up to outputBytes per stream, the end past it, with what was cut', async () => {
    const result = await runCommand({
      command: "printf 'abc'; seq 1 1000 >&2; printf 'éé' >&2",
      cwd: sandbox.root,
      tailBytes: 8,
      outputBytes: 100,
    });
    expect(result.stdoutTail).toBe('abc');
    expect(result.output?.stdout).toEqual({ text: 'abc', bytes: 3, cut: 0 });
    const stderr = result.output!.stderr;
    expect(stderr.bytes).toBe(3893 + 4);
    expect(stderr.text.endsWith('999\n1000\néé')).toBe(true);
    expect(Buffer.byteLength(stderr.text)).toBeLessThanOrEqual(100);
    expect(stderr.cut).toBe(stderr.bytes - Buffer.byteLength(stderr.text));
    // without outputBytes, only the tails
    expect((await runCommand({ command: 'echo hi', cwd: sandbox.root })).output).toBeUndefined();
  });

  it('says in the captured stderr why a command could not start', async () => {
    const result = await runCommand({ command: 'true', cwd: join(sandbox.root, 'gone'), outputBytes: 1024 });
    expect(result.exitCode).toBe(127);
    expect(result.output?.stderr.text).toContain('could not start the command: working directory');
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const pidfile = join(sandbox.root, 'pid');
    const result = await runCommand({
      command: `sleep 30 & echo $! > ${pidfile}; wait`,
      cwd: sandbox.root,
      timeoutMs: 300,
    });
    expect(result).toMatchObject({ exitCode: null, timedOut: true, cancelled: false });
    expect(result.durationMs).toBeLessThan(10_000);
    const grandchild = await pidFrom(pidfile);
    expect(await eventually(async () => !(await isAlive(grandchild)))).toBe(true);
  });

  it('follows SIGTERM with SIGKILL when the command ignores it', async () => {
    const pidfile = join(sandbox.root, 'pid');
    const result = await runCommand({
      command: `trap '' TERM; sleep 30 & echo $! > ${pidfile}; wait; wait`,
      cwd: sandbox.root,
      timeoutMs: 200,
      killGraceMs: 200,
    });
    expect(result).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    expect(await eventually(async () => !(await isAlive(await pidFrom(pidfile))))).toBe(true);
  });

  it('stops the group when the signal aborts', async () => {
    const controller = new AbortController();
    const pidfile = join(sandbox.root, 'pid');
    const running = runCommand({
      command: `sleep 30 & echo $! > ${pidfile}; wait`,
      cwd: sandbox.root,
      signal: controller.signal,
    });
    const grandchild = await pidFrom(pidfile);
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ exitCode: null, cancelled: true, timedOut: false });
    expect(await eventually(async () => !(await isAlive(grandchild)))).toBe(true);
  });

  it('does not start when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await runCommand({
      command: `touch ${join(sandbox.root, 'ran')}`,
      cwd: sandbox.root,
      signal: controller.signal,
    });
    expect(result.cancelled).toBe(true);
    expect(await readFile(join(sandbox.root, 'ran')).catch(() => null)).toBeNull();
  });

  it('kills background processes left behind when the command exits', async () => {
    const pidfile = join(sandbox.root, 'pid');
    const result = await runCommand({ command: `sleep 30 > /dev/null 2>&1 & echo $! > ${pidfile}`, cwd: sandbox.root });
    expect(result.exitCode).toBe(0);
    expect(await eventually(async () => !(await isAlive(await pidFrom(pidfile))))).toBe(true);
  });

  it('resolves with exit code 127 when the command cannot start', async () => {
    const missing = await runCommand({ command: 'true', cwd: join(sandbox.root, 'missing') });
    expect(missing).toMatchObject({ exitCode: 127, stderrTail: expect.stringContaining('is not accessible') });
    const nul = await runCommand({ command: 'echo a\u0000b', cwd: sandbox.root });
    expect(nul).toMatchObject({ exitCode: 127, stderrTail: expect.stringContaining('could not start') });
  });

  it('resolves with exit code 127 when no shell is found on the PATH the command is given', async () => {
    const result = await runCommand({
      command: 'true',
      cwd: sandbox.root,
      env: { PATH: join(sandbox.root, 'no-bin') },
    });
    expect(result).toMatchObject({ exitCode: 127, signal: null, timedOut: false, cancelled: false });
    expect(result.stderrTail).toContain('troupe: could not start the command: spawn sh ENOENT');
  });

  it('does not wait for a process that left the group and holds the output open', async () => {
    const pidfile = join(sandbox.root, 'pid');
    // setsid puts the sleep in a session of its own: the group kill misses it, and it keeps stdout open
    const command = `setsid sh -c 'echo $$ > ${pidfile}; exec sleep 5' & until [ -s ${pidfile} ]; do sleep 0.05; done; echo done`;
    const result = await runCommand({ command, cwd: sandbox.root });
    const stray = await pidFrom(pidfile);
    try {
      expect(result).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false, stdoutTail: 'done\n' });
      expect(result.durationMs).toBeLessThan(4_000);
      expect(await isAlive(stray)).toBe(true);
    } finally {
      process.kill(stray, 'SIGKILL');
    }
  });

  it("does not pass troupe's environment to the command", async () => {
    process.env['TROUPE_TEST_SECRET'] = 'hunter2';
    try {
      const result = await runCommand({ command: 'env', cwd: sandbox.root });
      expect(result.stdoutTail).not.toContain('hunter2');
      expect(result.stdoutTail).toContain('PATH=');
    } finally {
      delete process.env['TROUPE_TEST_SECRET'];
    }
  });
});

describe('UnconfinedSandbox and its ledger', () => {
  it('does not run a command it cannot record, answering 127 as a shell would', async () => {
    const processes = {
      prepare: () => {
        throw new Error('the ledger folder is not writable');
      },
      started: () => {},
      release: () => {},
    };
    const result = await unconfined.run({
      command: `touch ${join(sandbox.root, 'ran')}`,
      worktree: sandbox.root,
      env: commandEnv(),
      network: true,
      processes,
    });
    expect(result).toMatchObject({
      exitCode: 127,
      stderrTail: expect.stringContaining('cannot record it (the ledger folder is not writable)'),
    });
    expect(await readFile(join(sandbox.root, 'ran')).catch(() => null)).toBeNull();
  });
});

describe('commandEnv', () => {
  it('keeps only the allowlisted variables, then adds the plan env', () => {
    const source = {
      PATH: '/bin',
      HOME: '/home/me',
      LANG: 'C.UTF-8',
      AWS_SECRET_ACCESS_KEY: 'x',
      GITHUB_TOKEN: 'y',
      TZ: undefined,
    };
    expect(commandEnv({ NODE_ENV: 'test', HOME: '/sandbox-home' }, source)).toEqual({
      PATH: '/bin',
      HOME: '/sandbox-home',
      LANG: 'C.UTF-8',
      NODE_ENV: 'test',
    });
  });

  it('reads the process environment by default', async () => {
    process.env['TROUPE_TEST_SECRET'] = 'hunter2';
    try {
      const env = commandEnv({ FOO: 'bar' });
      expect(env['TROUPE_TEST_SECRET']).toBeUndefined();
      expect(env['FOO']).toBe('bar');
      expect(env['PATH']).toBe(process.env['PATH']);
      const result = await runCommand({ command: 'echo "$FOO:$TROUPE_TEST_SECRET"', cwd: sandbox.root, env });
      expect(result.stdoutTail).toBe('bar:\n');
    } finally {
      delete process.env['TROUPE_TEST_SECRET'];
    }
  });
});
