import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Decision, DecisionNode, PlanRecord } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { git } from '../helpers/temp.js';
import { textOf } from './mcp-client.js';
import { session } from './agent-session-fixture.js';

// A whole agent session through `troupe mcp` over stdio, driven by the MCP
// SDK's own Client (SPEC §16), then checked in git and in the store.

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
});
