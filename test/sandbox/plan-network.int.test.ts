import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BubblewrapSandbox,
  commandEnv,
  ProcessLedger,
  startPlanNetwork,
  type PlanNetwork,
} from '../../src/sandbox/index.js';
import { canRunAsNobody, runAsNobody } from '../helpers/as-nobody.js';
import { isAlive, processesWith } from '../helpers/processes.js';
import { visibleTempDir } from '../helpers/temp.js';

// The plan network (issue 35 item 4, DESIGN §12): a plan's commands and
// services share one loopback that nothing outside reaches — on real bubblewrap.

const connect = (port: number) =>
  `node -e 'const s=require("net").connect(${port},"127.0.0.1");s.on("data",d=>{process.stdout.write(d);process.exit(0)});s.on("error",e=>{console.error(e.message);process.exit(7)})'`;
const listen = (port: number, answer: string) =>
  `exec node -e 'require("net").createServer(c=>c.end("${answer}")).listen(${port},"127.0.0.1",()=>console.log("listening"))'`;

let worktree: string;
let cleanup: () => Promise<void>;
let project: { dir: string; cleanup: () => Promise<void> };
let sandbox: BubblewrapSandbox;
let host: Server;
let hostPort: number;

beforeAll(async () => {
  ({ dir: worktree, cleanup } = await visibleTempDir('troupe-netns-'));
  project = await visibleTempDir('troupe-netns-project-');
  sandbox = new BubblewrapSandbox({ projectRoot: project.dir });
  host = createServer((socket) => socket.end('host')).listen(0, '127.0.0.1');
  await new Promise((resolve) => host.once('listening', resolve));
  hostPort = (host.address() as { port: number }).port;
});
afterAll(async () => {
  host.close();
  await cleanup();
  await project.cleanup();
});

// a server started as a service would be: contained, in the plan network, running until stopped
function serve(network: PlanNetwork | undefined, port: number, answer: string) {
  const stop = new AbortController();
  let ready: () => void;
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const done = sandbox.run({
    command: listen(port, answer),
    worktree,
    env: commandEnv(),
    network: false,
    planNetwork: network,
    signal: stop.signal,
    onOutput: (chunk) => chunk.toString().includes('listening') && ready(),
  });
  void done.then(
    () => ready(),
    () => ready(),
  );
  return { listening, stop: () => stop.abort(), done };
}

describe('a plan network', () => {
  it('lets a command reach a service of the same plan on 127.0.0.1, and says when it listens', async () => {
    const network = (await sandbox.startNetwork())!;
    try {
      expect(await network.listening(18765)).toBe(false);
      const service = serve(network, 18765, 'from-the-service');
      await service.listening;
      expect(await network.listening(18765)).toBe(true);
      const reached = await sandbox.run({
        command: connect(18765),
        worktree,
        env: commandEnv(),
        network: false,
        planNetwork: network,
        timeoutMs: 20_000,
      });
      expect(reached.stdoutTail).toBe('from-the-service');
      expect(reached.exitCode).toBe(0);
      service.stop();
      const ended = await service.done;
      expect(ended.cancelled).toBe(true);
    } finally {
      await network.stop();
    }
  });

  it('is reached by nothing outside: a command of its own namespace, and the host, get connection refused', async () => {
    const network = (await sandbox.startNetwork())!;
    try {
      const service = serve(network, 18766, 'secret');
      await service.listening;
      // a command without the plan network (another plan's) has a loopback of its own
      const outsider = await sandbox.run({
        command: connect(18766),
        worktree,
        env: commandEnv(),
        network: false,
        timeoutMs: 20_000,
      });
      expect(outsider.exitCode).toBe(7);
      expect(outsider.stderrTail).toContain('ECONNREFUSED');
      // nor does a plan network lead out: the host's loopback is not its own
      const out = await sandbox.run({
        command: connect(hostPort),
        worktree,
        env: commandEnv(),
        network: false,
        planNetwork: network,
        timeoutMs: 20_000,
      });
      expect(out.exitCode).toBe(7);
      const other = (await sandbox.startNetwork())!;
      const fromOther = await sandbox.run({
        command: connect(18766),
        worktree,
        env: commandEnv(),
        network: false,
        planNetwork: other,
        timeoutMs: 20_000,
      });
      await other.stop();
      expect(fromOther.exitCode).toBe(7);
      service.stop();
      await service.done;
    } finally {
      await network.stop();
    }
  });

  it('a command with network: true keeps the host network (the plan network is not joined)', async () => {
    const network = (await sandbox.startNetwork())!;
    try {
      const result = await sandbox.run({
        command: connect(hostPort),
        worktree,
        env: commandEnv(),
        network: true,
        planNetwork: network,
        timeoutMs: 20_000,
      });
      expect(result.stdoutTail).toBe('host');
    } finally {
      await network.stop();
    }
  });

  it('stops: the holder is gone and a command that would join it does not run', async () => {
    const network = await startPlanNetwork({ bwrap: '/usr/bin/bwrap' });
    expect(await isAlive(network.pid)).toBe(true);
    await network.stop();
    expect(network.alive).toBe(false);
    expect(await isAlive(network.pid)).toBe(false);
    const result = await sandbox.run({
      command: 'echo ran',
      worktree,
      env: commandEnv(),
      network: false,
      planNetwork: network,
      timeoutMs: 20_000,
    });
    expect(result.exitCode).toBe(127);
    expect(result.stdoutTail).toBe('');
  });

  it('records its holder in the plan’s process ledger while it lives, as a command is', async () => {
    const runDir = join(project.dir, 'run-holder');
    const ledger = new ProcessLedger(runDir);
    const network = (await sandbox.startNetwork('p1', undefined, ledger))!;
    try {
      const [name] = readdirSync(runDir);
      const pid = Number(readFileSync(join(runDir, name!), 'utf8'));
      // bubblewrap, leading its group, with the token as its one variable
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual(
        expect.arrayContaining(['troupe-plan-network:p1']),
      );
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)).toEqual([
        `TROUPE_COMMAND=${name!.slice(0, -'.pid'.length)}`,
      ]);
      // its owner stops it: a reap of this process's commands (a rollback, a discarded attempt) leaves it running
      expect(await ledger.reap()).toBe(0);
      expect(network.alive).toBe(true);
      expect(readdirSync(runDir)).toEqual([name]);
      // another process's reap (after this one died) ends it
      expect(await new ProcessLedger(runDir).reap()).toBe(1);
      await expect.poll(() => network.alive, { timeout: 5_000 }).toBe(false);
    } finally {
      await network.stop();
    }
    expect(readdirSync(runDir)).toEqual([]);
    // a ledger that cannot record: no holder starts
    const refused = sandbox.startNetwork('p2', undefined, {
      prepare: () => ({ file: join(runDir, 'missing', 'x.pid'), token: 'x' }),
      started: ledger.started.bind(ledger),
      release: () => {},
    });
    await expect(refused).rejects.toMatchObject({
      code: 'SANDBOX_UNAVAILABLE',
      message: expect.stringContaining('cannot record its holder'),
    });
    await expect.poll(() => processesWith('troupe-plan-network:p2'), { timeout: 5_000 }).toEqual([]);
  });

  // tests run as root here; users do not: setns into the holder must work for an unprivileged user too
  it.runIf(canRunAsNobody)('works for an unprivileged user (nobody), through the whole policy', async () => {
    const { seen, stderr } = await runAsNobody(join(import.meta.dirname, 'plan-network-child.ts'), [], 60_000);
    expect(seen, stderr).toEqual({ uid: 65534, seen: true, exitCode: 0, stdout: 'unprivileged-ok', stderr: '' });
  });
});
