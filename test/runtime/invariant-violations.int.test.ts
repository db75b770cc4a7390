import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git, visibleTempDir } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { cleanups, project } from './invariants-fixture.js';

describe('a violation', () => {
  const LEAKY = planYaml({
    name: 'demo/leaky',
    automation: 'review',
    invariants: [
      { id: 'has-source', check: 'file-exists', path: 'src/a.ts' },
      { id: 'no-debug-log', check: 'file-absent', path: 'debug.log' },
    ],
    strategy: {
      steps: [
        step('Add b', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' }),
        step('Leave a log', 'shell/run', { command: 'echo oops > debug.log' }),
        step('Never', 'fs/write-file', { path: 'src/never.ts', content: 'never\n' }),
      ],
    },
  });

  it('after a step fails execute before the next step, naming the invariant, and execute cannot run again', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(LEAKY);
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 1, toolCalls: 2 });
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      phase: 'execute',
      step: 1,
      retryable: false,
      message: 'invariant "no-debug-log" (plan) does not hold after step 2: debug.log exists',
      details: {
        trigger: 'post-step',
        violations: [{ id: 'no-debug-log', tier: 'plan', check: 'file-absent', message: 'debug.log exists' }],
      },
    });
    const worktree = join(dir, record.sandbox!.worktree);
    expect(existsSync(join(worktree, 'debug.log'))).toBe(true);
    expect(existsSync(join(worktree, 'src', 'never.ts'))).toBe(false);
    expect(git(worktree, 'rev-list', '--count', `${record.sandbox!.baseCommit}..HEAD`)).toBe('2');

    const events = await runtime.events(plan.id);
    expect(events.some((event) => event.type === 'step.started' && event.data.index === 2)).toBe(false);
    expect(events.slice(-4).map((event) => event.type)).toEqual([
      'step.completed',
      'invariant.violated',
      'checkpoint.created',
      'phase.failed',
    ]);
    expect(events.at(-3)!.data).toMatchObject({ trigger: 'post-step', step: 1 });
    // the step's checkpoint says the state it keeps broke an invariant: a revert skips it
    expect(events.at(-2)!.data).toMatchObject({ trigger: 'step', clean: false });
    expect(events.at(-1)).toMatchObject({ phase: 'execute', data: { code: 'INVARIANT_VIOLATED' } });

    // the violation is recorded under the step that caused it
    const { root } = await runtime.explain(plan.id);
    const leak = root!.children.find((child) => child.type === 'step' && child.payload.index === 1)!;
    expect(leak.children.map((child) => [child.type, child.payload.outcome, child.title])).toEqual([
      ['reconciliation', 'violated', '1 of 2 invariants violated after step 2'],
    ]);
    expect(leak.children[0]!.rationale).toBe('no-debug-log (plan, file-absent): debug.log exists');

    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    expect(await runtime.run(plan.id)).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 1 });
    expect(existsSync(join(worktree, 'src', 'never.ts'))).toBe(false);
  });

  it('after strategize blocks execute: no step runs', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'auto',
        invariants: [
          { id: 'licensed', check: 'file-exists', path: 'LICENSE' },
          { id: 'readme', check: 'file-exists', path: 'README.md' },
        ],
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'strategize', status: 'failed', lastCompletedStep: null });
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      phase: 'strategize',
      retryable: false,
      details: {
        trigger: 'post-strategize',
        violations: [{ id: 'licensed', tier: 'plan', check: 'file-exists', message: 'LICENSE does not exist' }],
      },
    });
    expect(record.error!.message).toBe(
      'invariant "licensed" (plan) does not hold after strategize: LICENSE does not exist',
    );
    await expect(runtime.runPhase(plan.id, 'execute')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    const events = await runtime.events(plan.id);
    expect(events.map((event) => event.type)).toEqual([
      'plan.created',
      'phase.started',
      'invariant.violated',
      'phase.failed',
    ]);
    const worktree = join(dir, record.sandbox!.worktree);
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(record.sandbox!.baseCommit);
    expect(existsSync(join(worktree, 'src', 'b.ts'))).toBe(false);
  });

  it('after validate blocks apply, and the project is untouched', async () => {
    const { dir, runtime } = await project();
    const head = git(dir, 'rev-parse', 'HEAD');
    const plan = await runtime.createPlan(
      planYaml({
        automation: 'auto',
        invariants: [{ id: 'no-coverage-files', check: 'file-absent', path: 'coverage.out' }],
        // validate leaves an artifact the invariant forbids
        validate: [{ run: 'echo 100% > coverage.out' }],
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'src/b.ts', content: 'b\n' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record).toMatchObject({ phase: 'validate', status: 'failed', appliedCommit: null });
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      phase: 'validate',
      details: {
        trigger: 'post-validate',
        violations: [{ id: 'no-coverage-files', tier: 'plan', message: 'coverage.out exists' }],
      },
    });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(dir, 'src', 'b.ts'))).toBe(false);
    const events = await runtime.events(plan.id);
    expect(events.some((event) => event.phase === 'apply')).toBe(false);
    expect(
      events.filter((event) => event.type.startsWith('invariant.')).map((event) => [event.type, event.data.trigger]),
    ).toEqual([
      ['invariant.reconciled', 'post-strategize'],
      ['invariant.reconciled', 'post-step'],
      ['invariant.violated', 'post-validate'],
    ]);
    await expect(runtime.runPhase(plan.id, 'apply')).rejects.toMatchObject({ code: 'PHASE_GUARD' });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('names every failed invariant with its tier when several fail at once', async () => {
    const { runtime } = await project({
      config: { invariants: [{ id: 'no-debug-log', check: 'file-absent', path: 'debug.log' }] },
    });
    const plan = await runtime.createPlan(
      planYaml({
        invariants: [
          {
            id: 'still-short',
            check: 'command',
            run: 'test ! -f debug.log || { echo "debug.log is not allowed" >&2; exit 1; }',
          },
        ],
        strategy: { steps: [step('Log', 'shell/run', { command: 'echo x > debug.log' })] },
      }),
    );
    const record = await runtime.run(plan.id);
    expect(record.error).toMatchObject({
      code: 'INVARIANT_VIOLATED',
      message: '2 invariants do not hold after step 1: no-debug-log (project), still-short (plan)',
      details: {
        violations: [
          { id: 'no-debug-log', tier: 'project', check: 'file-absent', message: 'debug.log exists' },
          { id: 'still-short', tier: 'plan', check: 'command', message: 'exit code 1: debug.log is not allowed' },
        ],
      },
    });
  });
});

describe('restarting a strategize that a violation failed', () => {
  // SPEC §5: strategize → strategize is allowed (restart a failed strategize).
  it('reconciles again instead of blaming the strategist for what the command check left in the sandbox', async () => {
    const { dir, runtime } = await project();
    const outside = await visibleTempDir('troupe-flag-');
    cleanups.push(outside.cleanup);
    const ready = join(outside.dir, 'ready');
    // a test suite that writes a report, and fails until something outside the sandbox is ready
    const plan = await runtime.createPlan(
      planYaml({ invariants: [{ id: 'suite', check: 'command', run: `echo report > report.txt; test -f ${ready}` }] }),
    );
    const failed = await runtime.run(plan.id, { until: 'strategize' });
    expect(failed).toMatchObject({ phase: 'strategize', status: 'failed', error: { code: 'INVARIANT_VIOLATED' } });
    // the check's report is in the sandbox: the strategist never wrote anything
    expect(existsSync(join(dir, failed.sandbox!.worktree, 'report.txt'))).toBe(true);

    writeFileSync(ready, '');
    const restarted = await runtime.runPhase(plan.id, 'strategize');
    expect(restarted.error).toBeNull();
    expect(restarted).toMatchObject({ phase: 'strategize', status: 'complete' });
  });

  it('starts from the project as it is now, and explains the new strategy, not the failed one', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({ invariants: [{ id: 'license', check: 'file-exists', path: 'LICENSE' }] }),
    );
    const failed = await runtime.run(plan.id, { until: 'strategize' });
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'INVARIANT_VIOLATED', hint: expect.stringContaining('troupe plan strategize') },
    });

    writeFileSync(join(dir, 'LICENSE'), 'MIT\n');
    git(dir, 'add', 'LICENSE');
    git(dir, 'commit', '-q', '-m', 'license');
    const head = git(dir, 'rev-parse', 'HEAD');
    const restarted = await runtime.runPhase(plan.id, 'strategize');

    expect(restarted).toMatchObject({
      phase: 'strategize',
      status: 'complete',
      sandbox: { baseCommit: head, headCommit: head },
    });
    expect(restarted.decisionRootId).not.toBe(failed.decisionRootId);
    const { root } = await runtime.explain(plan.id);
    expect(root?.id).toBe(restarted.decisionRootId);
    const reconciliation = root?.children.find((child) => child.type === 'reconciliation');
    expect(reconciliation?.payload).toMatchObject({ trigger: 'post-strategize', outcome: 'reconciled' });
  });
});
