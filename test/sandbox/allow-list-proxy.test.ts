import { createServer as createHttpServer, type IncomingHttpHeaders, type Server as HttpServer } from 'node:http';
import { connect, createServer, isIP, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkRefusal } from '../../src/domain/index.js';
import { AllowListProxy } from '../../src/sandbox/allow-list-proxy.js';
import { systemResolve } from '../../src/sandbox/allow-list-targets.js';
import { interfaceAddresses } from '../../src/sandbox/this-machine.js';

// The allow-list proxy on its own (issue 39): a listener on the host's loopback stands in
// for the port inside a plan network; servers on 127.0.0.1 stand in for remote hosts.

let upstream: HttpServer;
let upstreamPort: number;
let seen: { url: string; headers: IncomingHttpHeaders }[] = [];
let listener: Server;
let proxyPort: number;
let proxy: AllowListProxy;

beforeAll(async () => {
  upstream = createHttpServer((request, response) => {
    seen.push({ url: request.url ?? '', headers: request.headers });
    response.setHeader('connection', 'close, x-hop');
    response.setHeader('x-hop', 'hop');
    response.setHeader('x-end', 'end');
    response.end(`upstream ${request.method} ${request.url}`);
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as { port: number }).port;
  listener = createServer((socket) => proxy.accept(socket));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  proxyPort = (listener.address() as { port: number }).port;
});
afterAll(() => {
  upstream.close();
  listener.close();
});
afterEach(() => {
  proxy?.close();
  seen = [];
});

const names: Record<string, string[]> = {
  'listed.test': ['127.0.0.1'],
  'rebound.test': ['127.0.0.1'],
  'both.test': ['::1', '127.0.0.1'],
};
const resolve = async (host: string) => {
  const found = names[host];
  if (!found) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
  return found;
};

// one raw exchange with the proxy: what it answered, as text
function exchange(request: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(proxyPort, '127.0.0.1');
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('end', () => done(text));
    socket.on('error', fail);
    socket.write(request);
  });
}

// a CONNECT, then one request through the tunnel; resolves with everything read
function tunnel(authority: string, token?: string): Promise<string> {
  const auth = token ? `Proxy-Authorization: Basic ${Buffer.from(`troupe:${token}`).toString('base64')}\r\n` : '';
  return new Promise((done, fail) => {
    const socket = connect(proxyPort, '127.0.0.1');
    let text = '';
    let sent = false;
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (!sent && text.startsWith('HTTP/1.1 200')) {
        sent = true;
        socket.write(`GET /through HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
      }
    });
    socket.on('end', () => done(text));
    socket.on('error', fail);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
  });
}

function get(url: string, headers: Record<string, string> = {}): Promise<string> {
  return exchange(
    `GET ${url} HTTP/1.1\r\nHost: ${new URL(url).host}\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}Connection: close\r\n\r\n`,
  );
}

describe('the allow-list proxy', () => {
  it('forwards a listed plain HTTP request to the host the URI names, not the Host header, without hop-by-hop headers', async () => {
    proxy = new AllowListProxy({ allow: [`listed.test:${upstreamPort}`], resolve, loopbackNames: 'allow' });
    const pass = proxy.admit('curl');
    const auth = Buffer.from(`troupe:${pass.token}`).toString('base64');
    const reply = await exchange(
      `GET http://listed.test:${upstreamPort}/a?b=1 HTTP/1.1\r\nHost: other.example\r\nProxy-Authorization: Basic ${auth}\r\nProxy-Connection: keep-alive\r\nX-Mine: kept\r\nConnection: close\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    expect(reply).toContain(`upstream GET /a?b=1`);
    expect(reply.toLowerCase()).toContain('x-end: end');
    expect(reply.toLowerCase()).not.toContain('x-hop');
    expect(seen[0]!.url).toBe('/a?b=1');
    expect(seen[0]!.headers.host).toBe(`listed.test:${upstreamPort}`);
    expect(seen[0]!.headers['x-mine']).toBe('kept');
    expect(seen[0]!.headers['proxy-authorization']).toBeUndefined();
    expect(seen[0]!.headers['proxy-connection']).toBeUndefined();
    expect(pass.usage()).toEqual({ allowed: { 'listed.test': 1 }, denied: {} });
  });

  it('tunnels a listed CONNECT and refuses an unlisted one with 403, a body and the header that names it', async () => {
    proxy = new AllowListProxy({ allow: [`listed.test:${upstreamPort}`], resolve, loopbackNames: 'allow' });
    const refusals: NetworkRefusal[] = [];
    const pass = proxy.admit('curl', (refusal) => refusals.push(refusal));
    expect(await tunnel(`listed.test:${upstreamPort}`, pass.token)).toMatch(
      /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK[\s\S]*upstream GET \/through$/,
    );
    const refused = await tunnel('evil.example:443', pass.token);
    expect(refused).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(refused).toContain('X-Troupe-Refused: evil.example:443');
    expect(refused).toContain(
      `troupe refused evil.example:443: it is not on this plan's network allow-list (listed.test:${upstreamPort})`,
    );
    expect(refusals).toEqual([{ host: 'evil.example', port: 443, reason: 'not-listed' }]);
    expect(pass.usage()).toEqual({ allowed: { 'listed.test': 1 }, denied: { 'evil.example': 1 } });
  });

  it('refuses a listed name that resolves to this machine, unless its entry is localhost:PORT', async () => {
    proxy = new AllowListProxy({ allow: [`rebound.test:${upstreamPort}`, `localhost:${upstreamPort}`], resolve });
    const refusals: NetworkRefusal[] = [];
    proxy.admit('curl', (refusal) => refusals.push(refusal));
    const rebound = await get(`http://rebound.test:${upstreamPort}/`);
    expect(rebound).toMatch(/^HTTP\/1\.1 403/);
    expect(rebound).toContain(
      "resolves to 127.0.0.1, this machine's own loopback, which only a localhost:PORT or 127.0.0.1:PORT entry reaches",
    );
    expect(refusals).toEqual([{ host: 'rebound.test', port: upstreamPort, reason: 'loopback' }]);
    expect(await get(`http://localhost:${upstreamPort}/local`)).toContain('upstream GET /local');
  });

  it('answers 502 for a listed name that does not resolve or a host that does not answer', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const closedPort = (closed.address() as { port: number }).port;
    closed.close();
    proxy = new AllowListProxy({
      allow: ['nowhere.test', `listed.test:${closedPort}`],
      resolve,
      loopbackNames: 'allow',
    });
    const refusals: NetworkRefusal[] = [];
    proxy.admit('curl', (refusal) => refusals.push(refusal));
    expect(await get('http://nowhere.test/')).toMatch(
      /^HTTP\/1\.1 502[\s\S]*troupe: nowhere\.test did not resolve: getaddrinfo ENOTFOUND nowhere\.test/,
    );
    expect(await get(`http://listed.test:${closedPort}/`)).toMatch(
      /^HTTP\/1\.1 502[\s\S]*could not reach listed\.test/,
    );
    expect(await tunnel(`listed.test:${closedPort}`)).toMatch(/^HTTP\/1\.1 502 Bad Gateway[\s\S]*ECONNREFUSED/);
    expect(refusals).toEqual([]);
  });

  it('passes on what a client sent right behind its CONNECT', async () => {
    proxy = new AllowListProxy({ allow: [`listed.test:${upstreamPort}`], resolve, loopbackNames: 'allow' });
    const reply = await exchange(
      `CONNECT listed.test:${upstreamPort} HTTP/1.1\r\nHost: listed.test:${upstreamPort}\r\n\r\nGET /early HTTP/1.1\r\nHost: listed.test\r\nConnection: close\r\n\r\n`,
    );
    expect(reply).toMatch(
      /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK[\s\S]*upstream GET \/early$/,
    );
  });

  it('gives up on a host that does not answer in time, with 502', async () => {
    // TEST-NET-1: never routed; where the machine has no route at all the connect fails at once, also a 502
    proxy = new AllowListProxy({ allow: ['silent.test'], resolve: async () => ['192.0.2.1'], connectTimeoutMs: 100 });
    expect(await get('http://silent.test/')).toMatch(/^HTTP\/1\.1 502[\s\S]*could not reach silent\.test/);
    expect(await tunnel('silent.test:443')).toMatch(
      /^HTTP\/1\.1 502 Bad Gateway[\s\S]*could not reach silent\.test:443/,
    );
  });

  it("resolves names with the system's resolver by default", async () => {
    expect(await systemResolve('localhost')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(127\.0\.0\.1|::1)$/)]),
    );
  });

  it('answers 400 to what is no proxy request', async () => {
    proxy = new AllowListProxy({ allow: ['listed.test'], resolve });
    expect(await exchange('GET /origin-form HTTP/1.1\r\nHost: listed.test\r\nConnection: close\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400[\s\S]*send the absolute URI/,
    );
    expect(
      await exchange('GET https://listed.test/ HTTP/1.1\r\nHost: listed.test\r\nConnection: close\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 400[\s\S]*use CONNECT listed\.test/);
    expect(await exchange('CONNECT listed.test HTTP/1.1\r\nHost: listed.test\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400[\s\S]*CONNECT needs host:port/,
    );
    expect(await exchange('this is not http\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(await exchange('CONNECT listed.test:99999 HTTP/1.1\r\nHost: listed.test\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400[\s\S]*the port must be from 1 to 65535/,
    );
    expect(await exchange('CONNECT list\u0007ed.test:443 HTTP/1.1\r\nHost: listed.test\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400/,
    );
    expect(await exchange('CONNECT a%2fb.test:443 HTTP/1.1\r\nHost: listed.test\r\n\r\n')).toMatch(
      /^HTTP\/1\.1 400[\s\S]*a host name or an address/,
    );
  });

  it('gives a request without a known token to the only running command, or to the first one unattributed', async () => {
    proxy = new AllowListProxy({ allow: ['listed.test'], resolve });
    const heard: [string, boolean][] = [];
    const first = proxy.admit('first', (refusal, attributed) => heard.push([`first ${refusal.host}`, attributed]));
    await get('http://alone.example/');
    const second = proxy.admit('second', (refusal, attributed) => heard.push([`second ${refusal.host}`, attributed]));
    await get('http://shared.example/', {
      'Proxy-Authorization': `Basic ${Buffer.from('troupe:not-a-token').toString('base64')}`,
    });
    await get('http://named.example/', {
      'Proxy-Authorization': `Basic ${Buffer.from(`troupe:${second.token}`).toString('base64')}`,
    });
    first.leave();
    await get('http://after.example/');
    expect(heard).toEqual([
      ['first alone.example', true],
      ['first shared.example', false],
      ['second named.example', true],
      ['second after.example', true],
    ]);
    expect(first.usage().denied).toEqual({ 'alone.example': 1, 'shared.example': 1 });
  });

  it("counts nobody's request for troupe's own probe, and refuses it", async () => {
    proxy = new AllowListProxy({ allow: ['listed.test'], resolve });
    const heard: string[] = [];
    const pass = proxy.admit('curl', (refusal) => heard.push(refusal.host));
    expect(await tunnel(`${AllowListProxy.PROBE_HOST}:443`, proxy.probeToken)).toMatch(/^HTTP\/1\.1 403/);
    expect(heard).toEqual([]);
    expect(pass.usage()).toEqual({ allowed: {}, denied: {} });
  });

  it('cuts its tunnels when it closes', async () => {
    const held = createServer((socket) => socket.write('held\n'));
    await new Promise<void>((done) => held.listen(0, '127.0.0.1', done));
    const heldPort = (held.address() as { port: number }).port;
    proxy = new AllowListProxy({ allow: [`listed.test:${heldPort}`], resolve, loopbackNames: 'allow' });
    const ended = new Promise<string>((done) => {
      const socket = connect(proxyPort, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        if (text.endsWith('held\n')) proxy.close();
      });
      socket.on('close', () => done(text));
      socket.write(`CONNECT listed.test:${heldPort} HTTP/1.1\r\nHost: listed.test:${heldPort}\r\n\r\n`);
    });
    expect(await ended).toBe('HTTP/1.1 200 Connection Established\r\n\r\nheld\n');
    held.close();
  });
});

describe('names that lead to this machine', () => {
  const leads: Record<string, string[]> = {
    'lan.test': ['10.0.0.5'],
    'bridge.test': ['::ffff:172.17.0.1'],
    'metadata.test': ['169.254.169.254'],
    'alibaba.test': ['100.100.100.200'],
    'aws6.test': ['fd00:ec2::254'],
    'link.test': ['fe80::1'],
    'zero.test': ['0.1.2.3'],
    'partly.test': ['169.254.169.254', '127.0.0.1'],
  };
  const resolveLeads = async (host: string) => leads[host] ?? [];

  it.each([
    [
      'lan.test',
      'this-machine',
      'it resolves to 10.0.0.5, an address of this machine, which only an entry naming the address reaches (10.0.0.5:80)',
    ],
    ['bridge.test', 'this-machine', 'an address of this machine, which no entry reaches'],
    [
      'metadata.test',
      'metadata',
      "it resolves to 169.254.169.254, a cloud metadata service's address (it hands out this machine's credentials), which only an entry naming the address reaches (169.254.169.254:80)",
    ],
    ['alibaba.test', 'metadata', "100.100.100.200, a cloud metadata service's address"],
    ['aws6.test', 'metadata', "fd00:ec2::254, a cloud metadata service's address"],
    ['link.test', 'link-local', 'fe80::1, a link-local address'],
    ['zero.test', 'loopback', "0.1.2.3, this machine's own loopback"],
  ])('refuses listed %s: %s, and connects nowhere', async (host, reason, body) => {
    proxy = new AllowListProxy({
      allow: [host],
      resolve: resolveLeads,
      machineAddresses: () => ['10.0.0.5', '172.17.0.1'],
      connectTimeoutMs: 100,
    });
    const refusals: NetworkRefusal[] = [];
    proxy.admit('curl', (refusal) => refusals.push(refusal));
    const reply = await get(`http://${host}/`);
    expect(reply).toMatch(/^HTTP\/1\.1 403/);
    expect(reply).toContain(body);
    expect(refusals).toEqual([{ host, port: 80, reason }]);
  });

  it('uses the address of a listed name that does not lead here, tests letting loopback through', async () => {
    leads['partly.test'] = ['169.254.169.254', '127.0.0.1'];
    proxy = new AllowListProxy({
      allow: [`partly.test:${upstreamPort}`],
      resolve: resolveLeads,
      loopbackNames: 'allow',
    });
    expect(await get(`http://partly.test:${upstreamPort}/here`)).toContain('upstream GET /here');
  });

  // a real address of this machine besides its loopback, where the test can serve
  const own = interfaceAddresses().find((address) => isIP(address) === 4 && !address.startsWith('127.'));
  it.runIf(own !== undefined)(
    "refuses a name that leads to one of this machine's own addresses, and reaches it through an entry that names it",
    async () => {
      const server = createHttpServer((request, response) => response.end(`own ${request.url}`));
      await new Promise<void>((done) => server.listen(0, own!, done));
      const port = (server.address() as { port: number }).port;
      try {
        proxy = new AllowListProxy({ allow: [`own.test:${port}`, `${own!}:${port}`], resolve: async () => [own!] });
        const refusals: NetworkRefusal[] = [];
        proxy.admit('curl', (refusal) => refusals.push(refusal));
        expect(await get(`http://own.test:${port}/`)).toMatch(/^HTTP\/1\.1 403[\s\S]*an address of this machine/);
        expect(await get(`http://${own!}:${port}/direct`)).toContain('own /direct');
        expect(refusals).toEqual([{ host: 'own.test', port, reason: 'this-machine' }]);
      } finally {
        server.close();
      }
    },
  );
});
