import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision, DecisionNode } from '../../src/domain/index.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { fanOutPlan, planYaml, projectWithRuntime, step } from './fixtures.js';

// Checkpoints, rollback and corrections (SPEC §10) on LevelDB and the memory
// store, on real git worktrees.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FILES = { 'README.md': '# project\n', 'a.txt': 'a0\n', 'gone.txt': 'to delete\n' };

const THREE_STEPS = planYaml({
  name: 'demo/three',
  automation: 'review',
  invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }],
  strategy: {
    steps: [
      step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' }),
      step('Add b', 'fs/write-file', { path: 'b.txt', content: 'b1\n' }),
      step('Read a', 'fs/read-file', { path: 'a.txt' }),
      step('Delete gone', 'fs/delete-file', { path: 'gone.txt' }),
    ],
  },
});

async function allDecisions(runtime: Runtime, planId: string): Promise<Decision[]> {
  const all: Decision[] = [];
  const walk = (node: DecisionNode) => {
    all.push(node);
    node.children.forEach(walk);
  };
  const { root } = await runtime.explain(planId);
  if (root) walk(root);
  return all.sort((a, b) => (a.id < b.id ? -1 : 1));
}

async function project(options: Omit<RuntimeOptions, 'dir'> = {}) {
  const made = await projectWithRuntime(FILES, options);
  cleanups.push(made.close);
  return made;
}

describe.each(['level', 'memory'] as const)('checkpoints on the %s store', (store) => {
  it('takes phase, pre-execute, step and post-execute checkpoints as the plan runs, each clean and small', async () => {
    const { runtime } = await project({ store });
    const plan = await runtime.run((await runtime.createPlan(THREE_STEPS)).id);
    expect(plan).toMatchObject({ phase: 'validate', status: 'complete' });
    const checkpoints = await runtime.checkpoints(plan.id);
    expect(checkpoints.map((checkpoint) => [checkpoint.trigger, checkpoint.phase, checkpoint.status])).toEqual([
      ['phase', 'strategize', 'complete'],
      ['pre-execute', 'execute', 'queued'],
      ['step', 'execute', 'queued'],
      ['step', 'execute', 'queued'],
      ['step', 'execute', 'queued'],
      ['post-execute', 'execute', 'complete'],
      ['phase', 'validate', 'complete'],
    ]);
    expect(checkpoints.every((checkpoint) => checkpoint.clean)).toBe(true);
    // the read-only step wrote nothing: no checkpoint of its own
    expect(checkpoints.map((checkpoint) => checkpoint.sideEffects)).toEqual([0, 0, 1, 2, 3, 3, 3]);
    expect(checkpoints.map((checkpoint) => checkpoint.toolCalls)).toEqual([0, 0, 1, 2, 4, 4, 4]);
    const events = await runtime.events(plan.id);
    expect(events.filter((event) => event.type === 'checkpoint.created')).toHaveLength(7);
  });

  it('rolls back files, decisions and state to a step checkpoint, and undoes the rollback', async () => {
    const { runtime, dir } = await project({ store });
    const plan = await runtime.run((await runtime.createPlan(THREE_STEPS)).id);
    const worktree = join(dir, plan.sandbox!.worktree);
    const [, , afterFirst] = await runtime.checkpoints(plan.id);
    const preview = await runtime.previewRollback(plan.id, { to: afterFirst!.id });
    expect(preview.changes).toEqual([
      { file: 'b.txt', action: 'deleted' },
      { file: 'gone.txt', action: 'recreated' },
    ]);
    expect(preview.restores).toEqual({ phase: 'execute', status: 'queued' });

    const result = await runtime.rollback(plan.id, { to: afterFirst!.id });
    expect(result).toMatchObject({ planId: plan.id, restored: { phase: 'execute', status: 'queued' }, reversionCount: 1, childPlansInvalidated: [] });
    expect(result.changesReverted).toEqual(preview.changes);
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a1\n');
    expect(existsSync(join(worktree, 'b.txt'))).toBe(false);
    expect(readFileSync(join(worktree, 'gone.txt'), 'utf8')).toBe('to delete\n');
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(afterFirst!.sandboxCommit);
    const rolled = await runtime.getPlan(plan.id);
    expect(rolled).toMatchObject({ phase: 'execute', status: 'queued', reversionCount: 1, lastCheckpointId: afterFirst!.id });
    // the reconciliations of the steps after it, and of validate, are discarded; the rollback is recorded
    const decisions = await allDecisions(runtime, plan.id);
    const discarded = decisions.filter((decision) => decision.status === 'discarded');
    expect(discarded.map((decision) => decision.type)).toEqual(['reconciliation', 'reconciliation', 'reconciliation', 'reconciliation']);
    expect(result.decisionsDiscarded).toBe(4);
    expect(decisions.find((decision) => decision.id === result.decisionId)).toMatchObject({ type: 'rollback', status: 'active', payload: { checkpointId: afterFirst!.id, undoCheckpointId: result.undoCheckpointId } });

    // execute runs the remaining steps again
    const again = await runtime.run(plan.id);
    expect(again).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(existsSync(join(worktree, 'b.txt'))).toBe(true);

    // undo: back to the state before the rollback
    const undo = await runtime.rollback(plan.id, { to: result.undoCheckpointId });
    expect(undo.restored).toEqual({ phase: 'validate', status: 'complete' });
    // undoing gives the rollback's reversion back
    expect(undo.reversionCount).toBe(0);
    expect(existsSync(join(worktree, 'gone.txt'))).toBe(false);
    // what the first rollback discarded is active again; what ran after it, and the rollback itself, are not
    const after = await allDecisions(runtime, plan.id);
    const statusOf = (id: string) => after.find((decision) => decision.id === id)?.status;
    for (const decision of discarded) expect(statusOf(decision.id)).toBe('active');
    expect(statusOf(result.decisionId)).toBe('discarded');
    expect(statusOf(undo.decisionId)).toBe('active');
  });
});

describe('rollback of a worktree edited while the plan rested', () => {
  it('reverts and lists what was left uncommitted — an edit and a new file — with the commits since the checkpoint', async () => {
    const { runtime, dir } = await project({ store: 'level' });
    const plan = await runtime.run((await runtime.createPlan(THREE_STEPS)).id);
    const worktree = join(dir, plan.sandbox!.worktree);
    const [, , afterFirst] = await runtime.checkpoints(plan.id);
    writeFileSync(join(worktree, 'a.txt'), 'edited by hand\n');
    writeFileSync(join(worktree, 'wip.txt'), 'not committed\n');

    const result = await runtime.rollback(plan.id, { to: afterFirst!.id });
    expect(result.changesReverted).toEqual([
      { file: 'a.txt', action: 'restored' },
      { file: 'b.txt', action: 'deleted' },
      { file: 'gone.txt', action: 'recreated' },
      { file: 'wip.txt', action: 'restored' },
    ]);
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a1\n');
    expect(existsSync(join(worktree, 'wip.txt'))).toBe(false);
    expect(existsSync(join(worktree, 'b.txt'))).toBe(false);
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(afterFirst!.sandboxCommit);
  });
});

describe('what counts as a reversion (LevelDB)', () => {
  it('lets the third rollback under maxReversions 3 be undone, giving its reversion back', async () => {
    const { runtime } = await project({ store: 'level' });
    const plan = await runtime.run((await runtime.createPlan(THREE_STEPS.replace('demo/three', 'demo/thrice'))).id);
    const [, , afterFirst] = await runtime.checkpoints(plan.id);
    let last = null as Awaited<ReturnType<typeof runtime.rollback>> | null;
    for (let round = 1; round <= 3; round++) {
      last = await runtime.rollback(plan.id, { to: afterFirst!.id });
      expect(last.reversionCount).toBe(round);
      await runtime.run(plan.id);
    }
    // a fourth is refused, and changes nothing
    const before = await runtime.getPlan(plan.id);
    await expect(runtime.rollback(plan.id, { to: afterFirst!.id })).rejects.toMatchObject({ code: 'REVERSION_LIMIT' });
    expect(await runtime.getPlan(plan.id)).toEqual(before);
    // the undo of the third works and gives its reversion back
    const undo = await runtime.rollback(plan.id, { to: last!.undoCheckpointId });
    expect(undo).toMatchObject({ reversionCount: 2, restored: { phase: 'validate', status: 'complete' } });
    expect(await runtime.getPlan(plan.id)).toMatchObject({ reversionCount: 2 });
  });

  it('does not count a rollback that reverts nothing', async () => {
    const { runtime } = await project({ store: 'level' });
    const plan = await runtime.run((await runtime.createPlan(THREE_STEPS.replace('demo/three', 'demo/same'))).id, { until: 'strategize' });
    const [phase] = await runtime.checkpoints(plan.id);
    // back to the checkpoint of the state it is in: no file, decision or child plan goes back
    const same = await runtime.rollback(plan.id, { to: phase!.id });
    expect(same).toMatchObject({ reversionCount: 0, changesReverted: [], decisionsDiscarded: 0 });
    expect(await runtime.getPlan(plan.id)).toMatchObject({ reversionCount: 0 });
  });

  it('does not count a revert that reverts nothing, even at maxReversions: 0 (issue 36)', async () => {
    const { runtime } = await project({ store: 'level' });
    const yaml = planYaml({ name: 'demo/nothing', automation: 'manual', maxReversions: 0, strategy: { steps: [step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' })] } });
    const plan = await runtime.run((await runtime.createPlan(yaml)).id, { until: 'execute' });
    expect(plan).toMatchObject({ phase: 'execute', status: 'complete' });
    // the newest clean checkpoint is the one after the last step: execute · queued, nothing to put back
    const revert = await runtime.correct(plan.id, { mode: 'revert' });
    expect(revert.rollback).toMatchObject({ checkpoint: { trigger: 'step' }, changesReverted: [], decisionsDiscarded: 0, childPlansInvalidated: [], reversionCount: 0 });
    expect(await runtime.getPlan(plan.id)).toMatchObject({ reversionCount: 0 });
    // one that puts a file back counts, and so is over the limit
    const [, preExecute] = await runtime.checkpoints(plan.id);
    await expect(runtime.rollback(plan.id, { to: preExecute!.id })).rejects.toMatchObject({ code: 'REVERSION_LIMIT' });
  });
});

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

describe.each(['level', 'memory'] as const)('manual checkpoints and corrections on the %s store', (store) => {
  it('takes manual checkpoints from the runtime and from a step, finds them by label, deletes and prunes', async () => {
    const { runtime } = await project({ store });
    const plan = await runtime.createPlan(
      planYaml({
        name: 'demo/manual',
        automation: 'review',
        strategy: {
          steps: [
            step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' }),
            step('Mark', 'system/create-checkpoint', { label: 'after-a' }),
            step('Write b', 'fs/write-file', { path: 'b.txt', content: 'b1\n' }),
          ],
        },
      }),
    );
    const before = await runtime.createCheckpoint(plan.id, { label: 'fresh' });
    expect(before).toMatchObject({ trigger: 'manual', label: 'fresh', phase: 'strategize', status: 'queued', sandboxCommit: null });
    const done = await runtime.run(plan.id);
    const marked = await runtime.checkpoint(plan.id, 'after-a');
    // taken inside step 2: it holds the plan as that step started, after step 1's commit
    expect(marked).toMatchObject({ trigger: 'manual', phase: 'execute', status: 'queued' });
    const afterA = (await runtime.checkpoints(plan.id)).find((checkpoint) => checkpoint.trigger === 'step')!;
    expect(marked.sandboxCommit).toBe(afterA.sandboxCommit);

    const rolled = await runtime.rollback(plan.id, { to: 'after-a' });
    expect(rolled.checkpoint).toMatchObject({ id: marked.id, label: 'after-a' });
    expect(rolled.changesReverted).toEqual([{ file: 'b.txt', action: 'deleted' }]);
    await expect(runtime.checkpoint(plan.id, 'nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    expect(await runtime.deleteCheckpoint(plan.id, 'fresh')).toMatchObject({ id: before.id });
    await expect(runtime.checkpoint(plan.id, before.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });

    await runtime.createCheckpoint(plan.id, { label: 'later' });
    const all = await runtime.checkpoints(plan.id);
    expect(all.at(-1)?.label).toBe('later');
    const pruned = await runtime.pruneCheckpoints(plan.id, 1);
    // the newest stays, and the undo checkpoint of the active rollback
    expect(pruned.kept.sort()).toEqual([all.at(-1)!.id, rolled.undoCheckpointId].sort());
    expect(pruned.deleted).toHaveLength(all.length - 2);
    expect((await runtime.checkpoints(plan.id)).map((checkpoint) => checkpoint.id).sort()).toEqual(pruned.kept.sort());
    expect(done.status).toBe('complete');
  });

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
    expect(decisions.find((decision) => decision.id === first.decisionId)).toMatchObject({ type: 'correction', rationale: 'debug output left behind', payload: { mode: 'revert', checkpointId: clean.id } });
    // reconciled after the correction, then execute ran again per the automation: the same step breaks the rule again
    const events = await runtime.events(failed.id);
    expect(events.some((event) => event.type === 'invariant.reconciled' && event.data.trigger === 'post-correction')).toBe(true);
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
    const result = await runtime.correct(failed.id, { mode: 'append', steps: { title: 'Fix it', tool: 'fs/write-file', input: { path: 'fixed.txt', content: 'ok\n' } }, reason: 'validate wants fixed.txt' });
    expect(result.plan).toMatchObject({ phase: 'validate', status: 'complete', lastCompletedStep: 1 });
    expect(result.plan.strategyDecisionIds).toEqual([failed.strategyDecisionIds[0], result.appended[0]]);
    expect(readFileSync(join(dir, result.plan.sandbox!.worktree, 'fixed.txt'), 'utf8')).toBe('ok\n');
    const decisions = await allDecisions(runtime, failed.id);
    expect(decisions.find((decision) => decision.id === result.appended[0])).toMatchObject({ type: 'step', parentId: result.decisionId, title: 'Fix it' });
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
        strategy: { steps: [step('Write bad', 'fs/write-file', { path: 'bad.txt', content: 'oops\n' }), step('Write good', 'fs/write-file', { path: 'good.txt', content: 'ok\n' })] },
      }),
    );
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({ phase: 'execute', status: 'failed', lastCompletedStep: 0, error: { code: 'INVARIANT_VIOLATED', hint: expect.stringContaining('troupe plan correct demo/bad --mode append') } });
    expect(failed.error!.hint).not.toMatch(/cancel/);

    const result = await runtime.correct(plan.id, { mode: 'append', steps: [step('Remove bad', 'fs/delete-file', { path: 'bad.txt' }), step('Note it', 'fs/write-file', { path: 'fix.txt', content: 'fixed\n' })], reason: 'bad.txt broke no-bad' });
    // the appended steps ran, the correction was reconciled after the last of them, and the plan went on with its own next step
    expect(result.plan).toMatchObject({ phase: 'validate', status: 'complete', error: null, lastCompletedStep: 3 });
    const worktree = join(dir, result.plan.sandbox!.worktree);
    expect(existsSync(join(worktree, 'bad.txt'))).toBe(false);
    expect(readFileSync(join(worktree, 'fix.txt'), 'utf8')).toBe('fixed\n');
    expect(readFileSync(join(worktree, 'good.txt'), 'utf8')).toBe('ok\n');
    const reconciled = (await runtime.events(plan.id)).filter((event) => event.type === 'invariant.reconciled' || event.type === 'invariant.violated').map((event) => [event.type, event.data.trigger]);
    expect(reconciled).toEqual([
      ['invariant.reconciled', 'post-strategize'],
      ['invariant.violated', 'post-step'],
      // one check for the correction, after both appended steps (none between them), then the plan's own step
      ['invariant.reconciled', 'post-correction'],
      ['invariant.reconciled', 'post-step'],
      ['invariant.reconciled', 'post-validate'],
    ]);
    const reconciliation = (await allDecisions(runtime, plan.id)).filter((decision) => decision.type === 'reconciliation' && decision.parentId === result.decisionId);
    expect(reconciliation).toHaveLength(1);
  });

  it('starts an appended step from the last step commit, whatever was written into the sandbox while the plan rested', async () => {
    const { runtime, dir } = await project({ store });
    const executed = await runtime.run((await runtime.createPlan(THREE_STEPS)).id, { until: 'execute' });
    const worktree = join(dir, executed.sandbox!.worktree);
    // this process saw the sandbox clean after its last step; a hand edit since must not ride into the next commit
    writeFileSync(join(worktree, 'stray.txt'), 'not a step\n');
    const result = await runtime.correct(executed.id, { mode: 'append', steps: { title: 'Fix it', tool: 'fs/write-file', input: { path: 'fixed.txt', content: 'ok\n' } } });
    expect(result.plan.lastCompletedStep).toBe(executed.lastCompletedStep! + 1);
    expect(existsSync(join(worktree, 'stray.txt'))).toBe(false);
    expect(git(worktree, 'show', '--name-only', '--format=', 'HEAD').trim()).toBe('fixed.txt');
  });

  it('refuses bad requests with a coded error and changes nothing', async () => {
    const { runtime } = await project({ store });
    const plan = await runtime.run((await runtime.createPlan(THREE_STEPS)).id);
    const other = await runtime.createPlan(THREE_STEPS.replace('demo/three', 'demo/other'));
    const otherCheckpoint = await runtime.createCheckpoint(other.id, { label: 'mine' });
    const unchanged = async () => {
      expect(await runtime.getPlan(plan.id)).toEqual(plan);
      expect(await runtime.checkpoints(plan.id)).toHaveLength(7);
    };
    await expect(runtime.rollback(plan.id, { to: '01J0000000000000000000NOPE' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(runtime.rollback(plan.id, { to: otherCheckpoint.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(runtime.correct(plan.id, {} as never)).rejects.toMatchObject({ code: 'VALIDATION_ERROR', details: { issues: [{ path: 'mode' }] } });
    await expect(runtime.correct(plan.id, { mode: 'sideways' } as never)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(runtime.correct(plan.id, { mode: 'append', steps: { title: 'x', tool: 'fs/nope', input: {} } })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(runtime.correct(plan.id, { mode: 'append', steps: [{ tool: 'fs/write-file', input: {} }] } as never)).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('step[0].title: is required'),
      hint: expect.stringContaining('a step is {"title"'),
    });
    await expect(runtime.correct(plan.id, { mode: 'append', steps: { title: 'x', tool: 'fs/write-file', input: { path: '../out', content: '' } } })).rejects.toMatchObject({
      code: 'SANDBOX_ESCAPE',
    });
    await expect(runtime.createCheckpoint(plan.id, { label: '' })).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(runtime.pruneCheckpoints(plan.id, -1)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await unchanged();
    // a plan that has not run: no checkpoint before where it stands, and nothing to append steps to
    await expect(runtime.rollback(other.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('before the current state of demo/other') });
    await expect(runtime.correct(other.id, { mode: 'append', steps: { title: 'x', tool: 'fs/write-file', input: { path: 'x.txt', content: '' } } })).rejects.toMatchObject({
      code: 'PHASE_GUARD',
      message: expect.stringContaining('steps are appended to a plan past strategize and at rest; it is (strategize, queued)'),
    });
    await runtime.cancel(other.id);
    await expect(runtime.rollback(other.id, { to: otherCheckpoint.id })).rejects.toMatchObject({ code: 'PHASE_GUARD' });
  });
});

const FAN_OUT = fanOutPlan();

describe('rollback with child plans (LevelDB)', () => {
  it('invalidates the children started after the checkpoint, removes their worktrees, and starts them over on the next run', async () => {
    const { runtime, dir } = await project({ store: 'level' });
    const plan = await runtime.run((await runtime.createPlan(FAN_OUT)).id);
    expect(plan).toMatchObject({ phase: 'validate', status: 'complete' });
    const worktree = join(dir, plan.sandbox!.worktree);
    const children = (await runtime.tree(plan.id)).children;
    expect(children.map((child) => child.status)).toEqual(['done', 'done']);
    const checkpoints = await runtime.checkpoints(plan.id);
    // one post-merge per child; one pre-merge per round (both children in one round when both validated before the first merge)
    expect(checkpoints.filter((checkpoint) => checkpoint.trigger === 'post-merge')).toHaveLength(2);
    expect(checkpoints.filter((checkpoint) => checkpoint.trigger === 'pre-merge').length).toBeOneOf([1, 2]);
    const preExecute = checkpoints.find((checkpoint) => checkpoint.trigger === 'pre-execute')!;
    expect(preExecute.childPlanIds).toEqual([]);

    const preview = await runtime.previewRollback(plan.id, { to: preExecute.id });
    expect(preview.childPlansToInvalidate.map((child) => child.name)).toEqual(['demo/fan-1', 'demo/fan-2']);
    const result = await runtime.rollback(plan.id, { to: preExecute.id });
    expect(result.childPlansInvalidated.sort()).toEqual(children.map((child) => child.id).sort());
    expect(result.changesReverted.map((change) => change.file)).toEqual(['after.txt', 'x.txt', 'y.txt']);
    for (const child of children) {
      const record = await runtime.getPlan(child.id);
      expect(record.status).toBe('invalidated');
      expect(existsSync(join(dir, record.sandbox!.worktree))).toBe(false);
      expect((await runtime.events(child.id)).at(-1)).toMatchObject({ type: 'plan.invalidated' });
    }
    expect(existsSync(join(worktree, 'x.txt'))).toBe(false);

    // the same children (their ids were decided at strategize) start over
    const again = await runtime.run(plan.id);
    expect(again).toMatchObject({ phase: 'validate', status: 'complete' });
    expect((await runtime.tree(plan.id)).children.map((child) => [child.id, child.status])).toEqual(children.map((child) => [child.id, 'done']));
    for (const name of ['x', 'y', 'after']) expect(readFileSync(join(worktree, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
  });

  it('goes back to between two merges: the later merge is undone and made again on the next run', async () => {
    const { runtime, dir } = await project({ store: 'level' });
    const plan = await runtime.run((await runtime.createPlan(FAN_OUT)).id);
    const worktree = join(dir, plan.sandbox!.worktree);
    const [firstMerge] = (await runtime.checkpoints(plan.id)).filter((checkpoint) => checkpoint.trigger === 'post-merge');
    const result = await runtime.rollback(plan.id, { to: firstMerge!.id });
    // both children had started: neither is invalidated
    expect(result.childPlansInvalidated).toEqual([]);
    expect(result.restored).toEqual({ phase: 'execute', status: 'queued' });
    expect(existsSync(join(worktree, 'x.txt'))).toBe(true);
    expect(existsSync(join(worktree, 'y.txt'))).toBe(false);
    const again = await runtime.run(plan.id);
    expect(again).toMatchObject({ phase: 'validate', status: 'complete' });
    for (const name of ['x', 'y', 'after']) expect(readFileSync(join(worktree, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
  });
});

describe('the default rollback target', () => {
  it('is the newest checkpoint before the current state, never one of the future a rollback left', async () => {
    const { runtime } = await project({ store: 'level' });
    const plan = await runtime.run((await runtime.createPlan(THREE_STEPS)).id);
    const all = await runtime.checkpoints(plan.id);
    const postExecute = all.find((checkpoint) => checkpoint.trigger === 'post-execute')!;
    // (validate, complete): its own phase checkpoint holds the state it is in, so the one before it
    expect((await runtime.previewRollback(plan.id)).checkpoint.id).toBe(postExecute.id);
    const first = await runtime.rollback(plan.id);
    expect(first.restored).toEqual({ phase: 'execute', status: 'complete' });
    // now (execute, complete): the newest before it is the last step's — not the validate one it left
    const lastStep = all.filter((checkpoint) => checkpoint.trigger === 'step').at(-1)!;
    expect((await runtime.previewRollback(plan.id)).checkpoint.id).toBe(lastStep.id);
    // undoing the rollback brings that future back, and with it the default
    await runtime.rollback(plan.id, { to: first.undoCheckpointId });
    expect((await runtime.previewRollback(plan.id)).checkpoint.id).toBe(postExecute.id);
  });
});

describe('a rollback by a runtime that has not restored the plan (LevelDB)', () => {
  it('keeps the step list in the undo checkpoint, so the undo brings it back whole', async () => {
    const repo = await tempRepo(FILES);
    cleanups.push(repo.cleanup);
    const first = await createRuntime({ dir: repo.dir, store: 'level', report: () => {} });
    const plan = await first.run((await first.createPlan(THREE_STEPS)).id);
    await first.close();
    // a CLI command's runtime: nothing restored until it acts on a plan
    const runtime = await createRuntime({ dir: repo.dir, store: 'level', resume: false, report: () => {} });
    cleanups.push(() => runtime.close());
    const [, , afterFirst] = await runtime.checkpoints(plan.id);
    const rolled = await runtime.rollback(plan.id, { to: afterFirst!.id });
    expect((await runtime.checkpoint(plan.id, rolled.undoCheckpointId)).stepIds).toEqual(plan.strategyDecisionIds);
    await runtime.rollback(plan.id, { to: rolled.undoCheckpointId });
    expect((await runtime.getPlan(plan.id)).strategyDecisionIds).toEqual(plan.strategyDecisionIds);
  });
});
