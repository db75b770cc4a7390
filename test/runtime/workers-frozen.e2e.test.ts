import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { redisUnavailable } from '../helpers/redis.js';
import { bareRemote, eventually, scaleOutServers, settingsOnly, until, workerProcess } from '../helpers/scale-out.js';
import { git, tempRepo } from '../helpers/temp.js';
import { parallelPlan, step } from './fixtures.js';

// A worker frozen mid-child (SIGSTOP, a paused VM) with its connections
// alive: the kernel still answers for its sockets, so PostgreSQL keeps its
// session and the plan's claim, while the queue's lock on its job lapses and
// another worker takes the job. That worker must leave the child alone —
// it waits for the claim, putting the job back, and never runs the step a
// second time — and `plan status` keeps naming the frozen worker. Once the
// worker is let go, it finishes the child and the plan ends as on one machine.

const unavailable = postgresUnavailable() ?? redisUnavailable();

const PLAN = parallelPlan('demo/frozen', [
  {
    name: 'demo/still',
    goal: 'Run while frozen',
    resourceScopes: ['still*'],
    strategy: {
      steps: [
        step('Slow', 'shell/run', { command: 'sleep 2 && echo once >> still.log' }),
        step('Last', 'fs/write-file', { path: 'still-2.txt', content: 'two\n' }),
      ],
    },
  },
]);

// longer than a job's lock (10 s) and the stalled-job check after it (10 s more): the other worker takes the job meanwhile
const FROZEN_MS = 24_000;

describe.skipIf(unavailable !== null)('a worker frozen with its connections alive', () => {
  const servers = scaleOutServers();
  const { cleanups } = servers;

  it('keeps its child: another worker waits for it, and the step runs once', async () => {
    const repo = await tempRepo({ 'README.md': '# frozen\n' });
    cleanups.push(repo.cleanup);
    const remote = await bareRemote(cleanups, repo.dir);
    const config = {
      store: { kind: 'postgres', url: servers.postgres.url, schema: servers.postgres.schema() },
      queue: { url: servers.redis.url },
      remote: { url: remote },
    };
    const frozen = await workerProcess(await settingsOnly(config, cleanups), ['--name', 'w1'], cleanups);
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
    const runtime = await createRuntime({ dir: repo.dir, resume: false, report: () => {} });
    cleanups.push(() => runtime.close());
    await runtime.createPlan(PLAN);
    const running = runtime.run('demo/frozen', { until: 'validate' });
    running.catch(() => {});
    // frozen once it holds the plan: its step started (a worker frozen before it claimed the plan holds nothing, and
    // another worker rightly runs the child in its place)
    const childId = await eventually(
      async () => {
        const record = await runtime.getPlan('demo/still').catch(() => null);
        return record?.phase === 'execute' && record.status === 'processing' ? record.id : undefined;
      },
      60_000,
      () => frozen.lines.join('\n'),
    );
    frozen.process.kill('SIGSTOP');
    const frozenAt = Date.now();
    const other = await workerProcess(await settingsOnly(config, cleanups), ['--name', 'w2'], cleanups);
    const both = () => [...frozen.lines, '--- w2', ...other.lines].join('\n');
    // the lock lapsed: w2 takes the job, finds the plan held and puts the job back without running it
    const waits = new RegExp(
      `^troupe worker: demo/still \\(\\w+, attempt 1\\): another process holds it \\(its holder record names worker w1 on host ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(pid ${frozen.process.pid}\\), last heard \\d+ s ago\\); this job waits for it`,
    );
    await until(() => other.lines.some((line) => waits.test(line)), FROZEN_MS + 30_000, both);
    const [held] = await runtime.liveness([childId]);
    expect([held?.live, held?.holder?.worker, held?.holder?.host, held?.holder?.pid], both()).toEqual([
      true,
      'w1',
      hostname(),
      frozen.process.pid,
    ]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, frozenAt + FROZEN_MS - Date.now())));

    frozen.process.kill('SIGCONT');
    const record = await running;
    expect([record.phase, record.status, record.error?.message], both()).toEqual(['validate', 'complete', undefined]);
    // the step ran once, on the frozen worker, and w2 never ran any of the child
    expect(git(repo.dir, 'show', `${record.sandbox!.headCommit}:still.log`)).toBe('once');
    expect(git(repo.dir, 'show', `${record.sandbox!.headCommit}:still-2.txt`)).toBe('two');
    // w2 never took it: a look after w1 ended the child (the queue had given w2 the job) answers without taking
    expect(
      other.lines.filter((line) => /taking demo\/still|demo\/still \(\w+, attempt 1\): validated$/.test(line)),
      both(),
    ).toEqual([]);
    expect(
      frozen.lines.filter((line) => /demo\/still \(\w+, attempt 1\): validated$/.test(line)),
      both(),
    ).toHaveLength(1);
  }, 150_000);
});
