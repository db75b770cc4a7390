import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkRefusal } from '../../src/domain/index.js';
import { AllowListProxy, type AllowListProxyOptions } from '../../src/sandbox/allow-list-proxy.js';
import { DescriptorBudget } from '../../src/sandbox/proxy-connections.js';

// The proxy holds what a command could pile up in troupe's process to a bound: connections that
// keep it waiting are closed, and connections past a cap are answered 429 and closed at once.
// A listener on the host's loopback stands in for the port inside a plan network.

let upstream: HttpServer;
let upstreamPort: number;
let held: Server;
let heldPort: number;
const proxies: AllowListProxy[] = [];
const listeners: Server[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  // answers at once, or after ?wait=ms
  upstream = createHttpServer((request, response) => {
    const wait = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('wait') ?? 0);
    setTimeout(() => response.end(`upstream ${request.url}`), wait);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as { port: number }).port;
  // a raw service that echoes: a tunnel's far end
  held = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
  heldPort = (held.address() as { port: number }).port;
});
afterAll(() => {
  upstream.close();
  held.close();
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const proxy of proxies.splice(0)) proxy.close();
  for (const listener of listeners.splice(0)) listener.close();
});

const resolve = async () => ['127.0.0.1'];

// a proxy on a port of its own, for the listed hosts `listed.test` (HTTP) and `held.test` (a raw echo)
async function start(options: Partial<AllowListProxyOptions>): Promise<{ proxy: AllowListProxy; port: number }> {
  const proxy = new AllowListProxy({
    allow: [`listed.test:${upstreamPort}`, `held.test:${heldPort}`],
    resolve,
    loopbackNames: 'allow',
    ...options,
  });
  const listener = createServer();
  proxy.listen(listener);
  await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
  proxies.push(proxy);
  listeners.push(listener);
  return { proxy, port: (listener.address() as { port: number }).port };
}

// a connection to the proxy: everything it was sent, and when it closed
interface Conn {
  socket: Socket;
  text: () => string;
  closed: Promise<number>;
  waitFor: (pattern: RegExp) => Promise<string>;
}
async function open(port: number, send = ''): Promise<Conn> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  const started = Date.now();
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => {});
  const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now() - started)));
  await new Promise<void>((done) => socket.once('connect', () => done()));
  if (send) socket.write(send);
  const waitFor = async (pattern: RegExp) => {
    for (let waited = 0; !pattern.test(text) && waited < 5_000; waited += 10) await sleep(10);
    return text;
  };
  return { socket, text: () => text, closed, waitFor };
}

const auth = (token: string) => `Proxy-Authorization: Basic ${Buffer.from(`troupe:${token}`).toString('base64')}\r\n`;
const tunnelTo = (token = '') =>
  `CONNECT held.test:${heldPort} HTTP/1.1\r\nHost: held.test:${heldPort}\r\n${token && auth(token)}\r\n`;

describe('timeouts', () => {
  it('closes a connection that does not send complete headers in time, with 408, and one that sends nothing', async () => {
    const { port } = await start({ timeouts: { headersMs: 300, idleMs: 10_000 } });
    const partial = await open(port, `GET http://listed.test:${upstreamPort}/ HTTP/1.1\r\nHost: listed.test\r\n`);
    const silent = await open(port);
    const after = await partial.closed;
    expect(after).toBeGreaterThanOrEqual(250);
    expect(after).toBeLessThan(3_000);
    expect(partial.text()).toMatch(/^HTTP\/1\.1 408 Request Timeout[\s\S]*no complete request within 0\.3 s/);
    expect(await silent.closed).toBeLessThan(3_000);
  });

  it('closes a kept-alive connection left idle after its answer', async () => {
    const { port } = await start({ timeouts: { headersMs: 200, idleMs: 400 } });
    const conn = await open(port, `GET http://listed.test:${upstreamPort}/first HTTP/1.1\r\nHost: listed.test\r\n\r\n`);
    await conn.waitFor(/upstream \/first/);
    expect(conn.text()).toMatch(/Keep-Alive: timeout=0/i);
    const answered = Date.now();
    await conn.closed;
    expect(Date.now() - answered).toBeGreaterThanOrEqual(350);
    expect(Date.now() - answered).toBeLessThan(3_000);
  });

  it("closes a kept-alive connection that trickles its next request, which Node's idle timer would keep", async () => {
    const { port } = await start({ timeouts: { headersMs: 200, idleMs: 400 } });
    const conn = await open(port, `GET http://listed.test:${upstreamPort}/first HTTP/1.1\r\nHost: listed.test\r\n\r\n`);
    await conn.waitFor(/upstream \/first/);
    const answered = Date.now();
    const next = `GET http://listed.test:${upstreamPort}/second HTTP/1.1\r\nHost: listed.test\r\nX-Slow: ${'x'.repeat(100)}\r\n\r\n`;
    let sent = 0;
    const trickle = setInterval(() => conn.socket.writable && conn.socket.write(next[sent++] ?? ''), 50);
    await conn.closed;
    clearInterval(trickle);
    expect(Date.now() - answered).toBeLessThan(2_000);
    expect(conn.text()).toContain('HTTP/1.1 408 Request Timeout');
  });

  it('serves the next request of a kept-alive connection that comes in time', async () => {
    const { port } = await start({ timeouts: { headersMs: 300, idleMs: 600 } });
    const conn = await open(port, `GET http://listed.test:${upstreamPort}/first HTTP/1.1\r\nHost: listed.test\r\n\r\n`);
    await conn.waitFor(/upstream \/first/);
    await sleep(400);
    conn.socket.write(`GET http://listed.test:${upstreamPort}/second HTTP/1.1\r\nHost: listed.test\r\n\r\n`);
    expect(await conn.waitFor(/upstream \/second/)).toContain('upstream /second');
  });

  it('does not cut a forwarded request in progress, nor an established tunnel', async () => {
    const { port } = await start({ timeouts: { headersMs: 200, idleMs: 200 } });
    const slow = await open(
      port,
      `GET http://listed.test:${upstreamPort}/?wait=900 HTTP/1.1\r\nHost: listed.test\r\nConnection: close\r\n\r\n`,
    );
    const tunnel = await open(port, tunnelTo());
    await tunnel.waitFor(/200 Connection Established/);
    await sleep(900);
    tunnel.socket.write('still here');
    expect(await tunnel.waitFor(/still here/)).toBe('HTTP/1.1 200 Connection Established\r\n\r\nstill here');
    expect(await slow.waitFor(/upstream/)).toMatch(/^HTTP\/1\.1 200[\s\S]*upstream \/\?wait=900$/);
  });
});

describe('caps', () => {
  it("refuses a command's connection past its cap with 429, telling it once; one not yet named counts against the plan only", async () => {
    const { proxy, port } = await start({ caps: { perCommand: 2, perPlan: 10 } });
    const refusals: { refusal: NetworkRefusal; attributed: boolean }[] = [];
    const pass = proxy.admit('flood', (refusal, attributed) => refusals.push({ refusal, attributed }));
    proxy.admit('other');
    for (const _ of [1, 2]) await (await open(port, tunnelTo(pass.token))).waitFor(/200 Connection Established/);
    // silent connections are nobody's yet: they do not fill the command's cap
    for (const _ of [1, 2, 3]) await open(port);
    const refused = await open(port, tunnelTo(pass.token));
    await refused.closed;
    expect(refused.text()).toMatch(/^HTTP\/1\.1 429 Too Many Requests\r\n/);
    expect(refused.text()).toContain('X-Troupe-Refused: connections');
    expect(refused.text()).toContain(
      "this command already holds 2 connections to troupe's proxy, the most one command may",
    );
    for (const _ of [1, 2, 3, 4, 5]) await (await open(port, tunnelTo(pass.token))).closed;
    expect(refusals).toEqual([
      {
        refusal: { host: '127.0.0.1', port, reason: 'connections', cap: { per: 'command', limit: 2 } },
        attributed: true,
      },
    ]);
    // the refused requests asked for no host
    expect(pass.usage()).toEqual({ allowed: { 'held.test': 2 }, denied: {} });
  });

  it('answers and closes at once every connection past the plan cap, holding none of them, and tells the command once', async () => {
    const { proxy, port } = await start({ caps: { perCommand: 100, perPlan: 4 } });
    const refusals: NetworkRefusal[] = [];
    proxy.admit('flood', (refusal) => refusals.push(refusal));
    for (const _ of [1, 2, 3, 4]) await open(port);
    const past = await Promise.all(Array.from({ length: 50 }, () => open(port)));
    await Promise.all(past.map((conn) => conn.closed));
    expect(past.every((conn) => conn.text().startsWith('HTTP/1.1 429 Too Many Requests\r\n'))).toBe(true);
    expect(past[0]!.text()).toContain("this plan's commands already hold 4 connections through troupe's proxy");
    expect(proxy.held).toBe(4);
    expect(refusals).toEqual([{ host: '127.0.0.1', port, reason: 'connections', cap: { per: 'plan', limit: 4 } }]);
  });

  it("counts a tunnel's connection to the host against the plan", async () => {
    const { proxy, port } = await start({ caps: { perCommand: 100, perPlan: 3 } });
    await (await open(port, tunnelTo())).waitFor(/200 Connection Established/);
    expect(proxy.held).toBe(2);
    const second = await open(port, tunnelTo());
    await second.closed;
    expect(second.text()).toMatch(/^HTTP\/1\.1 429[\s\S]*already hold 3 connections/);
    expect(proxy.held).toBe(2);
  });

  it("shares troupe's budget between plans: one plan's connections leave the others what is left", async () => {
    const budget = new DescriptorBudget(3);
    const first = await start({ budget });
    const second = await start({ budget });
    for (const _ of [1, 2, 3]) await open(first.port);
    const refused = await open(second.port);
    await refused.closed;
    expect(refused.text()).toMatch(
      /^HTTP\/1\.1 429[\s\S]*troupe already holds 3 connections for the commands of all its plans, half of its open-file limit/,
    );
    first.proxy.close();
    expect(budget.held).toBe(0);
    const later = await open(
      second.port,
      `GET http://listed.test:${upstreamPort}/later HTTP/1.1\r\nHost: listed.test\r\nConnection: close\r\n\r\n`,
    );
    expect(await later.waitFor(/upstream/)).toContain('upstream /later');
  });

  it('sets the listening socket its own bound, one above the plan cap', async () => {
    const { proxy } = await start({ caps: { perPlan: 7 } });
    expect(proxy.maxConnections).toBe(8);
    expect(listeners.at(-1)!.maxConnections).toBe(8);
  });
});
