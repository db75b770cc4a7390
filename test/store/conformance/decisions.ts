import { describe, expect, it } from 'vitest';
import { decision, planCreation } from '../fixtures.js';
import type { Conformance } from './store-fixture.js';

/** Decisions: listed oldest first, and updated when written again whole. */
export function describeDecisions({ openStore }: Conformance): void {
  describe('decisions', () => {
    it('lists a plan’s decisions oldest first, whatever order they were written in', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const [older, newer] = [
        decision(creation.planId, { title: 'older' }),
        decision(creation.planId, { title: 'newer' }),
      ];
      await store.commit({ planId: creation.planId, record: creation.record, decisions: [newer] });
      await store.commit({ planId: creation.planId, record: creation.record, decisions: [older] });

      expect((await store.listDecisions(creation.planId)).map((d) => d.id)).toEqual([
        ...creation.decisions!.map((d) => d.id),
        older.id,
        newer.id,
      ]);
    });

    it('updates a decision’s status when the whole decision is written again', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const step = creation.decisions![1]!;
      await store.commit({
        planId: creation.planId,
        record: creation.record,
        decisions: [{ ...step, status: 'discarded' }],
      });

      expect((await store.getDecision(creation.planId, step.id))?.status).toBe('discarded');
      const listed = await store.listDecisions(creation.planId);
      expect(listed).toHaveLength(2);
      expect(listed.map((d) => d.status)).toEqual(['active', 'discarded']);
    });
  });
}
