import { describe, expect, it } from 'vitest';
import { planCreation } from '../fixtures.js';
import { rejection, type Conformance } from './store-fixture.js';

/** Merge conflicts: opened in a transition, listed by file, resolved and removed. */
export function describeConflicts({ openStore }: Conformance): void {
  describe('conflicts', () => {
    const conflict = (planId: string, file: string, kind: 'content' | 'binary' = 'content') => ({
      planId,
      file,
      child: null,
      kind,
      hunks: [{ ours: 'a\n', base: 'b\n', theirs: 'c\n' }],
    });

    it('opens conflicts in a transition and lists them by file, apart from other plans', async () => {
      const store = await openStore();
      const [first, second] = [planCreation('demo/x'), planCreation('demo/y')];
      await store.createPlan(first);
      await store.createPlan(second);
      expect(await store.listConflicts(first.planId)).toEqual([]);
      await store.commit({
        planId: first.planId,
        record: first.record,
        conflicts: { put: [conflict(first.planId, 'src/b.ts'), conflict(first.planId, 'a!b.txt', 'binary')] },
      });
      await store.commit({
        planId: second.planId,
        record: second.record,
        conflicts: { put: [conflict(second.planId, 'src/b.ts')] },
      });

      expect((await store.listConflicts(first.planId)).map((c) => [c.file, c.kind])).toEqual([
        ['a!b.txt', 'binary'],
        ['src/b.ts', 'content'],
      ]);
      expect(await store.listConflicts(second.planId)).toEqual([conflict(second.planId, 'src/b.ts')]);
    });

    it('removes resolved conflicts, and keeps a file that conflicts again in the same batch', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const { planId, record } = creation;
      await store.commit({
        planId,
        record,
        conflicts: { put: [conflict(planId, 'a.txt'), conflict(planId, 'b.txt')] },
      });
      await store.commit({
        planId,
        record,
        conflicts: { resolved: ['a.txt', 'b.txt'], put: [conflict(planId, 'b.txt', 'binary')] },
      });

      expect(await store.listConflicts(planId)).toEqual([conflict(planId, 'b.txt', 'binary')]);
    });

    it('keeps a resolution with its conflict until the record is removed, bytes and mode exact', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const { planId, record } = creation;
      const open = { ...conflict(planId, 'img.bin', 'binary'), edit: null, resolution: null };
      await store.commit({
        planId,
        record,
        conflicts: { put: [open, { ...conflict(planId, 'a.txt'), edit: `.troupe/conflicts/${planId}/a.txt` }] },
      });
      const resolution = {
        with: 'file' as const,
        content: Buffer.from([0, 255, 10]).toString('base64'),
        mode: '100755',
        path: 'mine/img.bin',
      };
      await store.commit({ planId, record, conflicts: { put: [{ ...open, resolution }] } });

      const [text, binary] = await store.listConflicts(planId);
      expect(text).toMatchObject({ file: 'a.txt', edit: `.troupe/conflicts/${planId}/a.txt` });
      expect(binary?.resolution).toEqual(resolution);
      expect(Buffer.from(binary!.resolution!.content!, 'base64')).toEqual(Buffer.from([0, 255, 10]));
      await store.commit({ planId, record, conflicts: { resolved: ['a.txt', 'img.bin'] } });
      expect(await store.listConflicts(planId)).toEqual([]);
    });

    it('refuses a conflict of another plan, writing nothing', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const error = await rejection(
        store.commit({
          planId: creation.planId,
          record: { ...creation.record, toolCalls: 5 },
          conflicts: { put: [conflict('01J0000000000000000000000X', 'a')] },
        }),
      );
      expect(error.code).toBe('INTERNAL_ERROR');
      expect((await store.getPlan(creation.planId))?.toolCalls).toBe(creation.record.toolCalls);
    });

    it('names a corrupt conflict record', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      await store.db.put(`!cfl!${creation.planId}!a.txt`, JSON.stringify({ file: 'a.txt' }));
      const error = await rejection(store.listConflicts(creation.planId));
      expect(error.code).toBe('STORE_CORRUPT');
      expect(error.message).toContain(`stored conflict on a.txt of plan ${creation.planId} is corrupt`);
    });
  });
}
