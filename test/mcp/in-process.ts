import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { McpBackend, createMcpServer, type RuntimeAccess } from '../../src/mcp/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { projectWithRuntime } from '../runtime/fixtures.js';
import type { ToolAnswer } from './mcp-client.js';

/** A `troupe mcp` session in this process: the server on a runtime of a temp project, the SDK client linked to it in memory. */
export interface InProcessMcp {
  dir: string;
  runtime: LocalRuntime;
  client: Client;
  backend: McpBackend;
  call(name: string, args: Record<string, unknown>): Promise<ToolAnswer>;
  ok<T = Record<string, unknown>>(name: string, args: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

/** Start one, on a project holding `files`; `access` replaces how the backend reaches the runtime. */
export async function inProcessMcp(
  files: Record<string, string> = { 'README.md': '# project\n', 'src/a.ts': 'export const a = 1;\n' },
  options: {
    capabilities?: ClientCapabilities;
    progressEveryMs?: number;
    access?: (runtime: LocalRuntime) => RuntimeAccess;
  } = {},
): Promise<InProcessMcp> {
  const project = await projectWithRuntime(files);
  const access: RuntimeAccess = options.access?.(project.runtime) ?? {
    runtime: async () => project.runtime,
    reopen: async () => project.runtime,
    lost: () => new Promise<void>(() => {}),
  };
  const backend = new McpBackend(access);
  const server = createMcpServer(backend, {
    name: 'troupe',
    version: '0.0.0-test',
    ...(options.progressEveryMs ? { progressEveryMs: options.progressEveryMs } : {}),
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'in-process', version: '1.0.0' }, { capabilities: options.capabilities ?? {} });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as ToolAnswer;
  return {
    dir: project.dir,
    runtime: project.runtime,
    client,
    backend,
    call,
    ok: async <T>(name: string, args: Record<string, unknown>) => {
      const answer = await call(name, args);
      if (answer.isError)
        throw new Error(`${name} answered an error: ${answer.content.map((part) => part.text).join('\n')}`);
      return answer.structuredContent as T;
    },
    close: async () => {
      await client.close();
      await backend.drain();
      backend.close();
      await project.close();
    },
  };
}
