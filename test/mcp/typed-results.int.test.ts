import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { MCP_TOOLS } from '../../src/mcp/index.js';
import { tempRepo } from '../helpers/temp.js';
import { EVERY_TOOL_FILES, callEveryTool, type CallTool } from './every-tool.js';
import { connectMcp, type ToolAnswer } from './mcp-client.js';
import { startMcpHttp } from './mcp-http.js';

// Every tool's structured content against its outputSchema, checked by the
// SDK's own client over stdio and over HTTP: the client compiles each
// outputSchema when it lists the tools and throws on a result that does not
// match it (issue 35).

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(): Promise<string> {
  const repo = await tempRepo(EVERY_TOOL_FILES);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

// the tools listed (so the client checks their results), each with its outputSchema
async function listed(client: Client): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name).sort()).toEqual(MCP_TOOLS.map((tool) => tool.name).sort());
  for (const tool of tools)
    expect(tool.outputSchema, tool.name).toMatchObject({ type: 'object', anyOf: expect.any(Array) });
}

const ALL = MCP_TOOLS.map((tool) => tool.name).sort();

describe('typed results', () => {
  it('over stdio: every tool answers structured content its outputSchema allows, a refused call too', async () => {
    const mcp = await connectMcp(await project());
    cleanups.push(() => mcp.close());
    await listed(mcp.client);
    expect([...(await callEveryTool(mcp.call))].sort()).toEqual(ALL);
    // an error result's structured content is checked as well: it is allowed, so the client hands it over
    const refused = await mcp.call('write_file', { plan: 'agent/later', path: '../escape.txt', content: 'x\n' });
    expect(refused).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'SANDBOX_ESCAPE' }, step: null, plan: { name: 'agent/later' } },
    });
    expect(await mcp.call('plan_status', { plan: 'no/such-plan' })).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'NOT_FOUND' } },
    });
  });

  it('over HTTP: every tool answers structured content its outputSchema allows', async () => {
    const server = await startMcpHttp(await project());
    cleanups.push(server.stop);
    const client = new Client({ name: 'typed-results', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { Authorization: `Bearer ${server.token}` } },
      }),
    );
    cleanups.push(() => client.close());
    await listed(client);
    const call: CallTool = async (name, args) =>
      (await client.callTool({ name, arguments: args }, undefined, { timeout: 120_000 })) as ToolAnswer;
    expect([...(await callEveryTool(call))].sort()).toEqual(ALL);
  });
});
