import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { asTroupeError } from '../domain/index.js';
import { basename } from 'node:path';
import { HOST_METHODS, lineReader, type HostInfo, type HostMessage, type HostMethod } from './host-protocol.js';

const STARTED_AT = new Date().toISOString();

// `troupe plan run x.yaml` rather than the node binary and the script's full path
function commandLine(): string {
  const [script, ...args] = process.argv.slice(1);
  const name = script === undefined ? basename(process.execPath) : /troupe(\.js)?$|bin\.[jt]s$/.test(script) ? 'troupe' : basename(script);
  return [name, ...args].join(' ');
}
import type { Runtime } from './runtime.js';

/**
 * Serves a Runtime to other troupe processes of the same project over a
 * unix socket (DESIGN §4: one owner, many commands). `close()` waits until
 * no request is in flight, so a `plan run` another terminal asked for
 * finishes before the owner lets go of the store.
 */
export class HostServer {
  readonly socketPath: string;
  readonly #runtime: Runtime;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #inFlight = 0;
  #idle: (() => void)[] = [];
  #closing = false;

  private constructor(runtime: Runtime, socketPath: string) {
    this.#runtime = runtime;
    this.socketPath = socketPath;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /**
   * Listen on `socketPath` (mode 0600). A socket file left by a process that
   * died is replaced: the caller holds the store's lock, so no live host can
   * be behind it.
   */
  static async listen(runtime: Runtime, socketPath: string): Promise<HostServer> {
    const host = new HostServer(runtime, socketPath);
    await unlink(socketPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await new Promise<void>((resolve, reject) => {
      host.#server.once('error', reject);
      host.#server.listen(socketPath, () => {
        host.#server.off('error', reject);
        resolve();
      });
    });
    await chmod(socketPath, 0o600);
    return host;
  }

  /** Requests being served right now (subscriptions do not count). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Wait for in-flight requests (unless `force`, e.g. on Ctrl-C), then stop
   * serving; subscribers are disconnected and reconnect to the next owner.
   */
  async close(options: { force?: boolean } = {}): Promise<void> {
    while (!options.force && this.#inFlight > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
    this.#closing = true;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) {
      if (options.force) {
        socket.destroy();
        continue;
      }
      // nothing is in flight and nothing new starts: every request the
      // client still waits for can go to the next owner (a forced close may
      // drop work half-done, so it says nothing)
      socket.end(`${JSON.stringify({ id: 0, closing: true } satisfies HostMessage)}\n`);
    }
    await closed;
    await unlink(this.socketPath).catch(() => {});
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    const subscriptions = new Map<number, () => void>();
    const send = (message: HostMessage) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(message)}\n`);
    };
    socket.on(
      'data',
      lineReader(
        (message) => void this.#handle(message, send, subscriptions),
        () => {
          send({ id: 0, error: { code: 'VALIDATION_ERROR', message: 'request too large' } });
          socket.destroy();
        },
      ),
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#sockets.delete(socket);
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    });
  }

  async #handle(message: unknown, send: (message: HostMessage) => void, subscriptions: Map<number, () => void>): Promise<void> {
    const request = message as { id?: unknown; method?: unknown; params?: unknown };
    const id = typeof request?.id === 'number' ? request.id : 0;
    if (!request || typeof request.method !== 'string' || !(HOST_METHODS as readonly string[]).includes(request.method) || !Array.isArray(request.params ?? [])) {
      send({ id, error: { code: 'VALIDATION_ERROR', message: 'malformed request to the troupe host' } });
      return;
    }
    if (this.#closing) {
      // the client reconnects: to the next owner, or it becomes the owner
      send({ id, error: { code: 'STORE_LOCKED', message: 'the troupe host is shutting down', retry: true } });
      return;
    }
    const method = request.method as HostMethod;
    const params = (request.params ?? []) as unknown[];
    if (method === 'subscribe') {
      const unsubscribe = this.#runtime.subscribe(String(params[0]), (event) => send({ id, event }));
      subscriptions.set(id, unsubscribe);
      send({ id, result: true });
      return;
    }
    if (method === 'hostInfo') {
      send({ id, result: { pid: process.pid, command: commandLine(), startedAt: STARTED_AT } satisfies HostInfo });
      return;
    }
    if (method === 'unsubscribe') {
      subscriptions.get(Number(params[0]))?.();
      subscriptions.delete(Number(params[0]));
      send({ id, result: true });
      return;
    }
    this.#inFlight += 1;
    try {
      const target = this.#runtime as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      send({ id, result: (await target[method]!.apply(this.#runtime, params)) ?? null });
    } catch (error) {
      send({ id, error: asTroupeError(error).toJSON() });
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}
