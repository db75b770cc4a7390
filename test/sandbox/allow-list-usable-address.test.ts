import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AllowListProxy } from '../../src/sandbox/allow-list-proxy.js';
import { AllowListTargets } from '../../src/sandbox/allow-list-targets.js';

// A listed name whose resolver answers this machine's loopback first and an
// outside address after it (a DNS rebinding, a wildcard record): the proxy
// goes to the first address that does not lead here, never to the loopback.

let upstream: HttpServer;
let upstreamPort: number;
let reached: string[] = [];
let listener: Server;
let proxyPort: number;
let proxy: AllowListProxy | undefined;

beforeAll(async () => {
  // what would answer if the proxy dialled the loopback address the name resolves to first
  upstream = createHttpServer((request, response) => {
    reached.push(request.url ?? '');
    response.end('loopback upstream');
  });
  upstream.on('connection', () => reached.push('connection'));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as { port: number }).port;
  listener = createServer((socket) => proxy!.accept(socket));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  proxyPort = (listener.address() as { port: number }).port;
});
afterAll(() => {
  upstream.close();
  listener.close();
});
afterEach(() => {
  proxy?.close();
  proxy = undefined;
  reached = [];
});

// TEST-NET-1 (never routed) after the loopback
const loopbackFirst = async () => ['127.0.0.1', '192.0.2.1'];

// one raw exchange with the proxy: what it answered, as text — cut shortly after the answer's head (a tunnel stays open)
function exchange(request: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(proxyPort, '127.0.0.1');
    let text = '';
    const finish = () => {
      socket.destroy();
      done(text);
    };
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('\r\n\r\n')) setTimeout(finish, 200);
    });
    socket.on('close', finish);
    socket.on('error', fail);
    socket.write(request);
  });
}

describe('a listed name that resolves to the loopback first and an outside address after it', () => {
  it('is reached at its first usable address, not the first one resolved', async () => {
    const targets = new AllowListTargets({
      allow: ['mixed.test'],
      resolve: loopbackFirst,
      machineAddresses: () => [],
    });
    expect(await targets.check('mixed.test', 443)).toEqual({ host: 'mixed.test', address: '192.0.2.1' });
    expect(await targets.check('mixed.test', 80)).toEqual({ host: 'mixed.test', address: '192.0.2.1' });
  });

  it('never has the proxy connect to the loopback upstream, for a forwarded request or a tunnel', async () => {
    proxy = new AllowListProxy({
      allow: [`mixed.test:${upstreamPort}`],
      resolve: loopbackFirst,
      machineAddresses: () => [],
      connectTimeoutMs: 100,
    });
    const forwarded = await exchange(
      `GET http://mixed.test:${upstreamPort}/secret HTTP/1.1\r\nHost: mixed.test:${upstreamPort}\r\nConnection: close\r\n\r\n`,
    );
    const tunnelled = await exchange(
      `CONNECT mixed.test:${upstreamPort} HTTP/1.1\r\nHost: mixed.test:${upstreamPort}\r\n\r\n`,
    );
    // 192.0.2.1 does not answer: both fail to reach it, and the loopback server heard nothing
    expect(forwarded).toMatch(/^HTTP\/1\.1 502/);
    expect(forwarded).not.toContain('loopback upstream');
    expect(tunnelled).toMatch(/^HTTP\/1\.1 502/);
    expect(reached).toEqual([]);
  }, 10_000);
});
