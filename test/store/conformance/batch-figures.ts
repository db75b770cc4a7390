import { describe, expect, it, vi } from 'vitest';
import type { BatchInfo, LevelBackedStore } from '../../../src/store/index.js';
import { planCreation } from '../fixtures.js';
import type { Conformance } from './store-fixture.js';

/** Batch figures: the operations and bytes each write reports through onBatch. */
export function describeBatchFigures({ openStore }: Conformance): void {
  describe('batch figures', () => {
    it('reports the operations and the bytes of keys and values each write stored', async () => {
      const batches: BatchInfo[] = [];
      const store = await openStore({ onBatch: (info) => batches.push(info) });
      const before = await storedBytes(store);
      const creation = planCreation('demo/x');
      await store.createPlan(creation);

      // name, plan file, record, step list, snapshot, 2 decisions, 2 events, 1 changeset
      expect(batches).toEqual([
        { planId: creation.planId, operations: 10, bytes: (await storedBytes(store)) - before, sync: false },
      ]);

      // the step list did not change: only the record is written again
      await store.commit({ planId: creation.planId, record: creation.record });
      const { strategyDecisionIds, ...record } = creation.record;
      const recordBytes = Buffer.byteLength(`!plans!${creation.planId}`) + Buffer.byteLength(JSON.stringify(record));
      expect(batches[1]).toEqual({ planId: creation.planId, operations: 1, bytes: recordBytes, sync: false });

      // a new step list is written with the record — the node of its new step and where the list is now — and read back with it
      const steps = [...strategyDecisionIds, '01JSTEP0000000000000000000'];
      await store.commit({ planId: creation.planId, record: { ...creation.record, strategyDecisionIds: steps } });
      expect(batches[2]?.operations).toBe(3);
      expect((await store.getPlan(creation.planId))?.strategyDecisionIds).toEqual(steps);
      expect((await store.listPlans())[0]?.strategyDecisionIds).toEqual(steps);
    });

    it('reports nothing for a write that failed', async () => {
      const onBatch = vi.fn();
      const store = await openStore({ onBatch });
      await store.createPlan(planCreation('demo/x'));
      await expect(store.createPlan(planCreation('demo/x'))).rejects.toThrow();
      expect(onBatch).toHaveBeenCalledTimes(1);
    });
  });
}

async function storedBytes(store: LevelBackedStore): Promise<number> {
  let bytes = 0;
  for await (const [key, value] of store.db.iterator()) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  return bytes;
}
