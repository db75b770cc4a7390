import { describe, expect, it } from 'vitest';
import { planCreation } from '../fixtures.js';
import type { Conformance } from './store-fixture.js';

/** Finding plans: by id prefix, and listing them oldest first. */
export function describeFindingPlans({ openStore }: Conformance): void {
  describe('finding plans', () => {
    it('finds plan ids by a case-insensitive prefix, oldest first, at most limit', async () => {
      const store = await openStore();
      const ids = ['01J0000000000000000000000A', '01J0000000000000000000000B', '01K00000000000000000000000'];
      for (const [index, id] of ids.entries()) await store.createPlan(planCreation(`demo/p${index}`, { id }));

      expect(await store.findPlanIdsByPrefix('01j', 10)).toEqual(ids.slice(0, 2));
      expect(await store.findPlanIdsByPrefix('01J', 1)).toEqual(ids.slice(0, 1));
      expect(await store.findPlanIdsByPrefix('01k0', 10)).toEqual([ids[2]]);
      expect(await store.findPlanIdsByPrefix('', 10)).toEqual(ids);
      expect(await store.findPlanIdsByPrefix('01M', 10)).toEqual([]);
      expect(await store.findPlanIdsByPrefix('01J', 0)).toEqual([]);
      expect(await store.findPlanIdsByPrefix('01J', Number.POSITIVE_INFINITY)).toEqual(ids.slice(0, 2));
    });

    it('lists plans oldest first', async () => {
      const store = await openStore();
      const creations = ['demo/c', 'demo/a', 'demo/b'].map((name) => planCreation(name));
      for (const creation of creations) await store.createPlan(creation);
      expect((await store.listPlans()).map((record) => record.name)).toEqual(['demo/c', 'demo/a', 'demo/b']);
    });
  });
}
