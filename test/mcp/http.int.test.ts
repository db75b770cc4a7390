import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';
import { runCli } from '../cli/run-cli.js';
import { TROUPE } from './mcp-client.js';
import { startMcpHttp, TEST_TOKEN } from './mcp-http.js';
import { McpBackend, createMcpServer, serveMcpHttp } from '../../src/mcp/index.js';
import { projectWithRuntime } from '../runtime/fixtures.js';

// `troupe mcp --http`: Streamable HTTP on 127.0.0.1 with a bearer token (SPEC §16).

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function served() {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  cleanups.push(repo.cleanup);
  const server = await startMcpHttp(repo.dir);
  cleanups.push(server.stop);
  return { dir: repo.dir, server };
}

// one raw HTTP request: the status and body
function post(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  method = 'POST',
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

describe('troupe mcp --http', () => {
  it('serves the SDK client on 127.0.0.1 with the bearer token it printed', async () => {
    const { server } = await served();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(server.stderr()).toContain(`token ${TEST_TOKEN}`);
    const client = new Client({ name: 'http-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: { headers: { Authorization: `Bearer ${server.token}` } },
      }),
    );
    cleanups.push(() => client.close());
    const created = await client.callTool({
      name: 'plan_create',
      arguments: { spec: { name: 'agent/http', goal: 'Over HTTP', resourceScopes: ['**'] } },
    });
    expect(created.structuredContent).toMatchObject({
      plan: { name: 'agent/http', phase: 'execute', status: 'waiting' },
    });
    const wrote = await client.callTool({
      name: 'write_file',
      arguments: { plan: 'agent/http', path: 'a.txt', content: 'a\n' },
    });
    expect(wrote.isError).toBeFalsy();
    expect(wrote.structuredContent).toMatchObject({ step: 1, wrote: true });
  });

  it('refuses requests without the token, with a wrong one, for another host or origin, or another path', async () => {
    // the endpoint in this process, on a runtime of its own
    const project = await projectWithRuntime({ 'README.md': '# project\n' });
    cleanups.push(project.close);
    const backend = new McpBackend({
      runtime: async () => project.runtime,
      reopen: async () => project.runtime,
      lost: () => new Promise<void>(() => {}),
    });
    cleanups.push(async () => backend.close());
    const server = await serveMcpHttp(() => createMcpServer(backend, { name: 'troupe', version: 'test' }), {
      port: 0,
      token: TEST_TOKEN,
    });
    cleanups.push(server.close);
    const noToken = await post(server.url, {}, INITIALIZE);
    expect(noToken.status).toBe(401);
    expect(noToken.headers['www-authenticate']).toBe('Bearer realm="troupe mcp"');
    expect(JSON.parse(noToken.body)).toMatchObject({
      jsonrpc: '2.0',
      error: { message: expect.stringContaining('send the token') },
    });
    expect((await post(server.url, { authorization: 'Bearer wrong-token-0123456789' }, INITIALIZE)).status).toBe(401);
    const auth = { authorization: `Bearer ${server.token}` };
    // a web page reaching 127.0.0.1 through DNS rebinding names another host, or its own origin
    expect((await post(server.url, { ...auth, host: 'evil.example:80' }, INITIALIZE)).status).toBe(403);
    expect((await post(server.url, { ...auth, origin: 'http://evil.example' }, INITIALIZE)).status).toBe(403);
    expect((await post(server.url.replace('/mcp', '/other'), auth, INITIALIZE)).status).toBe(404);
    expect(
      (
        await post(
          server.url,
          { ...auth, 'mcp-session-id': 'no-such-session' },
          { jsonrpc: '2.0', id: 2, method: 'tools/list' },
        )
      ).status,
    ).toBe(404);
    const notJson = await post(server.url, auth, '{"jsonrpc": ');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.body)).toMatchObject({ error: { code: -32700 } });
    expect((await post(server.url, auth, { jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(400);
    expect((await post(server.url, auth, '', 'GET')).status).toBe(400);
    const ok = await post(server.url, auth, INITIALIZE);
    expect(ok.status).toBe(200);
    expect(ok.headers['mcp-session-id']).toEqual(expect.any(String));
    // the token may ride in the query for clients that cannot set headers
    expect((await post(`${server.url}?token=${server.token}`, {}, INITIALIZE)).status).toBe(200);
  });

  it('stops on SIGTERM with exit 0', async () => {
    const { server } = await served();
    expect(await server.stop()).toBe(0);
  });

  it('refuses a bad port or a weak TROUPE_MCP_TOKEN before serving anything', async () => {
    const repo = await tempRepo({ 'README.md': '# project\n' });
    cleanups.push(repo.cleanup);
    const port = await runCli(repo.dir, ['mcp', '--http', 'eighty']);
    expect(port).toMatchObject({ code: 2, stdout: '' });
    expect(port.stderr).toContain('error[VALIDATION_ERROR]: --http: must be a port number');
    const [command, ...args] = TROUPE;
    const weak = spawnSync(command, [...args, '-C', repo.dir, 'mcp', '--http', '0'], {
      env: { ...GIT_ENV, TROUPE_MCP_TOKEN: 'short' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(weak.status).toBe(2);
    expect(weak.stderr).toContain('TROUPE_MCP_TOKEN: must be at least 16 characters');
  });
});
