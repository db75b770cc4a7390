import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../src/domain/index.js';
import { checkpoint as checkpointFixture, planCreation } from '../fixtures.js';
import { rejection, type Conformance } from './store-fixture.js';

/** Checkpoints: written with a transition, listed oldest first, deleted by id. */
export function describeCheckpoints({ openStore }: Conformance): void {
  describe('checkpoints', () => {
    // a step's checkpoint with every field set, so each one is seen to round-trip
    const checkpoint = (planId: string, id: string, overrides: Partial<Checkpoint> = {}): Checkpoint =>
      checkpointFixture(planId, id, {
        decisionCursor: '01J00000000000000000000DEC',
        stepIds: ['01J00000000000000000000STP'],
        sideEffects: 2,
        toolCalls: 3,
        step: { number: 1, title: 'Write a' },
        snapshot: { machineVersion: 5, snapshot: { value: { execute: 'queued' }, context: { planId } } },
        ...overrides,
      });

    it('writes checkpoints in the batch of a transition and lists them oldest first, apart from other plans', async () => {
      const store = await openStore();
      const [first, second] = [planCreation('demo/x'), planCreation('demo/y')];
      await store.createPlan(first);
      await store.createPlan(second);
      const newer = checkpoint(first.planId, '01J0000000000000000000CPB', {
        label: 'before-refactor',
        trigger: 'manual',
      });
      const older = checkpoint(first.planId, '01J0000000000000000000CPA');
      await store.commit({ planId: first.planId, record: { ...first.record, toolCalls: 3 }, checkpoints: [newer] });
      await store.commit({ planId: first.planId, record: first.record, checkpoints: [older] });
      await store.commit({
        planId: second.planId,
        record: second.record,
        checkpoints: [checkpoint(second.planId, '01J0000000000000000000CPC')],
      });

      expect((await store.listCheckpoints(first.planId)).map((c) => c.id)).toEqual([older.id, newer.id]);
      expect(await store.getCheckpoint(first.planId, newer.id)).toEqual(newer);
      expect(await store.getCheckpoint(second.planId, newer.id)).toBeNull();
      expect((await store.listCheckpoints(second.planId)).map((c) => c.planId)).toEqual([second.planId]);
    });

    it('writes none of a transition whose checkpoint belongs to another plan', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const error = await rejection(
        store.commit({
          planId: creation.planId,
          record: { ...creation.record, toolCalls: 7 },
          checkpoints: [checkpoint('01J0000000000000000000000X', '01J0000000000000000000CPA')],
        }),
      );
      expect(error.code).toBe('INTERNAL_ERROR');
      expect((await store.getPlan(creation.planId))?.toolCalls).toBe(creation.record.toolCalls);
      expect(await store.listCheckpoints(creation.planId)).toEqual([]);
    });

    it('deletes checkpoints by id and ignores ids it does not have', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const ids = ['01J0000000000000000000CPA', '01J0000000000000000000CPB', '01J0000000000000000000CPC'];
      await store.commit({
        planId: creation.planId,
        record: creation.record,
        checkpoints: ids.map((id) => checkpoint(creation.planId, id)),
      });
      await store.deleteCheckpoints(creation.planId, [ids[0]!, ids[2]!, '01J0000000000000000000NONE']);
      expect((await store.listCheckpoints(creation.planId)).map((c) => c.id)).toEqual([ids[1]]);
    });

    it('names a corrupt checkpoint', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      await store.db.put(`!ckpt!${creation.planId}!01J0000000000000000000CPA`, JSON.stringify({ id: 'x' }));
      const error = await rejection(store.listCheckpoints(creation.planId));
      expect(error.code).toBe('STORE_CORRUPT');
      expect(error.message).toContain(`checkpoint 01J0000000000000000000CPA of plan ${creation.planId}`);
    });
  });
}
