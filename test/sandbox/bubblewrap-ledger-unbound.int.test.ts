import { spawn } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBubblewrap, ProcessLedger } from '../../src/sandbox/index.js';
import { isAlive, processesWith } from '../helpers/processes.js';
import { afterThisTest, contents, place, proc } from './ledger-fixture.js';

// bubblewrap's first child leaves bubblewrap's process group (--new-session) and binds its
// life to bubblewrap's only at the end of its setup. troupe killed after it said `go` and
// before that leaves a sandbox that runs the step's command with nothing tying it to troupe:
// the next process must still find and end it before it resets the worktree and runs the
// step again, or the step's effect lands twice.

const leaders = (dir: string) =>
  contents(dir).map((name) => Number.parseInt(readFileSync(join(dir, name), 'utf8'), 10));

describe('BubblewrapSandbox, the process ledger and a sandbox set up after troupe died', () => {
  it('lets the next process end a sandbox told to go on that lost troupe before it bound its life to bubblewrap', async () => {
    const tools = await place('troupe-bwrap-unbound-');
    const worktree = await place('troupe-bwrap-unbound-');
    const runDir = join(tools, 'run');
    const real = (await findBubblewrap({})).path;
    // bubblewrap's child reads a fifo the test holds open as the first step of its setup: it
    // stays there after bubblewrap let it go on (and said its pid), before it binds its life
    // to bubblewrap's — the moment in which a troupe killed under load leaves it
    const fifo = join(tools, 'setup');
    const made = spawn('mkfifo', [fifo]);
    await new Promise((resolve) => made.once('exit', resolve));
    let holder: number | null = openSync(fifo, constants.O_RDWR);
    const release = () => {
      if (holder !== null) closeSync(holder);
      holder = null;
    };
    afterThisTest(release);
    const wrapper = join(tools, 'bwrap');
    writeFileSync(
      wrapper,
      [
        '#!/bin/sh',
        'PATH=/usr/bin:/bin',
        `case "$1" in --help|--version) exec ${real} "$@";; esac`,
        `exec 7<${fifo}`,
        `exec ${real} --file 7 /.troupe-setup "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    const said = join(tools, 'go-said');
    // a "troupe" that starts a contained command and is killed with SIGKILL once it said `go`
    const script = `
      import { writeFileSync } from 'node:fs';
      import { Socket } from 'node:net';
      import { BubblewrapSandbox, ProcessLedger, commandEnv } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'src', 'sandbox', 'index.ts'))};
      // tells the test when the sandbox's \`go\` is written (no other socket of this process is ended)
      const end = Socket.prototype.end;
      Socket.prototype.end = function (chunk, ...rest) {
        if (chunk === 'go\\n') this.once('finish', () => writeFileSync(${JSON.stringify(said)}, ''));
        return end.call(this, chunk, ...rest);
      };
      const sandbox = new BubblewrapSandbox({ projectRoot: ${JSON.stringify(tools)}, home: ${JSON.stringify(tools)}, bwrap: ${JSON.stringify(wrapper)} });
      sandbox.run({ command: 'echo > started; sleep 2; echo twice >> ran', worktree: ${JSON.stringify(worktree)}, env: commandEnv(), network: false, processes: new ProcessLedger(${JSON.stringify(runDir)}) });
      setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: 'ignore',
    });
    afterThisTest(() => void owner.kill('SIGKILL'));
    afterThisTest(async () => {
      for (const pid of await processesWith(worktree)) process.kill(pid, 'SIGKILL');
    });
    await expect.poll(() => existsSync(said), { timeout: 20_000 }).toBe(true);
    const outer = leaders(runDir)[0]!;
    expect(proc(outer, 'cmdline').split('\0')[0]).toMatch(/bwrap$/);
    const inner = Number(proc(outer, `task/${outer}/children`).trim().split(' ')[0]);
    expect(inner).toBeGreaterThan(0);

    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    // bubblewrap went with troupe; its child finishes its setup and runs the command it was told to: unbound
    await expect.poll(() => isAlive(outer), { timeout: 5_000 }).toBe(false);
    release();
    await expect.poll(() => existsSync(join(worktree, 'started')), { timeout: 10_000 }).toBe(true);
    expect(await isAlive(inner)).toBe(true);

    // the next process, before it resets the worktree and runs the step again
    expect(await new ProcessLedger(runDir).reap()).toBe(1);
    expect(await isAlive(inner)).toBe(false);
    expect(contents(runDir)).toEqual([]);
    // what the command would have done after the reset never happens
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(existsSync(join(worktree, 'ran'))).toBe(false);
  }, 60_000);
});
