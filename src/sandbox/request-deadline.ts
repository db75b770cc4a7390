import type { Socket } from 'node:net';
import { answerSocket } from './proxy-http.js';

/**
 * How long troupe's proxy waits on a connection with no request in flight
 * (docs/explanation/sandbox.md#network-by-name).
 *
 * @example
 * const timeouts: ProxyTimeouts = { headersMs: 15_000, idleMs: 30_000 };
 */
export interface ProxyTimeouts {
  /** From the connection to its first request's complete headers. */
  headersMs: number;
  /** A kept-alive connection between requests; the next one's headers get `headersMs` more. */
  idleMs: number;
}

/**
 * The timeouts when nothing else is said. A client sends a request's
 * headers in one write as soon as it connects, on a loopback: 15 s is
 * seconds of slack for a machine under load, and a connection that says
 * nothing for that long is holding a slot of the caps, not asking. 30 s
 * between requests keeps a tool's pooled connection through its pauses
 * (npm resolving a tree); the answers say so (`Keep-Alive: timeout=30`),
 * so clients let go first.
 */
export const DEFAULT_PROXY_TIMEOUTS: ProxyTimeouts = { headersMs: 15_000, idleMs: 30_000 };

/**
 * The deadline of one connection to the proxy: its request's headers must
 * come within `headersMs` of the connection, and, kept alive, the next
 * request's within `idleMs + headersMs` of the last answer — or it is told
 * `408` and closed. A request in flight and a tunnel have none: an upload,
 * a slow answer or a long TLS session are not cut.
 *
 * Node's own `headersTimeout` and `requestTimeout` do not do this here:
 * they are checked by an interval an `http.Server` starts when it listens,
 * and the proxy's never does (troupe accepts on a socket made inside the
 * plan's namespace and hands each connection over). Its `keepAliveTimeout`
 * does apply (a timer on the socket, set when an answer ends), but it is
 * reset by every byte, so it does not bound a client that trickles.
 *
 * @example
 * const deadline = new RequestDeadline(socket, DEFAULT_PROXY_TIMEOUTS);
 * server.on('request', (request, response) => { deadline.busy(); response.once('close', () => deadline.done()); });
 */
export class RequestDeadline {
  readonly #socket: Socket;
  readonly #timeouts: ProxyTimeouts;
  #timer: NodeJS.Timeout | null = null;
  #inFlight = 0;
  #tunnel = false;

  constructor(socket: Socket, timeouts: ProxyTimeouts) {
    this.#socket = socket;
    this.#timeouts = timeouts;
    this.#arm(timeouts.headersMs);
    socket.once('close', () => this.#disarm());
  }

  /** A request's headers are in: no deadline while it is served. */
  busy(): void {
    this.#inFlight += 1;
    this.#disarm();
  }

  /** A request was answered: once none is in flight, the next must come in time. */
  done(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#inFlight === 0 && !this.#tunnel && !this.#socket.destroyed)
      this.#arm(this.#timeouts.idleMs + this.#timeouts.headersMs);
  }

  /** The connection is a tunnel now (`CONNECT`): never timed again. */
  tunnel(): void {
    this.#tunnel = true;
    this.#disarm();
  }

  #arm(ms: number): void {
    this.#disarm();
    this.#timer = setTimeout(() => this.#late(ms), ms);
    // a connection kept waiting is no reason for troupe to stay up
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #late(ms: number): void {
    // closed at once: a client that does not read must not hold the descriptor either
    answerSocket(this.#socket, 408, `troupe: no complete request within ${ms / 1000} s; the connection is closed\n`, {
      now: true,
    });
  }
}
