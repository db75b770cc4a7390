import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { createRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { redisUnavailable } from '../helpers/redis.js';
import {
  bareRemote,
  scaleOutServers,
  settingsOnly,
  until,
  workerProcess,
  type WorkerProcess,
} from '../helpers/scale-out.js';
import { git, tempRepo } from '../helpers/temp.js';
import { parallelPlan, step } from './fixtures.js';

// A worker cut off from the database mid-step (frozen, its sessions ended
// by the server, as a network partition does once keepalive gives up):
// another worker takes the child over and runs it to its end. When the
// first one comes back, its step's command has finished: it must not force
// its stale step commit over the branch the other worker pushed and the
// store recorded. Before the fix it did, and the remote's branch no longer
// held the child's recorded head.

const unavailable = postgresUnavailable() ?? redisUnavailable();

const PLAN = parallelPlan('demo/cut', [
  {
    name: 'demo/long',
    goal: 'Run long',
    resourceScopes: ['long*'],
    strategy: {
      steps: [
        step('Slow', 'shell/run', { command: 'sleep 4 && echo once >> long.log' }),
        step('Last', 'fs/write-file', { path: 'long-2.txt', content: 'two\n' }),
      ],
    },
  },
]);

describe.skipIf(unavailable !== null)('a worker cut off from the database', () => {
  const servers = scaleOutServers();
  const { cleanups } = servers;

  it('pushes nothing over the branch of the worker that took its child over', async () => {
    const repo = await tempRepo({ 'README.md': '# cut\n' });
    cleanups.push(repo.cleanup);
    const remote = await bareRemote(cleanups, repo.dir);
    const schema = servers.postgres.schema();
    const config = (applicationName: string) => ({
      store: { kind: 'postgres', url: `${servers.postgres.url}?application_name=${applicationName}`, schema },
      queue: { url: servers.redis.url },
      remote: { url: remote },
    });
    const cutOff = await workerProcess(
      await settingsOnly(config('troupe-cut-off'), cleanups),
      ['--name', 'w1'],
      cleanups,
    );
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config('troupe-parent')));
    const runtime = await createRuntime({ dir: repo.dir, resume: false, report: () => {} });
    cleanups.push(() => runtime.close());
    await runtime.createPlan(PLAN);
    const running = runtime.run('demo/cut', { until: 'validate' });
    await until(
      () => cutOff.lines.some((line) => line.startsWith('troupe worker: taking demo/long')),
      60_000,
      () => cutOff.lines.join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    // frozen mid-step, and every session of its ended by the server
    cutOff.process.kill('SIGSTOP');
    const admin = new pg.Client({ connectionString: servers.postgres.url });
    await admin.connect();
    const ended = await admin.query<{ count: string }>(
      "SELECT count(pg_terminate_backend(pid)) AS count FROM pg_stat_activity WHERE application_name = 'troupe-cut-off'",
    );
    await admin.end();
    expect(Number(ended.rows[0]!.count)).toBeGreaterThan(0);

    const other: WorkerProcess = await workerProcess(
      await settingsOnly(config('troupe-other'), cleanups),
      ['--name', 'w2'],
      cleanups,
    );
    const record = await running;
    expect([record.phase, record.status, record.error?.message], [...cutOff.lines, ...other.lines].join('\n')).toEqual([
      'validate',
      'complete',
      undefined,
    ]);
    const child = (await runtime.listPlans({ all: true })).find((plan) => plan.name === 'demo/long')!;
    const branch = `refs/heads/${child.sandbox!.branch}`;
    const pushed = git(repo.dir, 'ls-remote', remote, branch).split('\t')[0];
    expect(pushed).toBe(child.sandbox!.headCommit);

    // back: its command ended long ago, its step goes on to commit — and finds it holds the plan no more; or,
    // as it takes its claim back first, finds another process took the plan meanwhile and lets it go
    cutOff.process.kill('SIGCONT');
    const gaveUp =
      /could not persist plan demo\/long|no longer holds plan|plan demo\/long \(\w+\) stopped here: another process took it while the database was away$/;
    await until(
      () => cutOff.lines.some((line) => gaveUp.test(line)),
      60_000,
      () => cutOff.lines.join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(git(repo.dir, 'ls-remote', remote, branch).split('\t')[0], cutOff.lines.join('\n')).toBe(
      child.sandbox!.headCommit,
    );
    expect(git(repo.dir, 'show', `${record.sandbox!.headCommit}:long.log`)).toBe('once');
  }, 180_000);
});
