import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// Issue 43: the process that drives a plan on PostgreSQL waits an outage of
// the database out — the plan's actor stays where it is, nothing runs ahead
// of what is stored, the transition that could not be written is written
// once the server is back, and a step whose command finished during the
// outage is not run again. Past `timeoutMs` it stops with STORE_UNAVAILABLE
// and the plan is resumable; `timeoutMs: 0` (`--no-wait`) fails at once.

const unavailable = postgresUnavailable();

// each step appends a line: a step run twice would show
const PLAN = planYaml({
  name: 'demo/outlast',
  strategy: {
    steps: [
      step('One', 'shell/run', { command: 'sleep 2 && echo one >> log.txt' }),
      step('Two', 'shell/run', { command: 'sleep 1 && echo two >> log.txt' }),
      step('Three', 'fs/write-file', { path: 'three.txt', content: 'three\n' }),
    ],
  },
});

describe.skipIf(unavailable !== null)('a plan’s owner through a PostgreSQL outage', () => {
  let postgres: TestPostgres;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  async function project(): Promise<string> {
    const repo = await tempRepo({ 'README.md': '# outlast\n' });
    cleanups.push(repo.cleanup);
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(
      join(repo.dir, '.troupe', 'config.json'),
      JSON.stringify({ store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() } }),
    );
    return repo.dir;
  }

  async function open(dir: string, timeoutMs?: number): Promise<{ runtime: LocalRuntime; said: string[] }> {
    const said: string[] = [];
    const runtime = await createRuntime({
      dir,
      resume: false,
      report: () => {},
      storeOutage: { say: (line) => said.push(line), ...(timeoutMs === undefined ? {} : { timeoutMs }) },
    });
    cleanups.push(() => runtime.close());
    return { runtime, said };
  }

  // inside the first step's command, the server goes away for `downMs`
  async function outageDuringFirstStep(runtime: LocalRuntime, downMs: number): Promise<void> {
    for (
      let tries = 0;
      !(await runtime.events('demo/outlast')).some((event) => event.type === 'step.started');
      tries += 1
    ) {
      if (tries > 400) throw new Error('the first step never started');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const back = await postgres.outage();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await back();
  }

  it('waits it out: each step once, every transition stored, said once each way', async () => {
    const dir = await project();
    const { runtime, said } = await open(dir);
    await runtime.createPlan(PLAN);
    const running = runtime.run('demo/outlast', { until: 'validate' });
    await outageDuringFirstStep(runtime, 5_000);
    const record = await running;
    expect([record.phase, record.status, record.error?.message]).toEqual(['validate', 'complete', undefined]);
    // the first step's command finished while the server was away: it was not run again, nor the second ahead of it
    expect(git(dir, 'show', `${record.sandbox!.headCommit}:log.txt`)).toBe('one\ntwo');
    expect(said.filter((line) => line.startsWith('the store is unavailable'))).toHaveLength(1);
    expect(said[0]).toContain('the default of store.outageTimeoutMs');
    expect(said.filter((line) => line.startsWith('the store is back'))).toHaveLength(1);
    // the journal has no gap and each step completed once
    const events = await runtime.events('demo/outlast');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'step.completed')).toHaveLength(3);
  }, 60_000);

  it('stops past its bound with STORE_UNAVAILABLE, the plan resumable once the server is back', async () => {
    const dir = await project();
    const { runtime, said } = await open(dir, 1_500);
    await runtime.createPlan(PLAN);
    const running = runtime.run('demo/outlast', { until: 'validate' }).then(
      (record) => ({ record, error: null }),
      (error: unknown) => ({ record: null, error }),
    );
    await outageDuringFirstStep(runtime, 6_000);
    const ended = await running;
    const message = ended.error instanceof Error ? ended.error.message : (ended.record?.error?.message ?? '');
    expect(message).toContain('stopped here, with each plan as it was last stored');
    expect(said.some((line) => line.includes('up to 2 s (storeOutage.timeoutMs)'))).toBe(true);
    await runtime.close();
    // another process resumes it once the database is back
    const again = await open(dir);
    const [resumed] = await again.runtime.resume('demo/outlast');
    const record = await again.runtime.run(resumed!.id, { until: 'validate' });
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    expect(readFileSync(join(dir, '.troupe', 'config.json'), 'utf8')).toContain('postgres');
  }, 90_000);

  it('fails at once with timeoutMs 0 (--no-wait), as before', async () => {
    const dir = await project();
    const { runtime, said } = await open(dir, 0);
    await runtime.createPlan(PLAN);
    const started = Date.now();
    const running = runtime.run('demo/outlast', { until: 'validate' }).then(
      (record) => record.error?.code ?? 'no error',
      (error: unknown) => (error as { code?: string }).code,
    );
    await outageDuringFirstStep(runtime, 4_000);
    expect(await running).toBe('STORE_UNAVAILABLE');
    expect(said).toEqual([]);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
