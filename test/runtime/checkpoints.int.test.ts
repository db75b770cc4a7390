import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Decision, DecisionNode } from '../../src/domain/index.js';
import type { Runtime, RuntimeOptions } from '../../src/runtime/index.js';
import { git } from '../helpers/temp.js';
import { rejection } from '../helpers/rejection.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

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
    expect(undo.reversionCount).toBe(2);
    expect(existsSync(join(worktree, 'gone.txt'))).toBe(false);
    // what the first rollback discarded is active again; what ran after it, and the rollback itself, are not
    const after = await allDecisions(runtime, plan.id);
    const statusOf = (id: string) => after.find((decision) => decision.id === id)?.status;
    for (const decision of discarded) expect(statusOf(decision.id)).toBe('active');
    expect(statusOf(result.decisionId)).toBe('discarded');
    expect(statusOf(undo.decisionId)).toBe('active');
  });
});
