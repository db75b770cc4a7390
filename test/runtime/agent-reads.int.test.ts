import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore, type PlanTransaction } from '../../src/store/index.js';
import { processesWith } from '../helpers/processes.js';
import { tempRepo } from '../helpers/temp.js';
import { explainedDecisions, planYaml, projectWithRuntime } from './fixtures.js';

// Reads are not steps (issue 35): an agent's command that changed no file is
// recorded as a numbered read — its log kept, in plan_explain, journaled —
// with no step number, commit or checkpoint; one that changed files is a step.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const AGENT_PLAN = planYaml({ name: 'demo/reads', resourceScopes: ['src/**', 'notes.txt'] });

const exec = (command: string) => ({ tool: 'shell/exec', input: { command } });

describe('reads are not steps (LevelDB, real git, bubblewrap)', () => {
  it('records a command that changed nothing as read N, and keeps step numbers dense for the ones that wrote', async () => {
    const made = await projectWithRuntime();
    cleanups.push(made.close);
    const { runtime } = made;
    const plan = await runtime.run((await runtime.createPlan(AGENT_PLAN)).id);
    const checkpoints = (await runtime.checkpoints(plan.id)).length;

    const cat = await runtime.callTool(plan.id, { ...exec('cat src/a.ts'), rationale: 'see a' });
    expect(cat).toMatchObject({
      ok: true,
      step: null,
      read: 1,
      wrote: false,
      commit: plan.sandbox!.headCommit,
      output: { exitCode: 0, stdout: 'export const a = 1;\n' },
    });
    const wrote = await runtime.callTool(plan.id, exec('echo n > notes.txt'));
    expect(wrote).toMatchObject({ ok: true, step: 0, read: null, wrote: true });
    // a failing command that changed nothing is a read too, its exit code in its output as before
    const failing = await runtime.callTool(plan.id, exec('git status --short; echo oops >&2; exit 3'));
    expect(failing).toMatchObject({
      ok: true,
      step: null,
      read: 2,
      wrote: false,
      output: { exitCode: 3, stderr: 'oops\n' },
    });
    const next = await runtime.callTool(plan.id, exec('echo m >> notes.txt'));
    expect(next).toMatchObject({ ok: true, step: 1, wrote: true });

    const record = await runtime.getPlan(plan.id);
    expect(record).toMatchObject({
      phase: 'execute',
      status: 'waiting',
      lastCompletedStep: 1,
      toolCalls: 4,
      error: null,
    });
    expect(record.strategyDecisionIds).toHaveLength(2);
    // one checkpoint per step that wrote; none for a read
    expect((await runtime.checkpoints(plan.id)).map((checkpoint) => checkpoint.trigger)).toEqual([
      ...Array(checkpoints).fill(expect.any(String)),
      'step',
      'step',
    ]);

    const events = await runtime.events(plan.id);
    expect(events.filter((event) => event.type === 'read.completed').map((event) => event.data)).toMatchObject([
      { read: 1, title: 'shell/exec cat src/a.ts', tool: 'shell/exec' },
      { read: 2, tool: 'shell/exec' },
    ]);
    expect(events.filter((event) => event.type === 'step.completed').map((event) => event.data.index)).toEqual([0, 1]);
    // an agent's call is journaled once it ended: a step as started and completed, a read as neither
    expect(events.filter((event) => event.type === 'step.started').map((event) => event.data.index)).toEqual([0, 1]);
    expect(events.filter((event) => event.type === 'step.failed')).toEqual([]);

    const tree = await explainedDecisions(runtime, plan.id);
    expect(tree.filter((decision) => decision.type === 'step').map((decision) => decision.payload.index)).toEqual([
      0, 1,
    ]);
    const reads = tree.filter((decision) => decision.type === 'tool_call');
    expect(reads).toMatchObject([
      {
        title: 'read 1: shell/exec cat src/a.ts',
        rationale: 'see a',
        payload: { tool: 'shell/exec', outcome: 'read', success: true, read: 1, input: { command: 'cat src/a.ts' } },
      },
      { title: expect.stringMatching(/^read 2: shell\/exec git status/), payload: { read: 2, success: true } },
    ]);

    // plan_logs finds a read's log by its number, and a step's by its own
    const readLogs = await runtime.logs(plan.id, { read: 1 });
    expect(readLogs).toMatchObject([
      {
        kind: 'read',
        step: null,
        read: 1,
        tool: 'shell/exec',
        command: 'cat src/a.ts',
        exitCode: 0,
        stdout: { text: 'export const a = 1;\n' },
      },
    ]);
    expect(await runtime.logs(plan.id, { read: 2 })).toMatchObject([{ read: 2, exitCode: 3 }]);
    expect((await runtime.logs(plan.id, { step: 1 })).map((log) => log.command)).toEqual(['echo m >> notes.txt']);
    await expect(runtime.logs(plan.id, { read: 3 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'demo/reads has no read 3: it has 2 reads',
    });
    await expect(runtime.logs(plan.id, { read: 0 })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('keeps counting reads and steps across a restart of the runtime', async () => {
    const made = await projectWithRuntime();
    cleanups.push(made.close);
    const plan = await made.runtime.run((await made.runtime.createPlan(AGENT_PLAN)).id);
    await made.runtime.callTool(plan.id, exec('ls'));
    await made.runtime.close();
    const again = await createRuntime({ dir: made.dir, report: () => {} });
    cleanups.push(() => again.close());
    expect(await again.callTool(plan.id, exec('ls src'))).toMatchObject({ ok: true, read: 2, step: null });
    expect(await again.callTool(plan.id, exec('echo n > notes.txt'))).toMatchObject({ ok: true, read: null, step: 0 });
  });
});

describe('reads and rollback', () => {
  it('takes read numbers back like step numbers: the reads after the checkpoint are discarded, their logs marked', async () => {
    const made = await projectWithRuntime();
    cleanups.push(made.close);
    const { runtime } = made;
    const plan = await runtime.run((await runtime.createPlan(AGENT_PLAN)).id);
    await runtime.callTool(plan.id, exec('echo one'));
    const checkpoint = await runtime.createCheckpoint(plan.id, { label: 'after-one' });
    await runtime.callTool(plan.id, exec('echo two'));
    const rolled = await runtime.rollback(plan.id, { to: checkpoint.id });
    expect(await runtime.callTool(plan.id, exec('echo again'))).toMatchObject({ ok: true, read: 2, step: null });
    const logs = await runtime.logs(plan.id, { read: 2 });
    expect(logs.map((log) => [log.command, log.discardedBy === null])).toEqual([
      ['echo two', false],
      ['echo again', true],
    ]);
    expect(logs[0]!.discardedBy).toBe(rolled.decisionId);
    const reads = (await explainedDecisions(runtime, plan.id)).filter((decision) => decision.type === 'tool_call');
    expect(reads.map((decision) => [decision.payload.read, decision.status])).toEqual([
      [1, 'active'],
      [2, 'discarded'],
      [2, 'active'],
    ]);
  });
});

describe('a read killed with -9 mid-command', () => {
  it('starts its command only once the call is on disk, however slow the store', async () => {
    const repo = await tempRepo({ 'README.md': '# slow\n' });
    cleanups.push(repo.cleanup);
    const store = new LevelStore({ path: join(repo.dir, '.troupe', 'db') });
    // every write takes 300 ms; note when the one that put the call in flight was done
    let inFlightWritten = Number.POSITIVE_INFINITY;
    const commit = store.commit.bind(store);
    store.commit = async (transaction: PlanTransaction) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await commit(transaction);
      if (JSON.stringify((transaction.snapshot?.snapshot as { value?: unknown } | undefined)?.value).includes('"step"'))
        inFlightWritten = Math.min(inFlightWritten, Date.now());
    };
    const runtime = await createRuntime({ dir: repo.dir, store, report: () => {} });
    cleanups.push(() => runtime.close());
    const plan = await runtime.run((await runtime.createPlan(AGENT_PLAN)).id);
    expect(await runtime.callTool(plan.id, exec('cat README.md'))).toMatchObject({ ok: true, read: 1 });
    const [log] = await runtime.logs(plan.id, { read: 1 });
    expect(Date.parse(log!.startedAt)).toBeGreaterThanOrEqual(inFlightWritten - 1);
  });

  it('is neither lost nor doubled: the restored plan runs it again and records it once, as read 1', async () => {
    const made = await projectWithRuntime();
    cleanups.push(made.close);
    const plan = await made.runtime.run((await made.runtime.createPlan(AGENT_PLAN)).id);
    await made.runtime.close();
    const marker = `3.${process.pid}7`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'read-crash-child.ts'), made.dir, plan.id],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, READ_COMMAND: `sleep ${marker}; echo slept` },
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 30_000, interval: 100 }).not.toEqual([]);
    child.kill('SIGKILL');
    await exited;

    const runtime = await createRuntime({ dir: made.dir, report: () => {} });
    cleanups.push(() => runtime.close());
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({
      phase: 'execute',
      status: 'waiting',
      lastCompletedStep: null,
      strategyDecisionIds: [],
      error: null,
    });
    const events = await runtime.events(plan.id);
    // the killed process had the call under way: it was resumed, run again, and recorded once
    expect(events.filter((event) => event.type === 'plan.resumed')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'read.completed').map((event) => event.data.read)).toEqual([1]);
    expect(events.filter((event) => event.type === 'step.completed')).toEqual([]);
    expect((await runtime.checkpoints(plan.id)).filter((checkpoint) => checkpoint.trigger === 'step')).toEqual([]);
    expect(await runtime.logs(plan.id, { read: 1 })).toMatchObject([
      { command: `sleep ${marker}; echo slept`, exitCode: 0, stdout: { text: 'slept\n' } },
    ]);
    const tree = await explainedDecisions(runtime, plan.id);
    expect(tree.filter((decision) => decision.type === 'step')).toEqual([]);
    expect(tree.filter((decision) => decision.type === 'tool_call').map((decision) => decision.payload.read)).toEqual([
      1,
    ]);
    // and the plan goes on: the next command that writes is step 1
    expect(await runtime.callTool(plan.id, exec('echo n > notes.txt'))).toMatchObject({
      ok: true,
      step: 0,
      read: null,
    });
  });
});
