import { describe, expect, it } from 'vitest';
import { session } from './server-fixture.js';

// what tools/list of `troupe mcp` says each tool does: its annotations
describe('the tool list', () => {
  it('states every annotation of every tool, true to what it does (issue 35)', async () => {
    const mcp = await session();
    const { tools } = await mcp.client.listTools();
    expect(tools.length).toBeGreaterThan(20);
    for (const tool of tools) {
      expect(tool.annotations, tool.name).toEqual({
        title: tool.title,
        readOnlyHint: expect.any(Boolean),
        destructiveHint: expect.any(Boolean),
        idempotentHint: expect.any(Boolean),
        openWorldHint: expect.any(Boolean),
      });
      // a tool that only reads destroys nothing
      if (tool.annotations!.readOnlyHint) expect(tool.annotations!.destructiveHint, tool.name).toBe(false);
    }
    const hints = Object.fromEntries(tools.map((tool) => [tool.name, tool.annotations]));
    expect(hints['plan_apply']).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(hints['write_file']).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(hints['run_command']).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
    expect(hints['plan_status']).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(hints['plan_create']).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    // services run plan commands: open world, like run_command; their listing and output only read
    expect(hints['service_start']).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
    expect(hints['service_stop']).toMatchObject({ readOnlyHint: false, destructiveHint: true, openWorldHint: true });
    expect(hints['service_list']).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(hints['service_logs']).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  });
});
