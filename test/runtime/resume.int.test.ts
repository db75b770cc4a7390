import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { createLevelStore, defaultStorePath } from '../../src/store/index.js';
import { PLAN_MACHINE_VERSION } from '../../machines/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// Resume (SPEC §10): a runtime that starts restores every plan that has not
// ended; one whose stored snapshot cannot be read is reported by name and
// the others still load. On LevelDB, across runtimes.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const PLAN = (name: string) => planYaml({ name, automation: 'manual', strategy: { steps: [step('Write', 'fs/write-file', { path: `${name.split('/')[1]}.txt`, content: 'x\n' })] } });

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

async function open(dir: string, reports: string[]): Promise<LocalRuntime> {
  const runtime = await createRuntime({ dir, store: 'level', report: (message, error) => reports.push(`${message}: ${(error as { code?: string }).code}`) });
  cleanups.push(() => runtime.close());
  return runtime;
}

describe('resume', () => {
  it('restores every plan that has not ended when a runtime starts, and resume() returns them at rest', async () => {
    const { dir, ids } = await storeWithPlans(['demo/one', 'demo/two']);
    const reports: string[] = [];
    const runtime = await open(dir, reports);
    expect(runtime.livePlanIds().sort()).toEqual([...ids].sort());
    const resumed = await runtime.resume();
    expect(resumed.map((plan) => [plan.name, plan.phase, plan.status])).toEqual([
      ['demo/one', 'strategize', 'complete'],
      ['demo/two', 'strategize', 'complete'],
    ]);
    expect((await runtime.resume('demo/two')).map((plan) => plan.id)).toEqual([ids[1]]);
    expect(reports).toEqual([]);
  });

  it('drives a plan left at (strategize, queued) — created, never started — as plan run does', async () => {
    const repo = await tempRepo({ 'README.md': '# resume\n' });
    cleanups.push(repo.cleanup);
    // what a process killed between creating the plan and its first transition leaves in the store
    const before = await createRuntime({ dir: repo.dir, store: 'level', resume: false, report: () => {} });
    const auto = await before.createPlan(planYaml({ name: 'demo/auto', automation: 'auto', strategy: { steps: [step('Write', 'fs/write-file', { path: 'auto.txt', content: 'x\n' })] } }));
    const manual = await before.createPlan(PLAN('demo/manual'));
    expect((await before.getPlan(auto.id))).toMatchObject({ phase: 'strategize', status: 'queued' });
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
    const { dir, ids } = await storeWithPlans(['demo/one', 'demo/two']);
    await damage(dir, `!snap!${ids[0]}`, '{"machineVersion": 5, "snapshot": {"status": "active", "value": 7}}');
    const reports: string[] = [];
    const runtime = await open(dir, reports);
    expect(reports).toEqual(['could not restore plan demo/one: STORE_CORRUPT']);
    expect(runtime.livePlanIds()).toEqual([ids[1]]);
    await expect(runtime.resume('demo/one')).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining(ids[0]!) });
    expect((await runtime.resume('demo/two'))[0]).toMatchObject({ status: 'complete' });
  });

  it('refuses a snapshot of a machine version it does not know with STORE_VERSION', async () => {
    const { dir, ids } = await storeWithPlans(['demo/one']);
    const store = createLevelStore(defaultStorePath(dir));
    await store.open();
    const stored = await store.getSnapshot(ids[0]!);
    await store.db.put(`!snap!${ids[0]}`, JSON.stringify({ ...stored, machineVersion: PLAN_MACHINE_VERSION + 1 }));
    await store.close();
    const reports: string[] = [];
    const runtime = await open(dir, reports);
    expect(reports).toEqual(['could not restore plan demo/one: STORE_VERSION']);
    await expect(runtime.resume('demo/one')).rejects.toMatchObject({ code: 'STORE_VERSION', hint: 'upgrade troupe to work with this plan' });
  });
});
