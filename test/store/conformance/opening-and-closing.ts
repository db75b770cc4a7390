import { describe, expect, it } from 'vitest';
import { journalEvents, planCreation } from '../fixtures.js';
import { rejection, type Conformance } from './store-fixture.js';

/** Opening and closing: refused before open, data kept across close and open and for a new store over the same data. */
export function describeOpeningAndClosing({ makeStore, opened, openFixture, openStore }: Conformance): void {
  describe('opening and closing', () => {
    it('refuses use before open', async () => {
      const { store } = await makeStore().then((fixture) => {
        opened.push(fixture);
        return fixture;
      });
      const error = await rejection(store.getPlan('01J00000000000000000000000'));
      expect(error.message).toContain('not open');
    });

    it('keeps its data across close and open', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      await store.close();
      await store.open();
      expect(await store.getPlan(creation.planId)).toEqual(creation.record);
    });

    it('finishes pending writes before closing', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      const writing = store.createPlan(creation);
      await store.close();
      await writing;
      await store.open();
      expect(await store.getPlan(creation.planId)).toEqual(creation.record);
    });

    it('refuses a write queued behind a close as not open', async () => {
      const store = await openStore();
      const closing = store.close();
      const error = await rejection(store.createPlan(planCreation('demo/x')));
      await closing;
      expect(error.message).toContain('not open');
    });

    it('keeps everything for a new store over the same data', async (context) => {
      const fixture = await openFixture();
      if (!fixture.reopen) return context.skip();
      const creation = planCreation('demo/x');
      await fixture.store.createPlan(creation);
      await fixture.store.commit({
        planId: creation.planId,
        record: creation.record,
        events: journalEvents(creation.planId, 3, 11),
        sync: true,
      });
      await fixture.store.close();

      const again = fixture.reopen();
      opened.push({ store: again, cleanup: async () => {} });
      await again.open();
      expect(await again.getPlan(creation.planId)).toEqual(creation.record);
      expect(await again.getPlanIdByName('demo/x')).toBe(creation.planId);
      expect(await again.getSpec(creation.planId)).toEqual(creation.spec);
      expect(await again.getSnapshot(creation.planId)).toEqual(creation.snapshot);
      expect(await again.listDecisions(creation.planId)).toEqual(creation.decisions);
      expect(await again.lastEventSeq(creation.planId)).toBe(11);
      expect(await again.getChangeset(creation.changesets![0]!.id)).toEqual(creation.changesets![0]);
      await expect(again.createPlan(planCreation('demo/x'))).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    });
  });
}
