import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { connect, type Server as NetServer, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { NetworkRefusal, NetworkUsage } from '../domain/index.js';
import { AllowListTargets, type AllowListTargetsOptions, type TargetVerdict } from './allow-list-targets.js';
import {
  DEFAULT_CONNECTION_CAPS,
  ProxyConnections,
  capRefusal,
  type ConnectionCap,
  type ConnectionCaps,
  type DescriptorBudget,
} from './proxy-connections.js';
import { answer, answerSocket, forwarded, tokenOf, unbracket } from './proxy-http.js';
import { DEFAULT_PROXY_TIMEOUTS, RequestDeadline, type ProxyTimeouts } from './request-deadline.js';

/** How {@link AllowListProxy} is set up: the list and how names are checked ({@link AllowListTargetsOptions}), and its bounds. */
export interface AllowListProxyOptions extends AllowListTargetsOptions {
  /** How long a connection to a host may take to open (default 30 s). */
  connectTimeoutMs?: number | undefined;
  /** How long a connection may keep the proxy waiting for a request (default {@link DEFAULT_PROXY_TIMEOUTS}). */
  timeouts?: Partial<ProxyTimeouts> | undefined;
  /** How many connections a command and the plan may hold (default {@link DEFAULT_CONNECTION_CAPS}). */
  caps?: Partial<ConnectionCaps> | undefined;
  /** What all of troupe's gates may hold together (default: half of this process's open-file limit). */
  budget?: DescriptorBudget | undefined;
}

/** One command that may use the proxy: what it is, and what it asked for. */
export interface ProxyPass {
  /** The secret the command names the proxy with (`http://troupe:<token>@127.0.0.1:PORT`), so its requests are its own. */
  readonly token: string;
  /** What the command asked for so far. */
  usage(): NetworkUsage;
  /** The command ended: its requests are no longer its own. */
  leave(): void;
}

interface Client {
  command: string;
  onDenied: ((refusal: NetworkRefusal, attributed: boolean) => void) | undefined;
  allowed: Map<string, number>;
  denied: Map<string, number>;
  // the caps it was told of: once each, however many connections they refuse
  capped: Set<ConnectionCap['per']>;
}

// whose a request is: a command's (attributed false: it named none, and went to the plan's only or first one), or nobody's
interface Whose {
  client: Client | undefined;
  attributed: boolean;
}

// a name no allow-list can hold (entries take no `_`): troupe's own check asks for it and must be refused
const PROBE_HOST = 'troupe_probe.invalid';
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * The HTTP proxy through which a plan with a network allow-list reaches the
 * network (docs/explanation/sandbox.md#network-by-name). It runs in troupe's process,
 * outside every namespace, and takes connections a plan's commands make to
 * a port on their own loopback (see `openNetworkGate`). `CONNECT host:port`
 * opens a tunnel (TLS); a request with an absolute `http://` URI is
 * forwarded. Either goes through only when the host and port are on the
 * list: the proxy resolves the name itself — never one that is not listed
 * (a lookup would already carry data out) — and refuses a listed name that
 * resolves to this machine (its loopback, its interfaces' addresses,
 * link-local, a cloud metadata service) unless an entry names that address
 * (`localhost:PORT`, `127.0.0.1:PORT`, `169.254.169.254:80`). Everything
 * else is answered `403` with a body that says why.
 *
 * It holds what a command could pile up in troupe's process to a bound:
 * a connection that keeps it waiting for a request is closed
 * ({@link RequestDeadline}), and one past a cap on connections (per
 * command, per plan, troupe's for all plans: {@link ProxyConnections}) is
 * answered `429` and closed at once.
 *
 * Each command is admitted with a token it names the proxy with
 * (`Proxy-Authorization`); its requests are counted by host, and its
 * refusals reported to it. A request without a known token belongs to the
 * plan's only running command, or, with several, to the first one admitted
 * (reported as not attributed).
 *
 * @example
 * const proxy = new AllowListProxy({ allow: ['registry.npmjs.org'] });
 * const pass = proxy.admit('npm install', (refusal) => console.log('refused', refusal.host));
 * proxy.listen(listeningServer);
 */
export class AllowListProxy {
  readonly #targets: AllowListTargets;
  readonly #connectTimeoutMs: number;
  readonly #timeouts: ProxyTimeouts;
  readonly #connections: ProxyConnections;
  readonly #deadlines = new WeakMap<Duplex, RequestDeadline>();
  readonly #server: Server;
  readonly #clients = new Map<string, Client>();
  /** The token of troupe's own check: its refusals are nobody's. */
  readonly probeToken = token();
  /** The host troupe's own check asks for: never on a list. */
  static readonly PROBE_HOST = PROBE_HOST;

  constructor(options: AllowListProxyOptions) {
    this.#targets = new AllowListTargets(options);
    this.#connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.#timeouts = { ...DEFAULT_PROXY_TIMEOUTS, ...options.timeouts };
    this.#connections = new ProxyConnections({ ...DEFAULT_CONNECTION_CAPS, ...options.caps }, options.budget);
    // a tunnel or an upload may take as long as it takes: only the wait for a request is timed (RequestDeadline);
    // keepAliveTimeout is Node's idle timer between requests, which works on connections handed over too
    this.#server = createServer({ requestTimeout: 0, keepAliveTimeout: this.#timeouts.idleMs });
    // a request that fails in a way not foreseen ends its connection, never troupe
    this.#server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const deadline = this.#deadlines.get(request.socket);
      deadline?.busy();
      response.once('close', () => deadline?.done());
      void this.#forward(request, response).catch(() => response.destroy());
    });
    this.#server.on('connect', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.#deadlines.get(socket)?.tunnel();
      void this.#tunnel(request, socket, head).catch(() => socket.destroy());
    });
    this.#server.on('clientError', (_error, socket: Duplex) => answerSocket(socket, 400, ''));
  }

  /** The list it enforces, as written. */
  get allow(): readonly string[] {
    return this.#targets.allow;
  }

  /** How many sockets it holds now: connections to it and to hosts, and those {@link hold} was given. */
  get held(): number {
    return this.#connections.size;
  }

  /**
   * Let a command use the proxy: `command` names it in refusals;
   * `onDenied` hears each refusal (`attributed` false: the request did not
   * name the command's token and was given to it as the plan's only, or
   * first, running command).
   */
  admit(command: string, onDenied?: (refusal: NetworkRefusal, attributed: boolean) => void): ProxyPass {
    const id = token();
    const client: Client = { command, onDenied, allowed: new Map(), denied: new Map(), capped: new Set() };
    this.#clients.set(id, client);
    return {
      token: id,
      usage: () => ({ allowed: Object.fromEntries(client.allowed), denied: Object.fromEntries(client.denied) }),
      leave: () => void this.#clients.delete(id),
    };
  }

  /**
   * Serve the connections of `server`, the proxy's listening socket. Its
   * `maxConnections` is a backstop one above the plan's cap: the proxy
   * answers a connection past the cap itself (Node would close it without a
   * word), so Node's count only acts if the proxy's ever missed one.
   */
  listen(server: NetServer): void {
    server.maxConnections = this.maxConnections;
    server.on('connection', (socket: Socket) => this.accept(socket));
  }

  /** The `maxConnections` of a listening socket it is behind: one above the plan's cap (see {@link listen}). */
  get maxConnections(): number {
    return this.#connections.caps.perPlan + 1;
  }

  /** Serve one connection a command made to the proxy's port; past a cap it is answered `429` and closed at once. */
  accept(socket: Socket): void {
    // a hostile connection's failure ends it, never troupe
    socket.on('error', () => socket.destroy());
    const full = this.#full(socket.localPort ?? 0);
    if (full) return answerSocket(socket, 429, capRefusal(full), { refused: 'connections', now: true });
    this.#connections.hold(socket);
    this.#deadlines.set(socket, new RequestDeadline(socket, this.#timeouts));
    this.#server.emit('connection', socket);
  }

  /**
   * Whether the plan has room for `slots` more sockets (a relay's
   * connection takes two: inside, and to the host). When it has not, the
   * refusal is told to the plan's only or first command, once per cap.
   */
  room(port: number, slots = 1): boolean {
    return this.#full(port, this.#whose(null), slots) === null;
  }

  /** Count a socket of the gate's (a relay's) against the plan's caps until it closes; ask {@link room} first. */
  hold(socket: Duplex): void {
    this.#connections.hold(socket);
  }

  /** Close every connection it holds (tunnels and relays included). */
  close(): void {
    this.#connections.closeAll();
    this.#clients.clear();
  }

  // a plain HTTP request in absolute form: forwarded when its host is listed
  async #forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const whose = this.#whose(request);
    const claimed = this.#claim(request, whose);
    if (claimed) return answer(response, 429, claimed, { 'x-troupe-refused': 'connections' });
    let url: URL;
    try {
      url = new URL(request.url ?? '');
    } catch {
      return answer(
        response,
        400,
        'troupe: this is an HTTP proxy: send the absolute URI (http://host/path), or CONNECT host:port for TLS\n',
      );
    }
    if (url.protocol !== 'http:')
      return answer(
        response,
        400,
        `troupe: the proxy forwards http:// only; for ${url.protocol}// use CONNECT ${url.host}\n`,
      );
    const port = url.port === '' ? 80 : Number(url.port);
    const target = await this.#admitTarget(whose, unbracket(url.hostname), port);
    if ('refused' in target)
      return answer(response, 403, target.refused, { 'x-troupe-refused': `${url.hostname}:${port}` });
    if ('failed' in target) return answer(response, target.status ?? 502, target.failed);
    const full = this.#full(request.socket.localPort ?? 0, whose);
    if (full) return answer(response, 429, capRefusal(full), { 'x-troupe-refused': 'connections' });
    const upstream = httpRequest({
      host: target.address,
      port,
      method: request.method,
      path: `${url.pathname}${url.search}`,
      // the Host the URI names: a listed host's address must not serve another name through a Host header
      headers: { ...forwarded(request.headers), host: url.host },
      setHost: false,
      agent: false,
      timeout: this.#connectTimeoutMs,
    });
    upstream.once('socket', (socket) => this.#connections.hold(socket));
    upstream.once('timeout', () => upstream.destroy(new Error('timed out')));
    upstream.once('response', (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.statusMessage, forwarded(reply.headers));
      reply.pipe(response);
    });
    request.once('error', () => upstream.destroy());
    upstream.once('error', (error) => {
      if (!response.headersSent) answer(response, 502, `troupe: could not reach ${url.host}: ${error.message}\n`);
      else response.destroy();
    });
    request.pipe(upstream);
  }

  // CONNECT host:port: a tunnel when the host is listed
  async #tunnel(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const whose = this.#whose(request);
    const claimed = this.#claim(request, whose);
    if (claimed) return answerSocket(socket, 429, claimed, { refused: 'connections' });
    const authority = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(request.url ?? '');
    if (!authority) return answerSocket(socket, 400, 'troupe: CONNECT needs host:port\n');
    const host = unbracket(authority[1]!);
    const port = Number(authority[2]);
    const target = await this.#admitTarget(whose, host, port);
    if ('refused' in target) return answerSocket(socket, 403, target.refused, { refused: `${authority[1]}:${port}` });
    if ('failed' in target) return answerSocket(socket, target.status ?? 502, target.failed);
    const full = this.#full(request.socket.localPort ?? 0, whose);
    if (full) return answerSocket(socket, 429, capRefusal(full), { refused: 'connections' });
    let established = false;
    const upstream = connect({ host: target.address, port, timeout: this.#connectTimeoutMs });
    this.#connections.hold(upstream);
    upstream.once('timeout', () => upstream.destroy(new Error('timed out')));
    upstream.once('error', (error) => {
      if (!established) answerSocket(socket, 502, `troupe: could not reach ${host}:${port}: ${error.message}\n`);
      else socket.destroy();
    });
    upstream.once('connect', () => {
      established = true;
      upstream.setTimeout(0);
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    socket.once('close', () => upstream.destroy());
    // the host closed: what it sent is passed on, then the connection goes (a client that keeps its half open holds no slot)
    upstream.once('close', () => socket.end(() => socket.destroy()));
  }

  // the cap `slots` more sockets would pass, or null; told (once per cap) to the request's command, or to the plan's only or first one
  #full(port: number, whose: Whose = this.#whose(null), slots = 1): ConnectionCap | null {
    const full = this.#connections.room(slots);
    if (full) this.#overCap(full, whose, port);
    return full;
  }

  // the request's command (or the plan's only or first one, unattributed); nobody's for troupe's own probe
  #whose(request: IncomingMessage | null): Whose {
    const presented = request === null ? null : tokenOf(request.headers['proxy-authorization']);
    if (presented === this.probeToken) return { client: undefined, attributed: false };
    const known = presented === null ? undefined : this.#clients.get(presented);
    return {
      client: known ?? this.#clients.values().next().value,
      attributed: known !== undefined || this.#clients.size === 1,
    };
  }

  // the connection counts against the command its request is given to: the refusal's body when that command holds its most
  #claim(request: IncomingMessage, whose: Whose): string | null {
    if (!whose.client) return null;
    const full = this.#connections.claim(request.socket, whose.client);
    if (!full) return null;
    this.#overCap(full, whose, request.socket.localPort ?? 0);
    return capRefusal(full);
  }

  // whether the request's command may reach host:port, and at which address; its refusals counted and told
  async #admitTarget(whose: Whose, host: string, port: number): Promise<TargetVerdict> {
    const verdict = await this.#targets.check(host, port);
    const { client } = whose;
    if (client && 'refusal' in verdict) this.#refused(client, verdict.refusal, whose.attributed);
    if (client && 'address' in verdict) client.allowed.set(verdict.host, (client.allowed.get(verdict.host) ?? 0) + 1);
    return verdict;
  }

  #refused(client: Client, refusal: NetworkRefusal, attributed: boolean): void {
    client.denied.set(refusal.host, (client.denied.get(refusal.host) ?? 0) + 1);
    this.#tell(client, refusal, attributed);
  }

  // a cap refused a connection: its command hears it once per cap (30,000 refused connections are one event), and no host is counted
  #overCap(cap: ConnectionCap, whose: Whose, port: number): void {
    const { client } = whose;
    if (!client || client.capped.has(cap.per)) return;
    client.capped.add(cap.per);
    this.#tell(client, { host: '127.0.0.1', port, reason: 'connections', cap }, whose.attributed);
  }

  #tell(client: Client, refusal: NetworkRefusal, attributed: boolean): void {
    try {
      client.onDenied?.(refusal, attributed);
    } catch {
      // a listener's failure is not the proxy's
    }
  }
}

function token(): string {
  return randomBytes(12).toString('hex');
}
