import { describe, expect, it } from 'vitest';
import { project, THREE_STEPS } from './checkpoint-fixture.js';
import { planYaml, step } from './fixtures.js';

// Taking checkpoints (SPEC §10): those a running plan takes by itself, and
// manual ones from the runtime or a step — found by label, deleted, pruned.
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
});

describe.each(['level', 'memory'] as const)('manual checkpoints on the %s store', (store) => {
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
    expect(before).toMatchObject({
      trigger: 'manual',
      label: 'fresh',
      phase: 'strategize',
      status: 'queued',
      sandboxCommit: null,
    });
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
});
