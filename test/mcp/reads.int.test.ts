import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { PlanRecord } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { connectMcp, textOf, type ToolAnswer } from './mcp-client.js';
import { startMcpHttp } from './mcp-http.js';

// Reads are not steps (issue 35, item 5), through the SDK's own client —
// which checks each structured answer against the tool's outputSchema.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Call = (name: string, args: Record<string, unknown>) => Promise<ToolAnswer>;

async function ok<T = Record<string, unknown>>(call: Call, name: string, args: Record<string, unknown>): Promise<T> {
  const result = await call(name, args);
  if (result.isError) throw new Error(`${name}: ${textOf(result)}`);
  return result.structuredContent as T;
}

async function readsAreNotSteps(call: Call, name: string): Promise<void> {
  const { plan } = await ok<{ plan: PlanRecord }>(call, 'plan_create', {
    spec: { name, goal: 'Look, then write', resourceScopes: ['**'] },
  });
  const looked = await call('run_command', {
    plan: plan.id,
    command: 'grep -c . README.md',
    rationale: 'how long is it',
  });
  expect(looked.isError).toBeFalsy();
  expect(looked.structuredContent).toMatchObject({
    exitCode: 0,
    stdout: '1\n',
    kind: 'read',
    step: null,
    read: 1,
    wrote: false,
    commit: plan.sandbox!.headCommit,
  });
  expect(textOf(looked)).toContain('read 1 (nothing changed: no step)');
  // a failing command that changed nothing: a read, its exit code a result
  const missing = await call('run_command', { plan: plan.id, command: 'cat nope.txt' });
  expect(missing.isError).toBeFalsy();
  expect(missing.structuredContent).toMatchObject({ exitCode: 1, kind: 'read', read: 2 });
  const wrote = await ok(call, 'run_command', { plan: plan.id, command: 'echo hi > hi.txt' });
  expect(wrote).toMatchObject({ kind: 'step', step: 1, read: null, wrote: true });

  const logs = await ok<{ logs: { kind: string; step: number | null; read?: number; command: string }[] }>(
    call,
    'plan_logs',
    { plan: plan.id, read: 2 },
  );
  expect(logs.logs).toMatchObject([{ kind: 'read', step: null, read: 2, command: 'cat nope.txt' }]);
  expect(await ok(call, 'plan_logs', { plan: plan.id, step: 1 })).toMatchObject({
    logs: [{ kind: 'step', step: 1, command: 'echo hi > hi.txt' }],
  });
  const explained = textOf(await call('plan_explain', { plan: plan.id }));
  expect(explained).toContain('tool_call read 1: shell/exec grep -c . README.md — how long is it');
  expect(explained.match(/^ {2}step /gm)).toHaveLength(1);
  const { checkpoints } = await ok<{ checkpoints: { trigger: string }[] }>(call, 'checkpoint_list', { plan: plan.id });
  expect(checkpoints.filter((checkpoint) => checkpoint.trigger === 'step')).toHaveLength(1);
  expect(await ok(call, 'plan_status', { plan: plan.id })).toMatchObject({
    plan: { lastCompletedStep: 0, toolCalls: 3 },
  });
}

describe('reads over MCP', () => {
  it('over stdio: a command that changed nothing answers kind read with its number, and is found by it', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    const mcp = await connectMcp(repo.dir);
    cleanups.push(() => mcp.close());
    await readsAreNotSteps(mcp.call, 'agent/reads-stdio');
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
    await readsAreNotSteps(call, 'agent/reads-http');
  });
});
