import { describe, expect, it } from 'vitest';
import { planYaml } from './fixtures.js';
import { project } from './runtime-fixture.js';

// Finding a plan by id, name or id prefix.

describe('runtime on real git and LevelDB', () => {
  it('finds a plan by id, name or unique id prefix, and says when it cannot', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(planYaml());
    expect((await runtime.getPlan(plan.id)).id).toBe(plan.id);
    expect((await runtime.getPlan(plan.id.toLowerCase())).id).toBe(plan.id);
    expect((await runtime.getPlan('demo/x')).id).toBe(plan.id);
    expect((await runtime.getPlan(plan.id.slice(0, 20))).id).toBe(plan.id);
    await expect(runtime.getPlan('demo/nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `no plan matches "demo/nope" in ${runtime.dir}`,
      details: { projectRoot: runtime.dir },
    });
    await expect(runtime.getPlan('ZZZZZZZZ')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(runtime.getPlan('')).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(runtime.getPlan(42 as unknown as string)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('refuses an ambiguous id prefix', async () => {
    const { runtime } = await project();
    // ids start with the time: plans made moments apart share their first 6
    // characters, unless a 4-minute boundary falls between them — so of three
    // made in a row, two neighbours always do
    const ids: string[] = [];
    for (const name of ['demo/a', 'demo/b', 'demo/c']) ids.push((await runtime.createPlan(planYaml({ name }))).id);
    const prefix = [0, 1]
      .map((index) => ids[index]!.slice(0, 6))
      .find((head, index) => ids[index + 1]!.startsWith(head));
    expect(prefix).toBeDefined();
    await expect(runtime.getPlan(prefix!)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('more than one plan'),
    });
  });
});
