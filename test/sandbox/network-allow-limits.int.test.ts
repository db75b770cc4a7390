import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkRefusal } from '../../src/domain/index.js';
import { BubblewrapSandbox, commandEnv, type PlanNetwork } from '../../src/sandbox/index.js';
import { DEFAULT_CONNECTION_CAPS } from '../../src/sandbox/proxy-connections.js';
import { visibleTempDir } from '../helpers/temp.js';

// A command cannot starve troupe of descriptors through its proxy: on real bubblewrap, one
// plan's command opens 30,000 connections to $HTTP_PROXY and keeps them, while a second plan's
// command makes an ordinary request through its own gate — to a server of the test on
// 127.0.0.1 standing in for a listed host — and troupe (this process, which holds every
// connection its gates accept) stays within the plan cap. A relay's connections count too.

let worktree: { dir: string; cleanup: () => Promise<void> };
let project: { dir: string; cleanup: () => Promise<void> };
let sandbox: BubblewrapSandbox;
let listed: Server;
let listedPort: number;
let flooded: PlanNetwork;
let beside: PlanNetwork;

// two processes (a command's open-file limit is troupe's, 20,000 here), each from a source address of its
// own (one address has 28,000 ephemeral ports) with a thousand connects in flight. The kernel completes
// a connect before troupe accepts it (and some never reach troupe: their handshake's last packet found the
// accept queue full): each then reads the answers until two seconds pass without one, prints
// `held N refused M` (M: answered 429), and keeps the rest until ./stop appears.
const FLOOD = String.raw`
import os, selectors, socket, time
port = int(os.environ['HTTP_PROXY'].rsplit(':', 1)[1])
children = []
for source in ('127.0.0.2', '127.0.0.3'):
    pid = os.fork()
    if pid == 0:
        waiting, held, failed, started = selectors.DefaultSelector(), [], 0, 0
        while len(held) + failed < 15000:
            while started - len(held) - failed < 1000 and started < 15000:
                s = socket.socket()
                s.setblocking(False)
                # IP_BIND_ADDRESS_NO_PORT: the port is chosen at connect, not searched for at bind
                s.setsockopt(socket.IPPROTO_IP, 24, 1)
                s.bind((source, 0))
                s.connect_ex(('127.0.0.1', port))
                waiting.register(s, selectors.EVENT_WRITE)
                started += 1
            for key, _ in waiting.select(timeout=5):
                waiting.unregister(key.fileobj)
                if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    held.append(key.fileobj)
                else:
                    key.fileobj.close()
                    failed += 1
        for s in held:
            waiting.register(s, selectors.EVENT_READ)
        answered, refused, quiet = 0, 0, 0
        while answered < len(held) and quiet < 2:
            ready = waiting.select(timeout=1)
            quiet = 0 if ready else quiet + 1
            for key, _ in ready:
                waiting.unregister(key.fileobj)
                answered += 1
                try:
                    refused += key.fileobj.recv(64).startswith(b'HTTP/1.1 429 ')
                except OSError:
                    pass
        print('held', len(held), 'refused', refused, flush=True)
        deadline = time.time() + 120
        while not os.path.exists('stop') and time.time() < deadline:
            time.sleep(0.05)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
`;

beforeAll(async () => {
  worktree = await visibleTempDir('troupe-allow-limits-');
  project = await visibleTempDir('troupe-allow-limits-project-');
  await writeFile(join(worktree.dir, 'flood.py'), FLOOD);
  sandbox = new BubblewrapSandbox({ projectRoot: project.dir });
  listed = createServer((request, response) => response.end(`listed ${request.url}`));
  await new Promise<void>((resolve) => listed.listen(0, '127.0.0.1', resolve));
  listedPort = (listed.address() as { port: number }).port;
  const gate = {
    allow: [`listed.test:${listedPort}`],
    resolve: async () => ['127.0.0.1'],
    loopbackNames: 'allow' as const,
  };
  [flooded, beside] = await Promise.all([sandbox.startNetwork('flooded', gate), sandbox.startNetwork('beside', gate)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([flooded?.stop(), beside?.stop()]);
  listed?.close();
  await worktree.cleanup();
  await project.cleanup();
});

const descriptors = () => readdirSync('/proc/self/fd').length;

describe("what a plan's commands may hold in troupe", () => {
  it('is held to the plan cap: troupe keeps its descriptors, and another plan reaches its listed host meanwhile', async () => {
    const baseline = descriptors();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, descriptors())), 10);
    const refusals: NetworkRefusal[] = [];
    const besideRuns: Promise<string>[] = [];
    const request = () =>
      sandbox
        .run({
          command: `curl -sS --max-time 20 http://listed.test:${listedPort}/beside`,
          worktree: worktree.dir,
          env: commandEnv(),
          network: false,
          planNetwork: beside,
          timeoutMs: 30_000,
        })
        .then((result) => result.stdoutTail + result.stderrTail);
    let held = 0;
    // set in the proxy's callback: typed by assertion so the await below is not narrowed to null
    let stopping = null as Promise<void> | null;
    const started = Date.now();
    const flood = sandbox.run({
      command: 'python3 flood.py',
      worktree: worktree.dir,
      env: commandEnv(),
      network: false,
      planNetwork: flooded,
      timeoutMs: 180_000,
      // the plan cap is full: the flood is under way, and the plan beside asks for its host
      onDenied: (refusal) => {
        refusals.push(refusal);
        besideRuns.push(request());
      },
      // both processes hold what they opened: once more at the flood's height, then it may stop
      onOutput: (chunk) => {
        held += chunk
          .toString()
          .split('\n')
          .filter((line) => line.startsWith('held ')).length;
        if (held !== 2 || stopping) return;
        const atHeight = [request(), request()];
        besideRuns.push(...atHeight);
        stopping = Promise.all(atHeight).then(() => writeFile(join(worktree.dir, 'stop'), ''));
      },
    });
    const result = await flood;
    await stopping;
    clearInterval(sampler);
    const counts = [...result.stdoutTail.matchAll(/^held (\d+) refused (\d+)$/gm)].map(
      (line) => [Number(line[1]), Number(line[2])] as const,
    );
    const opened = counts.reduce((sum, [held]) => sum + held, 0);
    const refused = counts.reduce((sum, [, answered]) => sum + answered, 0);
    expect(result.exitCode, result.stderrTail).toBe(0);
    expect(opened).toBe(30_000);
    // past the plan's cap troupe answered 429 and closed: most of the flood (those within the cap it holds)
    expect(refused).toBeGreaterThan(opened / 2);
    expect(await Promise.all(besideRuns)).toEqual(Array(3).fill('listed /beside'));
    // 30,000 refused connections are one refusal, once the plan's cap was full
    expect(refusals).toEqual([
      {
        host: '127.0.0.1',
        port: flooded.gate!.proxyPort,
        reason: 'connections',
        cap: { per: 'plan', limit: DEFAULT_CONNECTION_CAPS.perPlan },
      },
    ]);
    // the plan's held connections, and room for the plan beside, its helper's and its command's pipes
    expect(peak - baseline).toBeLessThan(DEFAULT_CONNECTION_CAPS.perPlan + 100);
    // what docs/explanation/sandbox.md quotes
    if (process.env.TROUPE_FLOOD_REPORT)
      console.log(JSON.stringify({ opened, refused, baseline, peak, seconds: (Date.now() - started) / 1000 }));
  }, 240_000);

  it("counts a relay's connections, inside and to the host, against the plan's cap, and closes one past it", async () => {
    // a service on the host that greets each connection and keeps it open
    const service = createNetServer((socket) => socket.write('hi'));
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const port = (service.address() as { port: number }).port;
    const small = await sandbox.startNetwork('relay-cap', { allow: [`127.0.0.1:${port}`], caps: { perPlan: 4 } });
    try {
      const refusals: NetworkRefusal[] = [];
      // three connections at once through the relay: two fit (two sockets each), the third is closed unanswered
      const script = `import socket; s = [socket.create_connection(('127.0.0.1', ${port})) for _ in range(3)]; r = [c.recv(16) for c in s]; print(r.count(b'hi'), r.count(b''))`;
      const result = await sandbox.run({
        command: `python3 -c "${script}"`,
        worktree: worktree.dir,
        env: commandEnv(),
        network: false,
        planNetwork: small,
        timeoutMs: 30_000,
        onDenied: (refusal) => refusals.push(refusal),
      });
      expect(result.stdoutTail.trim(), result.stderrTail).toBe('2 1');
      expect(refusals).toEqual([{ host: '127.0.0.1', port, reason: 'connections', cap: { per: 'plan', limit: 4 } }]);
    } finally {
      await small.stop();
      service.close();
    }
  });
});
