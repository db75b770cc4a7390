import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { planYaml, projectWithRuntime } from './fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// checkpoints point into the plan's step chain instead of copying its list
// (src/store/step-chain.ts): a rollback past an earlier rollback, and its
// undo, must still find the exact list each checkpoint was taken with
describe('step lists through rollbacks (LevelDB, real git)', () => {
  it('rolls back to a checkpoint taken before an earlier rollback, and undoes it, with the step list and the files of each', async () => {
    const made = await projectWithRuntime();
    cleanups.push(made.close);
    const { dir } = made;
    let runtime: LocalRuntime = made.runtime;
    const plan = await runtime.run(
      (await runtime.createPlan(planYaml({ name: 'demo/agent', resourceScopes: ['src/**'] }))).id,
    );
    const worktree = join(dir, plan.sandbox!.worktree);
    const write = async (file: string) => {
      const result = await runtime.callTool(plan.id, {
        tool: 'fs/write-file',
        input: { path: `src/${file}.ts`, content: `${file}\n` },
      });
      expect(result).toMatchObject({ ok: true, wrote: true });
      const checkpoint = (await runtime.checkpoints(plan.id)).filter((c) => c.trigger === 'step').at(-1)!;
      const steps = (await runtime.getPlan(plan.id)).strategyDecisionIds;
      expect(checkpoint.stepIds).toEqual(steps);
      return { checkpoint, steps };
    };
    const present = (...files: string[]) => files.filter((file) => existsSync(join(worktree, `src/${file}.ts`)));

    const first = [];
    for (const file of ['f1', 'f2', 'f3', 'f4', 'f5']) first.push(await write(file));
    expect(first[4]!.steps).toHaveLength(5);

    // back to step 2, then two other steps
    await runtime.rollback(plan.id, { to: first[1]!.checkpoint.id });
    expect((await runtime.getPlan(plan.id)).strategyDecisionIds).toEqual(first[1]!.steps);
    const g3 = await write('g3');
    const g4 = await write('g4');
    expect(g4.steps.slice(0, 2)).toEqual(first[1]!.steps);
    expect(g4.steps).toHaveLength(4);
    expect(present('f1', 'f2', 'f3', 'f4', 'f5', 'g3', 'g4')).toEqual(['f1', 'f2', 'g3', 'g4']);

    // back to step 4 of the first run: a checkpoint from before the first rollback
    const past = await runtime.rollback(plan.id, { to: first[3]!.checkpoint.id });
    expect((await runtime.getPlan(plan.id)).strategyDecisionIds).toEqual(first[3]!.steps);
    expect(present('f1', 'f2', 'f3', 'f4', 'f5', 'g3', 'g4')).toEqual(['f1', 'f2', 'f3', 'f4']);

    // undone: the list and files of the second run again
    await runtime.rollback(plan.id, { to: past.undoCheckpointId });
    expect((await runtime.getPlan(plan.id)).strategyDecisionIds).toEqual(g4.steps);
    expect(present('f1', 'f2', 'f3', 'f4', 'f5', 'g3', 'g4')).toEqual(['f1', 'f2', 'g3', 'g4']);

    // a new runtime reads it all from the store alone
    await runtime.close();
    runtime = await createRuntime({ dir, report: () => {} });
    cleanups.push(() => runtime.close());
    expect((await runtime.getPlan(plan.id)).strategyDecisionIds).toEqual(g4.steps);
    const stored = new Map((await runtime.checkpoints(plan.id)).map((c) => [c.id, c.stepIds]));
    for (const taken of [...first, g3, g4]) expect(stored.get(taken.checkpoint.id)).toEqual(taken.steps);
    // and takes a step on from there
    const h5 = await write('h5');
    expect(h5.steps).toEqual([...g4.steps, h5.steps[4]]);
  });
});
