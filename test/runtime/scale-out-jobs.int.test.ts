import { describe, expect, it } from 'vitest';
import { PlanQueue } from '../../src/runtime/workers/plan-queue.js';
import type { PostgresStore } from '../../src/store/postgres-store.js';
import { git } from '../helpers/temp.js';
import { step } from './fixtures.js';
import { child, clusterServers, clusterUnavailable, fan, until } from './worker-cluster.js';

// Jobs a worker meets twice or cannot run yet, with the workers in this
// process: the job of a child put back on the queue (after a Redis that came
// back empty) while a worker runs it, or after it was merged; a job taken
// while the database is away. Real PostgreSQL, Redis and git.

describe.skipIf(clusterUnavailable !== null)('jobs of child plans on workers, met again', () => {
  const { servers, cluster } = clusterServers();
  const cleanups = servers.cleanups;

  it('a copy of the job of a child already merged finds it done, on the worker that ran it (it reads the store, not what it wrote)', async () => {
    const { runtime, said, queue: settings } = await cluster(1, 1);
    await runtime.createPlan(
      fan('demo/again', [
        child('demo/done', [step('Write', 'fs/write-file', { path: 'done.txt', content: 'done\n' })]),
      ]),
    );
    const record = await runtime.run('demo/again', { until: 'validate' });
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    const merged = await runtime.getPlan('demo/done');
    expect([merged.phase, merged.status]).toEqual(['apply', 'done']);
    // the job again, as after a Redis that came back empty: the same worker takes it
    const queue = new PlanQueue(settings);
    cleanups.push(() => queue.close());
    expect(await queue.remove(merged.id, 1)).toBe(true);
    await queue.enqueue({ planId: merged.id, attempt: 1, rootId: record.id });
    const line = new RegExp(`^demo/done \\(${merged.id}, attempt 1\\): `);
    await until(async () => (said.filter((each) => line.test(each)).length === 2 ? true : undefined), 30_000).catch(
      (error: unknown) => {
        throw new Error(`${String(error)}: ${said.join(' | ')}`);
      },
    );
    // done, as the store says — not "CANCELLED: demo/done is complete", the record this worker last wrote — and not taken again
    expect(said.filter((each) => line.test(each))).toEqual([
      `demo/done (${merged.id}, attempt 1): validated`,
      `demo/done (${merged.id}, attempt 1): validated already; nothing to run here`,
    ]);
    expect(
      said.filter((each) => each.startsWith('taking demo/done')),
      said.join(' | '),
    ).toHaveLength(1);
    expect(await runtime.getPlan('demo/done')).toMatchObject({ phase: 'apply', status: 'done' });
  }, 120_000);

  it('a job taken while the database is away goes back to the queue and the worker waits, instead of failing it as a plan that does not exist', async () => {
    const { said, queue: settings } = await cluster(1, 1);
    const queue = new PlanQueue(settings);
    cleanups.push(() => queue.close());
    const back = await servers.postgres.outage();
    // an id the store has no plan for: once the store answers, the job fails for what it is
    const planId = '01JZZZZZZZZZZZZZZZZZZZZZZZ';
    await queue.enqueue({ planId, attempt: 1, rootId: planId });
    const lines = () => said.join(' | ');
    await until(
      async () =>
        said.includes(`${planId} (attempt 1): given back to the queue (STORE_UNAVAILABLE)`) ? true : undefined,
      30_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${lines()}`);
    });
    expect(
      said.filter((line) => line.startsWith('pausing: ')),
      lines(),
    ).toHaveLength(1);
    await back();
    await until(async () => (said.includes('resumed') ? true : undefined), 60_000);
    await until(
      async () =>
        said.some((line) => line.startsWith(`${planId} (attempt 1): the job failed: NOT_FOUND`)) ? true : undefined,
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${lines()}`);
    });
  }, 180_000);

  // Redis killed and started empty while a worker runs a child's step: the parent puts the lost job back (same id).
  // The step writes its file, sleeps, then appends: a reset of its sandbox under it would lose the first line.
  async function lostJob(
    workers: number,
    concurrency: number,
  ): Promise<{ said: string[]; head: string; dir: string; holders: (string | null)[] }> {
    const { dir, runtime, said, store } = await cluster(workers, concurrency);
    await runtime.createPlan(
      fan('demo/twice', [
        child('demo/long', [
          step('Long', 'shell/run', {
            command: 'echo first > long.txt && sleep 9 && echo second >> long.txt && echo once >> long.log',
          }),
        ]),
      ]),
    );
    const running = runtime.run('demo/twice', { until: 'validate' });
    await until(async () => (said.some((line) => line.startsWith('taking demo/long')) ? true : undefined), 30_000);
    const holders = watchHolder(store(), (await runtime.getPlan('demo/long')).id, said);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await servers.redis.restart(500);
    const record = await running;
    expect([record.phase, record.status, record.error?.message], said.join('\n')).toEqual([
      'validate',
      'complete',
      undefined,
    ]);
    // the step's file whole, its effect once
    expect(git(dir, 'show', `${record.sandbox!.headCommit}:long.txt`), said.join('\n')).toBe('first\nsecond');
    expect(git(dir, 'show', `${record.sandbox!.headCommit}:long.log`)).toBe('once');
    expect(
      said.filter((line) => line.includes('the job failed')),
      said.join('\n'),
    ).toEqual([]);
    // BullMQ's own lines about the lost job's lock, said as the first run ends, name the plan as the worker's own do
    const childId = (await runtime.getPlan('demo/long')).id;
    const bullmq = said.filter((line) => line.startsWith('queue: ') && line.includes(childId));
    expect(bullmq.length, said.join('\n')).toBeGreaterThan(0);
    expect(
      bullmq.filter((line) => !line.endsWith(`(demo/long (${childId}))`)),
      said.join('\n'),
    ).toEqual([]);
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
    expect(
      said.some((line) =>
        /^demo\/long \(\w+, attempt 1\): running here already; this job waits for that run$/.test(line),
      ),
      said.join('\n'),
    ).toBe(true);
  }, 120_000);

  it('a job put back while another worker runs it waits for the plan without spending its attempts', async () => {
    const { said, holders } = await lostJob(2, 1);
    // the worker that took the copy names the one that runs it, as its holder record does
    const waited = said
      .map(
        (line) =>
          /^demo\/long \(\w+, attempt 1\): worker (w[12]) on host \S+ \(pid \d+\) runs it; this job waits for it/.exec(
            line,
          )?.[1],
      )
      .find(Boolean);
    expect(waited, said.join('\n')).toBeDefined();
    // the worker that runs it is its holder throughout: the one that took the copy never wrote itself in
    expect(new Set(holders), said.join('\n')).toEqual(new Set([holders[0]]));
    expect(holders[0]).toMatch(/^w[12]$/);
    expect(waited).toBe(holders[0]);
  }, 120_000);
});
