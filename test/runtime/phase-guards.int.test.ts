import { describe, expect, it } from 'vitest';
import { planYaml } from './fixtures.js';
import { HEADER_PLAN, project } from './runtime-fixture.js';

// What a phase command or plan.run does when the plan is not ready for it,
// or has nothing left to do.

describe('runtime on real git and LevelDB', () => {
  it('answers a phase command the plan is not ready for with PHASE_GUARD saying what is missing', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(planYaml());
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      message: 'cannot execute demo/x: strategize is queued (needs complete)',
      hint: 'run troupe plan strategize demo/x first',
    });
    await runtime.runPhase(plan.id, 'strategize');
    await expect(runtime.runPhase(plan.id, 'apply')).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      message: 'cannot apply demo/x: strategize is complete; apply needs validate complete',
    });
    await runtime.cancel(plan.id);
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      message: expect.stringContaining('the plan is cancelled'),
    });
    await expect(runtime.cancel(plan.id)).rejects.toMatchObject({ code: 'PHASE_GUARD' });
  });

  it('leaves a plan where it is when plan.run has nothing left to do for its automation', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(HEADER_PLAN.replace('automation: auto', 'automation: review'));
    const stopped = await runtime.run(plan.id);
    expect(stopped).toMatchObject({ phase: 'validate', status: 'complete' });
    const again = await runtime.run(plan.id);
    expect(again).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(again.updatedAt).toBe(stopped.updatedAt);
  });
});
