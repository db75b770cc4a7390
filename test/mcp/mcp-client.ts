import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { GIT_ENV } from '../helpers/temp.js';

const ROOT = join(import.meta.dirname, '../..');

/** The troupe CLI as a command line: the source entry run by tsx (the same code bin/troupe.js runs once built). */
export const TROUPE = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/bin.ts')] as const;

/** A tool call's result as the SDK client hands it over. */
export interface ToolAnswer {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

/** An SDK `Client` connected over stdio to `troupe mcp` in `dir`, with what the server wrote on stderr. */
export interface McpSession {
  client: Client;
  transport: StdioClientTransport;
  stderr(): string;
  /** Call a tool and return its result (never throws for a result with isError). */
  call(name: string, args: Record<string, unknown>): Promise<ToolAnswer>;
  /** Call a tool that must succeed; its structured content. */
  ok<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Start `troupe -C dir mcp` as an MCP client would (a child process on stdio) and connect the SDK's own Client to it. */
export async function connectMcp(
  dir: string,
  options: {
    name?: string;
    env?: Record<string, string>;
    capabilities?: ClientCapabilities;
    beforeConnect?: (client: Client) => void;
  } = {},
): Promise<McpSession> {
  const [command, ...args] = TROUPE;
  const transport = new StdioClientTransport({
    command,
    args: [...args, '-C', dir, 'mcp'],
    cwd: ROOT,
    env: { ...(GIT_ENV as Record<string, string>), ...options.env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client(
    { name: options.name ?? 'troupe-test-agent', version: '1.0.0' },
    { capabilities: options.capabilities ?? {} },
  );
  options.beforeConnect?.(client);
  await client.connect(transport);
  const call = async (name: string, callArgs: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: callArgs }, undefined, { timeout: 120_000 })) as ToolAnswer;
  return {
    client,
    transport,
    stderr: () => stderr,
    call,
    ok: async <T>(name: string, callArgs: Record<string, unknown>) => {
      const result = await call(name, callArgs);
      if (result.isError)
        throw new Error(
          `${name} answered an error: ${result.content.map((part) => part.text).join('\n')}\nstderr: ${stderr}`,
        );
      return result.structuredContent as T;
    },
    close: () => client.close(),
  };
}

/** The text of a tool result. */
export function textOf(result: ToolAnswer): string {
  return result.content.map((part) => part.text ?? '').join('\n');
}
