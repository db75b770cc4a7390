import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planYaml, projectWithRuntime, step } from './fixtures.js';

// A rollback past a subplans group reaches the children of its children
// (SPEC §10), on LevelDB and real git worktrees (issue 44).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// a parent whose child fans out again: the grandchild writes x.txt
const NESTED = planYaml({
  name: 'demo/nest',
  automation: 'review',
  strategy: {
    steps: [
      {
        title: 'Fan out',
        subplans: {
          entries: [
            {
              goal: 'Delegate x',
              resourceScopes: ['x.txt'],
              strategy: {
                steps: [{ title: 'Fan out again', subplans: { entries: [{ goal: 'Write x', resourceScopes: ['x.txt'], strategy: { steps: [step('Write', 'fs/write-file', { path: 'x.txt', content: 'x\n' })] } }] } }],
              },
            },
          ],
        },
      },
    ],
  },
});

async function rolledBack() {
  const made = await projectWithRuntime({ 'README.md': '# project\n' }, { store: 'level' });
  cleanups.push(made.close);
  const { runtime, dir } = made;
  const plan = await runtime.run((await runtime.createPlan(NESTED)).id);
  expect(plan).toMatchObject({ phase: 'validate', status: 'complete' });
  const [child] = (await runtime.tree(plan.id)).children;
  const [grandchild] = child!.children;
  expect([child!.status, grandchild?.status]).toEqual(['done', 'done']);
  const preExecute = (await runtime.checkpoints(plan.id)).find((checkpoint) => checkpoint.trigger === 'pre-execute')!;
  const preview = await runtime.previewRollback(plan.id, { to: preExecute.id });
  const result = await runtime.rollback(plan.id, { to: preExecute.id });
  return { runtime, dir, plan, worktree: join(dir, plan.sandbox!.worktree), ids: [child!.id, grandchild!.id], preview, result };
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

  // known failure: the child starts over from strategize and spawns its child
  // anew under the name the invalidated grandchild still holds ('a plan named
  // "demo/nest-1-1" already exists'); make it an `it` once that is fixed
  it.fails('starts the child and its grandchild over on the next run', async () => {
    const { runtime, plan, worktree } = await rolledBack();
    const again = await runtime.run(plan.id);
    expect({ phase: again.phase, status: again.status, error: again.error?.message }).toEqual({ phase: 'validate', status: 'complete', error: undefined });
    const [child] = (await runtime.tree(plan.id)).children;
    expect([child!.status, ...child!.children.map((grandchild) => grandchild.status)]).toEqual(['done', 'done']);
    expect(readFileSync(join(worktree, 'x.txt'), 'utf8')).toBe('x\n');
  });
});
