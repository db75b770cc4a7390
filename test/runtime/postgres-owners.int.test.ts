import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// Many processes on one PostgreSQL store (issue 21 items 1 and 4), as
// runtimes of their own on real git: one runs a plan, the others are
// refused it (STORE_LOCKED) until it lets go, and hear its journal live.

const unavailable = postgresUnavailable();
const PLAN = planYaml({
  name: 'demo/owned',
  automation: 'manual',
  strategy: {
    steps: [
      step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
      step('Write b', 'fs/write-file', { path: 'b.txt', content: 'b\n' }),
    ],
  },
});

describe.skipIf(unavailable !== null)('plans owned by one process among many', () => {
  let server: TestPostgres;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });
  afterAll(async () => {
    await server?.stop();
  });

  // two runtimes (two processes' worth) on one project and one schema
  async function pair(): Promise<[LocalRuntime, LocalRuntime]> {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(
      join(repo.dir, '.troupe', 'config.json'),
      JSON.stringify({ store: { kind: 'postgres', url: server.url, schema: server.schema() } }),
    );
    const reports: unknown[] = [];
    const open = async () => {
      const runtime = await createRuntime({ dir: repo.dir, resume: false, report: (message) => reports.push(message) });
      cleanups.push(() => runtime.close());
      return runtime;
    };
    const first = await open();
    const second = await open();
    cleanups.push(async () => expect(reports).toEqual([]));
    return [first, second];
  }

  it('refuses a plan another process runs, skips it when restoring all, and takes it once it is let go', async () => {
    const [a, b] = await pair();
    const plan = await a.createPlan(PLAN);
    await a.runPhase(plan.id, 'strategize');
    await expect(b.runPhase(plan.id, 'execute')).rejects.toMatchObject({
      code: 'STORE_LOCKED',
      message: 'plan demo/owned is running in another process',
    });
    await expect(b.cancel(plan.id)).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    expect(await b.restoreAll()).toEqual([]);
    // at rest there, it is still the other process's: b restores it only once it is let go
    expect(b.livePlanIds()).toEqual([]);
    // reads go on meanwhile
    expect((await b.getPlan(plan.id)).phase).toBe('strategize');
    await a.close();
    const executed = await b.runPhase(plan.id, 'execute');
    expect([executed.phase, executed.status, executed.lastCompletedStep]).toEqual(['execute', 'complete', 1]);
  });

  it('refuses a plan another process is running a command for, and leaves that command running', async () => {
    const [a, b] = await pair();
    const plan = await a.createPlan(
      planYaml({
        name: 'demo/busy',
        strategy: { steps: [step('Slow', 'shell/run', { command: 'sleep 3 && echo done > slow.txt' })] },
      }),
    );
    const running = a.run(plan.id, { until: 'execute' });
    // the plan is processing, its command recorded in the project's process ledger, which b reads too
    const ledger = join(a.dir, '.troupe', 'run', plan.id);
    for (let tries = 0; !existsSync(ledger) || !readdirSync(ledger).some((name) => name.endsWith('.pid')); tries += 1) {
      if (tries > 400) throw new Error('the slow command never started');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await expect(b.cancel(plan.id)).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    const record = await running;
    expect([record.phase, record.status, record.lastCompletedStep]).toEqual(['execute', 'complete', 0]);
  });

  it('listens to the other processes’ commits from the moment it is open, before anyone subscribes', async () => {
    const [a] = await pair();
    // a LISTEN that only starts with the first subscription misses what is committed while it connects
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const { schema } = (
        JSON.parse(await readFile(join(a.dir, '.troupe', 'config.json'), 'utf8')) as { store: { schema: string } }
      ).store;
      const listening = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = $1',
        [`LISTEN "troupe_${schema}"`],
      );
      // both runtimes of the pair listen
      expect(listening.rows[0]!.n).toBe(2);
    } finally {
      await client.end();
    }
  });

  it('hears, live, every journal event of a plan another process runs, once and in order', async () => {
    const [a, b] = await pair();
    const heard: JournalEvent[] = [];
    // subscribed the moment the runtime is open: its feed already listens, so the very first commit is heard
    const stop = a.subscribe('*', (event) => heard.push(event));
    cleanups.push(async () => stop());
    const plan = await b.createPlan(PLAN);
    await b.runPhase(plan.id, 'strategize');
    await b.runPhase(plan.id, 'execute');
    const all = await b.events(plan.id);
    const deadline = Date.now() + 10_000;
    while (heard.filter((event) => event.planId === plan.id).length < all.length && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const mine = heard.filter((event) => event.planId === plan.id);
    expect(mine.map((event) => event.seq)).toEqual(all.map((event) => event.seq));
    expect(mine).toEqual(all);
  });
});
