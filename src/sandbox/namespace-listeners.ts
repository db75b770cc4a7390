import { spawn } from 'node:child_process';
import type { Server } from 'node:net';
import { leakedDescriptors, shadowing } from './inherited-descriptors.js';
import { afterPendingIo } from './pending-first-timer.js';

/**
 * Listening TCP sockets made *inside* a plan's network namespace and held
 * by troupe's process outside it (docs/explanation/architecture.md#network-by-name-the-proxy):
 * the proxy's port, and one per `localhost:PORT` entry of the allow-list
 * (relayed to the host). A socket belongs to the namespace it was made in,
 * whoever holds it: a command connecting to `127.0.0.1:<port>` in the plan's
 * namespace reaches troupe, which accepts outside. There is no forwarder
 * process to outlive troupe and no socket file to bind in: the sockets close
 * with troupe's process.
 *
 * They are made by a short-lived helper — troupe's own Node, started in the
 * namespace through `nsenter` — that hands each over on its IPC channel
 * (SCM_RIGHTS), then checks from inside what a command would meet: whether
 * an address outside is reachable (it must not be) and whether the proxy
 * answers (it must, refusing a name no list holds), and exits.
 */
export interface NamespaceListeners {
  /** The proxy's socket and its port on the namespace's loopback. */
  proxy: Server;
  proxyPort: number;
  /** The relays' sockets, by port (listening on 127.0.0.1 in the namespace). */
  relays: Map<number, Server>;
  /** What the helper found from inside: see {@link InsideCheck}. */
  check: InsideCheck;
}

/** What the helper found from inside the namespace. */
export interface InsideCheck {
  /** How connecting to an address outside ended, per family: a code of "no route" is what must be. */
  outside: { ipv4: string; ipv6: string };
  /** The status line the proxy answered troupe's own probe with, or why it did not answer. */
  proxyAnswer: string;
}

/** How long the helper may take to make the sockets and check (it starts a Node). */
const HELPER_TIMEOUT_MS = 30_000;

// The helper, run as `node -e`: given {relays, probe: {host, token}} on its IPC channel,
// it listens on 127.0.0.1 (port 0 for the proxy, each relay's own), sends each server, then
// connects to TEST-NET addresses (RFC 5737/3849: never routed, nothing leaves even with a route)
// and asks the proxy, now held by troupe, to CONNECT to a name no list can hold.
const HELPER = String.raw`
const net = require('net');
process.on('disconnect', () => process.exit(0));
const listen = (port) => new Promise((resolve, reject) => { const s = net.createServer({ pauseOnConnect: true }); s.once('error', reject); s.listen(port, '127.0.0.1', () => resolve(s)); });
const send = (message, handle) => new Promise((resolve, reject) => process.send(message, handle, (error) => (error ? reject(error) : resolve())));
const outside = (host) => new Promise((resolve) => {
  const socket = net.connect({ host, port: 9 });
  const timer = setTimeout(() => { socket.destroy(); resolve('timeout'); }, 2000);
  socket.once('connect', () => { clearTimeout(timer); socket.destroy(); resolve('connected'); });
  socket.once('error', (error) => { clearTimeout(timer); resolve(error.code || error.message); });
});
const ask = (port, probe) => new Promise((resolve) => {
  const socket = net.connect({ host: '127.0.0.1', port });
  let text = '';
  const timer = setTimeout(() => { socket.destroy(); resolve('no answer within 5 s'); }, 5000);
  socket.on('data', (chunk) => { text += chunk; const line = text.indexOf('\r\n'); if (line >= 0) { clearTimeout(timer); socket.destroy(); resolve(text.slice(0, line) + (/x-troupe-refused/i.test(text) ? ' (troupe)' : '')); } });
  socket.once('error', (error) => { clearTimeout(timer); resolve('no answer: ' + (error.code || error.message)); });
  socket.once('connect', () => socket.write('CONNECT ' + probe.host + ':443 HTTP/1.1\r\nHost: ' + probe.host + ':443\r\nProxy-Authorization: Basic ' + Buffer.from('troupe:' + probe.token).toString('base64') + '\r\n\r\n'));
});
process.once('message', async ({ relays, probe }) => {
  try {
    const proxy = await listen(0);
    const proxyPort = proxy.address().port;
    // a server sent stays open here too: closed, so no connection is ever accepted by this process
    await send({ kind: 'proxy', port: proxyPort }, proxy);
    proxy.close();
    for (const port of relays) {
      const relay = await listen(port);
      await send({ kind: 'relay', port }, relay);
      relay.close();
    }
    await send({ kind: 'listening' });
    const [ipv4, ipv6] = await Promise.all([outside('192.0.2.1'), outside('2001:db8::1')]);
    const proxyAnswer = await ask(proxyPort, probe);
    await send({ kind: 'checked', outside: { ipv4, ipv6 }, proxyAnswer });
  } catch (error) {
    await send({ kind: 'failed', message: String(error && error.message || error) }).catch(() => {});
  }
  process.exit(0);
});
`;

/**
 * Make the listening sockets inside the namespace `enter` leads into (the
 * plan network's `nsenter … --` prefix) with troupe's Node, and check from
 * inside: `relays` are the ports of `localhost:PORT` entries; `probe` is
 * the proxy's own question. `serve` is called with the proxy's socket as
 * soon as it arrives, so the helper's probe finds it answering. Rejects
 * with the helper's complaint when it could not.
 *
 * @example
 * const listeners = await openNamespaceListeners(network.enter, { relays: [5432], probe: { host: AllowListProxy.PROBE_HOST, token: proxy.probeToken }, serve: (server) => server.on('connection', (s) => proxy.accept(s)) });
 */
export async function openNamespaceListeners(
  enter: readonly string[],
  options: {
    relays: readonly number[];
    probe: { host: string; token: string };
    serve: (proxy: Server) => void;
    node?: string;
  },
): Promise<NamespaceListeners> {
  const node = options.node ?? process.execPath;
  // the helper gets nothing of troupe's environment (NODE_OPTIONS would load troupe's loaders into it)
  const [file, ...args] = [...enter, node, '-e', HELPER];
  // nor the store's files, which troupe holds without close-on-exec (docs/explanation/sandbox.md)
  const child = spawn(file!, args, {
    cwd: '/',
    env: {},
    stdio: shadowing(['ignore', 'ignore', 'pipe', 'ipc'], leakedDescriptors()),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-1000)));
  const relays = new Map<number, Server>();
  let proxy: { server: Server; port: number } | null = null;
  const closeAll = () => {
    proxy?.server.close();
    for (const server of relays.values()) server.close();
  };
  try {
    const check = await new Promise<InsideCheck>((resolve, reject) => {
      // its messages first: a troupe stopped past the deadline does not fail a helper that answered
      const cancelTimer = afterPendingIo(HELPER_TIMEOUT_MS, () =>
        reject(new Error(`it did not answer within ${HELPER_TIMEOUT_MS / 1000} s`)),
      );
      const fail = (why: string) => {
        cancelTimer();
        reject(new Error(why));
      };
      child.on(
        'message',
        (
          message: {
            kind: string;
            port?: number;
            message?: string;
            outside?: InsideCheck['outside'];
            proxyAnswer?: string;
          },
          handle?: Server,
        ) => {
          if (message.kind === 'proxy' && handle) {
            proxy = { server: handle, port: message.port! };
            options.serve(handle);
          } else if (message.kind === 'relay' && handle) relays.set(message.port!, handle);
          else if (message.kind === 'checked') {
            cancelTimer();
            resolve({ outside: message.outside!, proxyAnswer: message.proxyAnswer! });
          } else if (message.kind === 'failed') fail(message.message ?? 'it failed');
        },
      );
      child.once('error', (error) => fail(error.message));
      child.once('exit', (code, signal) =>
        fail(`it exited (${signal ?? code})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`),
      );
      child.send({ relays: [...options.relays], probe: options.probe });
    });
    if (!proxy) throw new Error('it sent no proxy socket');
    const made: { server: Server; port: number } = proxy;
    return { proxy: made.server, proxyPort: made.port, relays, check };
  } catch (error) {
    closeAll();
    throw error;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
