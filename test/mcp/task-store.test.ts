import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { McpTaskRecord, PlanRecord } from '../../src/domain/index.js';
import { DEFAULT_TASK_TTL_MS, MAX_TASK_TTL_MS, McpTaskStore } from '../../src/mcp/task-store.js';
import { THIS_PROCESS } from '../../src/mcp/task-holder.js';
import { inProcessMcp, type InProcessMcp } from './in-process.js';

// the MCP task store over a real runtime (docs/reference/mcp.md#tasks): ids, ttl, sessions, ends, and who carries work on

const opened: InProcessMcp[] = [];
afterEach(async () => {
  for (const mcp of opened.splice(0)) await mcp.close();
});

async function setUp(now: { ms: number }) {
  const mcp = await inProcessMcp();
  opened.push(mcp);
  const adopted: McpTaskRecord[] = [];
  const store = new McpTaskStore(
    mcp.backend,
    (task) => adopted.push(task),
    () => now.ms,
  );
  return { mcp, store, adopted };
}

const request = (plan = 'demo/x') => ({ method: 'tools/call', params: { name: 'plan_run', arguments: { plan } } });

describe('the MCP task store', () => {
  it('makes unguessable ids, keeps a day by default and a week at most, and stores the call it runs', async () => {
    const now = { ms: Date.parse('2026-01-01T00:00:00Z') };
    const { mcp, store } = await setUp(now);
    const plain = await store.createTask({ context: { client: 'mcp:agent' } }, 1, request(), 'S1');
    const long = await store.createTask({ ttl: 10 * MAX_TASK_TTL_MS, pollInterval: 250 }, 2, request());
    expect(plain).toEqual({
      taskId: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      status: 'working',
      ttl: DEFAULT_TASK_TTL_MS,
      createdAt: '2026-01-01T00:00:00.000Z',
      lastUpdatedAt: '2026-01-01T00:00:00.000Z',
      pollInterval: 1000,
    });
    expect(long).toMatchObject({ ttl: MAX_TASK_TTL_MS, pollInterval: 250 });
    expect(plain.taskId).not.toBe(long.taskId);
    const [stored] = await mcp.runtime.mcpTasks([plain.taskId]);
    expect(stored).toMatchObject({
      session: 'http:S1',
      tool: 'plan_run',
      arguments: { plan: 'demo/x' },
      client: 'mcp:agent',
      holder: THIS_PROCESS,
      expiresAt: '2026-01-02T00:00:00.000Z',
    });
  });

  it('forgets a task once its ttl passed, counted again from its end', async () => {
    const now = { ms: Date.parse('2026-01-01T00:00:00Z') };
    const { mcp, store } = await setUp(now);
    const task = await store.createTask({ ttl: 60_000 }, 1, request());
    now.ms += 50_000;
    await store.storeTaskResult(task.taskId, 'completed', { content: [{ type: 'text', text: 'done' }] });
    now.ms += 50_000;
    // 100 s after it was created, 50 s after it ended: still there
    expect(await store.getTask(task.taskId)).toMatchObject({
      status: 'completed',
      lastUpdatedAt: '2026-01-01T00:00:50.000Z',
    });
    expect(await store.getTaskResult(task.taskId)).toEqual({ content: [{ type: 'text', text: 'done' }] });
    now.ms += 10_000;
    // a task nobody reads again goes when the next one is created
    const next = await store.createTask({ ttl: 60_000 }, 2, request());
    expect((await mcp.runtime.mcpTasks()).map((each) => each.taskId)).toEqual([next.taskId]);
    expect(await store.getTask(task.taskId)).toBeNull();
    await expect(store.getTaskResult(task.taskId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    now.ms += 60_000;
    expect(await store.getTask(next.taskId)).toBeNull();
    expect(await mcp.runtime.mcpTasks()).toEqual([]);
  });

  it('keeps a task as it ended: no later status or result replaces it', async () => {
    const { store } = await setUp({ ms: Date.now() });
    const task = await store.createTask({}, 1, request());
    await store.updateTaskStatus(task.taskId, 'cancelled', 'Client cancelled task execution.');
    await expect(store.storeTaskResult(task.taskId, 'completed', { content: [] })).rejects.toMatchObject({
      code: 'PHASE_GUARD',
    });
    expect(await store.getTask(task.taskId)).toMatchObject({
      status: 'cancelled',
      statusMessage: 'Client cancelled task execution.',
    });
    await expect(store.getTaskResult(task.taskId)).rejects.toThrow(/has no result: it was cancelled/);
  });

  it('lists a session its own tasks, a page at a time', async () => {
    const now = { ms: Date.now() };
    const { store } = await setUp(now);
    const mine: string[] = [];
    for (let index = 0; index < 55; index += 1) {
      now.ms += 1;
      mine.push((await store.createTask({}, index, request(), 'S1')).taskId);
    }
    await store.createTask({}, 99, request(), 'S2');
    await store.createTask({}, 100, request());
    const first = await store.listTasks(undefined, 'S1');
    expect(first.tasks.map((task) => task.taskId)).toEqual(mine.slice(0, 50));
    const second = await store.listTasks(first.nextCursor, 'S1');
    expect(second).toEqual({ tasks: expect.any(Array) });
    expect(second.tasks.map((task) => task.taskId)).toEqual(mine.slice(50));
    expect((await store.listTasks(undefined, undefined)).tasks).toHaveLength(1);
    await expect(store.listTasks('nope', 'S1')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('hands on a working task whose troupe mcp is gone, and only that one', async () => {
    const { mcp, store, adopted } = await setUp({ ms: Date.now() });
    const base = (await mcp.runtime.mcpTasks([(await store.createTask({}, 1, request())).taskId]))[0]!;
    const gone = { ...base, taskId: 'gone', holder: { ...THIS_PROCESS, pid: 4_194_000, id: 'dead' } };
    const restartedWithOurPid = { ...base, taskId: 'same-pid', holder: { ...THIS_PROCESS, id: 'before-restart' } };
    const alive = { ...base, taskId: 'alive', holder: { ...THIS_PROCESS, pid: process.ppid, id: 'parent' } };
    const elsewhere = { ...base, taskId: 'elsewhere', holder: { host: 'another-host', pid: 4_194_000, id: 'far' } };
    const ended = { ...gone, taskId: 'ended', status: 'completed' as const, result: { content: [] } };
    await mcp.runtime.saveMcpTasks({ put: [gone, restartedWithOurPid, alive, elsewhere, ended] });
    for (const task of [base, gone, restartedWithOurPid, alive, elsewhere, ended])
      expect(await store.getTask(task.taskId)).not.toBeNull();
    expect(adopted.map((task) => task.taskId)).toEqual(['gone', 'same-pid']);
  });
});

describe('a task whose troupe mcp is gone', () => {
  it('subplan_wait: the server asked about it takes it over and waits again, answering what a wait answers', async () => {
    const mcp = await inProcessMcp();
    opened.push(mcp);
    const plan = (
      await mcp.ok<{ plan: PlanRecord }>('plan_create', {
        spec: { name: 'tasks/parent', goal: 'Split', resourceScopes: ['**'] },
      })
    ).plan;
    await mcp.ok('subplan_spawn', { plan: plan.id, children: [{ goal: 'One' }] });
    const now = new Date().toISOString();
    const task: McpTaskRecord = {
      taskId: 'left-by-a-dead-server',
      status: 'working',
      ttl: 600_000,
      createdAt: now,
      lastUpdatedAt: now,
      pollInterval: 100,
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      session: 'stdio',
      tool: 'subplan_wait',
      arguments: { plan: plan.id, timeoutMs: 200 },
      client: 'mcp:gone',
      holder: { ...THIS_PROCESS, pid: 4_194_000, id: 'dead' },
    };
    await mcp.runtime.saveMcpTasks({ put: [task] });
    const result = await mcp.client.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    // the child is still open for its agent: the wait ran out, as a wait of 200 ms does
    expect(result.structuredContent).toMatchObject({
      done: false,
      plan: { id: plan.id },
      children: [{ status: expect.any(String) }],
    });
    const [after] = await mcp.runtime.mcpTasks([task.taskId]);
    expect(after).toMatchObject({
      status: 'completed',
      holder: THIS_PROCESS,
      statusMessage: expect.stringContaining('carried on by troupe mcp'),
    });
  });
});

describe('tasks/cancel', () => {
  it('cancels the task, not the plan: the plan runs on and the task keeps cancelled', async () => {
    const mcp = await inProcessMcp();
    opened.push(mcp);
    const spec = {
      name: 'tasks/cancel',
      goal: 'Sleep',
      strategy: { steps: [{ title: 'Sleep', tool: 'shell/run', input: { command: 'sleep 1' } }] },
    };
    const plan = (await mcp.ok<{ plan: PlanRecord }>('plan_create', { spec })).plan;
    const stream = mcp.client.experimental.tasks.callToolStream(
      { name: 'plan_run', arguments: { plan: plan.id } },
      CallToolResultSchema,
      { task: {} },
    );
    let taskId = '';
    for await (const message of stream) {
      if (message.type === 'taskCreated') taskId = message.task.taskId;
      break;
    }
    expect(await mcp.client.experimental.tasks.cancelTask(taskId)).toMatchObject({ taskId, status: 'cancelled' });
    await mcp.backend.drain();
    expect(await mcp.runtime.getPlan(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(await mcp.client.experimental.tasks.getTask(taskId)).toMatchObject({ status: 'cancelled' });
    await expect(mcp.client.experimental.tasks.cancelTask(taskId)).rejects.toThrow(/terminal status: cancelled/);
  });
});
