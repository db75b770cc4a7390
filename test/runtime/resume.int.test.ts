import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { defineTool } from '../../src/tools/index.js';
import type { AnyToolSpec } from '../../src/tools/index.js';
import { createLevelStore, defaultStorePath } from '../../src/store/index.js';
import { PLAN_MACHINE_VERSION } from '../../machines/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// Resume (SPEC §10): a runtime that starts continues every plan that was
// running when its process stopped; a plan at rest waits in the store until
// something acts on it (issue 42). One whose stored snapshot cannot be read
// is reported by name, and the others still load. On LevelDB, across
// runtimes.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PLAN = (name: string) =>
  planYaml({
    name,
    automation: 'manual',
    strategy: { steps: [step('Write', 'fs/write-file', { path: `${name.split('/')[1]}.txt`, content: 'x\n' })] },
  });

async function storeWithPlans(names: string[]): Promise<{ dir: string; ids: string[] }> {
  const repo = await tempRepo({ 'README.md': '# resume\n' });
  cleanups.push(repo.cleanup);
  const runtime = await createRuntime({ dir: repo.dir, store: 'level', resume: false, report: () => {} });
  const ids: string[] = [];
  for (const name of names) {
    const plan = await runtime.createPlan(PLAN(name));
    await runtime.runPhase(plan.id, 'strategize');
    ids.push(plan.id);
  }
  await runtime.close();
  return { dir: repo.dir, ids };
}

async function damage(dir: string, key: string, value: string): Promise<void> {
  const store = createLevelStore(defaultStorePath(dir));
  await store.open();
  await store.db.put(key, value);
  await store.close();
}

// what a process that died mid-phase leaves: the plan's record says it was processing
async function markProcessing(dir: string, planId: string): Promise<void> {
  const store = createLevelStore(defaultStorePath(dir));
  await store.open();
  const record = JSON.parse((await store.db.get(`!plans!${planId}`))!) as Record<string, unknown>;
  await store.db.put(`!plans!${planId}`, JSON.stringify({ ...record, status: 'processing' }));
  await store.close();
}

async function open(dir: string, reports: string[], options: { tools?: AnyToolSpec[] } = {}): Promise<LocalRuntime> {
  const runtime = await createRuntime({
    dir,
    store: 'level',
    ...options,
    report: (message, error) => reports.push(`${message}: ${(error as { code?: string }).code}`),
  });
  cleanups.push(() => runtime.close());
  return runtime;
}

describe('resume', () => {
  it('leaves plans at rest in the store when a runtime starts, restores one when something acts on it, and resume() returns them at rest', async () => {
    const { dir, ids } = await storeWithPlans(['demo/one', 'demo/two']);
    const reports: string[] = [];
    const runtime = await open(dir, reports);
    expect(runtime.livePlanIds()).toEqual([]);
    // a read of its record is no reason to make it an actor
    expect((await runtime.getPlan('demo/one')).status).toBe('complete');
    expect((await runtime.listPlans()).map((plan) => plan.name)).toEqual(['demo/one', 'demo/two']);
    const resumed = await runtime.resume();
    expect(resumed.map((plan) => [plan.name, plan.phase, plan.status])).toEqual([
      ['demo/one', 'strategize', 'complete'],
      ['demo/two', 'strategize', 'complete'],
    ]);
    // nothing to continue: where a drive left them, they stay in the store
    expect(runtime.livePlanIds()).toEqual([]);
    expect((await runtime.resume('demo/two')).map((plan) => plan.id)).toEqual([ids[1]]);
    expect(runtime.livePlanIds()).toEqual([ids[1]]);
    const executed = await runtime.run('demo/one', { until: 'execute' });
    expect([executed.phase, executed.status]).toEqual(['execute', 'complete']);
    expect(reports).toEqual([]);
  });

  it('continues a plan that was running when its process stopped as soon as the runtime starts, with no call on it', async () => {
    const repo = await tempRepo({ 'README.md': '# resume\n' });
    cleanups.push(repo.cleanup);
    let opened = false;
    const release: (() => void)[] = [];
    // a step that waits until the test lets it go: in the first runtime it never ends
    const hold = defineTool({
      name: 'test/hold',
      description: 'Wait until the test lets the step go',
      input: z.strictObject({}),
      sideEffects: [],
      handler: () =>
        opened
          ? Promise.resolve({ held: false })
          : new Promise((resolve) => release.push(() => resolve({ held: true }))),
    });
    const first = await createRuntime({
      dir: repo.dir,
      store: 'level',
      resume: false,
      tools: [hold],
      report: () => {},
    });
    const resting = await first.createPlan(PLAN('demo/resting'));
    await first.runPhase(resting.id, 'strategize');
    const running = await first.createPlan(
      planYaml({ name: 'demo/running', automation: 'manual', strategy: { steps: [step('Hold', 'test/hold', {})] } }),
    );
    const started = new Promise<void>((resolve) =>
      first.subscribe(running.id, (event) => event.type === 'step.started' && resolve()),
    );
    const interrupted = first.run(running.id, { until: 'execute' }).catch((error: unknown) => error);
    await started;
    await first.close();
    expect(await interrupted).toMatchObject({ code: 'CANCELLED' });
    opened = true;
    for (const go of release) go();

    const runtime = await open(repo.dir, [], { tools: [hold] });
    expect(runtime.livePlanIds()).toEqual([running.id]);
    await vi.waitFor(async () => expect((await runtime.getPlan(running.id)).status).toBe('complete'), {
      timeout: 15_000,
      interval: 50,
    });
    const record = await runtime.getPlan(running.id);
    expect([record.phase, record.lastCompletedStep]).toEqual(['execute', 0]);
    expect((await runtime.events(running.id)).filter((event) => event.type === 'plan.resumed')).toHaveLength(1);
    expect(runtime.livePlanIds()).toEqual([running.id]);
  });

  it('drives a plan left at (strategize, queued) — created, never started — as plan run does', async () => {
    const repo = await tempRepo({ 'README.md': '# resume\n' });
    cleanups.push(repo.cleanup);
    // what a process killed between creating the plan and its first transition leaves in the store
    const before = await createRuntime({ dir: repo.dir, store: 'level', resume: false, report: () => {} });
    const auto = await before.createPlan(
      planYaml({
        name: 'demo/auto',
        automation: 'auto',
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'auto.txt', content: 'x\n' })] },
      }),
    );
    const manual = await before.createPlan(PLAN('demo/manual'));
    expect(await before.getPlan(auto.id)).toMatchObject({ phase: 'strategize', status: 'queued' });
    await before.close();

    const runtime = await open(repo.dir, []);
    const resumed = await runtime.resume();
    const byName = new Map(resumed.map((plan) => [plan.name, [plan.phase, plan.status]]));
    // as `troupe plan run demo/auto` would have: to the end of apply
    expect(byName.get('demo/auto')).toEqual(['apply', 'done']);
    // and a manual plan as far as plan run takes it, not left queued
    const ran = await runtime.getPlan(manual.id);
    expect([ran.phase, ran.status]).not.toEqual(['strategize', 'queued']);
    expect(byName.get('demo/manual')).toEqual([ran.phase, ran.status]);
  });

  it('reports a plan whose snapshot is corrupt by name as STORE_CORRUPT, and still loads the others', async () => {
    const { dir, ids } = await storeWithPlans(['demo/one', 'demo/two', 'demo/three']);
    await damage(dir, `!snap!${ids[0]}`, '{"machineVersion": 5, "snapshot": {"status": "active", "value": 7}}');
    await damage(dir, `!snap!${ids[2]}`, '{"machineVersion": 5, "snapshot": {"status": "active", "value": 7}}');
    // demo/one was running when its process died: restored as the runtime starts; demo/three rests until acted on
    await markProcessing(dir, ids[0]!);
    const reports: string[] = [];
    const runtime = await open(dir, reports);
    expect(reports).toEqual([`could not restore plan demo/one (${ids[0]}): STORE_CORRUPT`]);
    expect(runtime.livePlanIds()).toEqual([]);
    await expect(runtime.resume('demo/one')).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      message: expect.stringContaining(ids[0]!),
    });
    await expect(runtime.run('demo/three')).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      message: expect.stringContaining(ids[2]!),
    });
    expect((await runtime.resume('demo/two'))[0]).toMatchObject({ status: 'complete' });
    expect(runtime.livePlanIds()).toEqual([ids[1]]);
  });

  it('refuses a snapshot of a machine version it does not know with STORE_VERSION', async () => {
    const { dir, ids } = await storeWithPlans(['demo/one']);
    const store = createLevelStore(defaultStorePath(dir));
    await store.open();
    const stored = await store.getSnapshot(ids[0]!);
    await store.db.put(`!snap!${ids[0]}`, JSON.stringify({ ...stored, machineVersion: PLAN_MACHINE_VERSION + 1 }));
    await store.close();
    await markProcessing(dir, ids[0]!);
    const reports: string[] = [];
    const runtime = await open(dir, reports);
    expect(reports).toEqual([`could not restore plan demo/one (${ids[0]}): STORE_VERSION`]);
    await expect(runtime.resume('demo/one')).rejects.toMatchObject({
      code: 'STORE_VERSION',
      hint: 'upgrade troupe to work with this plan',
    });
  });
});
