// Child plans on workers run in this process (each worker in a clone of its
// own), on a real PostgreSQL, Redis and git: what the worker tests share.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/index.js';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { PlanQueue, type QueueSettings } from '../../src/runtime/workers/plan-queue.js';
import { startWorker, type RunningWorker } from '../../src/runtime/plan-worker.js';
import { RemoteBranches } from '../../src/sandbox/remote-branches.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../helpers/redis.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { parallelPlan } from './fixtures.js';

/** Why these tests cannot run here (no PostgreSQL or Redis binaries), or null. */
export const clusterUnavailable = postgresUnavailable() ?? redisUnavailable();

/** The paths {@link flaky} was called for (it fails the first call for each): cleared by a test that counts on its first failure. */
export const flakyPaths = new Set<string>();

// fails the first time it is called for a path, then writes it
export const flaky = defineTool({
  name: 'test/flaky-write',
  description: 'Fail once per path, then write it',
  input: z.strictObject({ path: z.string(), content: z.string() }),
  sideEffects: ['fs_write'],
  async handler(input, context) {
    const target = await context.paths.resolve(input.path, 'write');
    if (!flakyPaths.has(input.path)) {
      flakyPaths.add(input.path);
      throw new Error(`first call for ${input.path} fails`);
    }
    const { writeFile } = await import('node:fs/promises');
    await writeFile(target, input.content);
    return { written: input.path };
  },
});

/** A parent that fans `entries` out in parallel, 4 at once unless `subplans` says otherwise. */
export function fan(name: string, entries: object[], subplans: Record<string, unknown> = {}): string {
  return parallelPlan(name, entries, { maxParallel: 4, ...subplans });
}

/** A child plan entry with `steps`, scoped to files named after it (and `f.txt`). */
export function child(name: string, steps: object[]): object {
  return { name, goal: `Do ${name}`, resourceScopes: [`${name.split('/')[1]}*`, 'f.txt'], strategy: { steps } };
}

/** The servers of a describe block, and what its tests leave to clean up. */
export interface ClusterServers {
  postgres: TestPostgres;
  redis: TestRedis;
  cleanups: (() => Promise<void>)[];
}

/**
 * A PostgreSQL and a Redis for the enclosing describe block (started before
 * its tests, stopped after), and {@link cluster} on them.
 */
export function clusterServers(): {
  servers: ClusterServers;
  cluster: (workers?: number, concurrency?: number) => ReturnType<typeof cluster>;
} {
  const servers = { cleanups: [] } as unknown as ClusterServers;
  beforeAll(async () => {
    [servers.postgres, servers.redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  });
  afterEach(async () => {
    for (const cleanup of servers.cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });
  afterAll(async () => {
    await Promise.allSettled([servers.postgres?.stop(), servers.redis?.stop()]);
  });
  return { servers, cluster: (workers, concurrency) => cluster(servers, workers, concurrency) };
}

/** A parent's project, `workers` workers (named w1, w2, …) in clones of their own, all on one fresh schema and queue. */
export async function cluster(
  servers: ClusterServers,
  workers = 1,
  concurrency = 2,
): Promise<{
  dir: string;
  runtime: LocalRuntime;
  workers: RunningWorker[];
  remote: string;
  said: string[];
  addWorker: () => Promise<RunningWorker>;
  queue: QueueSettings;
  store: () => PostgresStore;
}> {
  const { postgres, redis, cleanups } = servers;
  const schema = postgres.schema();
  const queue = { url: redis.url, name: `q-${schema}`, setting: 'TROUPE_REDIS_URL' };
  const repo = await tempRepo({ 'README.md': '# fan\n' });
  cleanups.push(repo.cleanup);
  const bare = await tempDir('troupe-remote-');
  cleanups.push(bare.cleanup);
  const remote = join(bare.dir, 'shared.git');
  git(bare.dir, 'clone', '--quiet', '--bare', repo.dir, remote);
  const store = () => new PostgresStore({ url: postgres.url, schema, setting: 'TROUPE_DATABASE_URL' });
  const running: RunningWorker[] = [];
  const said: string[] = [];
  const addWorker = async () => {
    const home = await tempRepo({ 'README.md': '# worker\n' });
    cleanups.push(home.cleanup);
    const worker = await startWorker({
      root: home.dir,
      queue,
      remote: { url: remote, setting: 'remote.url' },
      store: store(),
      name: `w${running.length + 1}`,
      concurrency,
      log: (line) => said.push(line),
      runtime: {
        tools: [flaky],
        report: (message, error) => said.push(`report: ${message}: ${String(error)}`),
        warn: () => {},
      },
    });
    cleanups.push(() => worker.close());
    running.push(worker);
    return worker;
  };
  for (let n = 0; n < workers; n += 1) await addWorker();
  const runtime = await createRuntime({
    dir: repo.dir,
    store: store(),
    resume: false,
    tools: [flaky],
    scaleOut: { queue: new PlanQueue(queue), remote: new RemoteBranches(remote, 'remote.url') },
    report: () => {},
  });
  cleanups.push(() => runtime.close());
  // the project's own config names the same store, for CLI commands run in it
  await mkdir(join(repo.dir, '.troupe'), { recursive: true });
  await writeFile(
    join(repo.dir, '.troupe', 'config.json'),
    JSON.stringify({ store: { kind: 'postgres', url: postgres.url, schema } }),
  );
  return { dir: repo.dir, runtime, workers: running, remote, said, addWorker, queue, store };
}

/** `probe`'s first answer other than undefined, asked every 200 ms for up to `timeoutMs`. */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
