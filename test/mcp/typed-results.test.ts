import { afterEach, describe, expect, it } from 'vitest';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { callEveryTool, EVERY_TOOL_FILES } from './every-tool.js';
import { inProcessMcp, type InProcessMcp } from './in-process.js';

// What `tools/list` promises of each tool — its outputSchema — held
// against what the tools answer (issue 35).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function session(files?: Record<string, string>): Promise<InProcessMcp> {
  const mcp = await inProcessMcp(files);
  cleanups.push(mcp.close);
  return mcp;
}

// what a client compiles a tool's schema with: the SDK's own validator
const validator = new AjvJsonSchemaValidator();
const valid = (schema: unknown, value: unknown) => validator.getValidator(schema as Record<string, unknown>)(value).valid;

describe('typed results', () => {
  it('lists an outputSchema for every tool that its results must meet: not any object, and an error result too', async () => {
    const mcp = await session();
    const { tools } = await mcp.client.listTools();
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object' });
      expect(valid(tool.outputSchema, {}), tool.name).toBe(false);
      expect(valid(tool.outputSchema, { error: { code: 'NOT_FOUND', message: 'no plan matches "x"', hint: 'plan_list lists them' } }), tool.name).toBe(true);
      expect(valid(tool.outputSchema, { error: { code: 'NO_SUCH_CODE', message: 'x' } }), tool.name).toBe(false);
    }
  });

  it('answers every tool in structured content its outputSchema allows, as the SDK client checks it', async () => {
    const mcp = await session(EVERY_TOOL_FILES);
    const { tools } = await mcp.client.listTools();
    expect([...(await callEveryTool(mcp.call))].sort()).toEqual(tools.map((tool) => tool.name).sort());
  });
});
