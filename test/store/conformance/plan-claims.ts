import { describe, expect, it } from 'vitest';
import { planCreation } from '../fixtures.js';
import type { Conformance } from './store-fixture.js';

/** Plan claims: what the process that opened the store holds, counted per claim. */
export function describePlanClaims({ openStore }: Conformance): void {
  describe('plan claims', () => {
    it('lets the process that opened it claim a plan, again and again, and release what it holds or not', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      expect(await store.claimPlan(creation.planId)).toBe(true);
      expect(await store.claimPlan(creation.planId)).toBe(true);
      await store.releasePlan(creation.planId);
      await store.releasePlan(creation.planId);
      await store.releasePlan('01M0000000000000000000NONE');
      expect(await store.claimPlan(creation.planId)).toBe(true);
      // a claim keeps nothing stale: what the store reads is what it holds
      expect(await store.getPlan(creation.planId)).toEqual(creation.record);
      const stop = store.watchPlans(() => {});
      expect(typeof stop).toBe('function');
      // hearing every commit from now on (at once for a store of one process)
      await expect(store.listening()).resolves.toBeUndefined();
      stop();
    });

    it('says which plans are held now, counting claims, and reading takes none', async () => {
      const store = await openStore();
      const [first, second] = [planCreation('demo/x'), planCreation('demo/y')];
      await store.createPlan(first);
      await store.createPlan(second);
      expect(await store.claimedPlans([])).toEqual([]);
      // reading first: nothing is held, and nothing is taken by the read
      expect(await store.claimedPlans([first.planId, second.planId])).toEqual([]);
      expect(await store.claimedPlans([first.planId])).toEqual([]);
      expect(await store.claimPlan(first.planId)).toBe(true);
      expect(await store.claimPlan(first.planId)).toBe(true);
      expect(await store.claimedPlans([second.planId, first.planId, '01M0000000000000000000NONE'])).toEqual([
        first.planId,
      ]);
      await store.releasePlan(first.planId);
      // claimed twice, released once: still held
      expect(await store.claimedPlans([first.planId, second.planId])).toEqual([first.planId]);
      await store.releasePlan(first.planId);
      expect(await store.claimedPlans([first.planId, second.planId])).toEqual([]);
    });

    it('says which plans this process still holds: those it claimed, until released', async () => {
      const store = await openStore();
      const [first, second] = [planCreation('demo/x'), planCreation('demo/y')];
      await store.createPlan(first);
      await store.createPlan(second);
      expect(await store.heldHere([first.planId, second.planId])).toEqual([]);
      expect(await store.claimPlan(first.planId)).toBe(true);
      expect(await store.heldHere([second.planId, first.planId])).toEqual([first.planId]);
      await store.releasePlan(first.planId);
      expect(await store.heldHere([first.planId])).toEqual([]);
    });
  });
}
