import { describe, expect, it } from 'vitest';
import type { BatchInfo, LevelBackedStore } from '../../../src/store/index.js';
import { describeStepListPrefixes } from './step-prefixes.js';
import { checkpoint as checkpointFixture, planCreation } from '../fixtures.js';
import { rejection, type Conformance, type StoreFixture } from './store-fixture.js';

/** Step lists: a plan’s list and each checkpoint’s, kept as a chain of nodes that stays small as the plan grows. */
export function describeStepLists(conformance: Conformance): void {
  const { openFixture, openStore } = conformance;
  describe('step lists', () => {
    const step = (n: number) => `01J00000000000000000STP${String(n).padStart(3, '0')}`;
    const steps = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => step(from + index));
    const checkpointAt = (planId: string, n: number, stepIds: string[]) =>
      checkpointFixture(planId, `01J0000000000000000000C${String(n).padStart(3, '0')}`, { stepIds });

    // every checkpoint's list and the plan's, read by this store and by a new one over the same data (nothing known in memory)
    async function expectLists(
      fixture: StoreFixture,
      planId: string,
      plan: string[],
      checkpoints: Record<string, string[]>,
    ): Promise<LevelBackedStore> {
      let store = fixture.store;
      for (let pass = 0; pass < (fixture.reopen ? 2 : 1); pass++) {
        expect((await store.getPlan(planId))?.strategyDecisionIds).toEqual(plan);
        expect((await store.listPlans()).find((record) => record.id === planId)?.strategyDecisionIds).toEqual(plan);
        expect(Object.fromEntries((await store.listCheckpoints(planId)).map((c) => [c.id, c.stepIds]))).toEqual(
          checkpoints,
        );
        for (const [id, list] of Object.entries(checkpoints))
          expect((await store.getCheckpoint(planId, id))?.stepIds).toEqual(list);
        if (fixture.reopen && pass === 0) {
          await store.close();
          store = fixture.reopen();
          // closed by the fixture's cleanup in place of the first
          fixture.store = store;
          await store.open();
        }
      }
      return store;
    }

    it('grows a plan’s list one step at a time, each checkpoint keeping the list it was taken with', async () => {
      const fixture = await openFixture();
      const creation = planCreation('demo/x', { strategyDecisionIds: [] });
      await fixture.store.createPlan(creation);
      const expected: Record<string, string[]> = {};
      for (let n = 1; n <= 12; n++) {
        const list = steps(1, n);
        const checkpoint = checkpointAt(creation.planId, n, list);
        expected[checkpoint.id] = list;
        await fixture.store.commit({
          planId: creation.planId,
          record: { ...creation.record, strategyDecisionIds: list },
          checkpoints: [checkpoint],
        });
      }
      await expectLists(fixture, creation.planId, steps(1, 12), expected);
    });

    it('goes back to an earlier list, takes other steps, and still reads every checkpoint taken before', async () => {
      const fixture = await openFixture();
      const creation = planCreation('demo/x', { strategyDecisionIds: [] });
      const { planId } = creation;
      await fixture.store.createPlan(creation);
      const expected: Record<string, string[]> = {};
      const commit = async (store: LevelBackedStore, n: number, list: string[], checkpointList = list) => {
        const checkpoint = checkpointAt(planId, n, checkpointList);
        expected[checkpoint.id] = checkpointList;
        await store.commit({
          planId,
          record: { ...creation.record, strategyDecisionIds: list },
          checkpoints: [checkpoint],
        });
      };
      for (let n = 1; n <= 6; n++) await commit(fixture.store, n, steps(1, n));
      // a rollback to the second checkpoint: the list it read back, with an undo checkpoint holding the long list
      const second = await fixture.store.getCheckpoint(planId, checkpointAt(planId, 2, []).id);
      await commit(fixture.store, 7, second!.stepIds, steps(1, 6));
      // other steps from there
      await commit(fixture.store, 8, [...steps(1, 2), step(101)]);
      await commit(fixture.store, 9, [...steps(1, 2), step(101), step(102)]);
      // undo: the long list again, as a new array
      await commit(fixture.store, 10, [...steps(1, 6)]);
      // and a step on top of it
      await commit(fixture.store, 11, steps(1, 7));
      const store = await expectLists(fixture, planId, steps(1, 7), expected);
      // a new store instance writes on from what is stored
      await commit(store, 12, [...steps(1, 2), step(103)]);
      expect((await store.getPlan(planId))?.strategyDecisionIds).toEqual([...steps(1, 2), step(103)]);
      expect((await store.getCheckpoint(planId, checkpointAt(planId, 9, []).id))?.stepIds).toEqual([
        ...steps(1, 2),
        step(101),
        step(102),
      ]);
    });

    it('splices steps into the middle of a list, and keeps the list from before', async () => {
      const fixture = await openFixture();
      const creation = planCreation('demo/x', { strategyDecisionIds: steps(1, 3) });
      const { planId } = creation;
      await fixture.store.createPlan(creation);
      const spliced = [step(1), step(201), step(202), step(2), step(3)];
      const before = checkpointAt(planId, 1, steps(1, 3));
      const after = checkpointAt(planId, 2, spliced);
      await fixture.store.commit({
        planId,
        record: { ...creation.record, strategyDecisionIds: spliced },
        checkpoints: [before, after],
      });
      await expectLists(fixture, planId, spliced, { [before.id]: steps(1, 3), [after.id]: spliced });
    });

    it('stores a checkpoint in as many bytes after a thousand steps as after ten', async () => {
      const batches: BatchInfo[] = [];
      const store = await openStore({ onBatch: (info) => batches.push(info) });
      const creation = planCreation('demo/x', { strategyDecisionIds: [] });
      await store.createPlan(creation);
      const bytesAt = new Map<number, number>();
      for (let n = 1; n <= 1000; n++) {
        const list = steps(1, n);
        await store.commit({
          planId: creation.planId,
          record: { ...creation.record, strategyDecisionIds: list },
          checkpoints: [checkpointAt(creation.planId, n % 1000, list)],
        });
        bytesAt.set(n, batches.at(-1)!.bytes);
      }
      // the record, one node of one id, the plan's pointer and the checkpoint: only a few digits grow
      // (node seqs and counts in the pointers: 2 more digits each, 2.4 KB if the list were copied)
      expect(bytesAt.get(1000)! - bytesAt.get(10)!).toBeLessThanOrEqual(16);
      expect((await store.getCheckpoint(creation.planId, checkpointAt(creation.planId, 999, []).id))?.stepIds).toEqual(
        steps(1, 999),
      );
    });

    it('names a step list that points at a node the store does not hold, and a corrupt node', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x', { strategyDecisionIds: steps(1, 2) });
      const { planId } = creation;
      await store.createPlan(creation);
      await store.commit({ planId, record: creation.record, checkpoints: [checkpointAt(planId, 1, steps(1, 2))] });
      await store.close();
      await store.open();
      await store.db.put(`!steps!${planId}`, JSON.stringify({ node: 7, count: 2 }));
      const dangling = await rejection(store.getPlan(planId));
      expect(dangling.code).toBe('STORE_CORRUPT');
      expect(dangling.message).toBe(
        `the step list of plan ${planId} names 2 step(s) of node 7 of its step chain, which the store does not hold`,
      );
      expect(dangling.details).toMatchObject({ key: `!steps!${planId}` });

      await store.close();
      await store.open();
      await store.db.put(`!stepn!${planId}!000000000000`, JSON.stringify({ prev: null, ids: [1] }));
      const error = await rejection(store.getCheckpoint(planId, checkpointAt(planId, 1, []).id));
      expect(error.message).toContain(`stored node 0 of the step chain of plan ${planId} is corrupt`);
    });

    describeStepListPrefixes(conformance);
  });
}
