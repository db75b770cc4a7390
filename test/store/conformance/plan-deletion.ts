import { describe, expect, it } from 'vitest';
import type { BatchInfo } from '../../../src/store/index.js';
import { checkpoint as checkpointFixture, commandLog, journalEvents, planCreation } from '../fixtures.js';
import type { Conformance } from './store-fixture.js';

/** Deleting a plan: everything of it in one batch, its name freed, other plans left alone. */
export function describePlanDeletion({ openStore }: Conformance): void {
  describe('deleting a plan', () => {
    it('removes everything stored of it in one batch, frees its name, and leaves other plans alone', async () => {
      const batches: BatchInfo[] = [];
      const store = await openStore({ onBatch: (info) => batches.push(info) });
      const [gone, kept] = [planCreation('demo/gone'), planCreation('demo/kept')];
      await store.createPlan(gone);
      await store.createPlan(kept);
      for (const { planId, record } of [gone, kept]) {
        await store.commit({
          planId,
          // a step list, so the plan has a step chain to remove
          record: { ...record, strategyDecisionIds: ['01J0000000000000000000STPA'] },
          events: journalEvents(planId, 3, 4),
          checkpoints: [checkpointFixture(planId, '01J0000000000000000000CPA')],
          conflicts: {
            put: [{ planId, file: 'a.txt', child: null, kind: 'content', hunks: [], edit: null, resolution: null }],
          },
          logs: [commandLog(planId, 1)],
        });
      }
      const before = await store.db.keys().all();
      const writes = batches.length;
      await store.deletePlan(gone.planId);

      expect(await store.getPlan(gone.planId)).toBeNull();
      expect(await store.getPlanIdByName('demo/gone')).toBeNull();
      expect(await store.getSpec(gone.planId)).toBeNull();
      expect(await store.getSnapshot(gone.planId)).toBeNull();
      expect(await store.listDecisions(gone.planId)).toEqual([]);
      expect(await store.readEvents(gone.planId)).toEqual([]);
      expect(await store.listCheckpoints(gone.planId)).toEqual([]);
      expect(await store.listConflicts(gone.planId)).toEqual([]);
      expect(await store.readLogs(gone.planId)).toEqual([]);
      expect(await store.readLogs(kept.planId)).toHaveLength(1);
      expect(await store.getChangeset(gone.changesets![0]!.id)).toBeNull();
      // nothing of it is left under any key; the other plan is whole
      const after = await store.db.keys().all();
      expect(after.filter((key) => String(key).includes(gone.planId))).toEqual([]);
      expect(after.filter((key) => String(key).includes(kept.planId))).toEqual(
        before.filter((key) => String(key).includes(kept.planId)),
      );
      expect(await store.listPlans()).toEqual([
        { ...kept.record, strategyDecisionIds: ['01J0000000000000000000STPA'] },
      ]);
      // the name is free again, and a commit to the deleted plan is refused
      await store.createPlan(planCreation('demo/gone'));
      await expect(store.commit({ planId: gone.planId, record: gone.record })).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      expect(batches.length).toBeGreaterThan(writes);
    });

    it('is no error for a plan it does not have, and keeps a name that another plan took since', async () => {
      const store = await openStore();
      await store.deletePlan('01J00000000000000000000000');
      const first = planCreation('demo/x');
      await store.createPlan(first);
      await store.deletePlan(first.planId);
      const second = planCreation('demo/x');
      await store.createPlan(second);
      await store.deletePlan(first.planId);
      expect(await store.getPlanIdByName('demo/x')).toBe(second.planId);
    });
  });
}
