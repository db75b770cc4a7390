import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ActorServices } from '../../actors/index.js';
import { COMMAND_LOG_BYTES } from '../../src/domain/index.js';
import { CommandLogBook } from '../../src/runtime/housekeeping/command-log-book.js';
import { namedPlan } from '../../src/runtime/report-line.js';
import { PlanPersistence } from '../../src/runtime/persistence/plan-persistence.js';
import { ProcessLedger, UnconfinedSandbox, commandEnv } from '../../src/sandbox/index.js';
import { createMemoryStore, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/temp.js';
import { planCreation } from '../store/fixtures.js';

// the log book over a real memory store, real persistence and the unconfined
// sandbox: what it logs, when, and what it drops

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const { dir, cleanup } = await tempDir();
  cleanups.push(cleanup);
  const store: Store = createMemoryStore();
  await store.open();
  cleanups.push(() => store.close());
  const creation = planCreation('demo/x');
  await store.createPlan(creation);
  const reports: string[] = [];
  const persistence = new PlanPersistence({
    store,
    now: () => '2026-01-01T00:00:00.000Z',
    publish: () => {},
    onError: () => {},
  });
  const book = new CommandLogBook({
    store,
    persistence,
    phaseOf: () => 'execute',
    now: () => '2026-01-01T00:00:00.000Z',
    report: (message) => reports.push(message),
    named: (id) => namedPlan(id, undefined, store),
  });
  const sandbox = new UnconfinedSandbox();
  // a ledger whose directory is a file: the command cannot be recorded, so it does not start
  // (the runner uses it for `readOnly` runs here, to have a command whose result has no output)
  writeFileSync(join(dir, 'not-a-dir'), '');
  const runner: ActorServices['commandRunner'] =
    async (_planId, worktree, options) =>
    async (command, commandOptions = {}) =>
      sandbox.run({
        command,
        worktree,
        env: commandEnv(),
        network: false,
        outputBytes: COMMAND_LOG_BYTES,
        ...(options?.readOnly ? { processes: new ProcessLedger(join(dir, 'not-a-dir', 'run')) } : {}),
        ...(commandOptions.timeoutMs === undefined ? {} : { timeoutMs: commandOptions.timeoutMs }),
        onOutput: commandOptions.onOutput,
      });
  return { dir, store, planId: creation.planId, persistence, book, run: book.wrap(runner), reports };
}

describe('CommandLogBook', () => {
  it('knows the last line a running command wrote, a progress bar’s last redraw included, and forgets it when the command ends', async () => {
    const { dir, planId, run, book } = await setUp();
    const commands = await run(planId, dir);
    expect(book.lastLine(planId)).toBeNull();
    const flag = join(dir, 'go');
    const running = commands(
      `printf 'first\\nsecond\\n\\n'; printf 'built 1/3\\rbuilt 2/3' >&2; while [ ! -f ${flag} ]; do sleep 0.05; done`,
      { log: { kind: 'step', step: 0 } },
    );
    for (const deadline = Date.now() + 10_000; book.lastLine(planId) !== 'built 2/3' && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(book.lastLine(planId)).toBe('built 2/3');
    // another plan's commands are its own
    expect(book.lastLine('01M0000000000000000000NONE')).toBeNull();
    writeFileSync(flag, '');
    await running;
    expect(book.lastLine(planId)).toBeNull();
  });

  it('writes the log of a command of a plan that ended on its own, with the next seq', async () => {
    const { dir, store, planId, run, book } = await setUp();
    const commands = await run(planId, dir);
    await commands('echo one', { log: { kind: 'validate' } });
    await commands('echo two >&2; exit 2', { log: { kind: 'check', invariant: 'tests' } });
    await book.settled(planId);

    expect(
      (await store.readLogs(planId)).map((log) => [
        log.seq,
        log.phase,
        log.kind,
        log.invariant,
        log.exitCode,
        log.stdout.text,
        log.stderr.text,
      ]),
    ).toEqual([
      [1, 'validate', 'validate', null, 0, 'one\n', ''],
      [2, 'execute', 'check', 'tests', 2, '', 'two\n'],
    ]);
  });

  it('logs a command that could not start from what its result says', async () => {
    const { dir, store, planId, run, book } = await setUp();
    const result = await (await run(planId, dir, { readOnly: true }))('echo never');
    expect(result.output).toBeUndefined();
    await book.settled(planId);
    const [log] = await store.readLogs(planId);
    expect(log).toMatchObject({
      kind: 'read',
      step: null,
      tool: null,
      exitCode: 127,
      stdout: { text: '', bytes: 0, cut: 0 },
    });
    expect(log!.stderr.text).toContain('cannot record it');
    expect(log!.stderr.bytes).toBe(Buffer.byteLength(log!.stderr.text));
  });

  it('drops the logs of commands of a runner made before the plan’s work was stopped, and everything once closed', async () => {
    const { dir, store, planId, run, book } = await setUp();
    const before = await run(planId, dir);
    book.forget(planId);
    await before('echo discarded', { log: { kind: 'step', step: 0, tool: 'shell/run' } });
    await (
      await run(planId, dir)
    )('echo kept', { log: { kind: 'step', step: 0, tool: 'shell/run' } });
    await book.settled(planId);
    expect((await store.readLogs(planId)).map((log) => log.command)).toEqual(['echo kept']);

    book.close();
    await (
      await run(planId, dir)
    )('echo after close');
    book.late(planId, []);
    await book.settled(planId);
    expect(await store.lastLogSeq(planId)).toBe(1);
  });

  it('reports logs it could not keep', async () => {
    const { dir, run, book, reports } = await setUp();
    await (
      await run('01J0000000000000000000000Z', dir)
    )('echo orphan');
    await book.settled('01J0000000000000000000000Z');
    expect(reports).toEqual(['could not keep the logs of plan 01J0000000000000000000000Z']);
  });

  it('names the plan whose logs it could not keep by name and id', async () => {
    const { dir, run, book, reports, store, planId } = await setUp();
    // the store refuses the write of the logs (a database that went away), and answers the name
    const appendLogs = store.appendLogs.bind(store);
    store.appendLogs = () => Promise.reject(new Error('the database went away'));
    cleanups.push(async () => void (store.appendLogs = appendLogs));
    // a command of a plan that is not live here: its log is written on its own
    await (
      await run(planId, dir)
    )('echo late');
    await book.settled(planId);
    expect(reports).toEqual([`could not keep the logs of plan demo/x (${planId})`]);
  });
});
