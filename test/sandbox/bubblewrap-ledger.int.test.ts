import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BubblewrapSandbox,
  commandEnv,
  findBubblewrap,
  ProcessLedger,
  type CommandRequest,
} from '../../src/sandbox/index.js';
import { isAlive, processesWith } from '../helpers/processes.js';
import { afterThisTest, contents, place, proc } from './ledger-fixture.js';

// A contained command is recorded in the plan's process ledger as an
// unconfined one is: bubblewrap dies with troupe, but a sandbox whose setup
// troupe's death interrupted does not. Its first process waits for
// bubblewrap's word that its namespaces are ready (a read of an eventfd,
// which no death ends), and would wait for ever.

const recorded = (dir: string) =>
  contents(dir).map((name) => ({
    token: name.slice(0, -'.pid'.length),
    // the leader's line first; the sandbox's first process may follow it
    pid: Number.parseInt(readFileSync(join(dir, name), 'utf8'), 10),
  }));

const heldFiles = (pid: number) =>
  (existsSync(`/proc/${pid}/fd`) ? readdirSync(`/proc/${pid}/fd`) : []).map((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });

describe('BubblewrapSandbox and the process ledger', () => {
  it('records bubblewrap while the command runs, with the token in its environment, and forgets it after', async () => {
    const dir = await place();
    const runDir = join(dir, 'run');
    const sandbox = new BubblewrapSandbox({ projectRoot: dir, home: dir });
    const running = sandbox.run({
      command: 'sleep 1',
      worktree: dir,
      env: commandEnv(),
      network: false,
      timeoutMs: 30_000,
      processes: new ProcessLedger(runDir),
    });
    await expect.poll(() => recorded(runDir).filter(({ pid }) => pid > 0).length, { timeout: 10_000 }).toBe(1);
    const { token, pid } = recorded(runDir)[0]!;
    // the group's leader is bubblewrap itself (spawned detached), with nothing of the plan in its environment
    expect(proc(pid, 'cmdline').split('\0')[0]).toMatch(/bwrap$/);
    expect(proc(pid, 'environ').split('\0').filter(Boolean)).toEqual([`TROUPE_COMMAND=${token}`]);
    expect((await running).exitCode).toBe(0);
    expect(contents(runDir)).toEqual([]);
  });

  it('does not run a command it cannot record', async () => {
    const dir = await place();
    const sandbox = new BubblewrapSandbox({ projectRoot: dir, home: dir });
    const run = (processes: CommandRequest['processes']) =>
      sandbox.run({
        command: 'touch ran',
        worktree: dir,
        env: commandEnv(),
        network: false,
        timeoutMs: 30_000,
        processes,
      });
    const refused = await run({
      prepare: () => {
        throw new Error('the ledger folder is not writable');
      },
      started: () => {},
      release: () => {},
    });
    expect(refused).toMatchObject({
      exitCode: 127,
      stderrTail: expect.stringContaining('cannot record it (the ledger folder is not writable)'),
    });
    // the record cannot be written once bubblewrap exists: it is killed before the command runs
    const unwritable = await run({
      prepare: () => ({ file: join(dir, 'missing', 'x.pid'), token: 'x' }),
      started: (record) => writeFileSync(record.file, '1'),
      release: () => {},
    });
    expect(unwritable).toMatchObject({
      exitCode: 127,
      stderrTail: expect.stringMatching(/could not start the command: .*ENOENT/),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('lets the next process end a sandbox whose setup was cut short by troupe’s death', async () => {
    const dir = await place();
    const runDir = join(dir, 'run');
    const real = (await findBubblewrap({})).path;
    // bubblewrap's status goes to a fifo nobody reads, filled first: bubblewrap blocks writing the
    // child's pid, after binding its life to troupe's and before letting its child go on
    const fifo = join(dir, 'status');
    const made = spawn('mkfifo', [fifo]);
    await new Promise((resolve) => made.once('exit', resolve));
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    afterThisTest(() => closeSync(reader));
    const wrapper = join(dir, 'bwrap');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        'PATH=/usr/bin:/bin',
        `case "$1" in --help|--version) exec ${real} "$@";; esac`,
        `exec 3>${fifo}`,
        'dd if=/dev/zero of=/dev/fd/3 bs=4096 count=1024 oflag=nonblock 2>/dev/null',
        `exec ${real} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    // a "troupe" that starts a contained command and is killed with SIGKILL
    const script = `
      import { Level } from 'level';
      import { BubblewrapSandbox, ProcessLedger, commandEnv } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'src', 'sandbox', 'index.ts'))};
      // troupe's store is open while it runs commands
      const store = new Level(${JSON.stringify(join(dir, 'store'))});
      await store.open();
      await store.put('plan', 'kept');
      const sandbox = new BubblewrapSandbox({ projectRoot: ${JSON.stringify(dir)}, home: ${JSON.stringify(dir)}, bwrap: ${JSON.stringify(wrapper)} });
      sandbox.run({ command: 'true', worktree: ${JSON.stringify(dir)}, env: commandEnv(), network: false, processes: new ProcessLedger(${JSON.stringify(runDir)}) });
      setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: 'ignore',
    });
    afterThisTest(() => void owner.kill('SIGKILL'));
    // whatever this test fails on, no stuck sandbox outlives it
    afterThisTest(async () => {
      for (const pid of await processesWith(dir)) process.kill(pid, 'SIGKILL');
    });
    await expect.poll(() => recorded(runDir).filter(({ pid }) => pid > 0).length, { timeout: 15_000 }).toBe(1);
    const outer = recorded(runDir)[0]!.pid;
    // bubblewrap has made its child and is stuck writing to the full fifo
    await expect
      .poll(() => proc(outer, 'task/' + outer + '/children').trim() !== '' && /pipe_write/.test(proc(outer, 'wchan')), {
        timeout: 15_000,
      })
      .toBe(true);
    const inner = Number(proc(outer, `task/${outer}/children`).trim().split(' ')[0]);
    // neither holds the store's files, which troupe holds without close-on-exec
    for (const pid of [outer, inner])
      expect(heldFiles(pid).filter((path) => path.startsWith(join(dir, 'store')))).toEqual([]);
    expect(heldFiles(outer)).toContain('/dev/null');

    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    // bubblewrap went with troupe; its child, never told to go on, did not
    await expect.poll(() => isAlive(outer), { timeout: 5_000 }).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await isAlive(inner)).toBe(true);

    expect(await new ProcessLedger(runDir).reap()).toBe(1);
    expect(await isAlive(inner)).toBe(false);
    expect(contents(runDir)).toEqual([]);
  });
});
