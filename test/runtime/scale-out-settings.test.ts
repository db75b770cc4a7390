import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { freePort } from '../helpers/free-port.js';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TroupeError } from '../../src/domain/index.js';
import { createRuntime } from '../../src/runtime/index.js';
import { loadProjectConfig } from '../../src/runtime/project/project-config.js';
import { checkReachable, scaleOutSettings, workerSettings } from '../../src/runtime/workers/scale-out-settings.js';
import { redisUnavailable, startTestRedis, type TestRedis } from '../helpers/redis.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { runCli } from '../cli/run-cli.js';
import { refusal } from '../helpers/scale-out.js';

// The settings of a scale-out (issue 21, bad input): every missing,
// malformed or unreachable one is a coded error naming the setting and the
// fix, before any job is taken or anything is written.

const PG = { kind: 'postgres', url: 'postgres://troupe:secret@127.0.0.1:1/troupe' } as const;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(config: object): Promise<string> {
  const repo = await tempRepo();
  cleanups.push(repo.cleanup);
  await mkdir(join(repo.dir, '.troupe'), { recursive: true });
  await writeFile(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
  return repo.dir;
}

describe('scale-out settings', () => {
  const config = (fields: object) => ({ store: { kind: 'level' as const }, ...fields });

  it('needs a PostgreSQL store, a queue and a remote, naming what is missing', () => {
    expect(
      refusal(() =>
        workerSettings(config({ queue: { url: 'redis://q', name: 'troupe' }, remote: { url: '/r.git' } }), {}),
      ),
    ).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('store') });
    expect(refusal(() => workerSettings(config({ store: PG, remote: { url: '/r.git' } }), {}))).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('queue.url'),
    });
    expect(
      refusal(() => workerSettings(config({ store: PG, queue: { url: 'redis://q', name: 'troupe' } }), {})),
    ).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('remote.url') });
    expect(
      workerSettings(
        config({ store: PG, queue: { url: 'redis://q:6379', name: 'jobs' }, remote: { url: '/r.git' } }),
        {},
      ),
    ).toMatchObject({
      queue: { url: 'redis://q:6379', name: 'jobs', setting: 'queue.url in .troupe/config.json' },
      remote: { url: '/r.git', setting: 'remote.url in .troupe/config.json' },
      store: { kind: 'postgres' },
    });
  });

  it('lets the environment win over the file', () => {
    const settings = scaleOutSettings(
      { queue: { url: 'redis://file', name: 'troupe' }, remote: { url: '/file.git' } },
      { TROUPE_REDIS_URL: 'redis://env:6379', TROUPE_REMOTE_URL: '/env.git' },
    );
    expect(settings).toEqual({
      queue: { url: 'redis://env:6379', name: 'troupe', setting: 'TROUPE_REDIS_URL' },
      remote: { url: '/env.git', setting: 'TROUPE_REMOTE_URL' },
    });
    expect(
      workerSettings(config({}), {
        TROUPE_DATABASE_URL: 'postgres://db/x',
        TROUPE_REDIS_URL: 'redis://env',
        TROUPE_REMOTE_URL: '/env.git',
      }).store.setting,
    ).toBe('TROUPE_DATABASE_URL');
  });

  it('refuses a queue URL that is not Redis, and remote URLs git would read as an option or a program', () => {
    const base = { store: PG, remote: { url: '/r.git' } };
    for (const url of ['http://q:6379', 'not a url', 'redis://']) {
      expect(refusal(() => workerSettings(config({ ...base, queue: { url, name: 'troupe' } }), {}))).toMatchObject({
        code: 'VALIDATION_ERROR',
      });
    }
    const queue = { url: 'redis://q', name: 'troupe' };
    for (const url of [
      '-oProxyCommand=touch /tmp/pwned',
      '--upload-pack=touch /tmp/pwned',
      'ext::sh -c touch% /tmp/pwned',
      'fd::3',
      'a\nb',
    ]) {
      expect(
        refusal(() => workerSettings(config({ store: PG, queue, remote: { url } }), {})),
        url,
      ).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('remote.url') });
    }
  });

  it('refuses queue and remote in a config that came with the repository', async () => {
    const dir = await project({
      queue: { url: 'redis://attacker.example' },
      remote: { url: 'https://attacker.example/x.git' },
    });
    git(dir, 'add', '-f', '.troupe/config.json');
    git(dir, 'commit', '-qm', 'config');
    await expect(loadProjectConfig(dir)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringMatching(/queue[\s\S]*remote/),
    });
  });

  it('makes a project with a queue but LevelDB refuse to open, writing nothing', async () => {
    const dir = await project({ queue: { url: 'redis://127.0.0.1:1' }, remote: { url: '/nowhere.git' } });
    await expect(createRuntime({ dir, resume: false })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('store'),
    });
    expect(existsSync(join(dir, '.troupe', 'db'))).toBe(false);
  });
});

describe.skipIf(redisUnavailable() !== null)('scale-out settings against real servers', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  async function bareRemote(): Promise<string> {
    const from = await tempRepo();
    cleanups.push(from.cleanup);
    const bare = await tempDir('troupe-remote-');
    cleanups.push(bare.cleanup);
    git(bare.dir, 'clone', '--quiet', '--bare', from.dir, join(bare.dir, 'r.git'));
    return join(bare.dir, 'r.git');
  }

  it('passes a Redis that answers and a remote that can be read', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    await checkReachable(
      {
        queue: { url: redis.url, name: 'troupe', setting: 'TROUPE_REDIS_URL' },
        remote: { url: await bareRemote(), setting: 'remote.url' },
      },
      repo.dir,
    );
  });

  it('is QUEUE_UNAVAILABLE for a port nobody listens on, in bounded time, without the password', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    const port = await freePort();
    const started = Date.now();
    const error = await checkReachable(
      {
        queue: { url: `redis://user:hunter2@127.0.0.1:${port}`, name: 'troupe', setting: 'TROUPE_REDIS_URL' },
        remote: { url: await bareRemote(), setting: 'remote.url' },
      },
      repo.dir,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'QUEUE_UNAVAILABLE', hint: expect.stringContaining('TROUPE_REDIS_URL') });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(JSON.stringify({ ...(error as TroupeError), message: (error as Error).message })).not.toContain('hunter2');
  });

  it('is REMOTE_UNAVAILABLE for a remote that is not there', async () => {
    const repo = await tempRepo();
    cleanups.push(repo.cleanup);
    const error = await checkReachable(
      {
        queue: { url: redis.url, name: 'troupe', setting: 'TROUPE_REDIS_URL' },
        remote: { url: join(repo.dir, 'missing.git'), setting: 'remote.url in .troupe/config.json' },
      },
      repo.dir,
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'REMOTE_UNAVAILABLE',
      message: expect.stringContaining('missing.git'),
      hint: expect.stringContaining('remote.url in .troupe/config.json'),
    });
  });

  it('troupe worker refuses before it takes a job: no remote, then a hostile one (nothing run)', async () => {
    const marker = join((await tempDir()).dir, 'pwned');
    const noRemote = await project({ store: PG, queue: { url: redis.url } });
    const first = await runCli(noRemote, ['worker']);
    expect(first.code).toBe(2);
    expect(first.stderr).toContain('remote.url');
    const hostile = await project({
      store: PG,
      queue: { url: redis.url },
      remote: { url: `ext::sh -c touch% ${marker}` },
    });
    const second = await runCli(hostile, ['worker']);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain('ext::');
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(hostile, '.troupe', 'worker'))).toBe(false);
  });
});
