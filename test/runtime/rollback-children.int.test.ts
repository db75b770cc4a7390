import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { project } from './checkpoint-fixture.js';
import { fanOutPlan } from './fixtures.js';

// Rollback of a plan with child plans (SPEC §10): the children started after the checkpoint are invalidated, merges undone and made again.
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
    expect((await runtime.tree(plan.id)).children.map((child) => [child.id, child.status])).toEqual(
      children.map((child) => [child.id, 'done']),
    );
    for (const name of ['x', 'y', 'after'])
      expect(readFileSync(join(worktree, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
  });

  it('goes back to between two merges: the later merge is undone and made again on the next run', async () => {
    const { runtime, dir } = await project({ store: 'level' });
    const plan = await runtime.run((await runtime.createPlan(FAN_OUT)).id);
    const worktree = join(dir, plan.sandbox!.worktree);
    const [firstMerge] = (await runtime.checkpoints(plan.id)).filter(
      (checkpoint) => checkpoint.trigger === 'post-merge',
    );
    const result = await runtime.rollback(plan.id, { to: firstMerge!.id });
    // both children had started: neither is invalidated
    expect(result.childPlansInvalidated).toEqual([]);
    expect(result.restored).toEqual({ phase: 'execute', status: 'queued' });
    expect(existsSync(join(worktree, 'x.txt'))).toBe(true);
    expect(existsSync(join(worktree, 'y.txt'))).toBe(false);
    const again = await runtime.run(plan.id);
    expect(again).toMatchObject({ phase: 'validate', status: 'complete' });
    for (const name of ['x', 'y', 'after'])
      expect(readFileSync(join(worktree, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
  });
});
