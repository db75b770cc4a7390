import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, type CliProcess } from '../../src/cli/process-entry.js';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

// `troupe` as a process: argv, signals, stdout/stderr and the exit code, with a
// fake `process` (signals are emitted on it; stdout can fail like a closed pipe)

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

class FakeStdout extends EventEmitter {
  text = '';
  drained = false;
  /** Called with each write, as it happens: a test acts at an exact point of the output. */
  onWrite: (text: string) => void = () => {};
  constructor(readonly isTTY: boolean) {
    super();
  }
  write(text: string, done?: () => void): boolean {
    this.text += text;
    this.onWrite(text);
    // a pipe calls back once what was written is flushed
    if (done) setImmediate(() => ((this.drained = true), done()));
    return true;
  }
}

function fakeProcess(cwd: string, argv: string[], options: { isTTY?: boolean } = {}) {
  const signals = new EventEmitter();
  const stdout = new FakeStdout(options.isTTY ?? false);
  let stderr = '';
  const exits: number[] = [];
  let exited!: (code: number) => void;
  const firstExit = new Promise<number>((resolve) => (exited = resolve));
  const proc: CliProcess = {
    argv: ['/usr/bin/node', '/usr/lib/troupe/bin/troupe.js', ...argv],
    env: {},
    cwd: () => cwd,
    on: (signal, listener) => signals.on(signal, listener),
    stdout,
    stderr: { write: (text) => ((stderr += text), true) },
    exit: (code) => {
      exits.push(code);
      exited(code);
    },
  };
  return { proc, signals, stdout, stderr: () => stderr, exits, firstExit };
}

async function project() {
  const repo = await tempRepo();
  cleanups.push(repo.cleanup);
  expect((await runCli(repo.dir, ['plan', 'new', '--name', 'demo/x', '--goal', 'Change the project'])).code).toBe(0);
  return repo.dir;
}

const version = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('the troupe process', () => {
  it('runs the command after node and the script, and exits with its code once stdout is drained', async () => {
    const fake = fakeProcess('/', ['--version']);
    await runCliProcess(fake.proc);
    expect(await fake.firstExit).toBe(0);
    expect(fake.stdout.text).toBe(`${version}\n`);
    expect(fake.stdout.drained).toBe(true);
  });

  it('prints errors on stderr and exits with the error’s code', async () => {
    const dir = await project();
    const fake = fakeProcess(dir, ['plan', 'status', 'demo/nope']);
    await runCliProcess(fake.proc);
    expect(await fake.firstExit).toBe(4);
    expect(fake.stderr()).toMatch(
      /^error\[NOT_FOUND\]: no plan matches "demo\/nope" in \/\S+\nhint: troupe plan list --all shows the plans\n$/,
    );
    expect(fake.stdout.text).toBe('');
  });

  it('runs in the process’s directory and colours its output only when stdout is a terminal', async () => {
    const dir = await project();
    const plain = fakeProcess(dir, ['plan', 'status', 'demo/x']);
    await runCliProcess(plain.proc);
    expect(await plain.firstExit).toBe(0);
    expect(plain.stdout.text).toContain('demo/x');
    expect(plain.stdout.text).not.toContain('\u001b[');
    const coloured = fakeProcess(dir, ['plan', 'status', 'demo/x'], { isTTY: true });
    await runCliProcess(coloured.proc);
    expect(coloured.stdout.text).toContain('\u001b[');
  });

  it.each(['SIGINT', 'SIGTERM'])('stops a command that follows a plan on %s', async (signal) => {
    const dir = await project();
    const fake = fakeProcess(dir, ['events', 'demo/x', '--follow']);
    const running = runCliProcess(fake.proc);
    await expect.poll(() => fake.stdout.text, { timeout: 10_000 }).toContain('"plan.created"');
    fake.signals.emit(signal);
    await running;
    expect(await fake.firstExit).toBe(0);
    expect(
      fake.stdout.text
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { type: string }).type),
    ).toEqual(['plan.created']);
  });

  it.each(['SIGINT', 'SIGTERM'])(
    'ends a follow quietly with 0 on %s that comes while it is still reading the plan (the store closes under the read)',
    async (signal) => {
      const dir = await project();
      const fake = fakeProcess(dir, ['events', 'demo/x', '--follow']);
      // the signal comes as the first stored event is printed, before the follow has asked whether the plan is over
      fake.stdout.onWrite = (text) => {
        if (text.includes('"plan.created"')) fake.signals.emit(signal);
      };
      await runCliProcess(fake.proc);
      expect(await fake.firstExit).toBe(0);
      expect(fake.stderr()).toBe('');
      expect(fake.exits).toEqual([0]);
    },
  );

  it('exits at once with 130 on a second Ctrl-C', async () => {
    const dir = await project();
    const fake = fakeProcess(dir, ['events', 'demo/x', '--follow']);
    const running = runCliProcess(fake.proc);
    await expect.poll(() => fake.stdout.text, { timeout: 10_000 }).toContain('"plan.created"');
    fake.signals.emit('SIGINT');
    fake.signals.emit('SIGINT');
    // before the command had time to stop
    expect(fake.exits).toEqual([130]);
    await running;
  });

  it('stops writing and ends the command when the reader of stdout went away (EPIPE)', async () => {
    const dir = await project();
    const fake = fakeProcess(dir, ['events', 'demo/x', '--follow']);
    const running = runCliProcess(fake.proc);
    await expect.poll(() => fake.stdout.text, { timeout: 10_000 }).toContain('"plan.created"');
    const before = fake.stdout.text;
    fake.stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await running;
    expect(fake.exits).toEqual([0]);
    // no write after the pipe broke, not even the drain before exiting
    expect(fake.stdout.text).toBe(before);
    expect(fake.stdout.drained).toBe(false);
  });

  it('lets any other stdout failure through', async () => {
    const fake = fakeProcess('/', ['--version']);
    await runCliProcess(fake.proc);
    expect(() => fake.stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).toThrow(
      'write EIO',
    );
  });
});
