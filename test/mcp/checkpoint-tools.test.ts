import { describe, expect, it } from 'vitest';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { textOf } from './mcp-client.js';
import { openPlan, session } from './server-fixture.js';

// checkpoint_create, checkpoint_list and plan_rollback of `troupe mcp`: the preview, and the rollback once confirmed

describe('the checkpoint tools', () => {
  it('list checkpoints, preview a rollback, and roll back with confirm: true', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    const created = await mcp.call('checkpoint_create', { plan: plan.id, label: 'before' });
    // a checkpoint holds no work in flight: taken while the plan is open, it restores (execute, queued), which opens it again
    expect(textOf(created)).toMatch(/^checkpoint \w+ "before" manual at execute · queued, 0 write\(s\) — /);
    await mcp.ok('write_file', { plan: plan.id, path: 'a.txt', content: 'a\n' });
    const listed = await mcp.call('checkpoint_list', { plan: plan.id });
    expect(textOf(listed).split('\n')).toHaveLength(4);
    const preview = await mcp.call('plan_rollback', { plan: plan.id, to: 'before' });
    expect(textOf(preview)).toMatch(
      /^rolling agent\/x back to \w+ "before" manual .* would restore \(execute, waiting\):\n {2}deleted a.txt\n {2}discard step fs\/write-file a.txt/,
    );
    const done = await mcp.call('plan_rollback', { plan: plan.id, to: 'before', confirm: true });
    expect(textOf(done)).toMatch(
      /^rolled back to \w+ "before": 1 file\(s\) reverted, \d+ decision\(s\) discarded — agent\/x .*\nundo: plan_rollback to \w+$/,
    );
  });

  it('falls back to the preview when a client that said it can elicit fails to answer', async () => {
    const mcp = await session(undefined, { capabilities: { elicitation: {} } });
    mcp.client.setRequestHandler(ElicitRequestSchema, () => {
      throw new Error('no user here');
    });
    const plan = await openPlan(mcp);
    await mcp.ok('checkpoint_create', { plan: plan.id, label: 'before' });
    await mcp.ok('write_file', { plan: plan.id, path: 'a.txt', content: 'a\n' });
    expect(await mcp.ok('plan_rollback', { plan: plan.id, to: 'before' })).toMatchObject({ rolledBack: false });
  });
});
