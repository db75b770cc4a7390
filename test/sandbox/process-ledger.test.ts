import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessLedger, UnconfinedSandbox, commandEnv } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/temp.js';
import { isAlive } from '../helpers/processes.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function temp() {
  const made = await tempDir();
  cleanups.push(made.cleanup);
  return made.dir;
}

// the ledger matters where commands run unconfined ("sandbox": {"mode": "off"}):
// a contained command dies with troupe (bubblewrap's --die-with-parent)
const runCommand = ({
  cwd,
  ...request
}: {
  command: string;
  cwd: string;
  processes: Pick<ProcessLedger, 'prepare' | 'started' | 'release'>;
}) => new UnconfinedSandbox().run({ ...request, worktree: cwd, env: commandEnv(), network: true });

describe('ProcessLedger', () => {
  it('has the command’s own shell record its process group while it runs, and forgets it when it ends', async () => {
    const dir = await temp();
    const ledger = new ProcessLedger(join(dir, 'run'));
    const running = runCommand({ command: 'echo "$TROUPE_COMMAND" > token; sleep 0.3', cwd: dir, processes: ledger });
    await expect.poll(() => existsSync(join(dir, 'token'))).toBe(true);
    const [file] = readdirSync(join(dir, 'run'));
    const pgid = Number(readFileSync(join(dir, 'run', file!), 'utf8'));
    expect(await isAlive(pgid)).toBe(true);
    // the record is named after the token the command sees in its environment
    expect(file).toBe(`${readFileSync(join(dir, 'token'), 'utf8').trim()}.pid`);
    expect((await running).exitCode).toBe(0);
    expect(readdirSync(join(dir, 'run'))).toEqual([]);
  });

  it('does not run a command it cannot record', async () => {
    const dir = await temp();
    writeFileSync(join(dir, 'run'), 'a file where the ledger directory should be');
    const ledger = { prepare: () => ({ file: join(dir, 'run', 'x.pid'), token: 'x' }), started() {}, release() {} };
    const result = await runCommand({ command: 'touch ran', cwd: dir, processes: ledger });
    expect(result.exitCode).toBe(126);
    expect(result.stderrTail).toContain('troupe: cannot record the command');
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('kills the commands a dead process left running, children included', async () => {
    const dir = await temp();
    const runDir = join(dir, 'run');
    // a "troupe" that starts a command and is then killed with SIGKILL
    const script = `
      import { ProcessLedger, UnconfinedSandbox, commandEnv } from ${JSON.stringify(join(import.meta.dirname, '..', '..', 'src', 'sandbox', 'index.ts'))};
      new UnconfinedSandbox().run({ command: 'sleep 30 & echo $! > ${dir}/child; wait', worktree: ${JSON.stringify(dir)}, env: commandEnv(), network: true, processes: new ProcessLedger(${JSON.stringify(runDir)}) });
      setInterval(() => {}, 1000);`;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: 'ignore',
    });
    await expect
      .poll(() => existsSync(join(dir, 'child')) && readFileSync(join(dir, 'child'), 'utf8').trim() !== '', {
        timeout: 15_000,
      })
      .toBe(true);
    const child = Number(readFileSync(join(dir, 'child'), 'utf8'));
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    expect(await isAlive(child)).toBe(true);

    expect(await new ProcessLedger(runDir).reap()).toBe(1);
    expect(await isAlive(child)).toBe(false);
    expect(readdirSync(runDir)).toEqual([]);
  });

  it('leaves alone a process that is not the recorded command (its pid was reused)', async () => {
    const dir = await temp();
    const runDir = join(dir, 'run');
    mkdirSync(runDir);
    const stranger = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    cleanups.push(async () => void stranger.kill('SIGKILL'));
    writeFileSync(join(runDir, 'token-of-a-command-that-ended.pid'), String(stranger.pid));
    expect(await new ProcessLedger(runDir).reap()).toBe(0);
    expect(await isAlive(stranger.pid!)).toBe(true);
    expect(readdirSync(runDir)).toEqual([]);
  });

  it('kills what is left of a command whose shell already ended, and skips a record whose group is gone', async () => {
    const dir = await temp();
    const runDir = join(dir, 'run');
    mkdirSync(runDir);
    // a command's shell that started a background job and exited while no troupe was watching
    const leader = spawn('sh', ['-c', `sleep 30 & echo $! > ${join(dir, 'child')}`], {
      detached: true,
      stdio: 'ignore',
    });
    await new Promise((resolve) => leader.once('exit', resolve));
    const child = Number(readFileSync(join(dir, 'child'), 'utf8'));
    cleanups.push(async () => void ((await isAlive(child)) && process.kill(child, 'SIGKILL')));
    expect(await isAlive(leader.pid!)).toBe(false);
    expect(await isAlive(child)).toBe(true);
    writeFileSync(join(runDir, 'left-running.pid'), String(leader.pid));
    // a group that ended whole: the pid of a process that ran and was reaped
    const gone = spawn('true', { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(runDir, 'ended.pid'), String(gone.pid));

    expect(await new ProcessLedger(runDir).reap()).toBe(1);
    expect(await isAlive(child)).toBe(false);
    expect(readdirSync(runDir)).toEqual([]);
  });

  it('knows its group by the others’ token while the leader is a zombie nobody reaped, and leaves a stranger’s alone', async () => {
    const dir = await temp();
    const runDir = join(dir, 'run');
    mkdirSync(runDir);
    // a leader that started a job and exited, under a parent that never waits for it (it became `sleep`)
    const zombieGroup = async (token: string) => {
      const marks = join(dir, token);
      const parent = spawn(
        'sh',
        ['-c', `setsid sh -c 'sleep 30 & echo $$ $! > ${marks}.tmp; mv ${marks}.tmp ${marks}; exit 0' & exec sleep 30`],
        {
          env: { ...process.env, TROUPE_COMMAND: token },
          stdio: 'ignore',
        },
      );
      cleanups.push(async () => void parent.kill('SIGKILL'));
      await expect.poll(() => existsSync(marks), { timeout: 10_000 }).toBe(true);
      const [leader, member] = readFileSync(marks, 'utf8').trim().split(' ').map(Number) as [number, number];
      cleanups.push(async () => void ((await isAlive(member)) && process.kill(member, 'SIGKILL')));
      await expect
        .poll(() => readFileSync(`/proc/${leader}/stat`, 'utf8').split(') ')[1]![0], { timeout: 10_000 })
        .toBe('Z');
      return { leader, member };
    };
    const ours = await zombieGroup('ours');
    writeFileSync(join(runDir, 'ours.pid'), String(ours.leader));
    const theirs = await zombieGroup('theirs');
    writeFileSync(join(runDir, 'recorded-before-its-pid-was-reused.pid'), String(theirs.leader));

    expect(await new ProcessLedger(runDir).reap()).toBe(1);
    expect(await isAlive(ours.member)).toBe(false);
    expect(await isAlive(theirs.member)).toBe(true);
    expect(readdirSync(runDir)).toEqual([]);
  });

  it('leaves a lasting command (a service) to its owner, until another process reaps', async () => {
    const dir = await temp();
    const runDir = join(dir, 'run');
    const ledger = new ProcessLedger(runDir);
    const lasting = {
      prepare: () => ledger.prepare({ lasting: true }),
      started: ledger.started.bind(ledger),
      release: ledger.release.bind(ledger),
    };
    const service = new UnconfinedSandbox().run({
      command: 'echo "$$" > pid; exec sleep 30',
      worktree: dir,
      env: commandEnv(),
      network: true,
      processes: lasting,
    });
    await expect
      .poll(() => existsSync(join(dir, 'pid')) && readFileSync(join(dir, 'pid'), 'utf8').trim() !== '', {
        timeout: 10_000,
      })
      .toBe(true);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    // a step's reap in the process that runs it
    expect(await ledger.reap()).toBe(0);
    expect(await isAlive(pid)).toBe(true);
    // the next process's, once this one died
    expect(await new ProcessLedger(runDir).reap()).toBe(1);
    expect(await isAlive(pid)).toBe(false);
    expect((await service).signal).toBe('SIGKILL');
  });

  it('has nothing to do when nothing was left', async () => {
    const dir = await temp();
    expect(await new ProcessLedger(join(dir, 'none')).reap()).toBe(0);
  });
});
