import { describe, expect, it } from 'vitest';
import type { McpTaskRecord } from '../../../src/domain/index.js';
import type { Conformance } from './store-fixture.js';
import { planCreation } from '../fixtures.js';

function task(taskId: string, fields: Partial<McpTaskRecord> = {}): McpTaskRecord {
  return {
    taskId,
    status: 'working',
    ttl: 60_000,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastUpdatedAt: '2026-01-01T00:00:00.000Z',
    pollInterval: 500,
    expiresAt: '2026-01-01T00:01:00.000Z',
    session: 'session-a',
    tool: 'plan_run',
    arguments: { plan: 'demo/x' },
    client: 'mcp:test',
    holder: { host: 'dev1', pid: 4242, id: 'h1' },
    ...fields,
  };
}

/**
 * MCP tasks of the store conformance (docs/reference/mcp.md#tasks): written whole,
 * read back by id and all together, deleted, apart from every plan, and kept
 * by a new store over the same data.
 */
export function describeMcpTasks({ openFixture, opened }: Conformance): void {
  describe('MCP tasks', () => {
    it('reads back a task as written, its result once it ended, and every task by id', async () => {
      const { store } = await openFixture();
      expect(await store.getMcpTask('k1')).toBeNull();
      await store.putMcpTask(task('k2'));
      await store.putMcpTask(task('k1', { ttl: null, expiresAt: null }));
      expect(await store.getMcpTask('k1')).toEqual(task('k1', { ttl: null, expiresAt: null }));
      const ended = task('k2', {
        status: 'completed',
        lastUpdatedAt: '2026-01-01T00:00:05.000Z',
        result: { content: [{ type: 'text', text: 'done' }], structuredContent: { plan: { id: 'P' } } },
      });
      await store.putMcpTask(ended);
      expect(await store.getMcpTask('k2')).toEqual(ended);
      expect((await store.listMcpTasks()).map((each) => [each.taskId, each.status])).toEqual([
        ['k1', 'working'],
        ['k2', 'completed'],
      ]);
    });

    it('deletes the tasks named and leaves the others, and a plan deleted leaves tasks alone', async () => {
      const { store } = await openFixture();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      for (const id of ['k1', 'k2', 'k3']) await store.putMcpTask(task(id));
      await store.deleteMcpTasks(['k1', 'k3', 'unknown']);
      await store.deletePlan(creation.planId);
      expect((await store.listMcpTasks()).map((each) => each.taskId)).toEqual(['k2']);
      expect(await store.getMcpTask('k1')).toBeNull();
    });

    it('refuses to write a task that does not fit its schema, and writes nothing', async () => {
      const { store } = await openFixture();
      await expect(store.putMcpTask({ ...task('k1'), status: 'sleeping' as never })).rejects.toThrow();
      expect(await store.listMcpTasks()).toEqual([]);
    });

    it('reads a damaged task as STORE_CORRUPT naming its key', async () => {
      const { store } = await openFixture();
      await store.db.put('!mcpt!k1', JSON.stringify({ taskId: 'k1' }));
      await expect(store.getMcpTask('k1')).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
        details: { key: '!mcpt!k1' },
      });
      await expect(store.listMcpTasks()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    });

    it('keeps tasks for a new store over the same data', async (context) => {
      const fixture = await openFixture();
      if (!fixture.reopen) return context.skip();
      await fixture.store.putMcpTask(task('k1'));
      await fixture.store.close();
      const again = fixture.reopen();
      opened.push({ store: again, cleanup: async () => {} });
      await again.open();
      expect(await again.getMcpTask('k1')).toEqual(task('k1'));
    });
  });
}
