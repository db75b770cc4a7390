import { describe, expect, it } from 'vitest';
import type { TroupeError } from '../../../src/domain/index.js';
import { planCreation } from '../fixtures.js';
import { rejection, type Conformance } from './store-fixture.js';

/** Corrupt entries: STORE_CORRUPT naming what is broken, and the other plans still read. */
export function describeCorruptEntries({ openStore }: Conformance): void {
  describe('corrupt entries', () => {
    it('reports a record that is not JSON as STORE_CORRUPT naming the plan, and still lists the others', async () => {
      const reported: TroupeError[] = [];
      const store = await openStore({ onCorrupt: (error) => reported.push(error) });
      const [a, broken, c] = ['demo/a', 'demo/broken', 'demo/c'].map((name) => planCreation(name));
      for (const creation of [a!, broken!, c!]) await store.createPlan(creation);
      await store.db.put(`!plans!${broken!.planId}`, '{"id": "01J');

      const error = await rejection(store.getPlan(broken!.planId));
      expect(error.code).toBe('STORE_CORRUPT');
      expect(error.message).toBe(`stored plan ${broken!.planId} is corrupt: not JSON`);
      expect(error.details).toEqual({ key: `!plans!${broken!.planId}`, planId: broken!.planId });
      expect(error.hint).toBeTruthy();

      expect((await store.listPlans()).map((record) => record.name)).toEqual(['demo/a', 'demo/c']);
      expect(reported.map((e) => [e.code, e.details?.['planId']])).toEqual([['STORE_CORRUPT', broken!.planId]]);
      expect((await store.listCorruptPlans()).map((e) => e.details?.['planId'])).toEqual([broken!.planId]);
    });

    it('names the field of a record that does not match its schema', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      await store.db.put(
        `!plans!${creation.planId}`,
        JSON.stringify({ ...creation.record, phase: 'dance', toolCalls: -1 }),
      );

      const error = await rejection(store.getPlan(creation.planId));
      expect(error.code).toBe('STORE_CORRUPT');
      expect(error.message).toBe(
        `stored plan ${creation.planId} is corrupt: phase: must be strategize, execute, validate or apply (got "dance"); toolCalls: must be at least 0`,
      );
      expect(await store.listPlans()).toEqual([]);
      expect(await store.listCorruptPlans()).toHaveLength(1);
    });

    it('names the decision, event, snapshot, plan file or changeset that is corrupt', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const { planId } = creation;
      const decisionId = creation.decisions![0]!.id;
      const changesetId = creation.changesets![0]!.id;
      await store.db.put(`!dec!${planId}!${decisionId}`, JSON.stringify({ ...creation.decisions![0], type: 'guess' }));
      await store.db.put(`!evt!${planId}!000000000002`, 'nope');
      await store.db.put(`!snap!${planId}`, JSON.stringify({ machineVersion: 1 }));
      await store.db.put(`!specs!${planId}`, JSON.stringify({ goal: 'no name' }));
      await store.db.put(`!chg!${changesetId}`, '[]');

      expect((await rejection(store.listDecisions(planId))).message).toContain(
        `stored decision ${decisionId} of plan ${planId} is corrupt: type:`,
      );
      expect((await rejection(store.getDecision(planId, decisionId))).code).toBe('STORE_CORRUPT');
      expect((await rejection(store.readEvents(planId))).message).toBe(
        `stored event 2 of plan ${planId} is corrupt: not JSON`,
      );
      expect((await store.readEvents(planId, { limit: 1 })).map((event) => event.seq)).toEqual([1]);
      expect((await rejection(store.getSnapshot(planId))).message).toBe(
        `stored snapshot of plan ${planId} is corrupt: snapshot: is required`,
      );
      expect((await rejection(store.getSpec(planId))).message).toContain(
        `stored plan file of plan ${planId} is corrupt: name: is required`,
      );
      expect((await rejection(store.getChangeset(changesetId))).message).toContain(
        `stored changeset ${changesetId} is corrupt`,
      );
      expect(await store.getPlan(planId)).toEqual(creation.record);
    });

    it('names a corrupt step list or name entry, which plan records are read without', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const { planId } = creation;
      await store.db.put(`!steps!${planId}`, JSON.stringify({ node: 0, count: '2' }));
      await store.db.put('!names!demo/x', '7');

      const message = `stored step list of plan ${planId} is corrupt: count: must be a number, got the string "2"`;
      expect((await rejection(store.getPlan(planId))).message).toBe(message);
      expect(await store.listPlans()).toEqual([]);
      expect((await store.listCorruptPlans()).map((error) => error.message)).toEqual([message]);
      expect((await rejection(store.getPlanIdByName('demo/x'))).message).toBe(
        'stored name "demo/x" is corrupt: must be a string, got number 7',
      );
    });
  });
}
