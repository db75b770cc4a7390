import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { InspectionEvent } from 'xstate';
import { TroupeError } from '../../domain/index.js';
import { summarizeContext, summarizeEvent } from './inspector-sanitize.js';

/**
 * The port `--inspect` and `createRuntime({ inspect: true })` use when none is given (the inspector's own default).
 *
 * @example
 * const runtime = await createRuntime({ inspect: true });
 * runtime.inspector?.port === DEFAULT_INSPECTOR_PORT; // true: 8080
 */
export const DEFAULT_INSPECTOR_PORT = 8080;

/**
 * Options of {@link startInspector}.
 *
 * @example
 * const options: InspectorOptions = { port: 8090 };
 * const inspector = await startInspector(options);
 */
export interface InspectorOptions {
  /** The port of the bridge page and its WebSocket, on 127.0.0.1 (default {@link DEFAULT_INSPECTOR_PORT}). */
  port?: number;
}

/**
 * A running inspector bridge: what to open, the observer to give actors, and how to stop it.
 *
 * @example
 * const inspector: Inspector = await startInspector({ port: 8090 });
 * console.log('open', inspector.url);
 * const runtime = await createRuntime({ inspect: inspector.inspect });
 */
export interface Inspector {
  readonly port: number;
  /** The bridge page: open it in a browser to see stately.ai's inspector. */
  readonly url: string;
  /** The raw event stream (JSON messages, one per inspection event) for any WebSocket client. */
  readonly eventsUrl: string;
  /** The XState inspection observer to pass to actors; contexts and events are summarised first. */
  readonly inspect: (event: InspectionEvent) => void;
  /** Send what is pending, disconnect every client and free the port. Idempotent. */
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_HANDSHAKE_MS = 500;

/**
 * Start the `@statelyai/inspect` server bridge on 127.0.0.1 (no browser
 * opened) and a WebSocket inspector connected to it (DESIGN §7). The
 * inspector package is imported here, on first use only. A port in use
 * is a `VALIDATION_ERROR` naming the port, raised before anything runs.
 *
 * @example
 * const inspector = await startInspector({ port: 8090 });
 * const runtime = await createRuntime({ inspect: inspector.inspect });
 * // … open inspector.url in a browser …
 * await runtime.close();
 * await inspector.close();
 */
export async function startInspector(options: InspectorOptions = {}): Promise<Inspector> {
  const port = checkedPort(options.port ?? DEFAULT_INSPECTOR_PORT);
  const [{ createWebSocketInspector }, { createInspectorServer }, http] = await Promise.all([
    import('@statelyai/inspect'),
    import('@statelyai/inspect/server'),
    import('node:http'),
  ]);

  // createInspectorServer listens on every interface, has no error handler
  // (a port in use would crash the process) and leaves connected browsers
  // open on stop (the process would never exit). We keep its bridge page and
  // relay but take hold of its http server while it is made, to listen on
  // 127.0.0.1 ourselves. The call is synchronous: nothing else sees the swap.
  const createServer = http.default.createServer;
  let server: Server | undefined;
  let listenCallback: (() => void) | undefined;
  http.default.createServer = ((...args: Parameters<typeof createServer>) => {
    const made = createServer(...args);
    // its listen(port) waits for ours, below, once we listen for errors
    made.listen = ((_port: number, callback?: () => void) => {
      listenCallback = callback;
      delete (made as Partial<Server>).listen;
      return made;
    }) as Server['listen'];
    server = made;
    return made;
  }) as typeof createServer;
  let bridge: { stop(): void };
  try {
    bridge = createInspectorServer({ port, autoOpen: false });
  } finally {
    http.default.createServer = createServer;
  }
  if (!server)
    throw new TroupeError('INTERNAL_ERROR', '@statelyai/inspect did not create its server as expected', {
      hint: 'please report this with your @statelyai/inspect version',
    });
  const bridgeServer: Server = server;

  const sockets = new Set<Socket>();
  bridgeServer.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // ws re-emits server errors on its WebSocketServer, which nobody listens to: an uncaught throw
  bridgeServer.removeAllListeners('error');
  await new Promise<void>((resolve, reject) => {
    bridgeServer.once('error', reject);
    bridgeServer.listen({ port, host: HOST }, () => {
      bridgeServer.off('error', reject);
      listenCallback?.();
      resolve();
    });
  }).catch((error: NodeJS.ErrnoException) => {
    bridge.stop();
    throw portError(port, error);
  });
  // later socket errors are the browser's business, not the plans'
  bridgeServer.on('error', () => {});

  const loopback = new Promise<Socket>((resolve) =>
    bridgeServer.once('upgrade', (_request, socket: Socket) => resolve(socket)),
  );
  const inspector = createWebSocketInspector({
    url: `ws://${HOST}:${port}`,
    sanitizeContext: (context) => summarizeContext(context) as typeof context,
    sanitizeEvent: (event) => summarizeEvent(event),
  });
  const stopAll = async (): Promise<void> => {
    bridge.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => bridgeServer.close(() => resolve()));
  };
  let timer: NodeJS.Timeout | undefined;
  const ownSocket = await Promise.race([
    loopback,
    new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), CONNECT_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (!ownSocket) {
    inspector.stop();
    await stopAll();
    throw new TroupeError('INTERNAL_ERROR', `the inspector could not connect to its own bridge on ${HOST}:${port}`, {
      hint: 'try another port with --inspect <port>',
    });
  }

  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${HOST}:${port}`,
    eventsUrl: `ws://${HOST}:${port}`,
    inspect: (event) => {
      const trimmed = trimmedEvent(event);
      if (trimmed && !closing) inspector.inspect.next?.(trimmed);
    },
    close: () =>
      (closing ??= (async () => {
        // the inspector converts events on a timer: let the last ones through
        await new Promise((resolve) => setTimeout(resolve, 10));
        // a clean close handshake: a socket error would make the inspector reconnect in 5 s, forever
        const closed = new Promise<void>((resolve) =>
          ownSocket.destroyed ? resolve() : ownSocket.once('close', () => resolve()),
        );
        inspector.stop();
        let wait: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise((resolve) => (wait = setTimeout(resolve, CLOSE_HANDSHAKE_MS)))]);
        clearTimeout(wait);
        await stopAll();
      })()),
  };
}

// only what the inspector shows, with the snapshot already small: it serialises it whole otherwise
function trimmedEvent(event: InspectionEvent): InspectionEvent | null {
  switch (event.type) {
    case '@xstate.actor':
    case '@xstate.event':
      return event;
    case '@xstate.snapshot': {
      const snapshot = event.snapshot as {
        status?: unknown;
        value?: unknown;
        context?: unknown;
        output?: unknown;
        error?: unknown;
      };
      const small = {
        status: snapshot.status,
        ...('value' in snapshot ? { value: snapshot.value } : {}),
        ...(snapshot.context === undefined ? {} : { context: summarizeContext(snapshot.context) }),
        ...(snapshot.output === undefined ? {} : { output: summarizeContext(snapshot.output) }),
        ...(snapshot.error === undefined ? {} : { error: summarizeContext(snapshot.error) }),
      };
      return { ...event, snapshot: small as never };
    }
    default:
      // microsteps and actions: the inspector drops them anyway
      return null;
  }
}

function checkedPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new TroupeError(
      'VALIDATION_ERROR',
      `inspector port must be a whole number from 1 to 65535, got ${JSON.stringify(port)}`,
      {
        hint: `use --inspect <port>, e.g. --inspect ${DEFAULT_INSPECTOR_PORT}`,
      },
    );
  }
  return port;
}

function portError(port: number, error: NodeJS.ErrnoException): TroupeError {
  if (error.code === 'EADDRINUSE') {
    return new TroupeError('VALIDATION_ERROR', `the inspector cannot listen on ${HOST}:${port}: the port is in use`, {
      hint: `pick a free port with --inspect <port> (e.g. --inspect ${port < 65_535 ? port + 1 : port - 1}), or stop what listens on ${port}`,
      details: { port },
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new TroupeError('VALIDATION_ERROR', `the inspector may not listen on ${HOST}:${port}: permission denied`, {
      hint: 'pick a port above 1023 with --inspect <port>',
      details: { port },
      cause: error,
    });
  }
  return new TroupeError('INTERNAL_ERROR', `the inspector cannot listen on ${HOST}:${port}: ${error.message}`, {
    details: { port },
    cause: error,
  });
}
