import { PassThrough, type Readable, type Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Terminal } from '../../src/cli/context.js';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

// `troupe mcp` as the CLI runs it, in this process: over stdio on streams of
// our own, and over HTTP until the command is stopped.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// the client's end of a stdio connection: it writes to the server's stdin and reads its stdout
class StreamClientTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly #buffer = new ReadBuffer();
  constructor(
    readonly toServer: Writable,
    readonly fromServer: Readable,
  ) {}
  async start(): Promise<void> {
    this.fromServer.on('data', (chunk: Buffer) => {
      this.#buffer.append(chunk);
      for (let message = this.#buffer.readMessage(); message; message = this.#buffer.readMessage())
        this.onmessage?.(message);
    });
  }
  async send(message: JSONRPCMessage): Promise<void> {
    this.toServer.write(serializeMessage(message));
  }
  async close(): Promise<void> {
    this.toServer.end();
    this.onclose?.();
  }
}

function terminalOf(stdin: PassThrough, stdout: PassThrough, stderr: PassThrough): Terminal {
  return { stdin, stdout, stderr } as unknown as Terminal;
}

async function project(): Promise<string> {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  cleanups.push(repo.cleanup);
  return repo.dir;
}

describe('troupe mcp in this process', () => {
  it('serves stdio until the client closes stdin, with nothing but the protocol on stdout', async () => {
    const dir = await project();
    const [stdin, stdout, stderr] = [new PassThrough(), new PassThrough(), new PassThrough()];
    let written = '';
    stdout.on('data', (chunk: Buffer) => (written += chunk.toString()));
    const running = runCli(dir, ['mcp'], { terminal: terminalOf(stdin, stdout, stderr) });
    const client = new Client({ name: 'stdio-in-process', version: '1.0.0' });
    await client.connect(new StreamClientTransport(stdin, stdout));
    const created = await client.callTool({
      name: 'plan_create',
      arguments: { spec: { name: 'agent/stdio', goal: 'Over stdio', resourceScopes: ['**'] } },
    });
    expect(created.structuredContent).toMatchObject({ plan: { name: 'agent/stdio', status: 'waiting' } });
    await client.close();
    const result = await running;
    expect(result.code).toBe(0);
    // every line the server wrote is a JSON-RPC message
    for (const line of written.split('\n').filter(Boolean)) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
  });

  it('serves HTTP on 127.0.0.1 and says where on stderr, until the command is stopped', async () => {
    const dir = await project();
    const [stdin, stdout, stderr] = [new PassThrough(), new PassThrough(), new PassThrough()];
    let said = '';
    const served = new Promise<{ url: string; token: string }>((resolve) => {
      stderr.on('data', (chunk: Buffer) => {
        said += chunk.toString();
        const url = /on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(said)?.[1];
        const token = /token (\S+)/.exec(said)?.[1];
        if (url && token) resolve({ url, token });
      });
    });
    const controller = new AbortController();
    const running = runCli(dir, ['mcp', '--http', '0'], {
      terminal: terminalOf(stdin, stdout, stderr),
      signal: controller.signal,
    });
    const { url, token } = await served;
    expect(token.length).toBeGreaterThanOrEqual(32);
    const client = new Client({ name: 'http-in-process', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.length).toBeGreaterThanOrEqual(21);
    await client.close();
    controller.abort();
    expect((await running).code).toBe(0);
  });

  it('refuses a port that is taken', async () => {
    const dir = await project();
    const [stdin, stdout, stderr] = [new PassThrough(), new PassThrough(), new PassThrough()];
    let said = '';
    const port = new Promise<string>((resolve) =>
      stderr.on(
        'data',
        (chunk: Buffer) => (
          (said += chunk.toString()),
          /127\.0\.0\.1:(\d+)/.test(said) && resolve(/127\.0\.0\.1:(\d+)/.exec(said)![1]!)
        ),
      ),
    );
    const controller = new AbortController();
    const first = runCli(dir, ['mcp', '--http', '0'], {
      terminal: terminalOf(stdin, stdout, stderr),
      signal: controller.signal,
    });
    cleanups.push(async () => {
      controller.abort();
      await first;
    });
    const taken = await runCli(dir, ['mcp', '--http', await port]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toMatch(/error\[VALIDATION_ERROR\]: --http: port \d+ on 127.0.0.1 is in use/);
  });
});
