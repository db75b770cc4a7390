import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { PlanRecord } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { connectMcp, type ToolAnswer } from './mcp-client.js';
import { startMcpHttp } from './mcp-http.js';

// An agent cancels one of its children on purpose (issue 35): the parent
// stays open, the child is cancelled (not failed), the other one merges.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Call = (name: string, args: Record<string, unknown>) => Promise<ToolAnswer>;

async function ok<T = Record<string, unknown>>(call: Call, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await call(name, args);
  if (result.isError) throw new Error(`${name}: ${result.content.map((part) => part.text).join('\n')}`);
  return result.structuredContent as T;
}

async function cancelOneChild(call: Call, name: string): Promise<void> {
  const created = await ok<{ plan: PlanRecord }>(call, 'plan_create', {
    spec: { name, goal: 'Two children, one dropped', resourceScopes: ['**'] },
  });
  const plan = created.plan.id;
  const spawned = await ok<{ children: { id: string; name: string }[] }>(call, 'subplan_spawn', {
    plan,
    children: [
      { goal: 'An idea we drop', resourceScopes: ['dropped.txt'] },
      { goal: 'The one we keep', resourceScopes: ['kept.txt'] },
    ],
  });
  const [dropped, kept] = spawned.children;
  await ok(call, 'write_file', { plan: dropped!.id, path: 'dropped.txt', content: 'no\n' });
  const cancelled = await ok<{ plan: PlanRecord }>(call, 'plan_cancel', {
    plan: dropped!.id,
    reason: 'not needed after all',
  });
  expect(cancelled.plan).toMatchObject({ status: 'cancelled' });
  // the parent is not failed by it
  const status = await ok<{ plan: PlanRecord }>(call, 'plan_status', { plan });
  expect(status.plan).toMatchObject({ phase: 'execute', error: null });
  expect(status.plan.status).not.toBe('failed');

  await ok(call, 'write_file', { plan: kept!.id, path: 'kept.txt', content: 'yes\n' });
  await ok(call, 'plan_finish', { plan: kept!.id });
  const waited = await ok<{ done: boolean; plan: PlanRecord; children: { id: string; status: string }[] }>(
    call,
    'subplan_wait',
    { plan, timeoutMs: 60_000 },
  );
  expect(waited).toMatchObject({ done: true, plan: { phase: 'execute', status: 'waiting', error: null } });
  expect(waited.children).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ id: dropped!.id, status: 'cancelled' }),
      expect.objectContaining({ id: kept!.id, status: 'complete' }),
    ]),
  );
  // the parent is open: its next call is a step; only the kept child's change was merged
  expect(await ok(call, 'write_file', { plan, path: 'after.txt', content: 'a\n' })).toMatchObject({ wrote: true });
  const { changes } = await ok<{ changes: { files: { path: string }[] } }>(call, 'plan_changes', { plan });
  expect(changes.files.map((file) => file.path).sort()).toEqual(['after.txt', 'kept.txt']);
  const explained = await call('plan_explain', { plan });
  expect(JSON.stringify(explained.structuredContent)).not.toContain('"status":"failed"');
}

describe('cancelling a child on purpose, over MCP', () => {
  it('over stdio: the parent stays open and the child is recorded cancelled', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    const mcp = await connectMcp(repo.dir);
    cleanups.push(() => mcp.close());
    await cancelOneChild(mcp.call, 'agent/stdio');
  });

  it('over HTTP: the same', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    const server = await startMcpHttp(repo.dir);
    cleanups.push(server.stop);
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { Authorization: `Bearer ${server.token}` } },
      }),
    );
    cleanups.push(() => client.close());
    const call: Call = async (name, args) =>
      (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as ToolAnswer;
    await cancelOneChild(call, 'agent/http');
  });
});
