import { createServer } from 'node:net';

/** One message the inspector bridge relays (the fields the tests read). */
export interface InspectorMessage {
  type: string;
  name?: string;
  sessionId: string;
  parentId?: string;
  snapshot?: { status?: string; value?: unknown; context?: Record<string, unknown> };
  event?: { type: string };
}

/** A WebSocket client of the inspector bridge that keeps every message it receives. */
export interface InspectorClient {
  messages: InspectorMessage[];
  /** Resolves once `check` holds for the messages received so far; rejects after `timeoutMs`. */
  until(check: (messages: InspectorMessage[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): void;
}

interface TestSocket {
  on(event: 'open', listener: () => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'message', listener: (data: { toString(): string }) => void): void;
  close(): void;
}

// ws ships no types and is not ours to declare: load it untyped
const WS_MODULE = 'ws';

/** Connect to the bridge at `url` (ws://…) and wait until the connection is open. */
export async function connectInspector(url: string): Promise<InspectorClient> {
  const { WebSocket } = (await import(WS_MODULE)) as { WebSocket: new (url: string) => TestSocket };
  const socket = new WebSocket(url);
  const messages: InspectorMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(data.toString()) as InspectorMessage));
  await new Promise<void>((resolve, reject) => {
    socket.on('open', resolve);
    socket.on('error', reject);
  });
  return {
    messages,
    until: async (check, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!check(messages)) {
        if (Date.now() > deadline)
          throw new Error(
            `inspector messages never matched; got ${messages.length}: ${[...new Set(messages.map((message) => `${message.type} ${message.name ?? ''}`))].join(', ')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => socket.close(),
  };
}

/** A TCP port on 127.0.0.1 that nothing listened on a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
