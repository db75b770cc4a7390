import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/domain/index.js';
import { canDefer, deferredRuntime } from '../../src/runtime/host/deferred-runtime.js';
import { createRuntime, openRuntime, type Runtime } from '../../src/runtime/index.js';
import { LevelStore, defaultStorePath } from '../../src/store/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { planYaml, step } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PLAN = planYaml({
  name: 'demo/later',
  strategy: { steps: [step('Write', 'fs/write-file', { path: 'a.txt', content: 'a\n' })] },
});

// a set-up project with one plan, its store closed
async function project(): Promise<{ dir: string; created: string }> {
  const repo = await tempRepo({ 'README.md': '# deferred\n' });
  cleanups.push(repo.cleanup);
  const runtime = await createRuntime({ dir: repo.dir, resume: false });
  const { id } = await runtime.createPlan(PLAN);
  await runtime.close();
  return { dir: repo.dir, created: id };
}

// the project's store, opened, and a deferred runtime over it counting its starts
async function deferred(dir: string, start?: () => Promise<Runtime>) {
  const store = new LevelStore({ path: defaultStorePath(dir) });
  await store.open();
  const counted = { starts: 0 };
  const runtime = deferredRuntime(dir, store, () => {
    counted.starts += 1;
    return start ? start() : createRuntime({ dir, store, resume: false, report: () => {} });
  });
  cleanups.push(() => runtime.close());
  return { runtime, store, counted };
}

describe('a runtime started on the first call that needs it', () => {
  it('answers status and lists from the store without starting, then starts once for a run its subscribers hear', async () => {
    const { dir, created } = await project();
    const { runtime, counted } = await deferred(dir);
    expect(runtime.dir).toBe(dir);
    const record = await runtime.getPlan('demo/later');
    expect(record).toMatchObject({
      id: created,
      name: 'demo/later',
      phase: 'strategize',
      status: 'queued',
      strategyDecisionIds: [],
    });
    expect(await runtime.getPlan(created.slice(0, 8).toLowerCase())).toEqual(record);
    expect((await runtime.listPlans()).map((plan) => plan.id)).toEqual([created]);
    expect((await rejection(runtime.getPlan('demo/none'))).code).toBe('NOT_FOUND');
    // nothing runs before it started: no plan is live, and asking starts nothing
    expect(await runtime.liveness([created])).toEqual([{ planId: created, live: false, output: null, holder: null }]);
    expect(counted.starts).toBe(0);

    const heard: JournalEvent[] = [];
    const dropped: JournalEvent[] = [];
    runtime.subscribe(created, (event) => heard.push(event));
    const stop = runtime.subscribe('*', (event) => dropped.push(event));
    stop();
    const ran = await runtime.run('demo/later', { until: 'execute' });
    expect(counted.starts).toBe(1);
    expect(ran).toMatchObject({ phase: 'execute', status: 'complete' });
    expect(heard.map((event) => event.type)).toContain('step.completed');
    expect(dropped).toEqual([]);

    // from here on everything is the started runtime's, subscriptions made now included
    const later: JournalEvent[] = [];
    runtime.subscribe(created, (event) => later.push(event));
    expect(await runtime.getPlan(created)).toEqual(ran);
    expect(await runtime.listPlans({ all: true })).toEqual([ran]);
    await runtime.run(created, { until: 'validate' });
    expect(later.map((event) => event.type)).toContain('phase.completed');
    expect(counted.starts).toBe(1);
  });

  it('closes the store it was given when it never started, and refuses calls once closed', async () => {
    const { dir } = await project();
    const { runtime } = await deferred(dir);
    await runtime.close();
    await runtime.close();
    expect((await rejection(runtime.getPlan('demo/later'))).code).toBe('INTERNAL_ERROR');
    expect((await rejection(runtime.listPlans())).code).toBe('INTERNAL_ERROR');
    expect((await rejection(runtime.events('demo/later'))).code).toBe('INTERNAL_ERROR');
    // the lock is free again
    const again = await openRuntime({ dir, resume: false, report: () => {} });
    expect(again.role).toBe('host');
    await again.close();
  });

  it('makes a second close wait for the first, which waits for a runtime still starting and closes it', async () => {
    const { dir } = await project();
    let go = () => {};
    let closed = false;
    const { runtime, store } = await deferred(dir, async () => {
      await new Promise<void>((resolve) => (go = resolve));
      const started = await createRuntime({ dir, store, resume: false, report: () => {} });
      const close = started.close.bind(started);
      started.close = async () => {
        await close();
        closed = true;
      };
      return started;
    });
    // a call that needs the whole runtime starts it; Ctrl-C comes while it starts
    const explained = runtime.explain('demo/later').catch(() => null);
    const first = runtime.close();
    const second = runtime.close();
    go();
    await second;
    expect(closed).toBe(true);
    await first;
    await explained;
  });

  it('says why it could not start on the call that needed it, and still lets go of the store', async () => {
    const { dir } = await project();
    const { runtime, counted } = await deferred(dir, async () => {
      throw new Error('no runtime today');
    });
    expect((await rejection(runtime.explain('demo/later'))).message).toBe('no runtime today');
    expect((await rejection(runtime.getPlan('demo/later'))).message).toBe('no runtime today');
    expect(counted.starts).toBe(1);
    await runtime.close();
    const again = await openRuntime({ dir, resume: false, report: () => {} });
    await again.close();
  });

  it('is what a command owning the store for a read gets, and serves another process the whole Runtime', async () => {
    const { dir, created } = await project();
    const host = await openRuntime({ dir, resume: false, report: () => {} });
    cleanups.push(() => host.close());
    const client = await openRuntime({ dir, resume: false, report: () => {} });
    cleanups.push(() => client.close());
    expect([host.role, client.role]).toEqual(['host', 'client']);
    expect((await client.runtime.getPlan('demo/later')).id).toBe(created);
    expect(await client.runtime.run('demo/later', { until: 'strategize' })).toMatchObject({
      phase: 'strategize',
      status: 'complete',
    });
    expect(await host.runtime.getPlan(created)).toMatchObject({ phase: 'strategize', status: 'complete' });
  });
});

describe('which projects may be served by it', () => {
  it('takes a set-up project whose config asks for the defaults, spelled out or left out', async () => {
    const { dir } = await project();
    expect(await canDefer(dir)).toBe(true);
    writeFileSync(
      join(dir, '.troupe', 'config.json'),
      JSON.stringify({
        invariants: [],
        plugins: [],
        network: false,
        actors: { strategist: 'scripted', executor: 'tool-call', reconciler: 'default' },
      }),
    );
    expect(await canDefer(dir)).toBe(true);
    writeFileSync(join(dir, '.troupe', 'config.json'), '{}');
    expect(await canDefer(dir)).toBe(true);
    // what troupe init writes for a JavaScript project: its reads stay as fast (issue 36)
    writeFileSync(
      join(dir, '.troupe', 'config.json'),
      JSON.stringify({ invariants: [], sandbox: { share: ['node_modules', '.venv'] } }),
    );
    expect(await canDefer(dir)).toBe(true);
  });

  it.each([
    ['invariants', { invariants: [{ id: 'readme', check: 'command', run: 'test -f README.md' }] }],
    ['plugins', { plugins: ['./p.mjs'] }],
    ['sandbox settings', { sandbox: { mode: 'off' } }],
    ['sandbox settings besides share', { sandbox: { share: ['node_modules'], hide: ['~/x'] } }],
    ['a share entry createRuntime refuses', { sandbox: { share: ['../outside'] } }],
    ['the host network', { network: true }],
    ['an actor of its own', { actors: { strategist: 'acme' } }],
    ['an actor role that does not exist', { actors: { planner: 'scripted' } }],
    ['a config that is not an object', []],
  ])('leaves a config with %s to createRuntime', async (_what, config) => {
    const { dir } = await project();
    writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify(config));
    expect(await canDefer(dir)).toBe(false);
  });

  it('leaves a project that is not quite set up, or whose setup only git can tell, to createRuntime', async () => {
    const { dir } = await project();
    writeFileSync(join(dir, '.troupe', 'config.json'), '{ not json');
    expect(await canDefer(dir)).toBe(false);
    rmSync(join(dir, '.troupe', 'config.json'));
    expect(await canDefer(dir)).toBe(false);

    const other = await project();
    writeFileSync(join(other.dir, '.git', 'info', 'exclude'), '# nothing excluded\n');
    expect(await canDefer(other.dir)).toBe(false);
    rmSync(join(other.dir, '.git', 'info', 'exclude'));
    expect(await canDefer(other.dir)).toBe(false);

    const moved = await project();
    renameSync(join(moved.dir, '.troupe', 'worktrees'), join(moved.dir, '.troupe', 'elsewhere'));
    expect(await canDefer(moved.dir)).toBe(false);

    // a linked worktree: its .git is a file naming the common directory
    const linked = await project();
    const worktree = join(linked.dir, '..', `${linked.dir.split('/').at(-1)}-linked`);
    git(linked.dir, 'worktree', 'add', '-q', worktree);
    cleanups.push(async () => rmSync(worktree, { recursive: true, force: true }));
    mkdirSync(join(worktree, '.troupe', 'worktrees'), { recursive: true });
    writeFileSync(join(worktree, '.troupe', 'config.json'), '{}');
    expect(await canDefer(worktree)).toBe(false);
  });
});
