import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { TroupeError, asTroupeError } from '../../domain/errors.js';
import { basename, dirname } from 'node:path';
import { HOST_METHODS, lineReader, type HostInfo, type HostMessage, type HostMethod } from './host-protocol.js';
import { countWaiting } from './host-waiters.js';

const STARTED_AT = new Date().toISOString();

// `troupe plan run x.yaml` rather than the node binary and the script's full path
function commandLine(): string {
  const [script, ...args] = process.argv.slice(1);
  const name =
    script === undefined
      ? basename(process.execPath)
      : /troupe(\.js)?$|bin\.[jt]s$/.test(script)
        ? 'troupe'
        : basename(script);
  return [name, ...args].join(' ');
}
import type { Runtime } from '../runtime.js';

// how long a closing host waits for the first request of a client it has just greeted
const GREETED_WAIT_MS = 1_000;
// how long a host whose own work is done goes on serving commands that wait for the store
const HANDOVER_WAIT_MS = 2_000;
const WAITERS_POLL_MS = 50;

const CLOSING = { code: 'STORE_LOCKED', message: 'the troupe host is shutting down', retry: true } as const;

/**
 * Serves a Runtime to other troupe processes of the same project over a
 * unix socket (DESIGN §4: one owner, many commands). `close()` waits until
 * no request is in flight, so a `plan run` another terminal asked for
 * finishes before the owner lets go of the store — and for the first
 * request of a client it has just answered `hostInfo` (up to a second), so
 * a command that found this owner is served by it rather than sent on.
 * While commands wait for the store (marks in `host.sock.waiting/`), it
 * serves them for up to two more seconds: a burst of commands is served by
 * one owner instead of each opening the store in turn.
 */
export class HostServer {
  readonly socketPath: string;
  // null once it failed to start (see listen)
  readonly #runtime: Promise<Runtime | null>;
  #failed = false;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #inFlight = 0;
  // connections whose hostInfo was answered and that asked nothing since: when
  readonly #greeted = new Map<Socket, number>();
  #changed: (() => void)[] = [];
  #closing = false;

  private constructor(runtime: Runtime | Promise<Runtime>, socketPath: string) {
    this.#runtime = Promise.resolve(runtime).catch(() => {
      this.#failed = true;
      return null;
    });
    this.socketPath = socketPath;
    this.#server = createServer((socket) => this.#accept(socket));
  }

  /**
   * Listen on `socketPath` (mode 0600). A socket file left by a process that
   * died is replaced: the caller holds the store's lock, so no live host can
   * be behind it. `runtime` may still be starting: the owner answers from the
   * moment it holds the lock (a command that finds the store locked never
   * waits on an owner that does not answer), and requests wait for it; if it
   * fails to start they are refused as by a host that is closing (asked again
   * elsewhere) — the caller then closes the server.
   */
  static async listen(runtime: Runtime | Promise<Runtime>, socketPath: string): Promise<HostServer> {
    const host = new HostServer(runtime, socketPath);
    await privateDirectory(dirname(socketPath));
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
    // a runtime that failed to start serves no one: nothing to hand over
    if (!options.force && !this.#failed) await this.#handOver();
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

  // serve the commands that wait for the store, for a while, then nothing is left in flight
  async #handOver(): Promise<void> {
    const until = Date.now() + HANDOVER_WAIT_MS;
    await this.#settled();
    while (Date.now() < until && (await countWaiting(this.socketPath)) > 0) {
      await new Promise<void>((resolve) => {
        this.#changed.push(resolve);
        setTimeout(resolve, WAITERS_POLL_MS);
      });
      await this.#settled();
    }
  }

  // no request in flight, and no client just greeted still to ask its first
  async #settled(): Promise<void> {
    for (;;) {
      const now = Date.now();
      for (const [socket, since] of this.#greeted) if (now - since >= GREETED_WAIT_MS) this.#greeted.delete(socket);
      if (this.#inFlight === 0 && this.#greeted.size === 0) return;
      const soonest = Math.min(...[...this.#greeted.values()].map((since) => since + GREETED_WAIT_MS - now));
      await new Promise<void>((resolve) => {
        this.#changed.push(resolve);
        if (this.#inFlight === 0) setTimeout(resolve, soonest);
      });
    }
  }

  #notify(): void {
    for (const resolve of this.#changed.splice(0)) resolve();
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
        (message) => void this.#handle(message, send, subscriptions, socket),
        () => {
          send({ id: 0, error: { code: 'VALIDATION_ERROR', message: 'request too large' } });
          socket.destroy();
        },
      ),
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.#sockets.delete(socket);
      if (this.#greeted.delete(socket)) this.#notify();
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    });
  }

  async #handle(
    message: unknown,
    send: (message: HostMessage) => void,
    subscriptions: Map<number, () => void>,
    socket: Socket,
  ): Promise<void> {
    const request = message as { id?: unknown; method?: unknown; params?: unknown };
    const id = typeof request?.id === 'number' ? request.id : 0;
    if (
      !request ||
      typeof request.method !== 'string' ||
      !(HOST_METHODS as readonly string[]).includes(request.method) ||
      !Array.isArray(request.params ?? [])
    ) {
      send({ id, error: { code: 'VALIDATION_ERROR', message: 'malformed request to the troupe host' } });
      return;
    }
    if (this.#closing) {
      // the client reconnects: to the next owner, or it becomes the owner
      send({ id, error: CLOSING });
      return;
    }
    const method = request.method as HostMethod;
    const params = (request.params ?? []) as unknown[];
    if (method === 'hostInfo') {
      this.#greeted.set(socket, Date.now());
      send({ id, result: { pid: process.pid, command: commandLine(), startedAt: STARTED_AT } satisfies HostInfo });
      return;
    }
    // its first request after the greeting: from here on it counts as in flight (or a subscription)
    if (this.#greeted.delete(socket)) this.#notify();
    this.#inFlight += 1;
    try {
      // every request waits for the same runtime: they go on in the order they came
      const runtime = await this.#runtime;
      // a runtime that could not start did nothing: the client asks again, of the next owner or as the owner
      if (!runtime) return send({ id, error: CLOSING });
      if (method === 'subscribe') {
        // a client that left while the runtime started has no one to send events to
        if (socket.destroyed) return;
        const unsubscribe = runtime.subscribe(String(params[0]), (event) => send({ id, event }));
        subscriptions.set(id, unsubscribe);
        return send({ id, result: true });
      }
      if (method === 'unsubscribe') {
        subscriptions.get(Number(params[0]))?.();
        subscriptions.delete(Number(params[0]));
        return send({ id, result: true });
      }
      const target = runtime as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      send({ id, result: (await target[method]!.apply(runtime, params)) ?? null });
    } catch (error) {
      send({ id, error: asTroupeError(error).toJSON() });
    } finally {
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#notify();
    }
  }
}

// The folder of the host sockets: made 0700 if missing; one that is not a
// directory of this user's, or that others may enter, is refused — on a
// shared machine another user could otherwise make it first and listen in
// place of the host.
async function privateDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) {
    throw new TroupeError(
      'INTERNAL_ERROR',
      `${dir} is not a directory of this user's: troupe will not listen for its projects there`,
      {
        hint: `remove ${dir} (or set XDG_RUNTIME_DIR to a private directory of yours)`,
      },
    );
  }
  if ((info.mode & 0o077) !== 0) await chmod(dir, 0o700);
}
