import { describe, expect, it } from 'vitest';
import { journalEvents, planCreation } from '../fixtures.js';
import type { Conformance } from './store-fixture.js';

/** Journal events: read in seq order, a page at a time, each plan’s apart. */
export function describeJournalEvents({ openStore }: Conformance): void {
  describe('journal events', () => {
    it('reads events in seq order past 9 → 10, after afterSeq, at most limit', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      await store.commit({
        planId: creation.planId,
        record: creation.record,
        events: journalEvents(creation.planId, 3, 9),
      });
      await store.commit({
        planId: creation.planId,
        record: creation.record,
        events: journalEvents(creation.planId, 10, 12),
      });

      const seqs = async (options?: { afterSeq?: number; limit?: number }) =>
        (await store.readEvents(creation.planId, options)).map((event) => event.seq);
      expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(await seqs({ afterSeq: 9 })).toEqual([10, 11, 12]);
      expect(await seqs({ afterSeq: 2, limit: 3 })).toEqual([3, 4, 5]);
      expect(await seqs({ limit: 0 })).toEqual([]);
      expect(await seqs({ afterSeq: -5, limit: 2 })).toEqual([1, 2]);
      expect(await seqs({ afterSeq: 12 })).toEqual([]);
      expect(await store.lastEventSeq(creation.planId)).toBe(12);
    });

    it('keeps each plan’s events and decisions apart, even when one id starts with another', async () => {
      const store = await openStore();
      const short = planCreation('demo/short', { id: '01J0000000000000000000000A' });
      const long = planCreation('demo/long', { id: '01J0000000000000000000000AB' });
      await store.createPlan(short);
      await store.createPlan(long);
      await store.commit({ planId: long.planId, record: long.record, events: journalEvents(long.planId, 3, 5) });

      expect((await store.readEvents(short.planId)).map((event) => event.planId)).toEqual([short.planId, short.planId]);
      expect(await store.lastEventSeq(short.planId)).toBe(2);
      expect(await store.lastEventSeq(long.planId)).toBe(5);
      expect((await store.listDecisions(short.planId)).map((d) => d.planId)).toEqual([short.planId, short.planId]);
    });
  });
}
