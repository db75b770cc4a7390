// A worker's start check (docs/how-to/scale-out.md#a-workers-start-check): one plan
// run end to end on this machine, with the worker's settings, before any job —
// real git, the real sandbox; nothing shared touched, nothing left behind.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { startWorker } from '../../src/runtime/plan-worker.js';
import { checkRunsPlans } from '../../src/runtime/worker-start-check.js';
import { MemoryStore } from '../../src/store/index.js';
import { freePort } from '../helpers/free-port.js';
import { settingsOnly } from '../helpers/scale-out.js';
import { git, tempDir } from '../helpers/temp.js';
import { fanOutPlan, projectWithConfig } from './fixtures.js';

describe("a worker's start check", () => {
  const cleanups: (() => Promise<void>)[] = [];
  let scratch: string;
  let savedTmpdir: string | undefined;

  // the check's throwaway repository goes under TMPDIR: a directory of the test's own, to see it is gone after
  beforeEach(async () => {
    const tmp = await tempDir('troupe-start-check-tmp-');
    cleanups.push(tmp.cleanup);
    scratch = tmp.dir;
    savedTmpdir = process.env['TMPDIR'];
    process.env['TMPDIR'] = scratch;
  });
  afterEach(async () => {
    if (savedTmpdir === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = savedTmpdir;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  });

  // a worker's directory: only its .troupe/config.json
  const workerHome = (config: object): Promise<string> => settingsOnly(config, cleanups);

  // what the check left in TMPDIR (its repositories are troupe-worker-check-*)
  async function leftOver(): Promise<string[]> {
    return (await readdir(scratch)).filter((name) => name.startsWith('troupe-worker-check-'));
  }

  // settings whose store, queue and remote nothing answers at: the check must reach none of them
  async function unreachableScaleOut(): Promise<object> {
    const [database, queue] = await Promise.all([freePort(), freePort()]);
    return {
      store: { kind: 'postgres', url: `postgres://127.0.0.1:${database}/troupe` },
      queue: { url: `redis://127.0.0.1:${queue}` },
      remote: { url: join(scratch, 'no-such-remote.git') },
    };
  }

  it('runs a plan end to end on this machine alone, and leaves nothing behind', async () => {
    const home = await workerHome(await unreachableScaleOut());
    const ms = await checkRunsPlans(home, { warn: () => {} });
    expect(ms).toBeGreaterThan(0);
    // the throwaway repository is gone, and the worker's directory holds only its settings
    expect(await leftOver()).toEqual([]);
    expect(await readdir(join(home, '.troupe'))).toEqual(['config.json']);
  }, 60_000);

  it("makes its repository as troupe runs git, whatever the machine's git config says", async () => {
    // a global config that signs every commit, runs a failing pre-commit hook and has no identity
    const home = await tempDir('troupe-start-check-git-home-');
    cleanups.push(home.cleanup);
    await mkdir(join(home.dir, 'hooks'));
    await writeFile(join(home.dir, 'hooks', 'pre-commit'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
    await writeFile(
      join(home.dir, '.gitconfig'),
      `[commit]\n\tgpgsign = true\n[core]\n\thooksPath = ${join(home.dir, 'hooks')}\n[user]\n\tuseConfigOnly = true\n`,
    );
    const savedHome = process.env['HOME'];
    process.env['HOME'] = home.dir;
    try {
      expect(await checkRunsPlans(await workerHome({}), { warn: () => {} })).toBeGreaterThan(0);
    } finally {
      process.env['HOME'] = savedHome;
    }
  }, 60_000);

  it('refuses with the failure’s own code and fix when commands cannot be contained here', async () => {
    const home = await workerHome({ sandbox: { bwrap: '/nonexistent/bwrap' } });
    const refused = await checkRunsPlans(home, { warn: () => {} }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TroupeError);
    expect((refused as TroupeError).code).toBe('SANDBOX_UNAVAILABLE');
    expect((refused as TroupeError).message).toMatch(
      /^this machine cannot run plans: the worker's start check failed in execute: .*\/nonexistent\/bwrap/,
    );
    expect((refused as TroupeError).hint).toMatch(/install bubblewrap/);
    expect(await leftOver()).toEqual([]);
  }, 60_000);

  it('keeps a worker that cannot run plans from opening anything shared', async () => {
    const home = await workerHome({ sandbox: { bwrap: '/nonexistent/bwrap' } });
    const said: string[] = [];
    const settings = (await unreachableScaleOut()) as { queue: { url: string }; remote: { url: string } };
    const refused = await startWorker({
      root: home,
      queue: { url: settings.queue.url, name: 'troupe', setting: 'TROUPE_REDIS_URL' },
      remote: { url: settings.remote.url, setting: 'TROUPE_REMOTE_URL' },
      store: new MemoryStore(),
      log: (line) => said.push(line),
      runtime: { warn: () => {} },
    }).catch((error: unknown) => error);
    // the sandbox's failure, not the queue's or the remote's: neither was asked, and no clone was made
    expect((refused as TroupeError).code).toBe('SANDBOX_UNAVAILABLE');
    expect(existsSync(join(home, '.troupe', 'worker'))).toBe(false);
    expect(said).toEqual([]);
  }, 60_000);

  it('runs child plans in the process when a runtime is given scaleOut: null, whatever the settings name', async () => {
    const { dir, runtime } = await projectWithConfig(await unreachableScaleOut(), cleanups, {
      store: 'memory',
      scaleOut: null,
    });
    await runtime.createPlan(fanOutPlan('demo/here'));
    const record = await runtime.run('demo/here', { until: 'validate' });
    expect([record.phase, record.status]).toEqual(['validate', 'complete']);
    for (const name of ['x', 'y']) expect(git(dir, 'show', `${record.sandbox!.headCommit}:${name}.txt`)).toBe(name);
  }, 60_000);
});
