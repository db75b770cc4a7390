import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../../src/runtime/index.js';
import { defineTool } from '../../src/tools/index.js';
import { MemoryStore } from '../../src/store/index.js';
import type { PlanSpec } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// The plan file a plan was created with is kept by the runtime that checked
// it: its strategize and steps do not read it back from the store and check
// it again (issue 42: for a plan of 1,000 steps that was tens of
// milliseconds of a cold run).

class CountingStore extends MemoryStore {
  specReads = 0;

  override getSpec(planId: string): Promise<PlanSpec | null> {
    this.specReads += 1;
    return super.getSpec(planId);
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the plan file of a plan created here', () => {
  it('runs its strategize and steps without reading the plan file back from the store', async () => {
    const repo = await tempRepo({ 'README.md': '# reads\n' });
    cleanups.push(repo.cleanup);
    const store = new CountingStore();
    const runtime = await createRuntime({ dir: repo.dir, store, resume: false, report: () => {} });
    cleanups.push(() => runtime.close());
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'manual',
        strategy: {
          steps: [
            step('Read', 'fs/read-file', { path: 'README.md' }),
            step('Write', 'fs/write-file', { path: 'a.txt', content: 'a\n' }),
          ],
        },
      }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect([record.phase, record.status, record.lastCompletedStep]).toEqual(['execute', 'complete', 1]);
    expect(store.specReads).toBe(0);
    // what the store holds is the plan file the plan runs with
    expect((await store.getSpec(plan.id))?.strategy?.steps.map((planned) => planned.title)).toEqual(['Read', 'Write']);
  });

  it('is still checked against the tools of the runtime that strategizes it: a tool gone since is a VALIDATION_ERROR naming the step', async () => {
    const repo = await tempRepo({ 'README.md': '# reads\n' });
    cleanups.push(repo.cleanup);
    const shout = defineTool({
      name: 'text/shout',
      description: 'Say it loud',
      input: z.strictObject({ text: z.string() }),
      sideEffects: [],
      handler: async ({ text }) => ({ said: text.toUpperCase() }),
    });
    const first = await createRuntime({
      dir: repo.dir,
      store: 'level',
      resume: false,
      tools: [shout],
      report: () => {},
    });
    const plan = await first.createPlan(
      planYaml({ automation: 'manual', strategy: { steps: [step('Shout', 'text/shout', { text: 'hi' })] } }),
    );
    await first.close();
    const second = await createRuntime({ dir: repo.dir, store: 'level', resume: false, report: () => {} });
    cleanups.push(() => second.close());
    const record = await second.run(plan.id, { until: 'strategize' });
    expect([record.phase, record.status]).toEqual(['strategize', 'failed']);
    expect(record.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('steps[0]') });
    expect(record.error?.message).toContain('text/shout');
  });
});
