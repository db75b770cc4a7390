import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../helpers/redis.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { stopProcess, until, workerProcess, type WorkerProcess } from '../helpers/scale-out.js';

// Issue 37: Redis goes away under two `troupe worker` processes and the
// parent — killed and started again empty, killed and started again with
// its data, frozen for 10 s — and the plan still ends, every child's slow
// step landing once. Before the fix a worker's cancel-check connection gave
// up for good, the outage check did not ask Redis, and a job the queue lost
// was never asked for again.

const unavailable = postgresUnavailable() ?? redisUnavailable();
const CHILDREN = 6;

const PLAN = planYaml({
  name: 'demo/weather',
  automation: 'auto',
  strategy: {
    steps: [
      {
        title: 'Fan out',
        subplans: {
          mode: 'parallel',
          maxParallel: 4,
          entries: Array.from({ length: CHILDREN }, (_, index) => {
            const name = `c${index + 1}`;
            return {
              name: `demo/${name}`,
              goal: `Write ${name}`,
              resourceScopes: [`out/${name}*`],
              strategy: {
                steps: [
                  step('First file', 'fs/write-file', { path: `out/${name}.txt`, content: `${name}\n` }),
                  // appends: a step run twice would show as two lines
                  step('Slow step', 'shell/run', { command: `sleep 2 && echo ${name} >> out/${name}.log` }),
                  step('Second file', 'fs/write-file', { path: `out/${name}-2.txt`, content: `${name} again\n` }),
                ],
              },
            };
          }),
        },
      },
    ],
  },
});

describe.skipIf(unavailable !== null)('workers through a Redis fault', () => {
  let postgres: TestPostgres;
  const cleanups: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await postgres?.stop();
  });

  async function project(config: object | null): Promise<string> {
    const repo = await tempRepo({ 'README.md': '# weather\n', 'out/.keep': '' });
    cleanups.push(repo.cleanup);
    if (config) {
      await mkdir(join(repo.dir, '.troupe'), { recursive: true });
      await writeFile(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
    }
    return repo.dir;
  }

  async function survives(redis: TestRedis, fault: () => Promise<void>): Promise<void> {
    const dir = await project(null);
    const bare = await tempDir('troupe-remote-');
    cleanups.push(bare.cleanup);
    const remote = join(bare.dir, 'shared.git');
    git(bare.dir, 'clone', '--quiet', '--bare', dir, remote);
    const config = {
      store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() },
      queue: { url: redis.url },
      remote: { url: remote },
    };
    await mkdir(join(dir, '.troupe'), { recursive: true });
    await writeFile(join(dir, '.troupe', 'config.json'), JSON.stringify(config));

    const workers = await Promise.all(
      [0, 1].map(async () => workerProcess(await project(config), ['--concurrency', '2'], cleanups)),
    );

    const runtime = await createRuntime({ dir, resume: false, report: () => {} });
    cleanups.push(() => runtime.close());
    await runtime.createPlan(PLAN);
    const running = runtime.run('demo/weather', { until: 'validate' });
    // the fault comes while children are mid-step on the workers
    await until(
      () => workers.some((worker) => worker.lines.some((line) => line.includes('taking'))),
      60_000,
      () => log(workers),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await fault();

    const record = await running;
    expect([record.phase, record.status, record.error?.message], log(workers)).toEqual([
      'validate',
      'complete',
      undefined,
    ]);
    const head = record.sandbox!.headCommit;
    for (let n = 1; n <= CHILDREN; n += 1) {
      // every child's files, and its slow step's effect exactly once
      expect(git(dir, 'show', `${head}:out/c${n}.log`)).toBe(`c${n}`);
      expect(git(dir, 'show', `${head}:out/c${n}-2.txt`)).toBe(`c${n} again`);
    }
    await Promise.all(workers.map((worker) => stopProcess(worker.process)));
    for (const worker of workers) {
      // the outage said once when it starts (pausing) and once when it ends (resumed), not at every reconnect
      const refused = worker.lines.filter((line) => line.includes('ECONNREFUSED'));
      expect(refused.length, log(workers)).toBeLessThanOrEqual(3);
      expect(
        refused.every((line) => line.includes('connection refused')),
        log(workers),
      ).toBe(true);
    }
  }

  it('ends when Redis is killed and comes back empty', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    await survives(redis, () => redis.restart(6_000));
  }, 240_000);

  it('ends when Redis is killed and comes back with its data', async () => {
    const redis = await startTestRedis({ persist: true });
    cleanups.push(() => redis.stop());
    await survives(redis, () => redis.restart(6_000));
  }, 240_000);

  it('ends when Redis stops answering for 10 s', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    await survives(redis, () => redis.freeze(10_000));
  }, 240_000);
});

function log(workers: WorkerProcess[]): string {
  return workers.map((worker) => worker.lines.join('\n')).join('\n---\n');
}
