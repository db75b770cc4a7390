import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { startTestPostgres, type TestPostgres } from './postgres.js';
import { startTestRedis, type TestRedis } from './redis.js';
import { git, tempDir, tempRepo } from './temp.js';

// What the scale-out tests share: a refusal caught as the coded error it is,
// a bare remote to clone, a worker's directory, waiting for a condition,
// stopping a worker process.

/** The TroupeError `work` throws (any other error, or none, fails the test). */
export function refusal(work: () => unknown): TroupeError {
  try {
    work();
  } catch (error) {
    if (error instanceof TroupeError) return error;
    throw error;
  }
  throw new Error('not refused');
}

/** A bare repository (cloned from `source`, or a fresh one) for workers to share; its folders are removed by the cleanups given. */
export async function bareRemote(cleanups: (() => Promise<unknown>)[], source?: string): Promise<string> {
  let from = source;
  if (from === undefined) {
    const fresh = await tempRepo();
    cleanups.push(fresh.cleanup);
    from = fresh.dir;
  }
  const bare = await tempDir('troupe-remote-');
  cleanups.push(bare.cleanup);
  git(bare.dir, 'clone', '--quiet', '--bare', from, join(bare.dir, 'r.git'));
  return join(bare.dir, 'r.git');
}

/** A worker's directory as the docs describe it: no git repository, only `.troupe/config.json` holding `config`; removed by the cleanups given. */
export async function settingsOnly(config: object, cleanups: (() => Promise<unknown>)[]): Promise<string> {
  const home = await tempDir('troupe-worker-home-');
  cleanups.push(home.cleanup);
  await mkdir(join(home.dir, '.troupe'), { recursive: true });
  await writeFile(join(home.dir, '.troupe', 'config.json'), JSON.stringify(config));
  return home.dir;
}

/** Wait until `check` holds, failing with `explain()` after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs: number, explain: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out:\n${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Wait until `check` gives a value (not undefined) and return it, failing with `explain()` after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  explain: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out:\n${explain()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Stop a worker process as Ctrl-C would (SIGTERM) and wait for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A `troupe worker` process and the lines it printed on stderr so far. */
export interface WorkerProcess {
  process: ChildProcess;
  lines: string[];
}

/**
 * Start `troupe worker <args>` in `home` (from the sources), collecting its
 * stderr lines; killed by the cleanups given, and resolved once it says it
 * takes jobs.
 */
export async function workerProcess(
  home: string,
  args: readonly string[],
  cleanups: (() => Promise<unknown>)[],
): Promise<WorkerProcess> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/cli/bin.ts'), '-C', home, 'worker', ...args],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const worker: WorkerProcess = { process: child, lines: [] };
  child
    .stderr!.setEncoding('utf8')
    .on('data', (text: string) => worker.lines.push(...text.split('\n').filter(Boolean)));
  cleanups.push(async () => {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  });
  await until(
    () => worker.lines.some((line) => line.includes('worker on')) || child.exitCode !== null,
    60_000,
    () => worker.lines.join('\n'),
  );
  if (child.exitCode !== null) throw new Error(`the worker exited with ${child.exitCode}:\n${worker.lines.join('\n')}`);
  return worker;
}

/** The servers of a scale-out test file, and what its tests leave to clean up (run after the file, last first). */
export interface ScaleOutServers {
  readonly postgres: TestPostgres;
  readonly redis: TestRedis;
  readonly cleanups: (() => Promise<unknown>)[];
}

/**
 * Start PostgreSQL and Redis before the tests of the enclosing `describe`
 * and stop them after, once the cleanups its tests left have run.
 */
export function scaleOutServers(): ScaleOutServers {
  const servers = { cleanups: [] as (() => Promise<unknown>)[] } as {
    postgres: TestPostgres;
    redis: TestRedis;
    cleanups: (() => Promise<unknown>)[];
  };
  beforeAll(async () => {
    [servers.postgres, servers.redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  });
  afterAll(async () => {
    for (const cleanup of servers.cleanups.reverse()) await cleanup().catch(() => {});
    await Promise.allSettled([servers.postgres?.stop(), servers.redis?.stop()]);
  });
  return servers;
}
