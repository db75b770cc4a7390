import { describe, expect, it } from 'vitest';
import type { PlanHolder } from '../../../src/domain/index.js';
import type { Conformance } from './store-fixture.js';
import { planCreation } from '../fixtures.js';

function holder(planId: string, fields: Partial<PlanHolder> = {}): PlanHolder {
  return {
    planId,
    worker: 'w1',
    host: 'h1',
    pid: 4242,
    since: '2026-01-01T00:00:00.000Z',
    heardAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

/**
 * Plan holders of the store conformance (docs/how-to/scale-out.md, "Who holds a
 * child"): written whole by a heartbeat, deleted only by the holder that
 * wrote it, gone with the plan, and kept by a new store over the same data.
 */
export function describeHolders({ openFixture, opened }: Conformance): void {
  describe('plan holders', () => {
    it('reads back the holder as its last heartbeat wrote it', async () => {
      const { store } = await openFixture();
      const { planId } = planCreation('demo/x');
      expect(await store.getHolder(planId)).toBeNull();
      await store.putHolder(holder(planId));
      await store.putHolder(holder(planId, { heardAt: '2026-01-01T00:00:05.000Z' }));
      expect(await store.getHolder(planId)).toEqual(holder(planId, { heardAt: '2026-01-01T00:00:05.000Z' }));
    });

    it('lists every holder by plan id, as the last heartbeat of each wrote it', async () => {
      const { store } = await openFixture();
      expect(await store.listHolders()).toEqual([]);
      const [b, a] = [planCreation('demo/b').planId, planCreation('demo/a').planId].sort().reverse();
      await store.putHolder(holder(b!, { worker: 'w2' }));
      await store.putHolder(holder(a!));
      await store.putHolder(holder(a!, { heardAt: '2026-01-01T00:00:05.000Z' }));
      expect(await store.listHolders()).toEqual([
        holder(a!, { heardAt: '2026-01-01T00:00:05.000Z' }),
        holder(b!, { worker: 'w2' }),
      ]);
      await store.releaseHolder(holder(b!, { worker: 'w2' }));
      expect((await store.listHolders()).map((listed) => listed.planId)).toEqual([a]);
      await store.db.put(`!hold!${b}`, JSON.stringify({ planId: b }));
      await expect(store.listHolders()).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
        details: { key: `!hold!${b}` },
      });
    });

    it('deletes a holder only for the worker that wrote it: another that took the plan since keeps its own', async () => {
      const { store } = await openFixture();
      const { planId } = planCreation('demo/x');
      await store.putHolder(holder(planId, { worker: 'w2', since: '2026-01-01T00:01:00.000Z' }));
      await store.releaseHolder(holder(planId));
      expect(await store.getHolder(planId)).toMatchObject({ worker: 'w2' });
      await store.releaseHolder(holder(planId, { worker: 'w2', since: '2026-01-01T00:01:00.000Z' }));
      expect(await store.getHolder(planId)).toBeNull();
      // again: nothing to delete, no error
      await store.releaseHolder(holder(planId, { worker: 'w2', since: '2026-01-01T00:01:00.000Z' }));
    });

    it("deletes the holder with its plan, and leaves another plan's", async () => {
      const { store } = await openFixture();
      const [gone, kept] = [planCreation('demo/gone'), planCreation('demo/kept')];
      await store.createPlan(gone);
      await store.createPlan(kept);
      await store.putHolder(holder(gone.planId));
      await store.putHolder(holder(kept.planId));
      await store.deletePlan(gone.planId);
      expect(await store.getHolder(gone.planId)).toBeNull();
      expect(await store.getHolder(kept.planId)).toEqual(holder(kept.planId));
    });

    it('refuses a holder that does not fit its schema and writes nothing; reads a damaged one as STORE_CORRUPT naming its key', async () => {
      const { store } = await openFixture();
      const { planId } = planCreation('demo/x');
      await expect(store.putHolder({ ...holder(planId), worker: '' })).rejects.toThrow();
      await expect(store.putHolder({ ...holder(planId), heardAt: 'yesterday' })).rejects.toThrow();
      expect(await store.getHolder(planId)).toBeNull();
      await store.db.put(`!hold!${planId}`, JSON.stringify({ ...holder(planId), since: 'a while ago' }));
      await expect(store.getHolder(planId)).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
        details: { key: `!hold!${planId}` },
      });
      await store.db.put(`!hold!${planId}`, JSON.stringify({ planId }));
      await expect(store.getHolder(planId)).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
        details: { key: `!hold!${planId}` },
      });
    });

    it('keeps the holder for a new store over the same data', async (context) => {
      const fixture = await openFixture();
      if (!fixture.reopen) return context.skip();
      const { planId } = planCreation('demo/x');
      await fixture.store.putHolder(holder(planId));
      await fixture.store.close();
      const again = fixture.reopen();
      opened.push({ store: again, cleanup: async () => {} });
      await again.open();
      expect(await again.getHolder(planId)).toEqual(holder(planId));
    });
  });
}
