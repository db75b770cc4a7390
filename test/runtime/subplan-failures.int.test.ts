import { describe, expect, it } from 'vitest';
import { startCallCounter } from '../helpers/call-counter.js';
import { processesWith } from '../helpers/processes.js';
import { step } from './fixtures.js';
import { cleanups, project } from './runtime-fixture.js';
import { children, group } from './subplans-fixture.js';

// A child that fails or outlives its deadline: retries, timeouts, and the
// group's failure policy.

describe('subplans on real git and LevelDB', () => {
  it('retries a failed child from strategize at the same spawn point, keeping its id and name', async () => {
    const { runtime } = await project();
    // a fresh sandbox per attempt keeps nothing: the attempts are counted by a service outside (network: true, inherited)
    const counter = await startCallCounter();
    cleanups.push(counter.close);
    const flaky = {
      goal: 'Flaky',
      resourceScopes: ['ok.txt'],
      strategy: {
        steps: [
          step('Once', 'shell/run', {
            command: `${counter.call('flaky')}; [ "$calls" -gt 1 ] || exit 3; echo ok > ok.txt`,
          }),
        ],
      },
    };
    const plan = await runtime.createPlan(group([flaky], { retries: 1 }, { network: true }));
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete' });
    const [kid] = await children(runtime, plan);
    expect(record.subplanStatuses[kid!.id]).toEqual({
      name: 'demo/fan-1',
      status: 'complete',
      attempt: 2,
      error: null,
    });
    const statuses = (await runtime.events(plan.id))
      .filter((event) => event.type === 'subplan.status')
      .map((event) => `${event.data.status}#${event.data.attempt}`);
    expect(statuses).toEqual(expect.arrayContaining(['retrying#2', 'complete#2']));
    expect(
      (await runtime.events(kid!.id)).some((event) => event.type === 'plan.resumed' && event.data.attempt === 2),
    ).toBe(true);
  });

  it('times an attempt out at its deadline, stops its processes, and fails the parent when no retry is left', async () => {
    const { runtime } = await project();
    const marker = `30.${process.pid}5`;
    const slow = {
      goal: 'Slow',
      resourceScopes: ['x'],
      strategy: { steps: [step('Sleep', 'shell/run', { command: `exec sleep ${marker}`, timeoutMs: 60_000 })] },
    };
    const plan = await runtime.createPlan(group([slow], { timeoutMs: 1_000 }));
    const started = Date.now();
    const record = await runtime.run(plan.id);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'TIMEOUT' } });
    const [kid] = await children(runtime, plan);
    expect(kid).toMatchObject({ status: 'cancelled' });
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 5_000 }).toEqual([]);
  });

  it('fail-fast cancels running siblings; continue lets them finish and merge, then fails the parent', async () => {
    const { runtime } = await project();
    const failing = {
      goal: 'Fail',
      resourceScopes: ['f'],
      strategy: { steps: [step('Fail', 'shell/run', { command: 'exit 7' })] },
    };
    const slow = {
      goal: 'Slow',
      resourceScopes: ['s.txt'],
      strategy: { steps: [step('Slow', 'shell/run', { command: 'sleep 2; echo s > s.txt' })] },
    };
    const fast = await runtime.createPlan(
      group([failing, slow], { failurePolicy: 'fail-fast' }).replace('demo/fan', 'demo/fast'),
    );
    const failed = await runtime.run(fast.id);
    expect(failed).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'TOOL_FAILED' } });
    expect(Object.values(failed.subplanStatuses).map((child) => child.status)).toEqual(['failed', 'cancelled']);

    const patient = await runtime.createPlan(
      group([failing, slow], { failurePolicy: 'continue' }).replace('demo/fan', 'demo/patient'),
    );
    const finished = await runtime.run(patient.id);
    expect(finished).toMatchObject({
      phase: 'execute',
      status: 'failed',
      error: { code: 'TOOL_FAILED', message: expect.stringContaining('1 of 2 child plans did not finish') },
    });
    expect(Object.values(finished.subplanStatuses).map((child) => child.status)).toEqual(['failed', 'complete']);
    expect((await runtime.changes(patient.id))?.files.map((file) => file.path)).toEqual(['s.txt']);
  });
});
