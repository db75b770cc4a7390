import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processesRunning, processesWith } from '../helpers/processes.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { attempt, openSuiteRuntime, project, runtime, setRuntime, tag, useEscapeSuite } from './escape-fixture.js';

// The escape suite's processes: whatever a command starts ends with it — and
// with troupe, when troupe is killed.

useEscapeSuite();

describe('nothing a command starts outlives it', () => {
  const gone = (marker: string) =>
    expect.poll(() => processesWith(marker), { timeout: 5_000, interval: 25 }).toEqual([]);

  it('a background process left by a step', async () => {
    const { record } = await attempt(`sleep 30.${tag}1 > /dev/null 2>&1 &`);
    expect(record).toMatchObject({ status: 'complete' });
    await gone(`sleep 30.${tag}1`);
  });

  it('setsid, which left the process group: it does not write into the next step', async () => {
    const { record, worktree } = await attempt([
      `setsid sh -c 'sleep 1; echo late > late.txt; sleep 30.${tag}2' > /dev/null 2>&1 &`,
      'sleep 2; test ! -e late.txt',
    ]);
    expect(record, JSON.stringify(record.error)).toMatchObject({ status: 'complete', lastCompletedStep: 1 });
    expect(existsSync(join(worktree, 'late.txt'))).toBe(false);
    await gone(`sleep 30.${tag}2`);
  });

  it('nohup', async () => {
    await attempt(`nohup sleep 30.${tag}3 > /dev/null 2>&1 &`);
    await gone(`sleep 30.${tag}3`);
  });

  it('a double fork', async () => {
    await attempt(`( sh -c 'sleep 30.${tag}4' > /dev/null 2>&1 & ) &`);
    await gone(`sleep 30.${tag}4`);
  });

  it('a step that timed out', async () => {
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/timeout',
        strategy: { steps: [step('Hang', 'shell/run', { command: `sleep 30.${tag}5 & wait`, timeoutMs: 500 })] },
      }),
    );
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
    await gone(`sleep 30.${tag}5`);
  });

  it('a plan cancelled while its step runs', async () => {
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/cancel',
        strategy: { steps: [step('Hang', 'shell/run', { command: `setsid sleep 30.${tag}6 & wait` })] },
      }),
    );
    const running = runtime.run(plan.id);
    await expect
      .poll(async () => (await processesRunning(`sleep 30.${tag}6`)).length, { timeout: 10_000, interval: 25 })
      .toBeGreaterThan(0);
    await runtime.cancel(plan.id);
    await expect(running).resolves.toMatchObject({ status: 'cancelled' });
    await gone(`sleep 30.${tag}6`);
  });

  it('a validate command', async () => {
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/validate',
        strategy: { steps: [] },
        validate: [{ run: `sleep 30.${tag}7 > /dev/null 2>&1 &` }],
      }),
    );
    expect(await runtime.run(plan.id, { until: 'validate' })).toMatchObject({ phase: 'validate', status: 'complete' });
    await gone(`sleep 30.${tag}7`);
  });

  it('a command invariant check', async () => {
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/check',
        invariants: [{ id: 'leaves', check: 'command', run: `sleep 30.${tag}8 > /dev/null 2>&1 & true` }],
      }),
    );
    expect(await runtime.run(plan.id, { until: 'strategize' })).toMatchObject({
      phase: 'strategize',
      status: 'complete',
    });
    await gone(`sleep 30.${tag}8`);
  });

  it('troupe killed with SIGKILL while the step runs', async () => {
    const plan = await runtime.createPlan(
      planYaml({
        name: 'escape/sigkill',
        strategy: {
          steps: [
            step('Hang', 'shell/run', { command: `setsid sh -c 'sleep 30.${tag}9' & nohup sleep 30.${tag}9 & wait` }),
          ],
        },
      }),
    );
    // the store is this runtime's: the other troupe needs it
    await runtime.close();
    let child: ChildProcess | undefined;
    try {
      child = spawn(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, 'escape-child.ts'), project, plan.id],
        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env } },
      );
      await expect
        .poll(async () => (await processesRunning(`sleep 30.${tag}9`)).length, { timeout: 20_000, interval: 25 })
        .toBe(2);
      child.kill('SIGKILL');
      await gone(`sleep 30.${tag}9`);
    } finally {
      child?.kill('SIGKILL');
      // the store is free once that process is gone, which a loaded machine takes a moment to finish
      if (child && child.exitCode === null && child.signalCode === null)
        await new Promise((resolve) => child!.once('exit', resolve));
      // (the cleanup closes whichever runtime is current)
      setRuntime(await openSuiteRuntime({ resume: false }));
    }
    // the interrupted plan runs its step again in a new process, from its last commit (and is cancelled here: it would hang)
    await runtime.cancel(plan.id);
  });
});
