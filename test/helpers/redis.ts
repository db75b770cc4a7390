import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway Redis server for one test file. */
export interface TestRedis {
  url: string;
  stop(): Promise<void>;
  /** Kill the server (SIGKILL), wait `downMs`, start it again on the same port: empty unless started with `persist`. */
  restart(downMs: number): Promise<void>;
  /** Freeze the server (SIGSTOP) for `ms`, then let it go on (SIGCONT): connections stay open and go unanswered. */
  freeze(ms: number): Promise<void>;
}

/** How a test Redis keeps its data: `persist` writes every command to an append-only file, so a restart finds it. */
export interface TestRedisOptions {
  persist?: boolean;
}

const SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((path) => existsSync(path)) ?? null;

/**
 * Why Redis tests cannot run here, or null when they can. Under CI a
 * missing redis-server fails the run (`.ci/run` installs Debian's package).
 */
export function redisUnavailable(): string | null {
  if (SERVER) return null;
  const reason = 'no redis-server (apt-get install redis-server)';
  if (process.env['CI'] === 'true') throw new Error(`Redis tests cannot run under CI: ${reason}`);
  return reason;
}

/**
 * Start Debian's `redis-server` on a free port of 127.0.0.1 in a temporary
 * directory, without persistence, and wait until it answers PING.
 *
 * @example
 * const redis = await startTestRedis();
 * try { useQueue(redis.url); } finally { await redis.stop(); }
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  if (!SERVER) throw new Error('no redis-server');
  const dir = await mkdtemp(join(tmpdir(), 'troupe-redis-'));
  const port = await freePort();
  const persistence = options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  let server = await launch(SERVER, port, dir, persistence);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
    restart: async (downMs) => {
      await server.kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await launch(SERVER, port, dir, persistence);
    },
    freeze: async (ms) => {
      server.process.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, ms));
      server.process.kill('SIGCONT');
    },
  };
}

// a server on the port, answering PING
async function launch(
  path: string,
  port: number,
  dir: string,
  persistence: string[],
): Promise<{ process: ChildProcess; kill(): Promise<void> }> {
  const server = spawn(
    path,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      ...persistence,
      '--protected-mode',
      'no',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (Date.now() > deadline || server.exitCode !== null) {
      server.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    process: server,
    kill: async () => {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      await exited;
    },
  };
}

// whether a server on the port answers PING with PONG
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
