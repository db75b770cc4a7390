import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanLog, PlanRecord } from '../../src/domain/index.js';
import { createRuntime, type RuntimeOptions } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { MemoryStore, type PlanTransaction } from '../../src/store/index.js';
import { rejection } from '../helpers/rejection.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// Command logs end to end (issue 18 item 3): real worktrees, the contained
// command sandbox, the store — every command's stdout and stderr kept.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// a node:test run with one failing test, whose TAP summary fills the last lines
const FAILING_TESTS = `import test from 'node:test';
import assert from 'node:assert';
test('sums', () => assert.equal(1 + 1, 2));
test('adds numbers', () => assert.equal(1 + 1, 3));
test('third', () => {});
`;

/** The transactions a store wrote, for asserting what went in one batch. */
class RecordingStore extends MemoryStore {
  readonly transactions: PlanTransaction[] = [];
  override async commit(transaction: PlanTransaction): Promise<void> {
    await super.commit(transaction);
    this.transactions.push(transaction);
  }
}

async function project(
  files: Record<string, string> = {},
  options: Omit<RuntimeOptions, 'dir'> = {},
): Promise<LocalRuntime> {
  const repo = await tempRepo({ 'README.md': '# project\n', ...files });
  const runtime = await createRuntime({ dir: repo.dir, report: () => {}, ...options });
  cleanups.push(async () => {
    await runtime.close();
    await repo.cleanup();
  });
  return runtime;
}

const shell = (title: string, command: string) => step(title, 'shell/run', { command });

describe('command logs', () => {
  it('keeps the whole stdout and stderr of every step, validate command and check, successful ones too', async () => {
    const runtime = await project();
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'review',
        strategy: {
          steps: [
            shell('Greet', 'echo hello; echo careful >&2'),
            step('Write', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
            shell('Count', 'seq 1 3'),
          ],
        },
        validate: [{ run: 'echo validated' }],
        invariants: [{ id: 'readme', check: 'command', run: 'test -f README.md && echo readme is there' }],
      }),
    );
    const done = await runtime.run(plan.id, { until: 'validate' });
    expect(done).toMatchObject({ phase: 'validate', status: 'complete' });

    const logs = await runtime.logs(plan.id);
    const shown = logs.map((log) => [
      log.phase,
      log.kind,
      log.step,
      log.tool ?? log.invariant,
      log.command,
      log.exitCode,
    ]);
    expect(shown).toEqual([
      ['strategize', 'check', null, 'readme', 'test -f README.md && echo readme is there', 0],
      ['execute', 'step', 0, 'shell/run', 'echo hello; echo careful >&2', 0],
      ['execute', 'check', 0, 'readme', 'test -f README.md && echo readme is there', 0],
      ['execute', 'check', 1, 'readme', 'test -f README.md && echo readme is there', 0],
      ['execute', 'step', 2, 'shell/run', 'seq 1 3', 0],
      ['execute', 'check', 2, 'readme', 'test -f README.md && echo readme is there', 0],
      ['validate', 'validate', null, null, 'echo validated', 0],
      ['validate', 'check', null, 'readme', 'test -f README.md && echo readme is there', 0],
    ]);
    expect(logs.map((log) => log.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(logs[1]).toMatchObject({
      stdout: { text: 'hello\n', bytes: 6, cut: 0 },
      stderr: { text: 'careful\n', bytes: 8, cut: 0 },
      discardedBy: null,
      timedOut: false,
      cancelled: false,
    });
    expect(logs[4]!.stdout.text).toBe('1\n2\n3\n');
    expect(Date.parse(logs[1]!.startedAt)).toBeLessThanOrEqual(Date.parse(logs[1]!.ts));

    // one step (counted from 0 here; the CLI counts from 1), the checks after it included; one phase
    expect((await runtime.logs(plan.id, { step: 2 })).map((log) => [log.kind, log.command])).toEqual([
      ['step', 'seq 1 3'],
      ['check', 'test -f README.md && echo readme is there'],
    ]);
    expect((await runtime.logs(plan.id, { step: 1 })).map((log) => log.kind)).toEqual(['check']);
    expect((await runtime.logs(plan.id, { phase: 'validate' })).map((log) => log.command)).toEqual([
      'echo validated',
      'test -f README.md && echo readme is there',
    ]);
    expect((await runtime.logs(plan.id, { afterSeq: 6, limit: 1 })).map((log) => log.seq)).toEqual([7]);
    expect(await runtime.logs(plan.id, { phase: 'apply' })).toEqual([]);
  });

  it('writes a step’s logs in the batch that records its result, never before', async () => {
    const store = new RecordingStore();
    const runtime = await project({}, { store });
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'review',
        strategy: { steps: [shell('One', 'echo one'), shell('Two', 'echo two; exit 3')] },
      }),
    );
    await runtime.run(plan.id);

    const withLogs = store.transactions.filter((transaction) => (transaction.logs ?? []).length > 0);
    expect(
      withLogs.map((transaction) => [
        transaction.logs!.map((log) => log.command),
        transaction
          .events!.filter((event) => event.type === 'step.completed' || event.type === 'step.failed')
          .map((event) => [event.type, event.data.index]),
      ]),
    ).toEqual([
      [['echo one'], [['step.completed', 0]]],
      [['echo two; exit 3'], [['step.failed', 1]]],
    ]);
  });

  it('says which test failed: the error’s details hold the lines that matter, and the log all of it', async () => {
    const runtime = await project({ 'math.test.mjs': FAILING_TESTS });
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'review',
        strategy: { steps: [shell('Test', 'node --test --test-reporter=tap math.test.mjs')] },
      }),
    );
    const failed = await runtime.run(plan.id);

    expect(failed).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'TOOL_FAILED' } });
    const details = failed.error!.details as { lines: string[]; stdoutTail: string; stderrTail: string };
    expect(details.lines[0]).toBe('not ok 2 - adds numbers');
    expect(details.lines).toContain('# fail 1');
    expect(details.lines.length).toBeLessThanOrEqual(26);
    expect(typeof details.stdoutTail).toBe('string');
    const [log] = await runtime.logs(plan.id, { step: 0 });
    expect(log).toMatchObject({ kind: 'step', exitCode: 1, tool: 'shell/run' });
    expect(log!.stdout.text).toContain('# Subtest: adds numbers');
    expect(log!.stdout.text).toContain('ok 1 - sums');
  });

  it('names the failed test in a command invariant’s violation, with its lines', async () => {
    const runtime = await project();
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'review',
        strategy: { steps: [step('Write a test', 'fs/write-file', { path: 'math.test.mjs', content: FAILING_TESTS })] },
        invariants: [
          {
            id: 'tests',
            check: 'command',
            run: 'test ! -f math.test.mjs || node --test --test-reporter=tap math.test.mjs',
          },
        ],
      }),
    );
    const failed = await runtime.run(plan.id);

    expect(failed.error).toMatchObject({ code: 'INVARIANT_VIOLATED' });
    const [violation] = (failed.error!.details as { violations: { message: string; lines: string[] }[] }).violations;
    expect(violation!.message).toBe('exit code 1: not ok 2 - adds numbers');
    expect(violation!.lines.at(-1)).toMatch(/^# duration_ms/);
    expect(violation!.lines).toContain('not ok 2 - adds numbers');
    expect(
      (await runtime.logs(plan.id)).map((log) => [log.phase, log.kind, log.step, log.invariant, log.exitCode]),
    ).toEqual([
      ['strategize', 'check', null, 'tests', 0],
      ['execute', 'check', 0, 'tests', 1],
    ]);
  });

  it('keeps the last MiB of a stream that says more, with how much was cut', async () => {
    const runtime = await project();
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'review',
        strategy: { steps: [shell('Chatty', 'head -c 1500000 /dev/zero | tr "\\\\0" a; echo; echo the end')] },
      }),
    );
    await runtime.run(plan.id, { until: 'execute' });

    const [log] = await runtime.logs(plan.id);
    expect(log!.stdout.bytes).toBe(1_500_000 + 1 + 8);
    expect(log!.stdout.text.length).toBe(1024 * 1024);
    expect(log!.stdout.cut).toBe(log!.stdout.bytes - 1024 * 1024);
    expect(log!.stdout.text.endsWith('a\nthe end\n')).toBe(true);
  });

  it('keeps the logs of work a rollback discards, marked by the rollback, and unmarks them when it is undone', async () => {
    const runtime = await project();
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'review',
        strategy: {
          steps: [shell('One', 'echo one > one.txt; echo one'), shell('Two', 'echo two > two.txt; echo two')],
        },
      }),
    );
    await runtime.run(plan.id, { until: 'execute' });
    const checkpoints = await runtime.checkpoints(plan.id);
    const afterOne = checkpoints.find((checkpoint) => checkpoint.trigger === 'step' && checkpoint.logCursor === 1)!;
    expect(afterOne).toBeDefined();

    const rolledBack = await runtime.rollback(plan.id, { to: afterOne.id });
    const marks = (logs: PlanLog[]) => logs.map((log) => [log.command, log.discardedBy]);
    expect(marks(await runtime.logs(plan.id))).toEqual([
      ['echo one > one.txt; echo one', null],
      ['echo two > two.txt; echo two', rolledBack.decisionId],
    ]);

    // step 2 runs again: its new log stands, the old one stays marked
    await runtime.run(plan.id, { until: 'execute' });
    expect(marks(await runtime.logs(plan.id))).toEqual([
      ['echo one > one.txt; echo one', null],
      ['echo two > two.txt; echo two', rolledBack.decisionId],
      ['echo two > two.txt; echo two', null],
    ]);

    // undoing the rollback brings back the world of its undo checkpoint: its logs stand, the re-run's are discarded
    const undone = await runtime.rollback(plan.id, { to: rolledBack.undoCheckpointId });
    expect(marks(await runtime.logs(plan.id))).toEqual([
      ['echo one > one.txt; echo one', null],
      ['echo two > two.txt; echo two', null],
      ['echo two > two.txt; echo two', undone.decisionId],
    ]);
  });

  it('keeps what a command printed before a cancel stopped it', async () => {
    const runtime = await project();
    const command = 'echo started; touch printed; sleep 30';
    const plan = await runtime.createPlan(
      planYaml({ automation: 'review', strategy: { steps: [shell('Wait', command)] } }),
    );
    const started = new Promise<void>((resolve) =>
      runtime.subscribe(plan.id, (event) => event.type === 'step.started' && resolve()),
    );
    const running = runtime.run(plan.id).catch((error: unknown) => error);
    await started;
    // cancelled once the command has printed (a contained command may take a while to start on a busy machine)
    const printed = join(runtime.dir, (await runtime.getPlan(plan.id)).sandbox!.worktree, 'printed');
    await expect.poll(() => existsSync(printed), { timeout: 30_000 }).toBe(true);
    await runtime.cancel(plan.id);
    await running;

    await expect
      .poll(async () => (await runtime.logs(plan.id)).map((log) => [log.command, log.cancelled, log.stdout.text]), {
        timeout: 10_000,
      })
      .toEqual([[command, true, 'started\n']]);
  });

  it('reads past a page of logs, filtered or not, up to a limit', async () => {
    const runtime = await project();
    const invariants = Array.from({ length: 18 }, (_, index) => ({
      id: `check-${index + 1}`,
      check: 'command',
      run: `echo ${index + 1}`,
    }));
    const plan = await runtime.createPlan(
      planYaml({ automation: 'review', strategy: { steps: [shell('One', 'true')] }, invariants }),
    );
    await runtime.run(plan.id, { until: 'strategize' });

    expect((await runtime.logs(plan.id, { phase: 'strategize' })).map((log) => log.seq)).toEqual(
      Array.from({ length: 18 }, (_, index) => index + 1),
    );
    expect(await runtime.logs(plan.id, { limit: 17 })).toHaveLength(17);
    expect(
      (await runtime.logs(plan.id, { phase: 'strategize', afterSeq: 15, limit: 2 })).map((log) => log.seq),
    ).toEqual([16, 17]);
    expect(await runtime.logs(plan.id, { phase: 'execute' })).toEqual([]);
  });

  it('refuses a step the plan does not have with NOT_FOUND, and bad options with VALIDATION_ERROR', async () => {
    const runtime = await project();
    const plan: PlanRecord = await runtime.createPlan(
      planYaml({ automation: 'review', strategy: { steps: [shell('One', 'true')] } }),
    );
    await runtime.run(plan.id, { until: 'strategize' });

    const missing = await rejection(runtime.logs(plan.id, { step: 1 }));
    expect(missing).toMatchObject({ code: 'NOT_FOUND', message: 'demo/x has no step 2: it has 1 step' });
    expect(missing.hint).toContain('troupe plan status demo/x');
    for (const options of [
      { step: -1 },
      { step: 1.5 },
      { phase: 'deploy' },
      { step: 0, phase: 'validate' },
      { afterSeq: -1 },
      { limit: 0 },
    ]) {
      expect((await rejection(runtime.logs(plan.id, options as never))).code).toBe('VALIDATION_ERROR');
    }
    expect(await runtime.logs(plan.id, { step: 0 })).toEqual([]);
  });
});
