import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Strategist } from '../../actors/index.js';
import { createRuntime, type PlanTree } from '../../src/runtime/index.js';
import { runUntilKilled } from '../helpers/kill-after.js';
import { git } from '../helpers/temp.js';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// A rollback past a subplans group reaches the children of its children
// (SPEC §10), on LevelDB and real git worktrees; the next run starts them all
// over in place, however deep (issue 44).

const RERUN = fileURLToPath(new URL('./rerun-child.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// a parent whose child fans out again, `depth` levels of child plans in all: the deepest writes x.txt
function nested(depth: number) {
  let entry: Record<string, unknown> = {
    goal: 'Write x',
    resourceScopes: ['x.txt'],
    strategy: { steps: [step('Write', 'fs/write-file', { path: 'x.txt', content: 'x\n' })] },
  };
  for (let level = depth - 1; level > 0; level -= 1) {
    entry = {
      goal: `Delegate x (level ${level})`,
      resourceScopes: ['x.txt'],
      strategy: { steps: [{ title: 'Fan out again', subplans: { entries: [entry] } }] },
    };
  }
  return planYaml({
    name: 'demo/nest',
    automation: 'review',
    strategy: { steps: [{ title: 'Fan out', subplans: { entries: [entry] } }] },
  });
}

// every plan under the root, parents before their children
function descendants(tree: PlanTree): PlanTree[] {
  return tree.children.flatMap((child) => [child, ...descendants(child)]);
}

async function rolledBack(depth = 2) {
  const made = await projectWithRuntime({ 'README.md': '# project\n' }, { store: 'level' });
  cleanups.push(made.close);
  const { runtime, dir } = made;
  const plan = await runtime.run((await runtime.createPlan(nested(depth))).id);
  expect(plan).toMatchObject({ phase: 'validate', status: 'complete' });
  const below = descendants(await runtime.tree(plan.id));
  expect(below.map((each) => each.status)).toEqual(Array(depth).fill('done'));
  const preExecute = (await runtime.checkpoints(plan.id)).find((checkpoint) => checkpoint.trigger === 'pre-execute')!;
  const preview = await runtime.previewRollback(plan.id, { to: preExecute.id });
  const result = await runtime.rollback(plan.id, { to: preExecute.id });
  return {
    runtime,
    dir,
    plan,
    worktree: join(dir, plan.sandbox!.worktree),
    ids: below.map((each) => each.id),
    preview,
    result,
  };
}

describe('rollback with grandchild plans (LevelDB)', () => {
  it('invalidates the children of the children started after the checkpoint and removes their worktrees', async () => {
    const { runtime, dir, worktree, ids, preview, result } = await rolledBack();
    expect(preview.childPlansToInvalidate.map((each) => each.id)).toEqual(ids);
    expect(result.childPlansInvalidated).toEqual(ids);
    for (const id of ids) {
      const record = await runtime.getPlan(id);
      expect(record.status, record.name).toBe('invalidated');
      expect(existsSync(join(dir, record.sandbox!.worktree)), record.name).toBe(false);
      expect((await runtime.events(id)).at(-1)).toMatchObject({ type: 'plan.invalidated' });
    }
    expect(existsSync(join(worktree, 'x.txt'))).toBe(false);
  });

  it.each([2, 3])(
    'starts the child and the plans under it over in place on the next run (%i levels of child plans)',
    async (depth) => {
      const { runtime, dir, plan, worktree, ids } = await rolledBack(depth);
      const names = await Promise.all(ids.map(async (id) => (await runtime.getPlan(id)).name));
      // each plan works in its worktree again: made anew, as the rollback removed it
      const worktrees: Record<string, boolean> = {};
      for (const id of ids) {
        const { name, sandbox } = await runtime.getPlan(id);
        const stop = runtime.subscribe(id, (event) => {
          if (event.type === 'step.completed') worktrees[name] = existsSync(join(dir, sandbox!.worktree));
        });
        cleanups.push(async () => stop());
      }
      const again = await runtime.run(plan.id);
      expect({ phase: again.phase, status: again.status, error: again.error?.message }).toEqual({
        phase: 'validate',
        status: 'complete',
        error: undefined,
      });

      // the same plans, by id and name: none made twice, each merged again on its first attempt
      const below = descendants(await runtime.tree(plan.id));
      expect(below.map((each) => [each.id, each.name, each.status, each.subplan])).toEqual(
        ids.map((id, at) => [id, names[at], 'done', { status: 'complete', attempt: 1 }]),
      );
      for (const id of ids) {
        const types = (await runtime.events(id)).map((event) => event.type);
        const invalidated = types.indexOf('plan.invalidated');
        expect(types.slice(invalidated, invalidated + 2), id).toEqual(['plan.invalidated', 'plan.resumed']);
        expect(
          types.filter((type) => type === 'plan.created'),
          id,
        ).toHaveLength(1);
      }
      expect(worktrees).toEqual(Object.fromEntries(names.map((name) => [name, true])));
      const deepest = await runtime.getPlan(ids.at(-1)!);
      expect(git(dir, 'show', `${deepest.sandbox!.headCommit}:x.txt`)).toBe('x');
      expect(readFileSync(join(worktree, 'x.txt'), 'utf8')).toBe('x\n');
    },
  );

  it('gives the grandchild the new entry when the child strategizes otherwise, under the same name and id', async () => {
    // the child decides its child itself, and the second time another one under the same name
    let rounds = 0;
    const strategist: Strategist = {
      name: 'changing',
      async strategize({ plan, spec }, { callTool }) {
        if (plan.name !== 'demo/take-1') return { steps: spec.strategy?.steps ?? [] };
        rounds += 1;
        const file = rounds === 1 ? 'x.txt' : 'y.txt';
        const spawned = await callTool('builtin/plan-subplan', {
          goal: `Write ${file}`,
          name: 'demo/take-g',
          resourceScopes: [file],
          strategy: { steps: [step('Write', 'fs/write-file', { path: file, content: `${file}\n` })] },
        });
        if (!spawned.success) throw new Error(spawned.error.message);
        return { steps: [] };
      },
    };
    const made = await projectWithRuntime({ 'README.md': '# project\n' }, { store: 'level', actors: { strategist } });
    cleanups.push(made.close);
    const { runtime, dir } = made;
    const delegate = { goal: 'Delegate', resourceScopes: ['x.txt', 'y.txt'] };
    const plan = await runtime.run(
      (
        await runtime.createPlan(
          planYaml({
            name: 'demo/take',
            automation: 'review',
            strategy: { steps: [{ title: 'Fan out', subplans: { entries: [delegate] } }] },
          }),
        )
      ).id,
    );
    expect(plan).toMatchObject({ phase: 'validate', status: 'complete' });
    const grandchild = descendants(await runtime.tree(plan.id))[1]!;
    expect((await runtime.getPlan(grandchild.id)).goal).toBe('Write x.txt');
    const preExecute = (await runtime.checkpoints(plan.id)).find((checkpoint) => checkpoint.trigger === 'pre-execute')!;
    await runtime.rollback(plan.id, { to: preExecute.id });

    const again = await runtime.run(plan.id);
    expect({ phase: again.phase, status: again.status, error: again.error?.message }).toEqual({
      phase: 'validate',
      status: 'complete',
      error: undefined,
    });
    expect(rounds).toBe(2);
    expect(descendants(await runtime.tree(plan.id)).map((each) => [each.name, each.status])).toEqual([
      ['demo/take-1', 'done'],
      ['demo/take-g', 'done'],
    ]);
    const record = await runtime.getPlan('demo/take-g');
    expect([record.id, record.goal]).toEqual([grandchild.id, 'Write y.txt']);
    const worktree = join(dir, again.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'y.txt'), 'utf8')).toBe('y.txt\n');
    expect(existsSync(join(worktree, 'x.txt'))).toBe(false);
  });
});

describe('running again after a rollback past grandchild plans, killed half-way (LevelDB)', () => {
  // lines: ready, then the events of the plans under it: 2 the child started over, 4 it strategized,
  // 10 its group starts the grandchild, 13 that strategized, 20 the great-grandchild started over, 38 it merged
  it.each([2, 4, 10, 13, 20, 38])(
    'ends as one uninterrupted run (killed after %i lines)',
    { timeout: 120_000 },
    async (killAfter) => {
      const { runtime, dir, plan, worktree, ids } = await rolledBack(3);
      await runtime.close();
      const lines = await runUntilKilled(RERUN, [dir, plan.id], killAfter);
      expect(lines[0]).toBe('ready');
      expect(lines).not.toContain('finished');

      const resumed = await createRuntime({ dir, store: 'level', report: () => {} });
      cleanups.push(() => resumed.close());
      const again = await resumed.run(plan.id);
      expect({ phase: again.phase, status: again.status, error: again.error?.message }).toEqual({
        phase: 'validate',
        status: 'complete',
        error: undefined,
      });
      const below = descendants(await resumed.tree(plan.id));
      expect(below.map((each) => [each.id, each.status, each.subplan])).toEqual(
        ids.map((id) => [id, 'done', { status: 'complete', attempt: 1 }]),
      );
      for (const id of ids)
        expect(
          (await resumed.events(id)).filter((event) => event.type === 'plan.created'),
          id,
        ).toHaveLength(1);
      expect(readFileSync(join(worktree, 'x.txt'), 'utf8')).toBe('x\n');
    },
  );
});
