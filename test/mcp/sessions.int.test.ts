import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { runCli } from '../cli/run-cli.js';
import { connectMcp, type McpSession } from './mcp-client.js';
import { processesWith } from '../helpers/processes.js';

// `troupe mcp` beside other troupe processes, and clients that go away mid-call.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project() {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  cleanups.push(repo.cleanup);
  return repo.dir;
}

async function connect(dir: string, name: string): Promise<McpSession> {
  const session = await connectMcp(dir, { name });
  cleanups.push(() => session.close());
  return session;
}

async function openPlan(session: McpSession, name: string): Promise<PlanRecord> {
  return (
    await session.ok<{ plan: PlanRecord }>('plan_create', { spec: { name, goal: 'Work', resourceScopes: ['**'] } })
  ).plan;
}

// a command that says it started (a file the test sees in the worktree), then takes its time (less than
// the 2 s the SDK's client gives a server to exit after it hangs up), then appends a line
const SLOW_APPEND = 'echo started > started.txt; sleep 0.8; echo x >> f.txt';

async function untilFile(path: string): Promise<void> {
  for (let waited = 0; !existsSync(path); waited += 25) {
    if (waited > 30_000) throw new Error(`${path} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('troupe mcp with other troupe processes', () => {
  it('works as a client of the process that owns the store, and takes the store over when that one ends', async () => {
    const dir = await project();
    const first = await connect(dir, 'agent-one');
    const plan = await openPlan(first, 'agent/shared');
    // the second server finds the first one's host socket and talks through it
    const second = await connect(dir, 'agent-two');
    expect(
      await second.ok('write_file', { plan: 'agent/shared', path: 'two.txt', content: 'from two\n' }),
    ).toMatchObject({ step: 1, wrote: true });
    expect(await first.ok('read_file', { plan: plan.id, path: 'two.txt' })).toMatchObject({ content: 'from two\n' });
    // so does the CLI
    const status = await runCli(dir, ['plan', 'status', 'agent/shared', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      id: plan.id,
      phase: 'execute',
      status: 'waiting',
      lastCompletedStep: 0,
    });

    await first.close();
    // the owner is gone: the second server opens the store itself and carries on
    expect(
      await second.ok('write_file', { plan: plan.id, path: 'three.txt', content: 'after the owner left\n' }),
    ).toMatchObject({ step: 2, wrote: true });
    const listed = await second.ok<{ plans: { name: string }[] }>('plan_list', {});
    expect(listed.plans.map((entry) => entry.name)).toEqual(['agent/shared']);
  });
});

describe('a client that goes away mid-call', () => {
  it('that hangs up: the call under way ends and is recorded before troupe mcp exits', async () => {
    const dir = await project();
    const session = await connect(dir, 'agent-leaving');
    const plan = await openPlan(session, 'agent/hangup');
    const worktree = join(dir, plan.sandbox!.worktree);
    const call = session.client
      .callTool({ name: 'run_command', arguments: { plan: plan.id, command: SLOW_APPEND } })
      .catch((error: unknown) => error);
    await untilFile(join(worktree, 'started.txt'));
    await session.close();
    await call;

    // read as it was left: nothing is resumed here
    const runtime = await createRuntime({ dir, report: () => {}, resume: false });
    cleanups.push(() => runtime.close());
    const after = await runtime.getPlan(plan.id);
    expect(after).toMatchObject({ phase: 'execute', status: 'waiting', lastCompletedStep: 0 });
    expect(readFileSync(join(worktree, 'f.txt'), 'utf8')).toBe('x\n');
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(after.sandbox!.headCommit);
    expect(git(worktree, 'status', '--porcelain')).toBe('');
  });

  it('whose server is killed with SIGKILL: the next troupe process resumes the plan, and the step lands exactly once', async () => {
    const dir = await project();
    const session = await connect(dir, 'agent-killed');
    const plan = await openPlan(session, 'agent/killed');
    await session.ok('write_file', { plan: plan.id, path: 'f.txt', content: 'first\n' });
    const worktree = join(dir, plan.sandbox!.worktree);
    void session.client
      .callTool({ name: 'run_command', arguments: { plan: plan.id, command: SLOW_APPEND } })
      .catch(() => {});
    await untilFile(join(worktree, 'started.txt'));
    process.kill(session.transport.pid!, 'SIGKILL');
    await session.close();

    // a new troupe mcp resumes what the dead one left: the step runs again from the last step commit
    const next = await connect(dir, 'agent-back');
    const waited = await next.ok<{ plan: PlanRecord }>('plan_status', { plan: plan.id });
    expect(waited.plan.agentDriven).toBe(true);
    const resumed = await runCli(dir, ['plan', 'resume', plan.id, '--json']);
    expect(resumed.code).toBe(3);
    const record = JSON.parse(resumed.stdout) as PlanRecord;
    expect(record).toMatchObject({ phase: 'execute', status: 'waiting', lastCompletedStep: 1, error: null });
    expect(readFileSync(join(worktree, 'f.txt'), 'utf8')).toBe('first\nx\n');
    expect(git(worktree, 'log', '--format=%s', '-3').split('\n')).toHaveLength(3);
    expect(await next.ok('write_file', { plan: plan.id, path: 'g.txt', content: 'g\n' })).toMatchObject({ step: 3 });
  });

  it('whose server is killed with SIGKILL while a service runs: no service and no plan network is left, and a new session starts afresh', async () => {
    const dir = await project();
    const session = await connect(dir, 'agent-service-killed');
    const plan = await openPlan(session, 'agent/service-killed');
    // a number sleep takes, and a marker no other process has
    const marker = `600${process.pid}.4711`;
    await session.ok('service_start', {
      plan: plan.id,
      name: 'web',
      command: `echo up-${marker}; exec sleep ${marker}`,
      readyLine: `up-${marker}`,
    });
    expect(await processesWith(marker)).not.toEqual([]);
    const holder = `troupe-plan-network:${plan.id}`;
    expect(await processesWith(holder)).not.toEqual([]);
    process.kill(session.transport.pid!, 'SIGKILL');
    await session.close();
    await expect.poll(() => processesWith(marker), { timeout: 5_000, interval: 50 }).toEqual([]);
    await expect.poll(() => processesWith(holder), { timeout: 5_000, interval: 50 }).toEqual([]);
    // the journal says it started; the next process has no such service and may start it again
    const next = await connect(dir, 'agent-service-back');
    expect((await next.ok<{ services: unknown[] }>('service_list', { plan: plan.id })).services).toEqual([]);
    await next.ok('service_start', {
      plan: plan.id,
      name: 'web',
      command: `echo again; exec sleep ${marker}`,
      readyLine: 'again',
    });
    await next.ok('service_stop', { plan: plan.id, name: 'web' });
  });
});
