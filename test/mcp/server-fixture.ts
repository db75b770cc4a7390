import { afterEach } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { inProcessMcp, type InProcessMcp } from './in-process.js';

// The MCP server of `troupe mcp` in this process, on a real runtime (real
// git, LevelDB), through the SDK's client: what each tool, resource,
// prompt and completion answers, text and structure.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An in-process `troupe mcp` session (as inProcessMcp takes it), closed after the test by the hook this module registers. */
export async function session(...args: Parameters<typeof inProcessMcp>): Promise<InProcessMcp> {
  const mcp = await inProcessMcp(...args);
  cleanups.push(mcp.close);
  return mcp;
}

/** An open agent-driven plan named `name` (goal Work, every scope unless `extra` says otherwise), made with plan_create. */
export async function openPlan(
  mcp: InProcessMcp,
  name = 'agent/x',
  extra: Record<string, unknown> = {},
): Promise<PlanRecord> {
  return (
    await mcp.ok<{ plan: PlanRecord }>('plan_create', {
      spec: { name, goal: 'Work', resourceScopes: ['**'], ...extra },
    })
  ).plan;
}
