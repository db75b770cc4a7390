import { describe, expect, it } from 'vitest';
import type { TroupeError } from '../../../src/domain/index.js';
import { ValidationError } from '../../../src/domain/index.js';
import { planCreation } from '../fixtures.js';
import { rejection, type Conformance } from './store-fixture.js';

/** Creating a plan: what it reads back, what it refuses, and one winner among racing creates of a name. */
export function describePlanCreation({ openStore }: Conformance): void {
  describe('creating a plan', () => {
    it('reads back the record, plan file, snapshot, decisions, events and changeset it was created with', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);

      expect(await store.getPlan(creation.planId)).toEqual(creation.record);
      expect(await store.getPlanIdByName('demo/x')).toBe(creation.planId);
      expect(await store.getSpec(creation.planId)).toEqual(creation.spec);
      expect(await store.getSnapshot(creation.planId)).toEqual(creation.snapshot);
      expect(await store.listDecisions(creation.planId)).toEqual(creation.decisions);
      expect(await store.getDecision(creation.planId, creation.decisions![1]!.id)).toEqual(creation.decisions![1]);
      expect(await store.readEvents(creation.planId)).toEqual(creation.events);
      expect(await store.lastEventSeq(creation.planId)).toBe(2);
      expect(await store.getChangeset(creation.changesets![0]!.id)).toEqual(creation.changesets![0]);
      expect(await store.listPlans()).toEqual([creation.record]);
    });

    it('answers null, empty or 0 for plans and values it does not have', async () => {
      const store = await openStore();
      expect(await store.getPlan('01J00000000000000000000000')).toBeNull();
      expect(await store.getPlanIdByName('demo/nope')).toBeNull();
      expect(await store.getSpec('01J00000000000000000000000')).toBeNull();
      expect(await store.getSnapshot('01J00000000000000000000000')).toBeNull();
      expect(await store.getDecision('01J00000000000000000000000', '01J00000000000000000000001')).toBeNull();
      expect(await store.listDecisions('01J00000000000000000000000')).toEqual([]);
      expect(await store.readEvents('01J00000000000000000000000')).toEqual([]);
      expect(await store.lastEventSeq('01J00000000000000000000000')).toBe(0);
      expect(await store.getChangeset('01J00000000000000000000000')).toBeNull();
      expect(await store.listPlans()).toEqual([]);
    });

    it('refuses a plan id that exists under another name with INTERNAL_ERROR, and writes nothing of the second plan', async () => {
      const store = await openStore();
      const first = planCreation('demo/x');
      await store.createPlan(first);
      const clash = planCreation('demo/y', { id: first.planId });

      const error = await rejection(store.createPlan({ ...clash, planId: first.planId }));
      expect(error.code).toBe('INTERNAL_ERROR');
      expect(error.message).toBe(`a plan with id ${first.planId} already exists`);
      expect(error.hint).toContain('please report it');
      expect(await store.getPlanIdByName('demo/y')).toBeNull();
      expect(await store.getPlan(first.planId)).toEqual(first.record);
    });

    it('refuses a taken name with VALIDATION_ERROR naming the field, and writes nothing of the second plan', async () => {
      const store = await openStore();
      const first = planCreation('demo/x');
      const second = planCreation('demo/x');
      await store.createPlan(first);

      const error = await rejection(store.createPlan(second));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(error.message).toBe('name: a plan named "demo/x" already exists');
      expect((error as ValidationError).issues).toEqual([
        { path: 'name', message: 'a plan named "demo/x" already exists' },
      ]);
      expect(error.hint).toContain('troupe plan status demo/x');

      expect(await store.getPlanIdByName('demo/x')).toBe(first.planId);
      expect(await store.getPlan(second.planId)).toBeNull();
      expect(await store.getSpec(second.planId)).toBeNull();
      expect(await store.getSnapshot(second.planId)).toBeNull();
      expect(await store.listDecisions(second.planId)).toEqual([]);
      expect(await store.readEvents(second.planId)).toEqual([]);
      expect(await store.getChangeset(second.changesets![0]!.id)).toBeNull();
      expect(await store.listPlans()).toEqual([first.record]);
    });

    it('lets exactly one of ten concurrent creates of the same name succeed', async () => {
      const store = await openStore();
      const creations = Array.from({ length: 10 }, () => planCreation('demo/race'));

      const results = await Promise.allSettled(creations.map((creation) => store.createPlan(creation)));

      const winners = creations.filter((_, index) => results[index]!.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect((result.reason as TroupeError).code).toBe('VALIDATION_ERROR');
      }
      expect(await store.getPlanIdByName('demo/race')).toBe(winners[0]!.planId);
      expect((await store.listPlans()).map((record) => record.id)).toEqual([winners[0]!.planId]);
    });

    it('gives different names to different plans', async () => {
      const store = await openStore();
      const a = planCreation('demo/a');
      const b = planCreation('demo/b');
      await Promise.all([store.createPlan(a), store.createPlan(b)]);
      expect(await store.getPlanIdByName('demo/a')).toBe(a.planId);
      expect(await store.getPlanIdByName('demo/b')).toBe(b.planId);
    });

    it('refuses a plan whose record id is not its plan id, writing nothing', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      const error = await rejection(
        store.createPlan({ ...creation, record: { ...creation.record, id: '01J00000000000000000000000' } }),
      );
      expect(error.code).toBe('INTERNAL_ERROR');
      expect(await store.getPlanIdByName('demo/x')).toBeNull();
      expect(await store.listPlans()).toEqual([]);
    });
  });
}
