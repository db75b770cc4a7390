import { describe, expect, it } from 'vitest';
import { commandLog, journalEvent, planCreation } from '../fixtures.js';
import { rejection, type Conformance } from './store-fixture.js';

/** Command logs: written with a transition or alone, read in seq order, each plan’s apart. */
export function describeCommandLogs({ openStore }: Conformance): void {
  describe('command logs', () => {
    it('writes logs in the batch of their transition and reads them in seq order past 9 → 10, after afterSeq, at most limit', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const { planId, record } = creation;
      expect(await store.readLogs(planId)).toEqual([]);
      expect(await store.lastLogSeq(planId)).toBe(0);
      const logs = Array.from({ length: 11 }, (_, index) => commandLog(planId, index + 1));
      await store.commit({ planId, record, events: [journalEvent(planId, 3)], logs: logs.slice(0, 9) });
      await store.commit({ planId, record, events: [journalEvent(planId, 4)], logs: logs.slice(9) });

      expect(await store.readLogs(planId)).toEqual(logs);
      const seqs = async (options?: { afterSeq?: number; limit?: number }) =>
        (await store.readLogs(planId, options)).map((log) => log.seq);
      expect(await seqs({ afterSeq: 9 })).toEqual([10, 11]);
      expect(await seqs({ afterSeq: 2, limit: 3 })).toEqual([3, 4, 5]);
      expect(await seqs({ limit: 0 })).toEqual([]);
      expect(await seqs({ afterSeq: 10 ** 13 })).toEqual([]);
      expect(await store.lastLogSeq(planId)).toBe(11);
    });

    it('keeps a megabyte of output per stream as written, and each plan’s logs apart', async () => {
      const store = await openStore();
      const short = planCreation('demo/short', { id: '01J0000000000000000000000A' });
      const long = planCreation('demo/long', { id: '01J0000000000000000000000AB' });
      await store.createPlan(short);
      await store.createPlan(long);
      const big = commandLog(long.planId, 1, {
        stdout: { text: `${'é'.repeat(512 * 1024)}`, bytes: 3 * 1024 * 1024, cut: 2 * 1024 * 1024 },
        stderr: { text: 'line\u0000\u001b[31mred\n', bytes: 14, cut: 0 },
      });
      await store.commit({ planId: long.planId, record: long.record, logs: [big] });

      expect(await store.readLogs(long.planId)).toEqual([big]);
      expect(await store.readLogs(short.planId)).toEqual([]);
      expect(await store.lastLogSeq(short.planId)).toBe(0);
    });

    it('writes none of a transition whose log belongs to another plan or has a seq that would not sort', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const { planId, record } = creation;
      for (const log of [
        commandLog('01J0000000000000000000000X', 1),
        commandLog(planId, 0),
        commandLog(planId, 10 ** 12),
      ]) {
        const error = await rejection(
          store.commit({ planId, record: { ...record, toolCalls: 7 }, events: [journalEvent(planId, 3)], logs: [log] }),
        );
        expect(error.code).toBe('INTERNAL_ERROR');
      }
      expect(await store.readLogs(planId)).toEqual([]);
      expect(await store.lastEventSeq(planId)).toBe(2);
      expect((await store.getPlan(planId))?.toolCalls).toBe(0);
    });

    it('appends logs without a transition, leaving the record as it was, and refuses a plan that does not exist', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const { planId } = creation;
      await store.appendLogs(planId, [commandLog(planId, 1, { cancelled: true, exitCode: null })]);
      await store.appendLogs(planId, []);

      expect(await store.readLogs(planId)).toEqual([commandLog(planId, 1, { cancelled: true, exitCode: null })]);
      expect(await store.getPlan(planId)).toEqual(creation.record);
      expect(
        (await rejection(store.appendLogs('01J0000000000000000000000Z', [commandLog('01J0000000000000000000000Z', 1)])))
          .code,
      ).toBe('NOT_FOUND');
      expect((await rejection(store.appendLogs(planId, [commandLog('01J0000000000000000000000Z', 2)]))).code).toBe(
        'INTERNAL_ERROR',
      );
      expect(await store.lastLogSeq(planId)).toBe(1);
    });

    it('names a corrupt log', async () => {
      const store = await openStore();
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      const { planId } = creation;
      await store.db.put(`!log!${planId}!000000000001`, JSON.stringify({ ...commandLog(planId, 1), kind: 'guess' }));

      const error = await rejection(store.readLogs(planId));
      expect(error.code).toBe('STORE_CORRUPT');
      expect(error.message).toContain(`stored command log 1 of plan ${planId} is corrupt: kind:`);
    });
  });
}
