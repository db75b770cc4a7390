import { lookup } from 'node:dns/promises';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { BlockList, connect, isIP, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { allowedBy, normalHost, parseAllowEntry, type AllowEntry, type NetworkRefusal, type NetworkUsage } from '../domain/index.js';

/** How {@link AllowListProxy} is set up. */
export interface AllowListProxyOptions {
  /** The plan's `network.allow` entries (valid ones: the plan file was checked). */
  allow: readonly string[];
  /**
   * The addresses of a host name (default: the system's resolver,
   * `dns.lookup`). Tests give names of their own here.
   */
  resolve?: ((host: string) => Promise<string[]>) | undefined;
  /** How long a connection to a host may take to open (default 30 s). */
  connectTimeoutMs?: number | undefined;
  /**
   * `refuse` (the default): a listed name that resolves to this machine's
   * loopback is refused unless its entry is `localhost:PORT` or
   * `127.0.0.1:PORT`. Tests whose `resolve` maps names to servers on
   * 127.0.0.1 say `allow`.
   */
  loopbackNames?: 'refuse' | 'allow' | undefined;
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
}

// a name no allow-list can hold (entries take no `_`): troupe's own check asks for it and must be refused
const PROBE_HOST = 'troupe_probe.invalid';
const CONNECT_TIMEOUT_MS = 30_000;
const HOST_TEXT = /^(?:[A-Za-z0-9_.-]+|[0-9A-Fa-f:.]+)$/;
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
// how much of the list a refusal names
const LISTED_IN_REFUSAL = 10;

/**
 * The HTTP proxy through which a plan with a network allow-list reaches the
 * network (docs/sandbox.md#network-by-name). It runs in troupe's process,
 * outside every namespace, and takes connections a plan's commands make to
 * a port on their own loopback (see `openNetworkGate`). `CONNECT host:port`
 * opens a tunnel (TLS); a request with an absolute `http://` URI is
 * forwarded. Either goes through only when the host and port are on the
 * list: the proxy resolves the name itself — never one that is not listed
 * (a lookup would already carry data out) — and refuses a listed name that
 * resolves to this machine's loopback unless the entry is `localhost:PORT`
 * or `127.0.0.1:PORT`. Everything else is answered `403` with a body that
 * says why.
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
 * listeningServer.on('connection', (socket) => proxy.accept(socket));
 */
export class AllowListProxy {
  readonly #entries: AllowEntry[];
  readonly #allow: readonly string[];
  readonly #resolve: (host: string) => Promise<string[]>;
  readonly #connectTimeoutMs: number;
  readonly #loopbackNames: 'refuse' | 'allow';
  readonly #server: Server;
  readonly #clients = new Map<string, Client>();
  readonly #sockets = new Set<Duplex>();
  /** The token of troupe's own check: its refusals are nobody's. */
  readonly probeToken = token();
  /** The host troupe's own check asks for: never on a list. */
  static readonly PROBE_HOST = PROBE_HOST;

  constructor(options: AllowListProxyOptions) {
    this.#allow = [...options.allow];
    this.#entries = options.allow.map(parseAllowEntry);
    this.#resolve = options.resolve ?? systemResolve;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
    this.#loopbackNames = options.loopbackNames ?? 'refuse';
    // a tunnel or an upload may take as long as it takes: only the headers are timed
    this.#server = createServer({ requestTimeout: 0 });
    // a request that fails in a way not foreseen ends its connection, never troupe
    this.#server.on('request', (request: IncomingMessage, response: ServerResponse) => void this.#forward(request, response).catch(() => response.destroy()));
    this.#server.on('connect', (request: IncomingMessage, socket: Duplex, head: Buffer) => void this.#tunnel(request, socket, head).catch(() => socket.destroy()));
    this.#server.on('clientError', (_error, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      else socket.destroy();
    });
  }

  /** The list it enforces, as written. */
  get allow(): readonly string[] {
    return this.#allow;
  }

  /**
   * Let a command use the proxy: `command` names it in refusals;
   * `onDenied` hears each refusal (`attributed` false: the request did not
   * name the command's token and was given to it as the plan's only, or
   * first, running command).
   */
  admit(command: string, onDenied?: (refusal: NetworkRefusal, attributed: boolean) => void): ProxyPass {
    const id = token();
    const client: Client = { command, onDenied, allowed: new Map(), denied: new Map() };
    this.#clients.set(id, client);
    return {
      token: id,
      usage: () => ({ allowed: Object.fromEntries(client.allowed), denied: Object.fromEntries(client.denied) }),
      leave: () => void this.#clients.delete(id),
    };
  }

  /** Serve one connection a command made to the proxy's port. */
  accept(socket: Socket): void {
    this.#track(socket);
    this.#server.emit('connection', socket);
  }

  /** Close every connection it holds (tunnels included). */
  close(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    this.#clients.clear();
  }

  // a plain HTTP request in absolute form: forwarded when its host is listed
  async #forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(request.url ?? '');
    } catch {
      return answer(response, 400, 'troupe: this is an HTTP proxy: send the absolute URI (http://host/path), or CONNECT host:port for TLS\n');
    }
    if (url.protocol !== 'http:') return answer(response, 400, `troupe: the proxy forwards http:// only; for ${url.protocol}// use CONNECT ${url.host}\n`);
    const port = url.port === '' ? 80 : Number(url.port);
    const target = await this.#admitTarget(request, unbracket(url.hostname), port);
    if ('refused' in target) return answer(response, 403, target.refused, { 'x-troupe-refused': `${url.hostname}:${port}` });
    if ('failed' in target) return answer(response, target.status ?? 502, target.failed);
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
    this.#track(socket);
    socket.on('error', () => socket.destroy());
    const authority = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(request.url ?? '');
    if (!authority) return refuseSocket(socket, 400, 'troupe: CONNECT needs host:port\n');
    const host = unbracket(authority[1]!);
    const port = Number(authority[2]);
    const target = await this.#admitTarget(request, host, port);
    if ('refused' in target) return refuseSocket(socket, 403, target.refused, `${authority[1]}:${port}`);
    if ('failed' in target) return refuseSocket(socket, target.status ?? 502, target.failed);
    let established = false;
    const upstream = connect({ host: target.address, port, timeout: this.#connectTimeoutMs });
    this.#track(upstream);
    upstream.once('timeout', () => upstream.destroy(new Error('timed out')));
    upstream.once('error', (error) => {
      if (!established) refuseSocket(socket, 502, `troupe: could not reach ${host}:${port}: ${error.message}\n`);
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
  }

  // whether the request's command may reach host:port, and at which address; `failed`: a listed name that does not resolve
  async #admitTarget(request: IncomingMessage, host: string, port: number): Promise<{ address: string } | { refused: string } | { failed: string; status?: 400 }> {
    // a host is a name or an address: anything else is no request (and no text to journal)
    if (!HOST_TEXT.test(host) || host.length > 253) return { failed: 'troupe: the proxy takes a host name or an address\n', status: 400 };
    if (!Number.isInteger(port) || port < 1 || port > 65_535) return { failed: 'troupe: the port must be from 1 to 65535\n', status: 400 };
    const presented = tokenOf(request.headers['proxy-authorization']);
    const probe = presented === this.probeToken;
    const known = presented === null ? undefined : this.#clients.get(presented);
    const client = probe ? undefined : (known ?? this.#clients.values().next().value);
    const name = normalHost(host);
    const entry = allowedBy(this.#entries, name, port);
    if (!entry) {
      if (client) this.#refused(client, { host: name, port, reason: 'not-listed' }, known !== undefined || this.#clients.size === 1);
      return { refused: this.#notListed(name, port) };
    }
    let addresses: string[];
    try {
      // this machine's loopback is 127.0.0.1 whatever a resolver says of `localhost` (the relays use it too)
      addresses = isIP(name) ? [name] : entry.loopback ? ['127.0.0.1'] : await this.#resolve(name);
    } catch (error) {
      // a name that does not resolve is no refusal: the answer says so, as a direct lookup would
      return { failed: `troupe: ${name} did not resolve: ${(error as Error).message}\n` };
    }
    // a listed name must not lead to this machine: only localhost:PORT and 127.0.0.1:PORT entries reach its loopback
    const usable = this.#loopbackNames === 'allow' && !entry.loopback ? addresses : addresses.filter((address) => isLoopbackAddress(address) === entry.loopback);
    if (usable.length === 0) {
      if (client) this.#refused(client, { host: name, port, reason: 'loopback' }, known !== undefined || this.#clients.size === 1);
      return { refused: `troupe refused ${name}:${port}: it resolves to ${addresses.join(', ')}, this machine's own${entry.loopback ? '' : ' loopback, which only a localhost:PORT or 127.0.0.1:PORT entry reaches'}\n` };
    }
    if (client) client.allowed.set(name, (client.allowed.get(name) ?? 0) + 1);
    return { address: usable[0]! };
  }

  #refused(client: Client, refusal: NetworkRefusal, attributed: boolean): void {
    client.denied.set(refusal.host, (client.denied.get(refusal.host) ?? 0) + 1);
    try {
      client.onDenied?.(refusal, attributed);
    } catch {
      // a listener's failure is not the proxy's
    }
  }

  #notListed(host: string, port: number): string {
    const shown = this.#allow.slice(0, LISTED_IN_REFUSAL).join(', ') + (this.#allow.length > LISTED_IN_REFUSAL ? `, … (${this.#allow.length} in all)` : '');
    return `troupe refused ${host}:${port}: it is not on this plan's network allow-list (${shown || 'empty'}). If the plan needs it, add it to network.allow in the plan file or in .troupe/config.json — see docs/sandbox.md#network-by-name\n`;
  }

  #track(socket: Duplex): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }
}

// this machine's own addresses: loopback and unspecified, in IPv4, IPv6, and IPv4 mapped into IPv6
const THIS_MACHINE = new BlockList();
THIS_MACHINE.addSubnet('127.0.0.0', 8, 'ipv4');
THIS_MACHINE.addAddress('0.0.0.0', 'ipv4');
THIS_MACHINE.addAddress('::1', 'ipv6');
THIS_MACHINE.addAddress('::', 'ipv6');
THIS_MACHINE.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
THIS_MACHINE.addAddress('::ffff:0.0.0.0', 'ipv6');

/**
 * Whether `address` (IPv4 or IPv6 text) is this machine's own: loopback,
 * unspecified, or either mapped into IPv6.
 *
 * @example
 * isLoopbackAddress('127.0.0.53'); // true
 * isLoopbackAddress('140.82.112.3'); // false
 */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return THIS_MACHINE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The addresses of `host` as the system resolves them (`dns.lookup`, all
 * of them, in the resolver's order): the proxy's default.
 *
 * @example
 * await systemResolve('localhost'); // ['127.0.0.1', '::1'] on most machines
 */
export async function systemResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((entry) => entry.address);
}

// the token of a `Proxy-Authorization: Basic base64(troupe:<token>)`, or null
function tokenOf(header: string | undefined): string | null {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(colon + 1);
}

function token(): string {
  return randomBytes(12).toString('hex');
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

// the end-to-end headers of a request or a response (hop-by-hop ones, and those Connection names, stay here)
function forwarded(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(String(headers.connection ?? '').toLowerCase().split(',').map((name) => name.trim()).filter(Boolean));
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && !named.has(name) && name !== 'host') kept[name] = value;
  return kept;
}

function answer(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close', ...headers });
  response.end(body);
}

function refuseSocket(socket: Duplex, status: 400 | 403 | 502, body: string, refused?: string): void {
  const reason = status === 403 ? 'Forbidden' : status === 400 ? 'Bad Request' : 'Bad Gateway';
  const extra = refused === undefined ? '' : `X-Troupe-Refused: ${refused}\r\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`);
}
