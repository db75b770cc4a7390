import { expect, it } from 'vitest';
import type { Conformance } from './store-fixture.js';
import { checkpoint, planCreation } from '../fixtures.js';

/**
 * Step lists of the store conformance (DESIGN §4), part two: a checkpoint
 * whose list is a strict prefix of a list the plan holds (its pointer names
 * fewer ids than its node has) reads back exactly that prefix, after the plan
 * took further steps and in a new store over the same data (issue 44).
 */
export function describeStepListPrefixes({ openFixture }: Conformance): void {
  const step = (n: number) => `01J00000000000000000STP${String(n).padStart(3, '0')}`;
  const steps = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => step(from + index));

  it('reads each checkpoint taken at a prefix of the plan’s list as exactly that prefix, after the plan took further steps', async () => {
    const fixture = await openFixture();
    // strategize writes the six steps at once: one node of six ids
    const creation = planCreation('demo/x', { strategyDecisionIds: steps(1, 6) });
    const { planId, record } = creation;
    await fixture.store.createPlan(creation);
    const expected = new Map<string, string[]>();
    const commit = async (n: number, list: string[], checkpointList: string[]) => {
      const taken = checkpoint(planId, `01J0000000000000000000C${String(n).padStart(3, '0')}`, {
        stepIds: checkpointList,
      });
      expected.set(taken.id, checkpointList);
      await fixture.store.commit({ planId, record: { ...record, strategyDecisionIds: list }, checkpoints: [taken] });
    };
    // checkpoints holding the first 1, 3 and 5 steps of that node
    for (const n of [1, 3, 5]) await commit(n, steps(1, 6), steps(1, n));
    // back to the first four steps (as a rollback does), and a checkpoint there
    await commit(4, steps(1, 4), steps(1, 4));
    // further steps on top of them, then on top of the whole list
    await commit(7, [...steps(1, 4), step(101), step(102)], [...steps(1, 4), step(101), step(102)]);
    await commit(8, steps(1, 9), steps(1, 9));

    let store = fixture.store;
    for (const pass of fixture.reopen ? ['this store', 'a new store'] : ['this store']) {
      if (pass === 'a new store') {
        await store.close();
        // nothing known in memory: every list is read from the stored chain; closed by the cleanup in place of the first
        store = fixture.store = fixture.reopen!();
        await store.open();
      }
      expect((await store.getPlan(planId))?.strategyDecisionIds, pass).toEqual(steps(1, 9));
      for (const [id, list] of expected)
        expect((await store.getCheckpoint(planId, id))?.stepIds, `${pass}: checkpoint ${id}`).toEqual(list);
      expect(new Map((await store.listCheckpoints(planId)).map((taken) => [taken.id, taken.stepIds])), pass).toEqual(
        expected,
      );
    }
  });
}
