import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkRefusal } from '../../src/domain/index.js';
import { BubblewrapSandbox, commandEnv, startPlanNetwork, type PlanNetwork } from '../../src/sandbox/index.js';
import { openNetworkGate } from '../../src/sandbox/network-gate.js';
import { canRunAsNobody, runAsNobody } from '../helpers/as-nobody.js';
import { isAlive, processesWith } from '../helpers/processes.js';
import { visibleTempDir } from '../helpers/temp.js';

// Network by name (issue 39): a plan with an allow-list reaches the hosts on it through
// troupe's proxy, and nothing else — on real bubblewrap, with servers on 127.0.0.1 standing
// in for remote hosts (the proxy's resolver maps the test's names to them).

let worktree: { dir: string; cleanup: () => Promise<void> };
let project: { dir: string; cleanup: () => Promise<void> };
let sandbox: BubblewrapSandbox;
let listed: Server;
let unlisted: Server;
let hostService: Server;
let listedPort: number;
let unlistedPort: number;
let hostServicePort: number;
let closedPort: number;
let network: PlanNetwork;
const looked: string[] = [];

async function serve(answer: string): Promise<{ server: Server; port: number }> {
  const server = createServer((request, response) =>
    response.end(`${answer} ${request.method} ${request.headers.host}${request.url}`),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

const NAMES: Record<string, string> = {
  'listed.test': '127.0.0.1',
  'api.wild.test': '127.0.0.1',
  'wild.test': '127.0.0.1',
  'unlisted.test': '127.0.0.1',
};

beforeAll(async () => {
  worktree = await visibleTempDir('troupe-allow-');
  project = await visibleTempDir('troupe-allow-project-');
  sandbox = new BubblewrapSandbox({ projectRoot: project.dir });
  ({ server: listed, port: listedPort } = await serve('listed'));
  ({ server: unlisted, port: unlistedPort } = await serve('unlisted'));
  ({ server: hostService, port: hostServicePort } = await serve('host-service'));
  // a port where nothing listens on the host: its relay has nowhere to go
  const closed = await serve('closed');
  closedPort = closed.port;
  await new Promise((resolve) => closed.server.close(resolve));
  network = await startPlanNetwork({
    bwrap: '/usr/bin/bwrap',
    gate: {
      allow: [
        `listed.test:${listedPort}`,
        `*.wild.test:${listedPort}`,
        `127.0.0.1:${hostServicePort}`,
        `localhost:${closedPort}`,
      ],
      resolve: async (host) => {
        looked.push(host);
        const address = NAMES[host];
        if (!address) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        return [address];
      },
      loopbackNames: 'allow',
    },
  });
}, 60_000);
afterAll(async () => {
  await network?.stop();
  for (const server of [listed, unlisted, hostService]) server?.close();
  await worktree.cleanup();
  await project.cleanup();
});

async function run(command: string) {
  const refusals: { refusal: NetworkRefusal; attributed: boolean }[] = [];
  const result = await sandbox.run({
    command,
    worktree: worktree.dir,
    env: commandEnv(),
    network: false,
    planNetwork: network,
    timeoutMs: 30_000,
    onDenied: (refusal, attributed) => refusals.push({ refusal, attributed }),
  });
  return { ...result, refusals };
}

describe('a plan network with an allow-list', () => {
  it('lets a listed host through, plain HTTP (absolute URI) and CONNECT alike, and counts it', async () => {
    const result = await run(
      `curl -sS http://listed.test:${listedPort}/plain; echo; curl -sS --proxytunnel http://listed.test:${listedPort}/tunnel`,
    );
    expect(result.stderrTail).toBe('');
    expect(result.stdoutTail).toBe(
      `listed GET listed.test:${listedPort}/plain\nlisted GET listed.test:${listedPort}/tunnel`,
    );
    expect(result.network).toEqual({ allowed: { 'listed.test': 2 }, denied: {} });
    expect(result.refusals).toEqual([]);
  });

  it('refuses a host off the list with 403 and a body that says why, without resolving its name', async () => {
    const result = await run(
      `curl -sS -w ' %{http_code}' http://unlisted.test:${unlistedPort}/; echo; curl -sS -p http://unlisted.test:${unlistedPort}/ || echo "tunnel exit $?"`,
    );
    expect(result.stdoutTail).toContain(
      `troupe refused unlisted.test:${unlistedPort}: it is not on this plan's network allow-list`,
    );
    expect(result.stdoutTail).toContain(' 403\n');
    expect(result.stderrTail).toMatch(/CONNECT tunnel failed, response 403/);
    expect(result.stdoutTail).toContain('tunnel exit 56');
    expect(result.network?.denied).toEqual({ 'unlisted.test': 2 });
    expect(result.refusals).toEqual([
      { refusal: { host: 'unlisted.test', port: unlistedPort, reason: 'not-listed' }, attributed: true },
      { refusal: { host: 'unlisted.test', port: unlistedPort, reason: 'not-listed' }, attributed: true },
    ]);
    // a lookup would already carry data out: a name off the list is never resolved
    expect(looked).not.toContain('unlisted.test');
  });

  it('matches a wildcard for the names under it, not for the domain itself, and only on the port listed', async () => {
    const result = await run(
      [
        `curl -s -o /dev/null -w '%{http_code} ' http://api.wild.test:${listedPort}/`,
        `curl -s -o /dev/null -w '%{http_code} ' http://wild.test:${listedPort}/`,
        `curl -s -o /dev/null -w '%{http_code}' http://listed.test:${unlistedPort}/`,
      ].join('; '),
    );
    expect(result.stdoutTail).toBe('200 403 403');
    expect(result.network).toEqual({ allowed: { 'api.wild.test': 1 }, denied: { 'wild.test': 1, 'listed.test': 1 } });
  });

  it('has no way around the proxy: no proxy, a raw TCP connect, /dev/tcp and a DNS lookup all fail', async () => {
    const script = [
      // without the proxy the name does not even resolve, and the host's loopback is not the plan's
      `curl -sS --noproxy '*' --max-time 5 http://listed.test:${listedPort}/ && echo LEAK-noproxy-name`,
      `curl -sS --noproxy '*' --max-time 5 http://127.0.0.1:${listedPort}/ && echo LEAK-noproxy-loopback`,
      `node -e 'const s=require("net").connect({host:"192.0.2.1",port:80});s.on("connect",()=>console.log("LEAK-tcp"));s.on("error",e=>console.log("tcp",e.code))'`,
      `node -e 'const s=require("net").connect(${listedPort},"127.0.0.1");s.on("connect",()=>console.log("LEAK-tcp-loopback"));s.on("error",e=>console.log("loopback",e.code))'`,
      `bash -c 'echo > /dev/tcp/192.0.2.1/80' 2>/dev/null && echo LEAK-devtcp || echo devtcp refused`,
      `node -e 'require("dns").lookup("unlisted.example.com",(e,a)=>console.log(e?"dns "+(e.code):"LEAK-dns "+a))'`,
    ].join('\n');
    const result = await run(script);
    expect(result.stdoutTail).not.toContain('LEAK');
    expect(result.stdoutTail).toContain('tcp ENETUNREACH');
    expect(result.stdoutTail).toContain('loopback ECONNREFUSED');
    expect(result.stdoutTail).toContain('devtcp refused');
    expect(result.stdoutTail).toMatch(/dns (EAI_AGAIN|ENOTFOUND|ECONNREFUSED)/);
    // nothing went through the proxy
    expect(result.network).toEqual({ allowed: {}, denied: {} });
  });

  it("reaches a 127.0.0.1:PORT entry on the host, on the plan's own loopback (no proxy needed); nothing there is a closed connection", async () => {
    const result = await run(
      `curl -sS http://127.0.0.1:${hostServicePort}/relayed; echo; curl -sS --max-time 10 http://127.0.0.1:${closedPort}/ || echo "closed $?"`,
    );
    // the relay takes the connection and closes it when the host's port refuses: curl sees an empty reply (52) or,
    // when its request arrived before the close, a reset (56) — never a hang (28) nor an answer
    expect(result.stdoutTail).toMatch(
      new RegExp(`^host-service GET 127\\.0\\.0\\.1:${hostServicePort}/relayed\\nclosed (52|56)\\n$`),
    );
  });

  it('gives the command the proxy in both cases, and NO_PROXY the loopback only', async () => {
    const result = await run('env | grep -i _proxy | sort');
    const lines = result.stdoutTail.trim().split('\n');
    expect(
      lines.filter((line) =>
        /^(HTTP|HTTPS|http|https)_PROXY=http:\/\/troupe:[0-9a-f]{24}@127\.0\.0\.1:\d+$/i.test(line),
      ),
    ).toHaveLength(4);
    expect(lines).toContain('NO_PROXY=localhost,127.0.0.1,::1');
    expect(lines).toContain('no_proxy=localhost,127.0.0.1,::1');
  });
});

// whether troupe's own namespace routes IPv4 anywhere (a default route in /proc/net/route)
function hasDefaultRoute(): boolean {
  try {
    return readFileSync('/proc/net/route', 'utf8')
      .split('\n')
      .slice(1)
      .some((line) => line.split(/\s+/)[1] === '00000000');
  } catch {
    return false;
  }
}

describe('failing closed', () => {
  it("refuses to open a gate on a namespace with a route out (the host's own)", async () => {
    // entering nothing: the helper runs in troupe's own namespace, which has interfaces and routes
    await expect(
      openNetworkGate({ pid: process.pid, enter: [] }, { allow: ['registry.npmjs.org'] }),
    ).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      message: expect.stringMatching(
        /the network allow-list cannot be enforced: the plan network has a route out: interface/,
      ),
    });
  });

  // a real holder's namespace (only a loopback) named, but the helper left in troupe's: its connects from "inside" find a route
  it.runIf(hasDefaultRoute())(
    'refuses when a connection from inside finds a route out, and closes what it opened',
    async () => {
      const holder = await startPlanNetwork({ bwrap: '/usr/bin/bwrap' });
      try {
        await expect(
          openNetworkGate({ pid: holder.pid, enter: [] }, { allow: ['registry.npmjs.org'] }),
        ).rejects.toMatchObject({
          code: 'SANDBOX_UNAVAILABLE',
          message: expect.stringMatching(
            /the plan network has a route out: a connection to an outside ipv4 address ended "(timeout|connected|ECONNREFUSED)" instead of finding no route/,
          ),
        });
      } finally {
        await holder.stop();
      }
    },
  );

  it('leaves no holder behind when its gate cannot open', async () => {
    const label = `gate-fails-${process.pid}`;
    await expect(
      startPlanNetwork({
        bwrap: '/usr/bin/bwrap',
        label,
        gate: { allow: ['registry.npmjs.org'], node: '/nonexistent/node' },
      }),
    ).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      message: expect.stringContaining("troupe's proxy could not listen inside the plan network"),
    });
    expect(await processesWith(`troupe-plan-network:${label}`)).toEqual([]);
  });

  it('stops: the holder and the proxy go with the network', async () => {
    const short = await startPlanNetwork({ bwrap: '/usr/bin/bwrap', gate: { allow: ['registry.npmjs.org'] } });
    expect(short.gate?.proxyPort).toBeGreaterThan(0);
    await short.stop();
    expect(await isAlive(short.pid)).toBe(false);
  });

  it('leaves nothing behind when troupe is killed with SIGKILL: the holder goes, and with it the plan network', async () => {
    const label = `killed-${process.pid}`;
    const tsx = join(import.meta.dirname, '../../node_modules/tsx/dist/esm/index.mjs');
    const child = spawn(
      process.execPath,
      ['--import', tsx, join(import.meta.dirname, 'network-allow-hold.ts'), label],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const opened = await new Promise<{ holder: number }>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as { holder: number }));
      child.once('exit', (code) => reject(new Error(`it exited ${code}`)));
    });
    expect(await isAlive(opened.holder)).toBe(true);
    child.kill('SIGKILL');
    // a process that is exiting has already lost its command line (so no longer carries the
    // label) but is not yet a zombie while the kernel tears its namespaces down: wait for both
    const gone = async (): Promise<boolean> =>
      (await processesWith(label)).length === 0 && !(await isAlive(opened.holder));
    for (let waited = 0; waited < 5_000 && !(await gone()); waited += 50) await sleep(50);
    expect(await processesWith(label)).toEqual([]);
    expect(await isAlive(opened.holder)).toBe(false);
  });

  // tests run as root here; users do not: the helper that makes the proxy's socket must enter the namespace as them too
  it.runIf(canRunAsNobody)('works for an unprivileged user (nobody)', async () => {
    const { seen, stderr } = await runAsNobody(
      join(import.meta.dirname, 'network-allow-child.ts'),
      [String(listedPort), String(unlistedPort)],
      60_000,
    );
    expect(seen, stderr).toEqual({ uid: 65534, listed: 200, unlisted: 403, direct: 'ENETUNREACH' });
  });
});
