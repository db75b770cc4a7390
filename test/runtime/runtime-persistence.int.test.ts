import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore } from '../../src/store/index.js';
import { planYaml } from './fixtures.js';
import { cleanups, HEADER_PLAN, project } from './runtime-fixture.js';

// What the runtime keeps between runs: a plan picked up by the next runtime,
// the memory store, and one store batch per transition.

describe('runtime on real git and LevelDB', () => {
  it('continues a plan exactly where the last runtime left it', async () => {
    const first = await project();
    const plan = await first.runtime.createPlan(HEADER_PLAN);
    await first.runtime.run(plan.id, { until: 'strategize' });
    await first.runtime.close();

    const second = await createRuntime({ dir: first.dir, report: () => {} });
    cleanups.push(() => second.close());
    expect((await second.getPlan(plan.id)).status).toBe('complete');
    const record = await second.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ phase: 'execute', status: 'complete', lastCompletedStep: 2 });
    expect(
      (await second.events(plan.id)).filter((event) => event.type === 'phase.started').map((event) => event.phase),
    ).toEqual(['strategize', 'execute']);
  });

  it('starts with no actor for a plan at rest, nor one that ended, and restores a plan at rest once something acts on it', async () => {
    const first = await project();
    const open = await first.runtime.createPlan(planYaml({ name: 'demo/open' }));
    const ended = await first.runtime.createPlan(planYaml({ name: 'demo/ended' }));
    await first.runtime.cancel(ended.id);
    await first.runtime.close();
    const second = await createRuntime({ dir: first.dir, report: () => {} });
    cleanups.push(() => second.close());
    expect(second.livePlanIds()).toEqual([]);
    expect((await second.getPlan(open.id)).status).toBe('queued');
    expect(second.livePlanIds()).toEqual([]);
    await second.runPhase(open.id, 'strategize');
    expect(second.livePlanIds()).toEqual([open.id]);
    await expect(second.runPhase(ended.id, 'strategize')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    expect(second.livePlanIds()).toEqual([open.id]);
  });

  it('runs on the memory store writing nothing but its sandboxes', async () => {
    const { dir, runtime } = await project(undefined, { store: 'memory' });
    const plan = await runtime.createPlan(HEADER_PLAN);
    expect(await runtime.run(plan.id)).toMatchObject({ status: 'done' });
    expect(readdirSync(join(dir, '.troupe'))).toEqual(['worktrees']);
  });

  it('writes each transition as one batch holding the record and the snapshot', async () => {
    const batches: { operations: number }[] = [];
    const repo = await project();
    await repo.runtime.close();
    const runtime = await createRuntime({
      dir: repo.dir,
      store: new LevelStore({ path: join(repo.dir, '.troupe', 'db'), onBatch: (info) => batches.push(info) }),
    });
    cleanups.push(() => runtime.close());
    const plan = await runtime.createPlan(HEADER_PLAN);
    await runtime.run(plan.id);
    // every batch carries at least the record and the snapshot
    expect(batches.every((batch) => batch.operations >= 2)).toBe(true);
    const events = await runtime.events(plan.id);
    // events are coalesced per macrotask, never split from their transition
    expect(batches.length).toBeLessThanOrEqual(events.length);
  });
});
