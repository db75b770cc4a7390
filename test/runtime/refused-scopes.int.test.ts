import { afterEach, describe, expect, it } from 'vitest';
import { planYaml, projectWithRuntime } from './fixtures.js';

// a plan file with a scope troupe cannot match in linear time is refused
// when it is created, by field, and nothing of it is stored.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('creating a plan with a refused scope', () => {
  it('fails with VALIDATION_ERROR naming resourceScopes[0] and writes nothing', async () => {
    const { runtime, close } = await projectWithRuntime();
    cleanups.push(close);
    await expect(runtime.createPlan(planYaml({ resourceScopes: ['(a+)+b'] }))).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('resourceScopes[0]: parentheses (regular-expression groups) are not supported'),
    });
    const entries = [{ goal: 'g', resourceScopes: ['*(a|aa)'] }];
    await expect(
      runtime.createPlan(planYaml({ strategy: { steps: [{ title: 'Fan out', subplans: { entries } }] } })),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining(
        'strategy.steps[0].subplans.entries[0].resourceScopes[0]: the extglob "*(…)" is not supported',
      ),
    });
    expect(await runtime.listPlans({ all: true })).toEqual([]);
  });
});
