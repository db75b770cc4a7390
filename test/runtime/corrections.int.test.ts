import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { git } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { allDecisions, project, THREE_STEPS } from './checkpoint-fixture.js';
import { planYaml, step } from './fixtures.js';

// Corrections (SPEC §10): revert to the newest clean checkpoint, or append
// steps after the last executed one, then reconcile and run on.

// step 2 leaves a debug.log behind, which an invariant forbids
const BREAKS_RULE = planYaml({
  name: 'demo/debug',
  automation: 'review',
  maxReversions: 2,
  invariants: [{ id: 'no-debug-log', check: 'file-absent', path: 'debug.log' }],
  strategy: {
    steps: [
      step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' }),
      step('Debug', 'shell/run', { command: 'echo trace > debug.log; echo x >> a.txt' }),
    ],
  },
});

const NEEDS_FIX = planYaml({
  name: 'demo/fix',
  automation: 'review',
  validate: [{ run: 'test -f fixed.txt' }],
  strategy: { steps: [step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' })] },
});

describe.each(['level', 'memory'] as const)('corrections on the %s store', (store) => {
  it('reverts to the newest clean checkpoint with a correction decision, runs on, and stops at maxReversions', async () => {
    const { runtime, dir } = await project({ store });
    const failed = await runtime.run((await runtime.createPlan(BREAKS_RULE)).id);
    expect(failed).toMatchObject({ phase: 'execute', status: 'failed', error: { code: 'INVARIANT_VIOLATED' } });
    const checkpoints = await runtime.checkpoints(failed.id);
    expect(checkpoints.at(-1)).toMatchObject({ trigger: 'step', clean: false });
    const clean = checkpoints.filter((checkpoint) => checkpoint.clean).at(-1)!;

    const first = await runtime.correct(failed.id, { mode: 'revert', reason: 'debug output left behind' });
    expect(first.rollback?.checkpoint.id).toBe(clean.id);
    expect(first.rollback?.changesReverted).toEqual([
      { file: 'a.txt', action: 'restored' },
      { file: 'debug.log', action: 'deleted' },
    ]);
    const decisions = await allDecisions(runtime, failed.id);
    expect(decisions.find((decision) => decision.id === first.decisionId)).toMatchObject({
      type: 'correction',
      rationale: 'debug output left behind',
      payload: { mode: 'revert', checkpointId: clean.id },
    });
    // reconciled after the correction, then execute ran again per the automation: the same step breaks the rule again
    const events = await runtime.events(failed.id);
    expect(
      events.some((event) => event.type === 'invariant.reconciled' && event.data.trigger === 'post-correction'),
    ).toBe(true);
    expect(first.plan).toMatchObject({ phase: 'execute', status: 'failed', reversionCount: 1 });
    expect(existsSync(join(dir, first.plan.sandbox!.worktree, 'debug.log'))).toBe(true);

    const second = await runtime.correct(failed.id, { mode: 'revert' });
    expect(second.plan.reversionCount).toBe(2);
    const third = await rejection(runtime.correct(failed.id, { mode: 'revert' }));
    expect(third).toMatchObject({ code: 'REVERSION_LIMIT' });
    expect(await runtime.getPlan(failed.id)).toMatchObject({ reversionCount: 2, status: 'failed' });
  });

  it('appends a correction step after the last executed one, reconciles, and runs it', async () => {
    const { runtime, dir } = await project({ store });
    const failed = await runtime.run((await runtime.createPlan(NEEDS_FIX)).id);
    expect(failed).toMatchObject({ phase: 'validate', status: 'failed' });
    const result = await runtime.correct(failed.id, {
      mode: 'append',
      steps: { title: 'Fix it', tool: 'fs/write-file', input: { path: 'fixed.txt', content: 'ok\n' } },
      reason: 'validate wants fixed.txt',
    });
    expect(result.plan).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 1 });
    expect(result.plan.strategyDecisionIds).toEqual([failed.strategyDecisionIds[0], result.appended[0]]);
    expect(readFileSync(join(dir, result.plan.sandbox!.worktree, 'fixed.txt'), 'utf8')).toBe('ok\n');
    const decisions = await allDecisions(runtime, failed.id);
    expect(decisions.find((decision) => decision.id === result.appended[0])).toMatchObject({
      type: 'step',
      parentId: result.decisionId,
      title: 'Fix it',
    });
    // undoing the correction takes the appended step away again
    const undo = await runtime.rollback(failed.id, { to: result.undoCheckpointId });
    expect(undo.restored).toEqual({ phase: 'validate', status: 'failed' });
    expect((await runtime.getPlan(failed.id)).strategyDecisionIds).toEqual(failed.strategyDecisionIds);
  });

  it('runs the appended steps of a correction first, then reconciles: a broken invariant is mended by the step that mends it', async () => {
    const { runtime, dir } = await project({ store });
    const plan = await runtime.createPlan(
      planYaml({
        name: 'demo/bad',
        automation: 'review',
        invariants: [{ id: 'no-bad', check: 'file-absent', path: 'bad.txt' }],
        validate: [{ run: 'test ! -e bad.txt' }],
        strategy: {
          steps: [
            step('Write bad', 'fs/write-file', { path: 'bad.txt', content: 'oops\n' }),
            step('Write good', 'fs/write-file', { path: 'good.txt', content: 'ok\n' }),
          ],
        },
      }),
    );
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({
      phase: 'execute',
      status: 'failed',
      lastCompletedStep: 0,
      error: {
        code: 'INVARIANT_VIOLATED',
        hint: expect.stringContaining('troupe plan correct demo/bad --mode append'),
      },
    });
    expect(failed.error!.hint).not.toMatch(/cancel/);

    const result = await runtime.correct(plan.id, {
      mode: 'append',
      steps: [
        step('Remove bad', 'fs/delete-file', { path: 'bad.txt' }),
        step('Note it', 'fs/write-file', { path: 'fix.txt', content: 'fixed\n' }),
      ],
      reason: 'bad.txt broke no-bad',
    });
    // the appended steps ran, the correction was reconciled after the last of them, and the plan went on with its own next step
    expect(result.plan).toMatchObject({ phase: 'validate', status: 'complete', error: null, lastCompletedStep: 3 });
    const worktree = join(dir, result.plan.sandbox!.worktree);
    expect(existsSync(join(worktree, 'bad.txt'))).toBe(false);
    expect(readFileSync(join(worktree, 'fix.txt'), 'utf8')).toBe('fixed\n');
    expect(readFileSync(join(worktree, 'good.txt'), 'utf8')).toBe('ok\n');
    const reconciled = (await runtime.events(plan.id))
      .filter((event) => event.type === 'invariant.reconciled' || event.type === 'invariant.violated')
      .map((event) => [event.type, event.data.trigger]);
    expect(reconciled).toEqual([
      ['invariant.reconciled', 'post-strategize'],
      ['invariant.violated', 'post-step'],
      // one check for the correction, after both appended steps (none between them), then the plan's own step
      ['invariant.reconciled', 'post-correction'],
      ['invariant.reconciled', 'post-step'],
      ['invariant.reconciled', 'post-validate'],
    ]);
    const reconciliation = (await allDecisions(runtime, plan.id)).filter(
      (decision) => decision.type === 'reconciliation' && decision.parentId === result.decisionId,
    );
    expect(reconciliation).toHaveLength(1);
  });

  it('starts an appended step from the last step commit, whatever was written into the sandbox while the plan rested', async () => {
    const { runtime, dir } = await project({ store });
    const executed = await runtime.run((await runtime.createPlan(THREE_STEPS)).id, { until: 'execute' });
    const worktree = join(dir, executed.sandbox!.worktree);
    // this process saw the sandbox clean after its last step; a hand edit since must not ride into the next commit
    writeFileSync(join(worktree, 'stray.txt'), 'not a step\n');
    const result = await runtime.correct(executed.id, {
      mode: 'append',
      steps: { title: 'Fix it', tool: 'fs/write-file', input: { path: 'fixed.txt', content: 'ok\n' } },
    });
    expect(result.plan.lastCompletedStep).toBe(executed.lastCompletedStep! + 1);
    expect(existsSync(join(worktree, 'stray.txt'))).toBe(false);
    expect(git(worktree, 'show', '--name-only', '--format=', 'HEAD').trim()).toBe('fixed.txt');
  });
});
