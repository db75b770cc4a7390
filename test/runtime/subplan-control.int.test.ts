import { describe, expect, it } from 'vitest';
import { step } from './fixtures.js';
import { project } from './runtime-fixture.js';
import { children, group, writer } from './subplans-fixture.js';

// The user driving child plans by hand, and cancelling a child or its parent.

describe('subplans on real git and LevelDB', () => {
  it('under manual automation the user drives each child while the parent waits, and a child cannot be applied', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(
      group([writer('a.txt', 'a\n')]).replace('automation: review', 'automation: manual'),
    );
    await runtime.run(plan.id);
    const parentRun = runtime.run(plan.id);
    await expect.poll(async () => (await children(runtime, plan)).length, { timeout: 10_000 }).toBe(1);
    const [kid] = await children(runtime, plan);
    expect(kid).toMatchObject({ phase: 'strategize', status: 'queued', automation: 'manual' });
    await runtime.runPhase(kid!.id, 'strategize');
    await runtime.runPhase(kid!.id, 'execute');
    expect((await runtime.getPlan(plan.id)).status).toBe('processing');
    await expect(runtime.runPhase(kid!.id, 'apply')).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      message: expect.stringContaining('it is a child plan'),
    });
    await runtime.runPhase(kid!.id, 'validate');
    // once it validated, the parent merges it and goes on
    await expect(parentRun).resolves.toMatchObject({ phase: 'execute', status: 'complete' });
    expect(await runtime.getPlan(kid!.id)).toMatchObject({ phase: 'apply', status: 'done' });
  });

  it('cancelling one child on purpose leaves the parent going: the child is recorded cancelled, the others merge (issue 35)', async () => {
    const { runtime } = await project();
    const slow = {
      goal: 'Slow',
      resourceScopes: ['slow.txt'],
      strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 20; echo s > slow.txt' })] },
    };
    const plan = await runtime.createPlan(
      group([slow, writer('a.txt', 'a\n')], { failurePolicy: 'fail-fast', retries: 1 }),
    );
    const running = runtime.run(plan.id);
    await expect
      .poll(async () => (await children(runtime, plan)).find((kid) => kid.goal === 'Slow')?.phase, { timeout: 10_000 })
      .toBe('execute');
    const slowKid = (await children(runtime, plan)).find((kid) => kid.goal === 'Slow')!;
    await runtime.cancel(slowKid.id, { reason: 'not needed after all' });
    const record = await running;
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null });
    expect(record.subplanStatuses[slowKid.id]).toMatchObject({
      status: 'cancelled',
      attempt: 1,
      error: { code: 'CANCELLED' },
    });
    expect(
      Object.values(record.subplanStatuses)
        .map((child) => child.status)
        .sort(),
    ).toEqual(['cancelled', 'complete']);
    expect((await runtime.changes(plan.id))?.files.map((file) => file.path)).toEqual(['a.txt']);
    const events = await runtime.events(plan.id);
    expect(
      events.find(
        (event) =>
          event.type === 'subplan.status' && event.data.childId === slowKid.id && event.data.status === 'cancelled',
      ),
    ).toBeDefined();
    expect(events.some((event) => event.type === 'step.failed' || event.type === 'phase.failed')).toBe(false);
    expect(await runtime.getPlan(slowKid.id)).toMatchObject({ status: 'cancelled' });
  });

  it('cancelling the parent cancels its running children', async () => {
    const { runtime } = await project();
    const slow = {
      goal: 'Slow',
      resourceScopes: ['x'],
      strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 20' })] },
    };
    const plan = await runtime.createPlan(group([slow, slow]));
    const running = runtime.run(plan.id);
    await expect
      .poll(async () => (await children(runtime, plan)).filter((kid) => kid.phase === 'execute').length, {
        timeout: 10_000,
      })
      .toBe(2);
    await runtime.cancel(plan.id);
    await expect(running).resolves.toMatchObject({ status: 'cancelled' });
    await expect
      .poll(async () => (await children(runtime, plan)).map((kid) => kid.status), { timeout: 5_000 })
      .toEqual(['cancelled', 'cancelled']);
  });

  it('cancelling a parent that merged its children ends them cancelled too, naming why (issue 74)', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(group([writer('a.txt', 'a\n'), writer('b.txt', 'b\n')]));
    await runtime.run(plan.id, { until: 'execute' });
    const merged = await children(runtime, plan);
    expect(merged.map((kid) => [kid.phase, kid.status])).toEqual([
      ['apply', 'done'],
      ['apply', 'done'],
    ]);
    await runtime.cancel(plan.id, { reason: 'changed my mind' });
    expect((await children(runtime, plan)).map((kid) => kid.status)).toEqual(['cancelled', 'cancelled']);
    for (const kid of merged) {
      const last = (await runtime.events(kid.id)).at(-1);
      expect(last).toMatchObject({ type: 'plan.cancelled', data: { reason: `its parent ${plan.name} was cancelled` } });
    }
    // the parent's own record of what it merged stays as it was
    expect(Object.values((await runtime.getPlan(plan.id)).subplanStatuses).map((child) => child.status)).toEqual([
      'complete',
      'complete',
    ]);
  });
});
