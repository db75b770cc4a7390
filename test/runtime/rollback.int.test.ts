import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { allDecisions, cleanups, FILES, project, THREE_STEPS } from './checkpoint-fixture.js';

// Rolling a plan back to a checkpoint (SPEC §10) — files, decisions and state
// — and undoing it; what it reverts, and where it goes by default.

describe.each(['level', 'memory'] as const)('rollback on the %s store', (store) => {
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
    expect(result).toMatchObject({
      planId: plan.id,
      restored: { phase: 'execute', status: 'queued' },
      reversionCount: 1,
      childPlansInvalidated: [],
    });
    expect(result.changesReverted).toEqual(preview.changes);
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a1\n');
    expect(existsSync(join(worktree, 'b.txt'))).toBe(false);
    expect(readFileSync(join(worktree, 'gone.txt'), 'utf8')).toBe('to delete\n');
    expect(git(worktree, 'rev-parse', 'HEAD')).toBe(afterFirst!.sandboxCommit);
    const rolled = await runtime.getPlan(plan.id);
    expect(rolled).toMatchObject({
      phase: 'execute',
      status: 'queued',
      reversionCount: 1,
      lastCheckpointId: afterFirst!.id,
    });
    // the reconciliations of the steps after it, and of validate, are discarded; the rollback is recorded
    const decisions = await allDecisions(runtime, plan.id);
    const discarded = decisions.filter((decision) => decision.status === 'discarded');
    expect(discarded.map((decision) => decision.type)).toEqual([
      'reconciliation',
      'reconciliation',
      'reconciliation',
      'reconciliation',
    ]);
    expect(result.decisionsDiscarded).toBe(4);
    expect(decisions.find((decision) => decision.id === result.decisionId)).toMatchObject({
      type: 'rollback',
      status: 'active',
      payload: { checkpointId: afterFirst!.id, undoCheckpointId: result.undoCheckpointId },
    });

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
