import { describe, expect, it } from 'vitest';
import { project, THREE_STEPS } from './checkpoint-fixture.js';
import { planYaml, step } from './fixtures.js';

// What counts against a plan's maxReversions (SPEC §10): a rollback or revert that puts something back, not its undo or one that reverts nothing.
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
    const plan = await runtime.run((await runtime.createPlan(THREE_STEPS.replace('demo/three', 'demo/same'))).id, {
      until: 'strategize',
    });
    const [phase] = await runtime.checkpoints(plan.id);
    // back to the checkpoint of the state it is in: no file, decision or child plan goes back
    const same = await runtime.rollback(plan.id, { to: phase!.id });
    expect(same).toMatchObject({ reversionCount: 0, changesReverted: [], decisionsDiscarded: 0 });
    expect(await runtime.getPlan(plan.id)).toMatchObject({ reversionCount: 0 });
  });

  it('does not count a revert that reverts nothing, even at maxReversions: 0 (issue 36)', async () => {
    const { runtime } = await project({ store: 'level' });
    const yaml = planYaml({
      name: 'demo/nothing',
      automation: 'manual',
      maxReversions: 0,
      strategy: { steps: [step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' })] },
    });
    const plan = await runtime.run((await runtime.createPlan(yaml)).id, { until: 'execute' });
    expect(plan).toMatchObject({ phase: 'execute', status: 'complete' });
    // the newest clean checkpoint is the one after the last step: execute · queued, nothing to put back
    const revert = await runtime.correct(plan.id, { mode: 'revert' });
    expect(revert.rollback).toMatchObject({
      checkpoint: { trigger: 'step' },
      changesReverted: [],
      decisionsDiscarded: 0,
      childPlansInvalidated: [],
      reversionCount: 0,
    });
    expect(await runtime.getPlan(plan.id)).toMatchObject({ reversionCount: 0 });
    // one that puts a file back counts, and so is over the limit
    const [, preExecute] = await runtime.checkpoints(plan.id);
    await expect(runtime.rollback(plan.id, { to: preExecute!.id })).rejects.toMatchObject({ code: 'REVERSION_LIMIT' });
  });
});
