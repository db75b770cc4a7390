import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../../src/index.js';
import type { JournalEvent } from '../../src/domain/index.js';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { PlanQueue, type QueueSettings } from '../../src/runtime/workers/plan-queue.js';
import { startWorker, type RunningWorker } from '../../src/runtime/plan-worker.js';
import { RemoteBranches } from '../../src/sandbox/remote-branches.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../helpers/redis.js';
import { processesRunning } from '../helpers/processes.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { parallelPlan, planYaml, step } from './fixtures.js';
import { runCli } from '../cli/run-cli.js';

// Child plans on workers (issue 21 item 2), with the workers in this
// process (each in a clone of its own) so that retries, timeouts,
// fail-fast and cancellation can be watched closely; the multi-process run
// with a SIGKILL is workers.e2e.test.ts. Real PostgreSQL, Redis and git.

const unavailable = postgresUnavailable() ?? redisUnavailable();

// fails the first time it is called for a path, then writes it
const seen = new Set<string>();
const flaky = defineTool({
  name: 'test/flaky-write',
  description: 'Fail once per path, then write it',
  input: z.strictObject({ path: z.string(), content: z.string() }),
  sideEffects: ['fs_write'],
  async handler(input, context) {
    const target = await context.paths.resolve(input.path, 'write');
    if (!seen.has(input.path)) {
      seen.add(input.path);
      throw new Error(`first call for ${input.path} fails`);
    }
    const { writeFile } = await import('node:fs/promises');
    await writeFile(target, input.content);
    return { written: input.path };
  },
});

function fan(name: string, entries: object[], subplans: Record<string, unknown> = {}): string {
  return parallelPlan(name, entries, { maxParallel: 4, ...subplans });
}

function child(name: string, steps: object[]): object {
  return { name, goal: `Do ${name}`, resourceScopes: [`${name.split('/')[1]}*`, 'f.txt'], strategy: { steps } };
}

describe.skipIf(unavailable !== null)('child plans on workers', () => {
  let postgres: TestPostgres;
  let redis: TestRedis;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });
  afterAll(async () => {
    await Promise.allSettled([postgres?.stop(), redis?.stop()]);
  });

  // a parent's project, `workers` workers in clones of their own, all on one fresh schema and queue
  async function cluster(
    workers = 1,
    concurrency = 2,
  ): Promise<{ dir: string; runtime: LocalRuntime; workers: RunningWorker[]; remote: string; said: string[]; addWorker: () => Promise<RunningWorker>; queue: QueueSettings; store: () => PostgresStore }> {
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
      const worker = await startWorker({ root: home.dir, queue, remote: { url: remote, setting: 'remote.url' }, store: store(), name: `w${running.length + 1}`, concurrency, log: (line) => said.push(line), runtime: { tools: [flaky], report: (message, error) => said.push(`report: ${message}: ${String(error)}`), warn: () => {} } });
      cleanups.push(() => worker.close());
      running.push(worker);
      return worker;
    };
    for (let n = 0; n < workers; n += 1) await addWorker();
    const runtime = await createRuntime({ dir: repo.dir, store: store(), resume: false, tools: [flaky], scaleOut: { queue: new PlanQueue(queue), remote: new RemoteBranches(remote, 'remote.url') }, report: () => {} });
    cleanups.push(() => runtime.close());
    // the project's own config names the same store, for CLI commands run in it
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(join(repo.dir, '.troupe', 'config.json'), JSON.stringify({ store: { kind: 'postgres', url: postgres.url, schema } }));
    return { dir: repo.dir, runtime, workers: running, remote, said, addWorker, queue, store };
  }

  it('runs each child on a worker and merges it as on one machine', async () => {
    const { dir, runtime, workers, said } = await cluster(2);
    // each worker ran a plan of its own before it took a job, on its machine alone: nothing of it is in the shared store
    expect(said.filter((line) => /^start check: a plan ran here end to end in \d+ ms$/.test(line))).toHaveLength(2);
    expect(said.findIndex((line) => line.startsWith('start check'))).toBeLessThan(said.findIndex((line) => line.startsWith('worker on')));
    await runtime.createPlan(fan('demo/fan', ['a', 'b', 'c'].map((name) => child(`demo/${name}`, [step('Write', 'fs/write-file', { path: `${name}.txt`, content: `${name}\n` })]))));
    // the parent's process hears the children's journals live, though they run on the workers
    const heard: JournalEvent[] = [];
    const stop = runtime.subscribe('*', (event) => heard.push(event));
    const record = await runtime.run('demo/fan', { until: 'validate' });
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    for (const name of ['a', 'b', 'c']) expect(git(dir, 'show', `${record.sandbox!.headCommit}:${name}.txt`)).toBe(name);
    const tree = await runtime.tree('demo/fan');
    expect(tree.children.map((node) => [node.name, node.status])).toEqual([
      ['demo/a', 'done'],
      ['demo/b', 'done'],
      ['demo/c', 'done'],
    ]);
    for (const node of tree.children) {
      const stored = await runtime.events(node.id);
      const live = heard.filter((event) => event.planId === node.id);
      // all of it, once, in order: what the workers wrote, relayed from the feed, and the merge this process wrote
      expect(live.map((event) => event.seq)).toEqual(stored.map((event) => event.seq));
    }
    stop();
    expect((await runtime.listPlans({ all: true })).map((plan) => plan.name)).not.toContain('worker/start-check');
    // nothing ran in the parent's repository: the children's worktrees are the workers'
    for (const node of tree.children) {
      expect(existsSync(join(dir, '.troupe', 'worktrees', node.id))).toBe(false);
      expect(workers.some((worker) => existsSync(join(worker.clone, '.troupe', 'worktrees', node.id)))).toBe(true);
    }
  }, 120_000);

  it('starts a child where the store recorded it, fetching nothing its clone has, though the remote’s branch holds a commit more', async () => {
    const { dir, runtime, remote, addWorker } = await cluster(0);
    await runtime.createPlan(fan('demo/ahead', [child('demo/once', [step('Write', 'fs/write-file', { path: 'once.txt', content: 'once\n' })])]));
    const running = runtime.run('demo/ahead', { until: 'validate' });
    const childId = await until(async () => (await runtime.tree('demo/ahead')).children[0]?.id, 30_000);
    const sandbox = (await until(async () => (await runtime.getPlan(childId)).sandbox ?? undefined, 30_000))!;
    // a worker that died after pushing a step commit it never stored: the remote's branch is one commit ahead of the record
    const ghost = await tempRepo({ 'README.md': '# fan\n' });
    cleanups.push(ghost.cleanup);
    git(ghost.dir, 'fetch', '--quiet', remote, 'main');
    git(ghost.dir, 'reset', '--quiet', '--hard', sandbox.headCommit);
    await writeFile(join(ghost.dir, 'ghost.txt'), 'never stored\n');
    git(ghost.dir, 'add', 'ghost.txt');
    git(ghost.dir, 'commit', '--quiet', '-m', 'a step commit never stored');
    git(ghost.dir, 'push', '--quiet', '--force', remote, `HEAD:refs/heads/${sandbox.branch}`);

    const worker = await addWorker();
    const record = await running;
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(git(dir, 'show', `${record.sandbox!.headCommit}:once.txt`)).toBe('once');
    expect(git(dir, 'ls-tree', '--name-only', record.sandbox!.headCommit).split('\n')).not.toContain('ghost.txt');
    // the clone had the spawn point: nothing was fetched for the child
    expect(git(worker.clone, 'for-each-ref', `refs/troupe/fetched/${childId}`)).toBe('');
  }, 120_000);

  it('troupe events --follow, in another process of the parent’s machine, prints a worker’s child live to its end', async () => {
    const { dir, runtime } = await cluster(1);
    await runtime.createPlan(fan('demo/watched', [child('demo/busy', [step('Slow', 'shell/run', { command: 'sleep 2 && echo busy > busy.txt' })])]));
    const running = runtime.run('demo/watched', { until: 'validate' });
    const childId = await until(async () => (await runtime.tree('demo/watched')).children[0]?.id, 30_000);
    const followed = await runCli(dir, ['events', childId, '--follow']);
    const record = await running;
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(followed.code, followed.stderr).toBe(0);
    const printed = followed.stdout.trim().split('\n').map((line) => JSON.parse(line) as JournalEvent);
    expect(printed.map((event) => event.seq)).toEqual((await runtime.events(childId)).map((event) => event.seq));
    expect(printed.at(-1)).toMatchObject({ type: 'phase.completed', phase: 'apply' });
  }, 120_000);

  it('retries a failed attempt as a new job', async () => {
    const { runtime } = await cluster(1);
    seen.clear();
    await runtime.createPlan(fan('demo/retry', [child('demo/flaky', [step('Write', 'test/flaky-write', { path: 'f.txt', content: 'f\n' })])], { retries: 1 }));
    const record = await runtime.run('demo/retry', { until: 'execute' });
    expect([record.phase, record.status]).toEqual(['execute', 'complete']);
    expect(record.subplanStatuses).toMatchObject({ [Object.keys(record.subplanStatuses)[0]!]: { status: 'complete', attempt: 2 } });
    const childId = (await runtime.tree('demo/retry')).children[0]!.id;
    const resumed = (await runtime.events(childId)).filter((event) => event.type === 'plan.resumed');
    expect(resumed.map((event) => event.data)).toContainEqual(expect.objectContaining({ attempt: 2 }));
  }, 120_000);

  it('cancels a child on its worker at its deadline (TIMEOUT), its command stopped', async () => {
    const { runtime } = await cluster(1);
    const marker = `sleep 60.${Date.now() % 10_000}`;
    await runtime.createPlan(fan('demo/slow', [child('demo/sleepy', [step('Sleep', 'shell/run', { command: marker })])], { timeoutMs: 4_000, retries: 0 }));
    const started = Date.now();
    const record = await runtime.run('demo/slow', { until: 'execute' });
    expect(record.status).toBe('failed');
    expect(record.error?.message).toMatch(/TIMEOUT/);
    expect(Date.now() - started).toBeLessThan(40_000);
    const sleepy = (await runtime.tree('demo/slow')).children[0]!;
    expect((await runtime.getPlan(sleepy.id)).status).toBe('cancelled');
    expect(await processesRunning(marker)).toEqual([]);
  }, 120_000);

  it('fail-fast cancels the siblings on their workers', async () => {
    const { runtime } = await cluster(2);
    await runtime.createPlan(
      fan('demo/ff', [
        child('demo/bad', [step('Fail', 'shell/run', { command: 'sleep 1; exit 7' })]),
        child('demo/long-1', [step('Sleep', 'shell/run', { command: 'sleep 60' })]),
        child('demo/long-2', [step('Sleep', 'shell/run', { command: 'sleep 60' })]),
      ]),
    );
    const started = Date.now();
    const record = await runtime.run('demo/ff', { until: 'execute' });
    expect(record.status).toBe('failed');
    expect(Date.now() - started).toBeLessThan(40_000);
    const statuses = Object.fromEntries((await runtime.tree('demo/ff')).children.map((node) => [node.name, node.status]));
    expect(statuses).toEqual({ 'demo/bad': 'failed', 'demo/long-1': 'cancelled', 'demo/long-2': 'cancelled' });
  }, 120_000);

  it('a worker that loses the remote stops taking jobs, waits, and the child goes on once it is back', async () => {
    const { dir, runtime, remote, said } = await cluster(1);
    await runtime.createPlan(
      fan('demo/outage', [
        child('demo/steady', [
          step('First', 'fs/write-file', { path: 'steady-1.txt', content: 'one\n' }),
          step('Slow', 'shell/run', { command: 'sleep 2 && echo once >> steady.log' }),
          step('Last', 'fs/write-file', { path: 'steady-2.txt', content: 'two\n' }),
        ]),
      ]),
    );
    const running = runtime.run('demo/outage', { until: 'validate' });
    // the remote goes away while the child is in its slow step, and comes back a few seconds later
    await until(async () => (said.some((line) => line.startsWith('taking')) ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    await rename(remote, `${remote}.away`);
    await until(async () => (said.some((line) => line.startsWith('pausing')) ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await rename(`${remote}.away`, remote);
    const record = await running;
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(said.some((line) => line === 'resumed')).toBe(true);
    // nothing half-written, nothing twice: every step's effect once on the merged head
    const head = record.sandbox!.headCommit;
    expect(git(dir, 'show', `${head}:steady.log`)).toBe('once');
    expect(git(dir, 'show', `${head}:steady-2.txt`)).toBe('two');
  }, 120_000);

  it('a worker that loses the database waits until it is back; every step lands once', async () => {
    const { dir, runtime, said } = await cluster(1);
    await runtime.createPlan(
      fan('demo/dbout', [
        child('demo/patient', [
          step('First', 'fs/write-file', { path: 'patient-1.txt', content: 'one\n' }),
          step('Slow', 'shell/run', { command: 'sleep 2 && echo once >> patient.log' }),
          step('Last', 'fs/write-file', { path: 'patient-2.txt', content: 'two\n' }),
        ]),
      ]),
    );
    const running = runtime.run('demo/dbout', { until: 'validate' });
    await until(async () => (said.some((line) => line.startsWith('taking')) ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const back = await postgres.outage();
    await until(async () => (said.some((line) => line.startsWith('pausing')) ? true : undefined), 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${said.join(" | ")}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await back();
    const record = await running;
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(said).toContain('resumed');
    // the write that failed names the plan as every other line does: by name and id
    const unwritten = said.filter((line) => line.startsWith('report: could not persist plan'));
    expect(unwritten.length, said.join(' | ')).toBeGreaterThan(0);
    expect(unwritten.every((line) => /^report: could not persist plan demo\/patient \(\w+\): /.test(line)), said.join(' | ')).toBe(true);
    const head = record.sandbox!.headCommit;
    expect(git(dir, 'show', `${head}:patient.log`)).toBe('once');
    expect(git(dir, 'show', `${head}:patient-2.txt`)).toBe('two');
  }, 180_000);

  it('a job taken while the database is away goes back to the queue and the worker waits, instead of failing it as a plan that does not exist', async () => {
    const { said, queue: settings } = await cluster(1, 1);
    const queue = new PlanQueue(settings);
    cleanups.push(() => queue.close());
    const back = await postgres.outage();
    // an id the store has no plan for: once the store answers, the job fails for what it is
    const planId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    await queue.enqueue({ planId, attempt: 1, rootId: planId });
    const lines = () => said.join(' | ');
    await until(async () => (said.includes(`${planId} (attempt 1): given back to the queue (STORE_UNAVAILABLE)`) ? true : undefined), 30_000).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${lines()}`);
    });
    expect(said.filter((line) => line.startsWith('pausing: ')), lines()).toHaveLength(1);
    await back();
    await until(async () => (said.includes('resumed') ? true : undefined), 60_000);
    await until(async () => (said.some((line) => line.startsWith(`${planId} (attempt 1): the job failed: NOT_FOUND`)) ? true : undefined), 60_000).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${lines()}`);
    });
  }, 180_000);

  // Redis killed and started empty while a worker runs a child's step: the parent puts the lost job back (same id).
  // The step writes its file, sleeps, then appends: a reset of its sandbox under it would lose the first line.
  async function lostJob(workers: number, concurrency: number): Promise<{ said: string[]; head: string; dir: string; holders: (string | null)[] }> {
    const { dir, runtime, said, store } = await cluster(workers, concurrency);
    await runtime.createPlan(fan('demo/twice', [child('demo/long', [step('Long', 'shell/run', { command: 'echo first > long.txt && sleep 9 && echo second >> long.txt && echo once >> long.log' })])]));
    const running = runtime.run('demo/twice', { until: 'validate' });
    await until(async () => (said.some((line) => line.startsWith('taking demo/long')) ? true : undefined), 30_000);
    const holders = watchHolder(store(), (await runtime.getPlan('demo/long')).id, said);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redis.restart(500);
    const record = await running;
    expect([record.phase, record.status, record.error?.message], said.join('\n')).toEqual(['validate', 'complete', undefined]);
    // the step's file whole, its effect once
    expect(git(dir, 'show', `${record.sandbox!.headCommit}:long.txt`), said.join('\n')).toBe('first\nsecond');
    expect(git(dir, 'show', `${record.sandbox!.headCommit}:long.log`)).toBe('once');
    expect(said.filter((line) => line.includes('the job failed')), said.join('\n')).toEqual([]);
    return { said, head: record.sandbox!.headCommit, dir, holders: await holders };
  }

  // the worker the child's record names as its holder, read every 50 ms from the take until its attempt
  // validated (a read the validation's release raced is left out: the line is said before the release)
  async function watchHolder(reader: PostgresStore, planId: string, said: string[]): Promise<(string | null)[]> {
    await reader.open();
    const validated = () => said.some((line) => /^demo\/long \(\w+, attempt 1\): validated$/.test(line));
    const seen: (string | null)[] = [];
    try {
      while (!validated()) {
        const holder = await reader.getHolder(planId);
        if (!validated()) seen.push(holder?.worker ?? null);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await reader.close();
    }
    // the first reads may come before the worker wrote itself in
    return seen.slice(seen.findIndex((worker) => worker !== null));
  }

  it('a job put back while its worker runs it waits for that run and leaves its sandbox alone', async () => {
    const { said } = await lostJob(1, 2);
    expect(said.some((line) => /^demo\/long \(\w+, attempt 1\): running here already; this job waits for that run$/.test(line)), said.join('\n')).toBe(true);
  }, 120_000);

  it('a job put back while another worker runs it waits for the plan without spending its attempts', async () => {
    const { said, holders } = await lostJob(2, 1);
    expect(said.some((line) => /^demo\/long \(\w+, attempt 1\): another worker runs it; this job waits for it/.test(line)), said.join('\n')).toBe(true);
    // the worker that runs it is its holder throughout: the one that took the copy never wrote itself in
    expect(new Set(holders), said.join('\n')).toEqual(new Set([holders[0]]));
    expect(holders[0]).toMatch(/^w[12]$/);
  }, 120_000);

  it('runs a root plan on a worker with remote: true, and applies it here', async () => {
    const { dir, runtime, workers } = await cluster(1);
    await runtime.createPlan(planYaml({ name: 'demo/away', automation: 'auto', strategy: { steps: [step('Write', 'fs/write-file', { path: 'away.txt', content: 'away\n' })] } }));
    const record = await runtime.run('demo/away', { remote: true });
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    // it ran in the worker's clone, not here
    expect(existsSync(join(workers[0]!.clone, '.troupe', 'worktrees', record.id))).toBe(true);
    expect(existsSync(join(dir, '.troupe', 'worktrees', record.id))).toBe(false);
    await expect(runtime.run('demo/away', { remote: true, until: 'apply' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('--until') });
    const applied = await runtime.runPhase('demo/away', 'apply');
    expect(applied.status).toBe('done');
    expect(git(dir, 'show', 'HEAD:away.txt')).toBe('away');
  }, 120_000);

  it('refuses remote: true without a queue and a remote, naming the setting', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    const runtime = await createRuntime({ dir: repo.dir, store: 'memory', resume: false });
    cleanups.push(() => runtime.close());
    await runtime.createPlan(planYaml({ name: 'demo/here', strategy: { steps: [step('Write', 'fs/write-file', { path: 'x.txt', content: 'x\n' })] } }));
    await expect(runtime.run('demo/here', { remote: true })).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('--remote') });
    expect((await runtime.getPlan('demo/here')).status).toBe('queued');
  });

  it('cancelling the parent cancels its children on their workers', async () => {
    const { runtime } = await cluster(1);
    const marker = `sleep 60.${(Date.now() % 10_000) + 1}`;
    await runtime.createPlan(fan('demo/stop', [child('demo/long', [step('Sleep', 'shell/run', { command: marker })])]));
    const running = runtime.run('demo/stop', { until: 'execute' }).catch((error: unknown) => error);
    const childId = await until(async () => (await runtime.tree('demo/stop')).children.find((node) => node.status === 'processing')?.id, 30_000);
    await until(async () => ((await processesRunning(marker)).length > 0 ? true : undefined), 30_000);
    await runtime.cancel('demo/stop', { reason: 'changed my mind' });
    await running;
    await until(async () => ((await runtime.getPlan(childId)).status === 'cancelled' ? true : undefined), 30_000);
    // the worker that ran it stopped its command
    await until(async () => ((await processesRunning(marker)).length === 0 ? true : undefined), 10_000);
  }, 120_000);
});

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
