import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { runUntilKilled } from '../helpers/kill-after.js';
import { tempRepo } from '../helpers/temp.js';
import { fanOutPlan } from './fixtures.js';

// A rollback killed with SIGKILL at any moment (while its children are
// invalidated, before or after the plan's own batch) is finished by running
// it again, and ends as one uninterrupted rollback would.

const CHILD = fileURLToPath(new URL('./rollback-child.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const FAN_OUT = fanOutPlan();

describe('a rollback killed half-way (LevelDB)', () => {
  // lines: ready, then the children's plan.invalidated, then the plan's checkpoint.created and plan.rolled_back
  it.each([1, 2, 3, 5])('is finished by running it again (killed after %i lines)', async (killAfter) => {
    const repo = await tempRepo({ 'README.md': '# crash\n' });
    cleanups.push(repo.cleanup);
    const first = await createRuntime({ dir: repo.dir, store: 'level', report: () => {} });
    const plan = await first.run((await first.createPlan(FAN_OUT)).id);
    const target = (await first.checkpoints(plan.id)).find((checkpoint) => checkpoint.trigger === 'pre-execute')!;
    const children = (await first.tree(plan.id)).children.map((child) => child.id);
    await first.close();

    const lines = await runUntilKilled(CHILD, [repo.dir, plan.id, target.id], killAfter);
    expect(lines[0]).toBe('ready');

    const runtime = await createRuntime({ dir: repo.dir, store: 'level', report: () => {} });
    cleanups.push(() => runtime.close());
    const landed = (await runtime.getPlan(plan.id)).lastCheckpointId === target.id;
    if (!landed) await runtime.rollback(plan.id, { to: target.id });
    const rolled = await runtime.getPlan(plan.id);
    expect(rolled).toMatchObject({
      phase: 'execute',
      status: 'queued',
      reversionCount: 1,
      lastCheckpointId: target.id,
    });
    for (const id of children) expect((await runtime.getPlan(id)).status).toBe('invalidated');
    const worktree = join(repo.dir, rolled.sandbox!.worktree);
    expect(['x.txt', 'y.txt', 'after.txt'].filter((file) => existsSync(join(worktree, file)))).toEqual([]);
    // exactly one rollback decision is recorded, and one undo checkpoint
    const rollbacks = (await runtime.events(plan.id)).filter((event) => event.type === 'plan.rolled_back');
    expect(rollbacks).toHaveLength(1);
    expect(
      (await runtime.checkpoints(plan.id)).filter((checkpoint) => checkpoint.trigger === 'pre-rollback'),
    ).toHaveLength(1);

    const again = await runtime.run(plan.id);
    expect(again).toMatchObject({ phase: 'validate', status: 'complete' });
    for (const name of ['x', 'y', 'after'])
      expect(readFileSync(join(worktree, `${name}.txt`), 'utf8')).toBe(`${name}\n`);
  });
});
