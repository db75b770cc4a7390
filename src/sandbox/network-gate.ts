import { readFile } from 'node:fs/promises';
import { connect, type Server, type Socket } from 'node:net';
import { TroupeError, parseAllowEntry, type NetworkRefusal, type NetworkUsage } from '../domain/index.js';
import { AllowListProxy, type AllowListProxyOptions } from './allow-list-proxy.js';
import { openNamespaceListeners } from './namespace-listeners.js';

/**
 * The one way out of a plan's network namespace when the plan has a
 * network allow-list (docs/explanation/sandbox.md#network-by-name): troupe's
 * {@link AllowListProxy} on a port of the namespace's loopback, and a relay
 * to the host for each `localhost:PORT` / `127.0.0.1:PORT` entry. Checked
 * when it opens: the namespace has no route out, and the proxy answers
 * from inside, refusing what is not listed.
 *
 * @example
 * const gate = await openNetworkGate({ pid: network.pid, enter: network.enter }, { allow: ['registry.npmjs.org'] });
 * const pass = gate.admit('npm install', (refusal) => console.log(refusal.host));
 * spawn('…', { env: { ...env, ...pass.env } });
 * pass.usage(); pass.leave();
 * await gate.close();
 */
export interface NetworkGate {
  /** The list it lets through. */
  readonly allow: readonly string[];
  /** The proxy's port on the namespace's loopback. */
  readonly proxyPort: number;
  /** Let one command use the proxy: the environment that points it there, and what it asked for. */
  admit(command: string, onDenied?: (refusal: NetworkRefusal, attributed: boolean) => void): GatePass;
  /** Close the proxy, the relays and every connection through them. */
  close(): void;
}

/** One command's way through a {@link NetworkGate}. */
export interface GatePass {
  /** `HTTP_PROXY` and the others (both cases), naming the command's token; `NO_PROXY` the loopback. */
  env: Record<string, string>;
  usage(): NetworkUsage;
  leave(): void;
}

/**
 * What a gate needs to know and may be given: tests give `resolve`, and
 * shorter timeouts or smaller caps than the proxy's (see
 * {@link AllowListProxyOptions}).
 */
export interface NetworkGateOptions extends Pick<
  AllowListProxyOptions,
  'resolve' | 'machineAddresses' | 'timeouts' | 'caps' | 'budget'
> {
  allow: readonly string[];
  /** Whether listed names may lead to this machine's loopback (see {@link AllowListProxyOptions}); tests only. */
  loopbackNames?: 'refuse' | 'allow' | undefined;
  /** The Node that makes the sockets inside (default: troupe's own). */
  node?: string | undefined;
}

// codes of a connect that found no route: what a namespace with only a loopback answers
const NO_ROUTE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EACCES', 'EPERM']);
const HINT = 'troupe doctor runs the same check; see docs/explanation/sandbox.md#network-by-name';

/**
 * Open the gate of the namespace of process `pid`, entered with `enter`
 * (a plan network's `nsenter … --`). Rejects with `SANDBOX_UNAVAILABLE`
 * naming what is missing when the namespace has a way out besides the
 * proxy, or the proxy does not answer inside: no command of the plan runs
 * then.
 *
 * @example
 * const gate = await openNetworkGate(network, { allow: ['*.github.com'] });
 */
export async function openNetworkGate(
  network: { pid: number; enter: readonly string[] },
  options: NetworkGateOptions,
): Promise<NetworkGate> {
  // an interface besides the loopback is a way out whatever the proxy does: said before anything starts
  const interfaces = await routeOut(network.pid);
  if (interfaces) throw unavailable(interfaces);
  const { node, ...proxyOptions } = options;
  const proxy = new AllowListProxy(proxyOptions);
  const relays = relayPorts(options.allow);
  let listeners;
  try {
    listeners = await openNamespaceListeners(network.enter, {
      relays: [...relays.keys()],
      probe: { host: AllowListProxy.PROBE_HOST, token: proxy.probeToken },
      serve: (server) => proxy.listen(server),
      ...(node ? { node } : {}),
    });
  } catch (error) {
    proxy.close();
    throw unavailable(`troupe's proxy could not listen inside the plan network: ${(error as Error).message}`);
  }
  for (const [port, server] of listeners.relays) serveRelay(server, relays.get(port)!, port, proxy);
  const close = () => {
    // the relays' connections too: the proxy holds every socket of the gate
    proxy.close();
    listeners.proxy.close();
    for (const server of listeners.relays.values()) server.close();
  };
  const problem = insideProblem(listeners.check);
  if (problem) {
    close();
    throw unavailable(problem);
  }
  const { proxyPort } = listeners;
  return {
    allow: proxy.allow,
    proxyPort,
    admit(command, onDenied) {
      const pass = proxy.admit(command, onDenied);
      return { env: proxyEnv(proxyPort, pass.token), usage: () => pass.usage(), leave: () => pass.leave() };
    },
    close,
  };
}

/**
 * The variables that point a command at the proxy: `HTTP_PROXY`,
 * `HTTPS_PROXY` and their lower-case twins (with the command's token as
 * the proxy's password), `NO_PROXY` the loopback only — the plan's services
 * and the relayed host ports live there — and `NODE_USE_ENV_PROXY` for
 * Node's own `fetch` (Node 24 and later).
 *
 * @example
 * proxyEnv(3128, 'abc').HTTPS_PROXY; // 'http://troupe:abc@127.0.0.1:3128'
 */
export function proxyEnv(port: number, token: string): Record<string, string> {
  const url = `http://troupe:${token}@127.0.0.1:${port}`;
  const local = 'localhost,127.0.0.1,::1';
  return {
    HTTP_PROXY: url,
    HTTPS_PROXY: url,
    http_proxy: url,
    https_proxy: url,
    NO_PROXY: local,
    no_proxy: local,
    NODE_USE_ENV_PROXY: '1',
  };
}

// the ports of `localhost:PORT` and `127.x.x.x:PORT` entries, each with the host address it leads to
function relayPorts(allow: readonly string[]): Map<number, string> {
  const ports = new Map<number, string>();
  for (const entry of allow.map(parseAllowEntry)) {
    if (!entry.loopback || entry.port === null || ports.has(entry.port)) continue;
    ports.set(entry.port, entry.host === 'localhost' ? '127.0.0.1' : entry.host);
  }
  return ports;
}

// a connection to the relay's port inside is one to the same port of the host's loopback; both
// sockets count against the plan's caps (a relay is no way around them), and past them it is closed
function serveRelay(server: Server, host: string, port: number, proxy: AllowListProxy): void {
  // past a cap the relay closes the connection itself (raw TCP: there is no answer to give) and the
  // command is told once; Node's count is only a backstop (see AllowListProxy.listen)
  server.maxConnections = proxy.maxConnections;
  server.on('connection', (inside: Socket) => {
    inside.on('error', () => inside.destroy());
    if (!proxy.room(port, 2)) return void inside.destroy();
    const outside = connect({ host, port });
    for (const socket of [inside, outside]) {
      proxy.hold(socket);
      socket.on('error', () => {
        inside.destroy();
        outside.destroy();
      });
    }
    // the command's side went: so does the host's; the host's went: what it sent is passed on first
    inside.once('close', () => outside.destroy());
    outside.once('close', () => inside.end(() => inside.destroy()));
    inside.pipe(outside);
    outside.pipe(inside);
    inside.resume();
  });
}

// another interface than the loopback in the namespace is a way out (/proc/<pid>/net/dev lists them)
async function routeOut(pid: number): Promise<string | null> {
  const text = await readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => null);
  if (text === null) return `the plan network's interfaces cannot be read (/proc/${pid}/net/dev)`;
  const interfaces = text
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]!.trim())
    .filter(Boolean);
  const others = interfaces.filter((name) => name !== 'lo');
  return others.length > 0
    ? `the plan network has a route out: interface ${others.join(', ')} besides the loopback`
    : null;
}

function insideProblem(check: { outside: { ipv4: string; ipv6: string }; proxyAnswer: string }): string | null {
  for (const [family, answer] of Object.entries(check.outside)) {
    if (!NO_ROUTE.has(answer))
      return `the plan network has a route out: a connection to an outside ${family} address ended "${answer}" instead of finding no route`;
  }
  if (!/^HTTP\/1\.1 403 .*\(troupe\)$/.test(check.proxyAnswer))
    return `troupe's proxy did not refuse a host off the list inside the plan network (it answered: ${check.proxyAnswer})`;
  return null;
}

function unavailable(why: string): TroupeError {
  return new TroupeError('SANDBOX_UNAVAILABLE', `the network allow-list cannot be enforced: ${why}`, {
    hint: HINT,
    details: { reason: why },
  });
}
