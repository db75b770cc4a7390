import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { textOf } from './mcp-client.js';
import { openPlan, session } from './server-fixture.js';

// the plan_* tools of `troupe mcp`: create, run, inspect, cancel and apply a plan, and a plan not found
describe('the plan tools', () => {
  it('list, create from YAML text, run, explain, tree, status and cancel, each with a line of text that says what to do', async () => {
    const mcp = await session();
    expect(textOf(await mcp.call('plan_list', {}))).toBe('no plans');
    // a plan file with steps is only created: plan_run drives it
    const scripted = await mcp.ok<{ plan: PlanRecord }>('plan_create', {
      spec: planYaml({
        name: 'demo/scripted',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'w.txt', content: 'w\n' })] },
      }),
    });
    expect(scripted.plan).toMatchObject({ phase: 'strategize', status: 'queued', agentDriven: false });
    expect(textOf(await mcp.call('plan_explain', { plan: 'demo/scripted' }))).toBe(
      'no decisions yet (the plan has not strategized)',
    );
    const ran = await mcp.call('plan_run', { plan: 'demo/scripted', until: 'execute' });
    expect(ran.structuredContent).toMatchObject({ plan: { phase: 'execute', status: 'complete' } });
    const validated = await mcp.call('plan_run', { plan: 'demo/scripted' });
    expect(textOf(validated)).toMatch(
      /^demo\/scripted \(\w+\): validate · complete — validated: plan_apply brings it into the project$/,
    );
    expect(textOf(await mcp.call('plan_explain', { plan: 'demo/scripted' }))).toMatch(
      /^strategy Change the project — the 1 step\(s\) listed in the plan file's strategy\n {2}step Write — call fs\/write-file/,
    );

    const open = await openPlan(mcp);
    expect(textOf(await mcp.call('plan_status', { plan: open.id }))).toContain(
      'open: call read_file, write_file, run_command… then plan_finish',
    );
    const listed = await mcp.ok<{ plans: { name: string; agentDriven: boolean }[] }>('plan_list', {});
    expect(listed.plans).toEqual([
      expect.objectContaining({ name: 'demo/scripted', agentDriven: false }),
      expect.objectContaining({ name: 'agent/x', agentDriven: true }),
    ]);
    expect(textOf(await mcp.call('plan_tree', { plan: open.id }))).toBe(`agent/x (${open.id}): execute · waiting`);

    const cancelled = await mcp.ok<{ plan: PlanRecord }>('plan_cancel', { plan: open.id, reason: 'not needed' });
    expect(cancelled.plan.status).toBe('cancelled');
    expect((await mcp.ok<{ plans: unknown[] }>('plan_list', {})).plans).toHaveLength(1);
    expect((await mcp.ok<{ plans: unknown[] }>('plan_list', { all: true })).plans).toHaveLength(2);
    expect(await mcp.call('plan_cancel', { plan: open.id })).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'PHASE_GUARD' } },
    });
  });

  it('plan_update changes an open plan’s checks from its edited spec, and refuses a field that cannot change (issue 74)', async () => {
    const mcp = await session();
    const open = await openPlan(mcp, 'agent/checked');
    const spec = { name: 'agent/checked', goal: 'Work', resourceScopes: ['**'], validate: [{ run: 'true' }] };
    const updated = await mcp.call('plan_update', { plan: open.id, spec, reason: 'check something' });
    expect(textOf(updated)).toMatch(/^updated validate: agent\/checked \(\w+\): execute · waiting/);
    expect(updated.structuredContent).toMatchObject({
      changed: ['validate'],
      before: { validate: [] },
      after: { validate: [{ run: 'true' }] },
    });
    const refused = await mcp.call('plan_update', { plan: open.id, spec: { ...spec, goal: 'Do something else' } });
    expect(refused).toMatchObject({
      isError: true,
      structuredContent: {
        error: { code: 'VALIDATION_ERROR', message: 'spec: goal: cannot change in a live plan (was Work)' },
      },
    });
  });

  it('names the project root and the closest plan when a plan is not found (issue 36)', async () => {
    const mcp = await session();
    await openPlan(mcp, 'agent/hello');
    const root = realpathSync(mcp.dir);
    const missed = await mcp.call('plan_status', { plan: 'agent/helo' });
    expect(missed).toMatchObject({
      isError: true,
      structuredContent: {
        error: { code: 'NOT_FOUND', details: { ref: 'agent/helo', projectRoot: root, suggestion: 'agent/hello' } },
      },
    });
    expect(textOf(missed)).toBe(
      `error[NOT_FOUND]: no plan matches "agent/helo" in ${root}\nhint: did you mean agent/hello? troupe plan list --all shows the plans`,
    );
    // embedding: the runtime's own error carries the same
    await expect(mcp.runtime.getPlan('agent/helo')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `no plan matches "agent/helo" in ${root}`,
      details: { projectRoot: root },
    });
  });

  it('shows changes as a listing and, with patch, a bounded unified diff', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    expect(textOf(await mcp.call('plan_changes', { plan: plan.id }))).toBe('no changes');
    await mcp.ok('write_file', { plan: plan.id, path: 'src/b.ts', content: 'export const b = 2;\n' });
    expect(textOf(await mcp.call('plan_changes', { plan: plan.id }))).toBe('added    src/b.ts (+1 -0)');
    const patched = await mcp.call('plan_changes', { plan: plan.id, patch: true });
    expect(patched.structuredContent).toMatchObject({
      truncated: false,
      patch: expect.stringContaining('+export const b = 2;'),
    });
    expect((patched.structuredContent as { patch: string }).patch).toMatch(/^diff --git a\/src\/b.ts b\/src\/b.ts/);
    const cut = await mcp.call('plan_changes', { plan: plan.id, patch: true, maxBytes: 20 });
    expect(cut.structuredContent).toMatchObject({ truncated: true });
    expect((cut.structuredContent as { patch: string }).patch.length).toBeLessThanOrEqual(20);
    expect(textOf(cut)).toContain('… (truncated: ask for a larger maxBytes)');
  });

  it('applies a validated plan as one commit, and says so', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    await mcp.ok('write_file', { plan: plan.id, path: 'NOTES.md', content: 'notes\n' });
    await mcp.ok('plan_finish', { plan: plan.id });
    const applied = await mcp.call('plan_apply', { plan: plan.id, strategy: 'theirs' });
    expect(textOf(applied)).toMatch(/apply · done — applied as [0-9a-f]{7}$/);
  });
});
