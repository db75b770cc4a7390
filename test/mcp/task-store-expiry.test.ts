import { afterEach, describe, expect, it } from 'vitest';
import { McpTaskStore } from '../../src/mcp/task-store.js';
import { inProcessMcp, type InProcessMcp } from './in-process.js';

// A task's ttl counts from its creation, and again from its end: a status
// update while it still works (input_required, a message) leaves its expiry
// where it was — only ending the task starts the ttl over.

const opened: InProcessMcp[] = [];
afterEach(async () => {
  for (const mcp of opened.splice(0)) await mcp.close();
});

const request = { method: 'tools/call', params: { name: 'plan_run', arguments: { plan: 'demo/x' } } };

describe('the MCP task store, on a status update', () => {
  it('does not push a working task’s expiry forward', async () => {
    const now = { ms: Date.parse('2026-01-01T00:00:00Z') };
    const mcp = await inProcessMcp();
    opened.push(mcp);
    const store = new McpTaskStore(
      mcp.backend,
      () => {},
      () => now.ms,
    );
    const task = await store.createTask({ ttl: 60_000 }, 1, request);
    now.ms += 50_000;
    await store.updateTaskStatus(task.taskId, 'input_required', 'waiting for an answer');
    const [stored] = await mcp.runtime.mcpTasks([task.taskId]);
    expect(stored).toMatchObject({
      status: 'input_required',
      statusMessage: 'waiting for an answer',
      lastUpdatedAt: '2026-01-01T00:00:50.000Z',
      expiresAt: '2026-01-01T00:01:00.000Z',
    });
    await store.updateTaskStatus(task.taskId, 'working');
    expect((await mcp.runtime.mcpTasks([task.taskId]))[0]?.expiresAt).toBe('2026-01-01T00:01:00.000Z');
    // 70 s after it was created: its ttl passed, whatever it was told since
    now.ms += 20_000;
    expect(await store.getTask(task.taskId)).toBeNull();
  });

  it('starts the ttl over when the task ends', async () => {
    const now = { ms: Date.parse('2026-01-01T00:00:00Z') };
    const mcp = await inProcessMcp();
    opened.push(mcp);
    const store = new McpTaskStore(
      mcp.backend,
      () => {},
      () => now.ms,
    );
    const task = await store.createTask({ ttl: 60_000 }, 1, request);
    now.ms += 50_000;
    await store.updateTaskStatus(task.taskId, 'failed', 'gave up');
    expect((await mcp.runtime.mcpTasks([task.taskId]))[0]?.expiresAt).toBe('2026-01-01T00:01:50.000Z');
  });
});
