import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision, DecisionNode, PlanRecord } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { ACME_PLUGIN, pluginProject } from '../runtime/plugin-fixtures.js';
import { connectMcp, textOf } from './mcp-client.js';

// A whole agent session through `troupe mcp` over stdio, driven by the MCP
// SDK's own Client (SPEC §16), then checked in git and in the store.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function session(files: Record<string, string>) {
  const repo = await tempRepo(files);
  cleanups.push(repo.cleanup);
  const mcp = await connectMcp(repo.dir);
  cleanups.push(() => mcp.close());
  return { dir: repo.dir, mcp };
}

const CONTRACT_TOOLS = [
  'plan_create',
  'plan_list',
  'plan_status',
  'plan_explain',
  'plan_changes',
  'plan_run',
  'plan_finish',
  'plan_apply',
  'plan_cancel',
  'read_file',
  'list_files',
  'write_file',
  'delete_file',
  'run_command',
  'subplan_spawn',
  'subplan_wait',
  'checkpoint_create',
  'checkpoint_list',
  'plan_rollback',
  'plan_conflicts',
  'plan_resolve',
];

// the text of the one content a resources/read answered
function resourceJson(result: { contents: ({ text: string } | { blob: string })[] }): Record<string, unknown> {
  const [content] = result.contents;
  if (!content || !('text' in content)) throw new Error('expected one text resource');
  return JSON.parse(content.text) as Record<string, unknown>;
}

function flatten(root: DecisionNode | null): Decision[] {
  if (!root) return [];
  const { children, ...decision } = root;
  return [decision, ...children.flatMap(flatten)];
}

describe('troupe mcp over stdio, driven by the SDK client', () => {
  it('runs a whole agent session: writes, a command, a checkpoint and a rollback, two children that conflict, a resolution, finish and apply', async () => {
    const { dir, mcp } = await session({
      'README.md': '# project\n',
      'src/app.ts': 'export const app = 1;\n',
      'shared.txt': 'one\ntwo\nthree\n',
    });

    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(CONTRACT_TOOLS));
    expect(tools.find((tool) => tool.name === 'write_file')?.inputSchema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['plan', 'path', 'content']),
    });

    // an agent-driven plan: no strategy.steps
    const created = await mcp.ok<{ plan: PlanRecord }>('plan_create', {
      spec: {
        name: 'agent/feature',
        goal: 'Add a feature',
        resourceScopes: ['src/**', 'shared.txt'],
        validate: [{ run: 'test -f src/feature.ts' }],
      },
    });
    expect(created.plan).toMatchObject({
      name: 'agent/feature',
      phase: 'execute',
      status: 'waiting',
      agentDriven: true,
    });
    const plan = created.plan.id;

    const wrote = await mcp.ok('write_file', {
      plan: 'agent/feature',
      path: 'src/feature.ts',
      content: 'export const feature = true;\n',
      rationale: 'the feature itself',
    });
    expect(wrote).toMatchObject({
      path: 'src/feature.ts',
      created: true,
      step: 1,
      wrote: true,
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });

    // a failing command is a result, not an error; one that changed nothing is a read, not a step
    const ran = await mcp.call('run_command', { plan, command: 'cat src/feature.ts; echo oops >&2; exit 2' });
    expect(ran.isError).toBeFalsy();
    expect(ran.structuredContent).toMatchObject({
      exitCode: 2,
      stdout: 'export const feature = true;\n',
      stderr: 'oops\n',
      kind: 'read',
      step: null,
      read: 1,
      wrote: false,
    });

    await mcp.ok('checkpoint_create', { plan, label: 'before-experiment' });
    await mcp.ok('write_file', { plan, path: 'src/experiment.ts', content: 'export {};\n' });
    const listed = await mcp.ok<{ checkpoints: { label: string | null; trigger: string }[] }>('checkpoint_list', {
      plan,
    });
    expect(listed.checkpoints.map((checkpoint) => checkpoint.trigger)).toEqual([
      'phase',
      'pre-execute',
      'step',
      'manual',
      'step',
    ]);

    // without confirm: the preview, and nothing changes
    const preview = await mcp.call('plan_rollback', { plan, to: 'before-experiment' });
    expect(preview.isError).toBeFalsy();
    expect(preview.structuredContent).toMatchObject({
      rolledBack: false,
      preview: { changes: [{ file: 'src/experiment.ts', action: 'deleted' }] },
    });
    expect(textOf(preview)).toContain('call again with confirm: true');
    expect(await mcp.ok('read_file', { plan, path: 'src/experiment.ts' })).toMatchObject({ content: 'export {};\n' });
    const rolled = await mcp.ok('plan_rollback', { plan, to: 'before-experiment', confirm: true });
    expect(rolled).toMatchObject({
      rolledBack: true,
      plan: { phase: 'execute', status: 'waiting' },
      result: { changesReverted: [{ file: 'src/experiment.ts' }] },
    });
    const gone = await mcp.call('read_file', { plan, path: 'src/experiment.ts' });
    expect(gone.isError).toBe(true);

    // two agent-driven children that edit the same line
    const updated: string[] = [];
    const { ResourceUpdatedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    mcp.client.setNotificationHandler(
      ResourceUpdatedNotificationSchema,
      (notification) => void updated.push(notification.params.uri),
    );
    await mcp.client.subscribeResource({ uri: `troupe://plans/${plan}` });
    const spawnCall = await mcp.call('subplan_spawn', {
      plan,
      children: [
        { name: 'agent/left', goal: 'Say two the left way' },
        { name: 'agent/right', goal: 'Say two the right way', resourceScopes: ['shared.txt'] },
      ],
      maxParallel: 2,
    });
    // their scopes meet (left has the parent's): said before they start (overlap: warn, the default)
    expect(spawnCall.structuredContent).toMatchObject({
      overlap: {
        policy: 'warn',
        pairs: [
          { entries: ['agent/left', 'agent/right'], patterns: ['shared.txt', 'shared.txt'], files: ['shared.txt'] },
        ],
      },
    });
    expect(textOf(spawnCall)).toContain(
      'may write the same files: agent/left and agent/right (shared.txt / shared.txt)',
    );
    const spawned = spawnCall.structuredContent as { children: { id: string; name: string; status: string }[] };
    expect(spawned.children).toMatchObject([
      { name: 'agent/left', status: 'running' },
      { name: 'agent/right', status: 'running' },
    ]);
    const [left, right] = spawned.children;
    // the parent takes no step while its children run
    const busy = await mcp.call('write_file', { plan, path: 'src/late.ts', content: '' });
    expect(busy).toMatchObject({ isError: true, structuredContent: { error: { code: 'PHASE_GUARD' } } });
    await mcp.ok('write_file', { plan: left!.id, path: 'shared.txt', content: 'one\nTWO from the left\nthree\n' });
    await mcp.ok('write_file', { plan: right!.id, path: 'shared.txt', content: 'one\ntwo from the right\nthree\n' });
    // predicted while both still run: in the parent's record, and its resource said it changed
    await expect
      .poll(async () => (await mcp.ok<{ plan: PlanRecord }>('plan_status', { plan })).plan.predictedConflicts, {
        timeout: 10_000,
      })
      .toEqual([
        {
          step: 1,
          children: [left!.id, right!.id],
          names: ['agent/left', 'agent/right'],
          files: ['shared.txt'],
          kinds: ['content'],
        },
      ]);
    expect(updated).toContain(`troupe://plans/${plan}`);
    expect(await mcp.ok('plan_finish', { plan: left!.id })).toMatchObject({
      plan: { phase: 'validate', status: 'complete' },
    });
    await mcp.ok('plan_finish', { plan: right!.id });

    const waited = await mcp.ok<{ done: boolean; conflicts: { file: string; kind: string; child: string }[] }>(
      'subplan_wait',
      { plan, timeoutMs: 60_000 },
    );
    expect(waited).toMatchObject({
      done: true,
      plan: { phase: 'execute', status: 'waiting' },
      conflicts: [{ file: 'shared.txt', kind: 'content' }],
    });
    const conflicts = await mcp.call('plan_conflicts', { plan });
    expect(textOf(conflicts)).toContain('TWO from the left');
    expect(textOf(conflicts)).toContain('two from the right');
    const resolved = await mcp.ok('plan_resolve', {
      plan,
      file: 'shared.txt',
      content: 'one\nTWO, from both sides\nthree\n',
    });
    expect(resolved).toMatchObject({
      with: 'content',
      remaining: [],
      mergeCommit: expect.stringMatching(/^[0-9a-f]{40}$/),
      plan: { phase: 'execute', status: 'waiting' },
    });

    const finished = await mcp.ok<{ plan: PlanRecord }>('plan_finish', { plan });
    expect(finished.plan).toMatchObject({ phase: 'validate', status: 'complete' });
    const late = await mcp.call('write_file', { plan, path: 'src/late.ts', content: '' });
    expect(late).toMatchObject({ isError: true, structuredContent: { error: { code: 'PHASE_GUARD' } } });
    const applied = await mcp.ok<{ plan: PlanRecord }>('plan_apply', { plan });
    expect(applied.plan).toMatchObject({
      phase: 'apply',
      status: 'done',
      appliedCommit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    await mcp.close();

    // the project: one troupe commit with the feature and the resolution, not the rolled-back experiment
    expect(git(dir, 'log', '-1', '--format=%an <%ae>|%s')).toBe('troupe <troupe@localhost>|Add a feature');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(applied.plan.appliedCommit);
    expect(readFileSync(join(dir, 'src/feature.ts'), 'utf8')).toBe('export const feature = true;\n');
    expect(readFileSync(join(dir, 'shared.txt'), 'utf8')).toBe('one\nTWO, from both sides\nthree\n');
    expect(existsSync(join(dir, 'src/experiment.ts'))).toBe(false);
    expect(git(dir, 'status', '--porcelain')).toBe('');

    // the store: every call recorded, with the client as its actor
    const runtime = await createRuntime({ dir, report: () => {} });
    try {
      const decisions = flatten((await runtime.explain(plan)).root);
      const steps = decisions.filter((decision) => decision.type === 'step');
      expect(steps.map((decision) => [decision.title, decision.status, decision.actor])).toEqual([
        ['fs/write-file src/feature.ts', 'active', 'mcp:troupe-test-agent'],
        ['fs/write-file src/experiment.ts', 'discarded', 'mcp:troupe-test-agent'],
        ['Spawn 2 agent-driven subplan(s)', 'active', 'mcp:troupe-test-agent'],
      ]);
      expect(steps[0]!.rationale).toBe('the feature itself');
      // the command that changed nothing is a read, numbered, not a step
      expect(
        decisions
          .filter((decision) => decision.type === 'tool_call')
          .map((decision) => (decision.payload as { outcome: string }).outcome)
          .sort(),
      ).toEqual(['read', 'read', 'read', 'refused', 'refused']);
      expect(decisions.find((decision) => decision.type === 'tool_call' && decision.payload.read === 1)).toMatchObject({
        title: 'read 1: shell/exec cat src/feature.ts; echo oops >&2; exit 2',
        status: 'active',
        actor: 'mcp:troupe-test-agent',
      });
      expect(decisions.map((decision) => decision.type)).toEqual(
        expect.arrayContaining(['rollback', 'subplan_parallel_spawn', 'conflict_resolution', 'merge']),
      );
      const children = await runtime.tree(plan);
      expect(children.children.map((child) => [child.name, child.status])).toEqual([
        ['agent/left', 'done'],
        ['agent/right', 'done'],
      ]);
    } finally {
      await runtime.close();
    }
  });

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
