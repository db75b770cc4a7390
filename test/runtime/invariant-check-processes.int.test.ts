import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore, defaultStorePath } from '../../src/store/index.js';
import { processesRunning, processesWith } from '../helpers/processes.js';
import { startCallCounter } from '../helpers/call-counter.js';
import { rejection } from '../helpers/rejection.js';
import { git, visibleTempDir } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { cleanups, flatten, project, projectDir, reconciledEvents, runtimeOn } from './invariants-fixture.js';

describe('checks that write and checks that run long', () => {
  it('what a command invariant leaves in the sandbox never reaches a step commit', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({
        resourceScopes: ['src/**'],
        // a build that leaves an artifact outside the plan's scopes
        invariants: [{ id: 'builds', check: 'command', run: 'echo built > build.log' }],
        strategy: {
          steps: [
            step('b', 'shell/run', { command: 'echo b > src/b.ts' }),
            step('c', 'shell/run', { command: 'echo c > src/c.ts' }),
          ],
        },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', error: null });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(
      git(worktree, 'log', '--format=', '--name-only', `${record.sandbox!.baseCommit}..HEAD`)
        .split('\n')
        .filter(Boolean)
        .sort(),
    ).toEqual(['src/b.ts', 'src/c.ts']);
    expect((await runtime.changes(plan.id))!.files.map((file) => file.path)).toEqual(['src/b.ts', 'src/c.ts']);
  });

  it('cancelling a plan stops the invariant check that is running and its processes', async () => {
    const { dir, runtime } = await project();
    const marker = `30.${process.pid}3`;
    const plan = await runtime.createPlan(
      planYaml({
        // the check says it started in the worktree, the only place it may write
        invariants: [
          {
            id: 'slow',
            check: 'command',
            run: `if [ -f src/b.ts ]; then touch check-started; sleep ${marker} & wait; fi`,
          },
        ],
        strategy: { steps: [step('b', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
      }),
    );
    const running = runtime.run(plan.id);
    const started = join(dir, '.troupe', 'worktrees', plan.id, 'check-started');
    await expect
      .poll(async () => existsSync(started) && (await processesRunning(`sleep ${marker}`)).length > 0, {
        timeout: 10_000,
        interval: 20,
      })
      .toBe(true);
    const cancelled = await runtime.cancel(plan.id);
    expect(cancelled).toMatchObject({ phase: 'execute', status: 'cancelled' });
    await expect(running).resolves.toMatchObject({ status: 'cancelled' });
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 5_000, interval: 20 }).toEqual([]);
    const events = await runtime.events(plan.id);
    expect(reconciledEvents(events).map(({ trigger }) => trigger)).toEqual(['post-strategize']);
    expect(events.at(-1)!.type).toBe('plan.cancelled');
    expect(existsSync(join(dir, '.troupe', 'worktrees', plan.id, 'src', 'b.ts'))).toBe(true);
  });

  it('a runtime closed while a post-step check runs: the next one runs the check again and finishes the plan exactly once', async () => {
    const dir = await projectDir();
    // the flag is outside the sandbox, where commands can read it; each run of the check is counted by a service (network: true)
    const outside = await visibleTempDir('troupe-flag-');
    cleanups.push(outside.cleanup);
    const counter = await startCallCounter();
    cleanups.push(counter.close);
    const slow = join(outside.dir, 'slow');
    writeFileSync(slow, '');
    const marker = `30.${process.pid}4`;
    const plan = planYaml({
      network: true,
      // runs only between the two steps (after step 1, before step 2 wrote b.txt); hangs while the flag is there
      invariants: [
        {
          id: 'between',
          check: 'command',
          run: `if [ -f a.txt ] && [ ! -f b.txt ]; then ${counter.call('between')}; if [ -f ${slow} ]; then sleep ${marker} & wait; fi; fi`,
        },
      ],
      strategy: {
        steps: [
          step('a', 'shell/run', { command: 'echo a >> a.txt' }),
          step('b', 'shell/run', { command: 'echo b >> b.txt' }),
        ],
      },
    });

    const first = await createRuntime({ dir, report: () => {} });
    const created = await first.createPlan(plan);
    const running = rejection(first.run(created.id));
    await expect
      .poll(async () => (await processesRunning(`sleep ${marker}`)).length > 0, { timeout: 10_000, interval: 20 })
      .toBe(true);
    await first.close();
    expect(await running).toMatchObject({ code: 'CANCELLED' });
    // closing stopped the check, and its processes with it
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 2_000, interval: 20 }).toEqual([]);
    // interrupted mid-reconciliation: step 1 is committed, the check after it had not answered
    const store = new LevelStore({ path: defaultStorePath(dir) });
    await store.open();
    const interrupted = (await store.getPlan(created.id))!;
    const journaled = await store.readEvents(created.id);
    await store.close();
    expect(interrupted).toMatchObject({ phase: 'execute', status: 'processing', lastCompletedStep: 0 });
    expect(reconciledEvents(journaled).map(({ trigger }) => trigger)).toEqual(['post-strategize']);
    rmSync(slow);

    const second = await runtimeOn(dir);
    const record = await second.run(created.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 1, error: null });

    // the interrupted reconciliation ran again, and recorded once
    expect(counter.counts()).toEqual({ between: 2 });
    const events = await second.events(created.id);
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.some((event) => event.type === 'plan.resumed')).toBe(true);
    expect(reconciledEvents(events).map(({ type, trigger, step: index }) => [type, trigger, index])).toEqual([
      ['invariant.reconciled', 'post-strategize', undefined],
      ['invariant.reconciled', 'post-step', 0],
      ['invariant.reconciled', 'post-step', 1],
      ['invariant.reconciled', 'post-validate', undefined],
    ]);
    expect(events.filter((event) => event.type === 'step.completed').map((event) => event.data.index)).toEqual([0, 1]);
    // in creation order (ids are monotonic ULIDs)
    const reconciliations = flatten((await second.explain(created.id)).root)
      .filter((decision) => decision.type === 'reconciliation')
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(reconciliations.map((decision) => [decision.payload.trigger, decision.payload.step])).toEqual([
      ['post-strategize', undefined],
      ['post-step', 0],
      ['post-step', 1],
      ['post-validate', undefined],
    ]);

    // every step's effect exactly once, one commit each
    const worktree = join(dir, record.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a\n');
    expect(readFileSync(join(worktree, 'b.txt'), 'utf8')).toBe('b\n');
    expect(git(worktree, 'rev-list', '--count', `${record.sandbox!.baseCommit}..HEAD`)).toBe('2');
    expect(git(worktree, 'status', '--porcelain')).toBe('');
  });
});
