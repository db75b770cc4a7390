import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkReachable, workerSettings } from '../../src/runtime/workers/scale-out-settings.js';
import { freePort } from '../helpers/free-port.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../helpers/redis.js';
import { tempRepo } from '../helpers/temp.js';
import { bareRemote, refusal, settingsOnly as settingsOnlyDir } from '../helpers/scale-out.js';
import { runCli } from '../cli/run-cli.js';

// Issue 37 item 4: a worker's directory needs only its settings, doctor checks
// the queue and the remote, a refused --remote creates nothing, a setting is
// named once, a refused connection is said as such.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PG = { kind: 'postgres' as const, url: 'postgres://troupe@127.0.0.1:1/troupe', schema: 'troupe' };

// a directory that is no git repository, holding only .troupe/config.json
const settingsOnly = (config: object): Promise<string> => settingsOnlyDir(config, cleanups);

describe('scale-out settings, named once', () => {
  it('names a bad variable once, and a bad field once with its file', () => {
    const fromEnv = refusal(() =>
      workerSettings({ store: PG, remote: { url: '/r.git' } }, { TROUPE_REDIS_URL: 'not a url' }),
    );
    expect(fromEnv.message).toMatch(/^TROUPE_REDIS_URL: must be a redis:\/\/ URL/);
    expect(fromEnv.message.match(/TROUPE_REDIS_URL/g)).toHaveLength(1);
    const fromFile = refusal(() =>
      workerSettings({ store: PG, queue: { url: 'redis://q', name: 'troupe' }, remote: { url: 'ext::sh' } }, {}),
    );
    expect(fromFile.message).toMatch(/^\.troupe\/config\.json: remote\.url: must not use/);
    expect(fromFile.message.match(/remote\.url/g)).toHaveLength(1);
    expect(fromFile.hint).toBe('fix remote.url in .troupe/config.json');
  });
});

describe.skipIf(redisUnavailable() !== null)('the queue refusing connections', () => {
  it('says the connection was refused, not that retries ran out', async () => {
    const port = await freePort();
    const error = await checkReachable(
      {
        queue: { url: `redis://127.0.0.1:${port}`, name: 'troupe', setting: 'TROUPE_REDIS_URL' },
        remote: { url: '/r.git', setting: 'remote.url' },
      },
      process.cwd(),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'QUEUE_UNAVAILABLE',
      message: expect.stringContaining(`connection refused (connect ECONNREFUSED 127.0.0.1:${port})`),
    });
    expect((error as Error).message).not.toContain('max retries');
  });
});

describe('a plan run --remote that no worker could take', () => {
  it('is refused before the file makes a plan', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    expect((await runCli(repo.dir, ['init'])).code).toBe(0);
    await writeFile(
      join(repo.dir, 'p.yaml'),
      'name: demo/r\ngoal: Remote\nstrategy:\n  steps:\n    - title: a\n      tool: fs/write-file\n      input: {path: a.txt, content: x}\n',
    );
    const run = await runCli(repo.dir, ['plan', 'run', 'p.yaml', '--remote']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('workers share their plans through PostgreSQL');
    const list = await runCli(repo.dir, ['plan', 'list', '--all', '--json']);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const apply = await runCli(repo.dir, ['plan', 'run', 'p.yaml', '--remote', '--until', 'apply']);
    expect(apply.stderr).toContain('--until: a plan run on a worker goes at most to validate');
    expect(JSON.parse((await runCli(repo.dir, ['plan', 'list', '--all', '--json'])).stdout)).toEqual([]);
  });
});

describe.skipIf(postgresUnavailable() !== null || redisUnavailable() !== null)(
  'a worker’s own directory, and doctor, on the real servers',
  () => {
    let postgres: TestPostgres;
    let redis: TestRedis;
    beforeAll(async () => {
      [postgres, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
    });
    afterAll(async () => {
      await Promise.allSettled([postgres?.stop(), redis?.stop()]);
    });

    it('runs troupe worker in a directory holding only .troupe/config.json', async () => {
      const home = await settingsOnly({
        store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() },
        queue: { url: redis.url },
        remote: { url: await bareRemote(cleanups) },
      });
      const stop = new AbortController();
      const running = runCli(home, ['worker'], { signal: stop.signal, env: process.env });
      const deadline = Date.now() + 60_000;
      while (!existsSync(join(home, '.troupe', 'worker', 'clone', '.git')) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      // started: give it a moment to take the queue, then stop it
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      stop.abort();
      const result = await running;
      const heard = result.stderr;
      expect(result.code, heard).toBe(0);
      // it cloned the shared remote under its own .troupe/ and took the queue until stopped
      expect(existsSync(join(home, '.troupe', 'worker', 'clone', '.git'))).toBe(true);
      expect(heard).not.toContain('NOT_A_GIT_REPO');
    }, 90_000);

    it('stops a worker that cannot run a command here before it clones or takes anything', async () => {
      const home = await settingsOnly({
        store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() },
        queue: { url: redis.url },
        remote: { url: await bareRemote(cleanups) },
        sandbox: { bwrap: '/nonexistent/bwrap' },
      });
      const result = await runCli(home, ['worker'], { env: process.env });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(
        "error[SANDBOX_UNAVAILABLE]: this machine cannot run plans: the worker's start check failed in execute: commands cannot be contained: sandbox.bwrap in .troupe/config.json names /nonexistent/bwrap",
      );
      expect(result.stderr).toMatch(/^hint: install bubblewrap/m);
      expect(existsSync(join(home, '.troupe', 'worker'))).toBe(false);
    }, 60_000);

    it('tells a read in such a directory what it needs', async () => {
      const home = await settingsOnly({ store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() } });
      const result = await runCli(home, ['events', 'demo/x', '--follow']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('only troupe worker runs in such a directory');
      expect(result.stderr).toContain('git clone <remote.url>');
    });

    it('doctor checks the queue and the remote: fails when Redis is down or the remote missing, passes when both answer', async () => {
      const store = { kind: 'postgres', url: postgres.url, schema: postgres.schema() };
      const down = await settingsOnly({
        store,
        queue: { url: `redis://127.0.0.1:${await freePort()}` },
        remote: { url: await bareRemote(cleanups) },
      });
      const first = await runCli(down, ['doctor', '--json']);
      expect(first.code).toBe(1);
      expect(JSON.parse(first.stdout).checks).toContainEqual(
        expect.objectContaining({
          name: 'scale-out',
          ok: false,
          detail: expect.stringContaining('connection refused'),
        }),
      );
      const missing = await settingsOnly({ store, queue: { url: redis.url }, remote: { url: '/nowhere/r.git' } });
      const second = await runCli(missing, ['doctor', '--json']);
      expect(second.code).toBe(1);
      expect(JSON.parse(second.stdout).checks).toContainEqual(
        expect.objectContaining({ name: 'scale-out', ok: false, detail: expect.stringContaining('/nowhere/r.git') }),
      );
      const fine = await settingsOnly({
        store,
        queue: { url: redis.url },
        remote: { url: await bareRemote(cleanups) },
      });
      const third = await runCli(fine, ['doctor', '--json']);
      expect(JSON.parse(third.stdout).checks).toContainEqual(expect.objectContaining({ name: 'scale-out', ok: true }));
      expect(JSON.parse(third.stdout).checks).toContainEqual(
        expect.objectContaining({ name: 'store', ok: true, detail: expect.stringContaining('PostgreSQL store opens') }),
      );
    }, 60_000);

    it('doctor in a LevelDB project names the queue the environment sets as a problem', async () => {
      const repo = await tempRepo();
      cleanups.push(repo.cleanup);
      // doctor reads the process's own environment, as the store's setting is read
      process.env['TROUPE_REDIS_URL'] = redis.url;
      const result = await runCli(repo.dir, ['doctor', '--json']).finally(() => delete process.env['TROUPE_REDIS_URL']);
      expect(JSON.parse(result.stdout).checks).toContainEqual(
        expect.objectContaining({ name: 'scale-out', ok: false, detail: expect.stringContaining('PostgreSQL') }),
      );
    });
  },
);
