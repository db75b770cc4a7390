import { describe, expect, it, vi } from 'vitest';
import { changeset, decision, journalEvent, journalEvents, planCreation, planRecord } from '../fixtures.js';
import { rejection, type Conformance } from './store-fixture.js';

/** Committing a transition: what one batch writes, and that it writes all of it or none. */
export function describeTransitions({ openStore }: Conformance): void {
  describe('committing a transition', () => {
    it('writes the record, snapshot, decisions, events and changeset of a transition', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const record = {
        ...creation.record,
        phase: 'execute' as const,
        status: 'complete' as const,
        updatedAt: '2024-05-01T11:00:00.000Z',
      };
      const snapshot = { machineVersion: 1, snapshot: { value: { execute: 'complete' } } };
      const step = decision(creation.planId);
      const chg = changeset(creation.planId);

      await store.commit({
        planId: creation.planId,
        record,
        snapshot,
        decisions: [step],
        events: journalEvents(creation.planId, 3, 4),
        changesets: [chg],
        sync: true,
      });

      expect(await store.getPlan(creation.planId)).toEqual(record);
      expect(await store.getSnapshot(creation.planId)).toEqual(snapshot);
      expect(await store.getDecision(creation.planId, step.id)).toEqual(step);
      expect((await store.readEvents(creation.planId)).map((event) => event.seq)).toEqual([1, 2, 3, 4]);
      expect(await store.getChangeset(chg.id)).toEqual(chg);
    });

    it('keeps the previous snapshot when a transition writes none', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      await store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 1 } });
      expect(await store.getSnapshot(creation.planId)).toEqual(creation.snapshot);
      expect((await store.getPlan(creation.planId))?.toolCalls).toBe(1);
    });

    it('replaces the plan file with the one a transition writes, keeping the name, and keeps it when it writes none', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      await store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 1 } });
      expect(await store.getSpec(creation.planId)).toEqual(creation.spec);
      const taken = { ...creation.spec, goal: 'Start over with another goal' };
      await store.commit({
        planId: creation.planId,
        record: { ...creation.record, goal: taken.goal },
        spec: taken,
        sync: true,
      });
      expect(await store.getSpec(creation.planId)).toEqual(taken);
      expect(await store.getPlanIdByName('demo/x')).toBe(creation.planId);
    });

    it('writes none of a transition when one of its values cannot be stored', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      // the record and snapshot come before the decision in the batch; a
      // BigInt cannot be JSON-encoded, so the decision fails the whole batch
      const unstorable = decision(creation.planId, { payload: { index: 0, size: 10n } });

      await expect(
        store.commit({
          planId: creation.planId,
          record: { ...creation.record, status: 'processing' },
          snapshot: { machineVersion: 2, snapshot: { value: 'next' } },
          decisions: [unstorable],
          events: [journalEvent(creation.planId, 3)],
        }),
      ).rejects.toThrow();

      expect(await store.getPlan(creation.planId)).toEqual(creation.record);
      expect(await store.getSnapshot(creation.planId)).toEqual(creation.snapshot);
      expect(await store.getDecision(creation.planId, unstorable.id)).toBeNull();
      expect(await store.lastEventSeq(creation.planId)).toBe(2);
    });

    it('refuses a commit to a plan that does not exist with NOT_FOUND, writing nothing', async () => {
      const store = await openStore();
      const record = planRecord();
      const error = await rejection(store.commit({ planId: record.id, record, events: [journalEvent(record.id, 1)] }));
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain(record.id);
      expect(await store.getPlan(record.id)).toBeNull();
      expect(await store.readEvents(record.id)).toEqual([]);
    });

    it('refuses events whose seq would not sort, or that belong to another plan', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      for (const events of [
        [journalEvent(creation.planId, 0)],
        [journalEvent(creation.planId, 1.5)],
        [journalEvent(creation.planId, 10 ** 12)],
        [journalEvent('01J00000000000000000000000', 3)],
      ]) {
        const error = await rejection(
          store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 9 }, events }),
        );
        expect(error.code).toBe('INTERNAL_ERROR');
      }
      expect((await store.getPlan(creation.planId))?.toolCalls).toBe(0);
      expect(await store.lastEventSeq(creation.planId)).toBe(2);
    });

    it('passes sync to the database when the transition asks for it', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      // the database's own _batch: where a write ends whichever way it went (store-database.ts)
      const batch = vi.spyOn(
        store.db as unknown as { _batch: (operations: unknown, options: unknown) => Promise<void> },
        '_batch',
      );
      await store.commit({ planId: creation.planId, record: creation.record, sync: true });
      await store.commit({ planId: creation.planId, record: creation.record });
      const options = (batch.mock.calls as unknown as [unknown, unknown][]).map(([, options]) => options);
      expect(options).toEqual([expect.objectContaining({ sync: true }), expect.objectContaining({ sync: false })]);
    });
  });
}
