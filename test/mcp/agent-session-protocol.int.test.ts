import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { ACME_PLUGIN, pluginProject } from '../runtime/plugin-fixtures.js';
import { connectMcp, textOf } from './mcp-client.js';
import { cleanups, session } from './agent-session-fixture.js';

// An agent session through `troupe mcp` over stdio, driven by the MCP SDK's own
// Client (SPEC §16): errors as tool results, elicitation, plugins' tools, resources.

// the text of the one content a resources/read answered
function resourceJson(result: { contents: ({ text: string } | { blob: string })[] }): Record<string, unknown> {
  const [content] = result.contents;
  if (!content || !('text' in content)) throw new Error('expected one text resource');
  return JSON.parse(content.text) as Record<string, unknown>;
}

describe('troupe mcp over stdio, driven by the SDK client', () => {
  it('answers bad input, unknown plans and refused calls as tool results with isError naming the field or the fix', async () => {
    const { mcp } = await session({ 'README.md': '# project\n' });
    const { plan } = await mcp.ok<{ plan: PlanRecord }>('plan_create', {
      spec: 'name: agent/bad\ngoal: Probe the edges\nresourceScopes: ["notes.md"]\n',
    });

    const missing = await mcp.call('write_file', { plan: plan.id, content: 'x' });
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent).toMatchObject({
      error: { code: 'VALIDATION_ERROR', details: { issues: [{ path: 'path' }] } },
    });
    expect(textOf(missing)).toMatch(/^error\[VALIDATION_ERROR\]: .*path/);
    const extra = await mcp.call('read_file', { plan: plan.id, path: 'README.md', mode: 'fast' });
    expect(extra.structuredContent).toMatchObject({ error: { code: 'VALIDATION_ERROR' } });
    expect(textOf(extra)).toContain('mode');

    const unknown = await mcp.call('plan_status', { plan: 'agent/nobody' });
    expect(unknown).toMatchObject({ isError: true, structuredContent: { error: { code: 'NOT_FOUND' } } });
    const scope = await mcp.call('write_file', { plan: plan.id, path: 'README.md', content: 'x' });
    expect(scope).toMatchObject({ isError: true, structuredContent: { error: { code: 'SCOPE_VIOLATION' } } });
    expect(textOf(scope)).toContain('hint: the plan may write only notes.md');
    const escape = await mcp.call('delete_file', { plan: plan.id, path: '../../etc/passwd' });
    expect(escape).toMatchObject({ isError: true, structuredContent: { error: { code: 'SANDBOX_ESCAPE' } } });
    const resolveBoth = await mcp.call('plan_resolve', { plan: plan.id, file: 'notes.md', side: 'ours', content: 'x' });
    expect(resolveBoth).toMatchObject({ isError: true, structuredContent: { error: { code: 'VALIDATION_ERROR' } } });
    const badSpec = await mcp.call('plan_create', { spec: { name: 'Agent Bad', goal: '' } });
    expect(badSpec).toMatchObject({ isError: true, structuredContent: { error: { code: 'VALIDATION_ERROR' } } });
    expect(textOf(badSpec)).toContain('name');
    // an unknown tool is the protocol's error, as MCP says
    await expect(mcp.client.callTool({ name: 'format_disk', arguments: {} })).rejects.toThrow(
      /Unknown tool: format_disk/,
    );

    // none of that changed the plan; it is still open
    const status = await mcp.ok<{ plan: PlanRecord }>('plan_status', { plan: plan.id });
    expect(status.plan).toMatchObject({ phase: 'execute', status: 'waiting', lastCompletedStep: null, error: null });
    expect(await mcp.ok('write_file', { plan: plan.id, path: 'notes.md', content: 'fine\n' })).toMatchObject({
      step: 1,
      wrote: true,
    });
  });

  it('asks a client that can elicit before it rolls back, and rolls back only on a yes', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    const asked: string[] = [];
    let answer: 'accept' | 'decline' = 'decline';
    const mcp = await connectMcp(repo.dir, {
      capabilities: { elicitation: {} },
      beforeConnect: (client) =>
        client.setRequestHandler(ElicitRequestSchema, (request) => {
          asked.push(request.params.message);
          return answer === 'accept' ? { action: 'accept', content: { confirm: true } } : { action: 'decline' };
        }),
    });
    cleanups.push(() => mcp.close());
    const { plan } = await mcp.ok<{ plan: PlanRecord }>('plan_create', {
      spec: { name: 'agent/asked', goal: 'Be asked', resourceScopes: ['**'] },
    });
    await mcp.ok('checkpoint_create', { plan: plan.id, label: 'empty' });
    await mcp.ok('write_file', { plan: plan.id, path: 'a.txt', content: 'a\n' });

    const declined = await mcp.ok('plan_rollback', { plan: plan.id, to: 'empty' });
    expect(declined).toMatchObject({ rolledBack: false, preview: { changes: [{ file: 'a.txt', action: 'deleted' }] } });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain('deleted a.txt');
    expect(await mcp.ok('read_file', { plan: plan.id, path: 'a.txt' })).toMatchObject({ content: 'a\n' });

    answer = 'accept';
    expect(await mcp.ok('plan_rollback', { plan: plan.id, to: 'empty' })).toMatchObject({
      rolledBack: true,
      result: { changesReverted: [{ file: 'a.txt' }] },
    });
    expect(asked).toHaveLength(2);
    expect(await mcp.call('read_file', { plan: plan.id, path: 'a.txt' })).toMatchObject({ isError: true });
  });

  it('offers the tools of the plugins the project lists, through call_tool', async () => {
    // the user's own (untracked) config lists a plugin whose tool writes with a contained command
    const repo = await pluginProject({ 'troupe.plugins.mjs': ACME_PLUGIN }, { plugins: ['./troupe.plugins.mjs'] });
    cleanups.push(repo.cleanup);
    // the plugin imports troupe's TypeScript source: the server runs with tsx, as vitest does
    const mcp = await connectMcp(repo.dir, { env: { NODE_OPTIONS: '--import tsx' } });
    cleanups.push(() => mcp.close());
    const { plan } = await mcp.ok<{ plan: PlanRecord }>('plan_create', {
      spec: { name: 'agent/plugged', goal: 'Stamp', resourceScopes: ['STAMP'] },
    });
    expect(
      await mcp.ok('call_tool', {
        plan: plan.id,
        tool: 'acme/stamp',
        input: { path: 'STAMP', text: 'from a plugin' },
        rationale: 'stamp it',
      }),
    ).toMatchObject({ output: { path: 'STAMP' }, step: 1, wrote: true });
    expect(await mcp.ok('read_file', { plan: plan.id, path: 'STAMP' })).toMatchObject({ content: 'from a plugin\n' });
    const unknown = await mcp.call('call_tool', { plan: plan.id, tool: 'acme/whisper', input: {} });
    expect(unknown).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'VALIDATION_ERROR', hint: expect.stringContaining('acme/stamp') } },
    });
  });

  it('serves plans as resources and notifies a subscriber when one changes', async () => {
    const { mcp } = await session({ 'README.md': '# project\n' });
    const { plan } = await mcp.ok<{ plan: PlanRecord }>('plan_create', {
      spec: { name: 'agent/watched', goal: 'Be watched', resourceScopes: ['**'] },
    });
    const { resources } = await mcp.client.listResources();
    expect(resources).toEqual([
      expect.objectContaining({
        uri: `troupe://plans/${plan.id}`,
        name: 'agent/watched',
        mimeType: 'application/json',
      }),
    ]);
    const { resourceTemplates } = await mcp.client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual([
      'troupe://plans/{id}',
      'troupe://plans/{id}/decisions',
      'troupe://plans/{id}/events',
    ]);

    const updated: string[] = [];
    const { ResourceUpdatedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    mcp.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (notification) => void updated.push(notification.params.uri),
    );
    await mcp.client.subscribeResource({ uri: `troupe://plans/${plan.id}/events` });
    await mcp.ok('write_file', { plan: plan.id, path: 'a.txt', content: 'a\n' });
    await expect.poll(() => updated).toContain(`troupe://plans/${plan.id}/events`);

    expect(resourceJson(await mcp.client.readResource({ uri: `troupe://plans/${plan.id}` }))).toMatchObject({
      id: plan.id,
      lastCompletedStep: 0,
    });
    const events = resourceJson(await mcp.client.readResource({ uri: `troupe://plans/${plan.id}/events` })) as {
      events: { type: string }[];
    };
    expect(events.events.map((event) => event.type)).toContain('step.completed');
    const tree = resourceJson(
      await mcp.client.readResource({ uri: `troupe://plans/${encodeURIComponent('agent/watched')}/decisions` }),
    );
    expect(tree['root']).toMatchObject({ type: 'strategy' });
    await expect(mcp.client.readResource({ uri: 'troupe://plans/01ZZZZZZZZZZZZZZZZZZZZZZZZ' })).rejects.toThrow(
      /Resource not found/,
    );
  });
});
