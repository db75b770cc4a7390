import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { connectMcp, type McpSession } from './mcp-client.js';
import { startMcpHttp, type McpHttpProcess } from './mcp-http.js';

// MCP tasks that outlive `troupe mcp` (issue 35, item 7): a plan_run started as a task, the server
// killed with SIGKILL mid-step, a new server on the same project, a new client session reading the task.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

const LONG = { timeout: 180_000 };

// three steps; the second takes a few seconds, long enough to kill the server in it
const SLOW_PLAN = (name: string) => ({
  name,
  goal: 'Take a while',
  strategy: {
    steps: [
      { title: 'First', tool: 'fs/write-file', input: { path: 'one.txt', content: 'one\n' } },
      { title: 'Slow', tool: 'shell/run', input: { command: 'sleep 4; echo two >> two.txt' } },
      { title: 'Last', tool: 'fs/write-file', input: { path: 'three.txt', content: 'three\n' } },
    ],
  },
});

async function untilFile(path: string): Promise<void> {
  for (let waited = 0; !existsSync(path); waited += 50) {
    if (waited > 60_000) throw new Error(`${path} never appeared`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function project(): Promise<string> {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  cleanups.push(repo.cleanup);
  return repo.dir;
}

// start plan_run as a task: the task as created
async function startRunTask(
  client: Client,
  plan: string,
): Promise<{ taskId: string; status: string; ttl: number | null }> {
  const stream = client.experimental.tasks.callToolStream(
    { name: 'plan_run', arguments: { plan } },
    CallToolResultSchema,
    { task: { ttl: 600_000 } },
  );
  for await (const message of stream) {
    if (message.type === 'taskCreated') return message.task;
    throw new Error(`expected taskCreated first, got ${JSON.stringify(message)}`);
  }
  throw new Error('no task was created');
}

// the plan is in its slow step: the first step completed, the second started
async function untilSlowStep(client: Client, plan: string): Promise<void> {
  for (let waited = 0; ; waited += 100) {
    const status = await client.callTool({ name: 'plan_status', arguments: { plan } });
    const record = (status.structuredContent as { plan: PlanRecord }).plan;
    if (record.phase === 'execute' && record.lastCompletedStep === 0) return;
    if (waited > 60_000) throw new Error(`the plan never reached its slow step: ${JSON.stringify(record)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// what a new session of the restarted server reads of the task: its status at once, then its result
async function expectCarriedOn(
  client: Client,
  taskId: string,
  worktreeOf: (plan: PlanRecord) => string,
): Promise<void> {
  const task = await client.experimental.tasks.getTask(taskId);
  expect(task).toMatchObject({ taskId, ttl: 600_000 });
  expect(['working', 'completed']).toContain(task.status);
  const result = await client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema, { timeout: 120_000 });
  expect(result.isError).toBeFalsy();
  const plan = (result.structuredContent as { plan: PlanRecord }).plan;
  // the whole run, as an uninterrupted plan_run answers it: stopped validated (automation review)
  expect(plan).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 2, error: null });
  const worktree = worktreeOf(plan);
  // the killed step ran again from the last step commit: its effect landed once
  expect(readFileSync(join(worktree, 'two.txt'), 'utf8')).toBe('two\n');
  expect(existsSync(join(worktree, 'three.txt'))).toBe(true);
  expect(await client.experimental.tasks.getTask(taskId)).toMatchObject({
    status: 'completed',
    statusMessage: expect.stringContaining('carried on by troupe mcp'),
  });
}

describe('MCP tasks over stdio', () => {
  async function connect(dir: string, name: string): Promise<McpSession> {
    const session = await connectMcp(dir, { name });
    cleanups.push(() => session.close());
    return session;
  }

  it(
    'a plan_run task survives a server killed with SIGKILL: the restarted server carries the plan on and answers the task',
    LONG,
    async () => {
      const dir = await project();
      const first = await connect(dir, 'agent-before');
      const tools = (await first.client.listTools()).tools;
      expect(
        tools
          .filter((tool) => tool.execution?.taskSupport === 'optional')
          .map((tool) => tool.name)
          .sort(),
      ).toEqual(['plan_run', 'run_command', 'subplan_wait']);
      const created = (await first.ok<{ plan: PlanRecord }>('plan_create', { spec: SLOW_PLAN('tasks/stdio') })).plan;
      const task = await startRunTask(first.client, created.id);
      expect(task).toMatchObject({ status: 'working', ttl: 600_000 });
      // not guessable: 256 random bits
      expect(task.taskId).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await untilSlowStep(first.client, created.id);
      process.kill(first.transport.pid!, 'SIGKILL');
      await first.close();

      const next = await connect(dir, 'agent-after');
      await expectCarriedOn(next.client, task.taskId, (plan) => join(dir, plan.sandbox!.worktree));
    },
  );

  it(
    'a run_command task whose server was killed mid-command answers what the step it became recorded once it ran again',
    LONG,
    async () => {
      const dir = await project();
      const first = await connect(dir, 'agent-command');
      const plan = (
        await first.ok<{ plan: PlanRecord }>('plan_create', {
          spec: { name: 'tasks/command', goal: 'Work', resourceScopes: ['**'] },
        })
      ).plan;
      await first.ok('write_file', { plan: plan.id, path: 'f.txt', content: 'first\n' });
      const worktree = join(dir, plan.sandbox!.worktree);
      const command = 'echo started > started.txt; sleep 3; echo x >> f.txt; echo done';
      const stream = first.client.experimental.tasks.callToolStream(
        { name: 'run_command', arguments: { plan: plan.id, command, timeoutMs: 600_000 } },
        CallToolResultSchema,
        { task: { ttl: 600_000 } },
      );
      let taskId = '';
      for await (const message of stream) {
        if (message.type === 'taskCreated') taskId = message.task.taskId;
        break;
      }
      await untilFile(join(worktree, 'started.txt'));
      process.kill(first.transport.pid!, 'SIGKILL');
      await first.close();

      const next = await connect(dir, 'agent-command-after');
      const result = await next.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema, {
        timeout: 120_000,
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        exitCode: 0,
        stdout: 'done\n',
        timedOut: false,
        step: 2,
        wrote: true,
        plan: { phase: 'execute', status: 'waiting', lastCompletedStep: 1 },
      });
      expect(readFileSync(join(worktree, 'f.txt'), 'utf8')).toBe('first\nx\n');
      expect((await next.client.experimental.tasks.getTask(taskId)).status).toBe('completed');
    },
  );

  it(
    'keeps the tasks of a troupe mcp that works through another process’s store in that store, for every server of the project',
    LONG,
    async () => {
      const dir = await project();
      const owner = await connect(dir, 'agent-owner');
      await owner.ok('plan_list', {});
      // this one finds the owner's host socket: its tasks are written through the owner
      const guest = await connect(dir, 'agent-guest');
      const created = (
        await guest.ok<{ plan: PlanRecord }>('plan_create', {
          spec: { ...SLOW_PLAN('tasks/guest'), strategy: { steps: [] } },
        })
      ).plan;
      const task = await startRunTask(guest.client, created.id);
      const result = await guest.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema, {
        timeout: 120_000,
      });
      expect(result.structuredContent).toMatchObject({
        plan: { id: created.id, phase: 'validate', status: 'complete' },
      });
      expect(await owner.client.experimental.tasks.getTask(task.taskId)).toMatchObject({
        taskId: task.taskId,
        status: 'completed',
      });
    },
  );

  it(
    'answers a client that did not ask for a task as before, and refuses a task of a tool that does not run as one',
    LONG,
    async () => {
      const dir = await project();
      const session = await connect(dir, 'agent-plain');
      const created = (
        await session.ok<{ plan: PlanRecord }>('plan_create', {
          spec: { ...SLOW_PLAN('tasks/plain'), strategy: { steps: [] } },
        })
      ).plan;
      expect(await session.ok<{ plan: PlanRecord }>('plan_run', { plan: created.id })).toMatchObject({
        plan: { phase: 'validate', status: 'complete' },
      });
      expect((await session.client.experimental.tasks.listTasks()).tasks).toEqual([]);
      await expect(
        session.client.callTool({ name: 'plan_status', arguments: { plan: created.id } }, undefined, {
          task: { ttl: 1000 },
        }),
      ).rejects.toMatchObject({ code: -32601, message: expect.stringContaining('plan_status does not run as a task') });
    },
  );

  it('lists a session its own tasks, and a task whose ttl passed is gone', LONG, async () => {
    const dir = await project();
    const session = await connect(dir, 'agent-ttl');
    const created = (
      await session.ok<{ plan: PlanRecord }>('plan_create', {
        spec: { ...SLOW_PLAN('tasks/ttl'), strategy: { steps: [] } },
      })
    ).plan;
    const stream = session.client.experimental.tasks.callToolStream(
      { name: 'plan_run', arguments: { plan: created.id } },
      CallToolResultSchema,
      { task: { ttl: 1500 } },
    );
    let taskId = '';
    for await (const message of stream) {
      if (message.type === 'taskCreated') taskId = message.task.taskId;
      if (message.type === 'result')
        expect(message.result.structuredContent).toMatchObject({ plan: { phase: 'validate', status: 'complete' } });
    }
    expect(
      (await session.client.experimental.tasks.listTasks()).tasks.map((task) => [task.taskId, task.status]),
    ).toEqual([[taskId, 'completed']]);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await expect(session.client.experimental.tasks.getTask(taskId)).rejects.toThrow(/Task not found/);
    expect((await session.client.experimental.tasks.listTasks()).tasks).toEqual([]);
  });
});

describe('MCP tasks over HTTP', () => {
  async function serve(dir: string): Promise<McpHttpProcess> {
    const server = await startMcpHttp(dir);
    cleanups.push(() => server.stop());
    return server;
  }

  async function client(server: McpHttpProcess, name: string): Promise<Client> {
    const connected = new Client({ name, version: '1.0.0' });
    await connected.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { Authorization: `Bearer ${server.token}` } },
      }),
    );
    cleanups.push(() => connected.close());
    return connected;
  }

  it(
    'a plan_run task survives a server killed with SIGKILL: a new session of the restarted server gets its status and result',
    LONG,
    async () => {
      const dir = await project();
      const first = await serve(dir);
      const before = await client(first, 'http-before');
      const created = (await before.callTool({ name: 'plan_create', arguments: { spec: SLOW_PLAN('tasks/http') } }))
        .structuredContent as { plan: PlanRecord };
      const task = await startRunTask(before, created.plan.id);
      await untilSlowStep(before, created.plan.id);
      first.child.kill('SIGKILL');
      await first.stop();

      const second = await serve(dir);
      const after = await client(second, 'http-after');
      // another session: tasks/list shows it none of the first one's, the id still reads the task
      expect((await after.experimental.tasks.listTasks()).tasks).toEqual([]);
      await expectCarriedOn(after, task.taskId, (plan) => join(dir, plan.sandbox!.worktree));
    },
  );
});
