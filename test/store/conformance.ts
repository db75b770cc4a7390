import { afterEach, describe, expect, it, vi } from 'vitest';
import { TroupeError, ValidationError, type Checkpoint } from '../../src/domain/index.js';
import { STORE_SCHEMA_VERSION, type BatchInfo, type LevelBackedStore, type StoreOptions } from '../../src/store/index.js';
import { describeStepListPrefixes } from './conformance-step-prefixes.js';
import { describeMcpTasks } from './conformance-mcp-tasks.js';
import { describeHolders } from './conformance-holders.js';
import { changeset, checkpoint as checkpointFixture, commandLog, decision, journalEvent, journalEvents, planCreation, planRecord } from './fixtures.js';

/** A store made for one test, not yet open. */
export interface StoreFixture {
  store: LevelBackedStore;
  cleanup: () => Promise<void>;
  /** A new store over the same data, for backends that persist across instances (the first must be closed). */
  reopen?: () => LevelBackedStore;
}

/**
 * The behaviour every store backend shares (DESIGN §4). Each backend's test
 * file calls this with a factory for fresh stores.
 */
export function runStoreConformance(name: string, makeStore: (options?: StoreOptions) => Promise<StoreFixture>): void {
  describe(`${name} (store conformance)`, () => {
    const opened: StoreFixture[] = [];

    afterEach(async () => {
      for (const fixture of opened.splice(0).reverse()) {
        await fixture.store.close();
        await fixture.cleanup();
      }
    });

    async function openFixture(options?: StoreOptions): Promise<StoreFixture> {
      const fixture = await makeStore(options);
      opened.push(fixture);
      await fixture.store.open();
      return fixture;
    }

    async function openStore(options?: StoreOptions): Promise<LevelBackedStore> {
      return (await openFixture(options)).store;
    }

    async function rejection(promise: Promise<unknown>): Promise<TroupeError> {
      const error = await promise.then(
        () => {
          throw new Error('expected a rejection');
        },
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(TroupeError);
      return error as TroupeError;
    }

    async function rawValue(store: LevelBackedStore, key: string): Promise<string | undefined> {
      return store.db.get(key);
    }

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
        expect((error as ValidationError).issues).toEqual([{ path: 'name', message: 'a plan named "demo/x" already exists' }]);
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
        const error = await rejection(store.createPlan({ ...creation, record: { ...creation.record, id: '01J00000000000000000000000' } }));
        expect(error.code).toBe('INTERNAL_ERROR');
        expect(await store.getPlanIdByName('demo/x')).toBeNull();
        expect(await store.listPlans()).toEqual([]);
      });
    });

    describe('committing a transition', () => {
      it('writes the record, snapshot, decisions, events and changeset of a transition', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        const record = { ...creation.record, phase: 'execute' as const, status: 'complete' as const, updatedAt: '2024-05-01T11:00:00.000Z' };
        const snapshot = { machineVersion: 1, snapshot: { value: { execute: 'complete' } } };
        const step = decision(creation.planId);
        const chg = changeset(creation.planId);

        await store.commit({ planId: creation.planId, record, snapshot, decisions: [step], events: journalEvents(creation.planId, 3, 4), changesets: [chg], sync: true });

        expect(await store.getPlan(creation.planId)).toEqual(record);
        expect(await store.getSnapshot(creation.planId)).toEqual(snapshot);
        expect(await store.getDecision(creation.planId, step.id)).toEqual(step);
        expect((await store.readEvents(creation.planId)).map((event) => event.seq)).toEqual([1, 2, 3, 4]);
        expect(await store.getChangeset(chg.id)).toEqual(chg);
      });

      it('keeps the previous snapshot when a transition writes none', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        await store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 1 } });
        expect(await store.getSnapshot(creation.planId)).toEqual(creation.snapshot);
        expect((await store.getPlan(creation.planId))?.toolCalls).toBe(1);
      });

      it('replaces the plan file with the one a transition writes, keeping the name, and keeps it when it writes none', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        await store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 1 } });
        expect(await store.getSpec(creation.planId)).toEqual(creation.spec);
        const taken = { ...creation.spec, goal: 'Start over with another goal' };
        await store.commit({ planId: creation.planId, record: { ...creation.record, goal: taken.goal }, spec: taken, sync: true });
        expect(await store.getSpec(creation.planId)).toEqual(taken);
        expect(await store.getPlanIdByName('demo/x')).toBe(creation.planId);
      });

      it('writes none of a transition when one of its values cannot be stored', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        // the record and snapshot come before the decision in the batch; a
        // BigInt cannot be JSON-encoded, so the decision fails the whole batch
        const unstorable = decision(creation.planId, { payload: { index: 0, size: 10n } });

        await expect(
          store.commit({
            planId: creation.planId,
            record: { ...creation.record, status: 'processing' },
            snapshot: { machineVersion: 2, snapshot: { value: 'next' } },
            decisions: [unstorable],
            events: [journalEvent(creation.planId, 3)],
          }),
        ).rejects.toThrow();

        expect(await store.getPlan(creation.planId)).toEqual(creation.record);
        expect(await store.getSnapshot(creation.planId)).toEqual(creation.snapshot);
        expect(await store.getDecision(creation.planId, unstorable.id)).toBeNull();
        expect(await store.lastEventSeq(creation.planId)).toBe(2);
      });

      it('refuses a commit to a plan that does not exist with NOT_FOUND, writing nothing', async () => {
        const store = await openStore();
        const record = planRecord();
        const error = await rejection(store.commit({ planId: record.id, record, events: [journalEvent(record.id, 1)] }));
        expect(error.code).toBe('NOT_FOUND');
        expect(error.message).toContain(record.id);
        expect(await store.getPlan(record.id)).toBeNull();
        expect(await store.readEvents(record.id)).toEqual([]);
      });

      it('refuses events whose seq would not sort, or that belong to another plan', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        for (const events of [[journalEvent(creation.planId, 0)], [journalEvent(creation.planId, 1.5)], [journalEvent(creation.planId, 10 ** 12)], [journalEvent('01J00000000000000000000000', 3)]]) {
          const error = await rejection(store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 9 }, events }));
          expect(error.code).toBe('INTERNAL_ERROR');
        }
        expect((await store.getPlan(creation.planId))?.toolCalls).toBe(0);
        expect(await store.lastEventSeq(creation.planId)).toBe(2);
      });

      it('passes sync to the database when the transition asks for it', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        // the database's own _batch: where a write ends whichever way it went (store-database.ts)
        const batch = vi.spyOn(store.db as unknown as { _batch: (operations: unknown, options: unknown) => Promise<void> }, '_batch');
        await store.commit({ planId: creation.planId, record: creation.record, sync: true });
        await store.commit({ planId: creation.planId, record: creation.record });
        const options = (batch.mock.calls as unknown as [unknown, unknown][]).map(([, options]) => options);
        expect(options).toEqual([expect.objectContaining({ sync: true }), expect.objectContaining({ sync: false })]);
      });
    });

    describe('journal events', () => {
      it('reads events in seq order past 9 → 10, after afterSeq, at most limit', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        await store.commit({ planId: creation.planId, record: creation.record, events: journalEvents(creation.planId, 3, 9) });
        await store.commit({ planId: creation.planId, record: creation.record, events: journalEvents(creation.planId, 10, 12) });

        const seqs = async (options?: { afterSeq?: number; limit?: number }) => (await store.readEvents(creation.planId, options)).map((event) => event.seq);
        expect(await seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        expect(await seqs({ afterSeq: 9 })).toEqual([10, 11, 12]);
        expect(await seqs({ afterSeq: 2, limit: 3 })).toEqual([3, 4, 5]);
        expect(await seqs({ limit: 0 })).toEqual([]);
        expect(await seqs({ afterSeq: -5, limit: 2 })).toEqual([1, 2]);
        expect(await seqs({ afterSeq: 12 })).toEqual([]);
        expect(await store.lastEventSeq(creation.planId)).toBe(12);
      });

      it('keeps each plan’s events and decisions apart, even when one id starts with another', async () => {
        const store = await openStore();
        const short = planCreation('demo/short', { id: '01J0000000000000000000000A' });
        const long = planCreation('demo/long', { id: '01J0000000000000000000000AB' });
        await store.createPlan(short);
        await store.createPlan(long);
        await store.commit({ planId: long.planId, record: long.record, events: journalEvents(long.planId, 3, 5) });

        expect((await store.readEvents(short.planId)).map((event) => event.planId)).toEqual([short.planId, short.planId]);
        expect(await store.lastEventSeq(short.planId)).toBe(2);
        expect(await store.lastEventSeq(long.planId)).toBe(5);
        expect((await store.listDecisions(short.planId)).map((d) => d.planId)).toEqual([short.planId, short.planId]);
      });
    });

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
        const seqs = async (options?: { afterSeq?: number; limit?: number }) => (await store.readLogs(planId, options)).map((log) => log.seq);
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
        const big = commandLog(long.planId, 1, { stdout: { text: `${'é'.repeat(512 * 1024)}`, bytes: 3 * 1024 * 1024, cut: 2 * 1024 * 1024 }, stderr: { text: 'line\u0000\u001b[31mred\n', bytes: 14, cut: 0 } });
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
        for (const log of [commandLog('01J0000000000000000000000X', 1), commandLog(planId, 0), commandLog(planId, 10 ** 12)]) {
          const error = await rejection(store.commit({ planId, record: { ...record, toolCalls: 7 }, events: [journalEvent(planId, 3)], logs: [log] }));
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
        expect((await rejection(store.appendLogs('01J0000000000000000000000Z', [commandLog('01J0000000000000000000000Z', 1)]))).code).toBe('NOT_FOUND');
        expect((await rejection(store.appendLogs(planId, [commandLog('01J0000000000000000000000Z', 2)]))).code).toBe('INTERNAL_ERROR');
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

    describe('decisions', () => {
      it('lists a plan’s decisions oldest first, whatever order they were written in', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        const [older, newer] = [decision(creation.planId, { title: 'older' }), decision(creation.planId, { title: 'newer' })];
        await store.commit({ planId: creation.planId, record: creation.record, decisions: [newer] });
        await store.commit({ planId: creation.planId, record: creation.record, decisions: [older] });

        expect((await store.listDecisions(creation.planId)).map((d) => d.id)).toEqual([...creation.decisions!.map((d) => d.id), older.id, newer.id]);
      });

      it('updates a decision’s status when the whole decision is written again', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        const step = creation.decisions![1]!;
        await store.commit({ planId: creation.planId, record: creation.record, decisions: [{ ...step, status: 'discarded' }] });

        expect((await store.getDecision(creation.planId, step.id))?.status).toBe('discarded');
        const listed = await store.listDecisions(creation.planId);
        expect(listed).toHaveLength(2);
        expect(listed.map((d) => d.status)).toEqual(['active', 'discarded']);
      });
    });

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
        await store.commit({ planId: first.planId, record: first.record, conflicts: { put: [conflict(first.planId, 'src/b.ts'), conflict(first.planId, 'a!b.txt', 'binary')] } });
        await store.commit({ planId: second.planId, record: second.record, conflicts: { put: [conflict(second.planId, 'src/b.ts')] } });

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
        await store.commit({ planId, record, conflicts: { put: [conflict(planId, 'a.txt'), conflict(planId, 'b.txt')] } });
        await store.commit({ planId, record, conflicts: { resolved: ['a.txt', 'b.txt'], put: [conflict(planId, 'b.txt', 'binary')] } });

        expect(await store.listConflicts(planId)).toEqual([conflict(planId, 'b.txt', 'binary')]);
      });

      it('keeps a resolution with its conflict until the record is removed, bytes and mode exact', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        const { planId, record } = creation;
        const open = { ...conflict(planId, 'img.bin', 'binary'), edit: null, resolution: null };
        await store.commit({ planId, record, conflicts: { put: [open, { ...conflict(planId, 'a.txt'), edit: `.troupe/conflicts/${planId}/a.txt` }] } });
        const resolution = { with: 'file' as const, content: Buffer.from([0, 255, 10]).toString('base64'), mode: '100755', path: 'mine/img.bin' };
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
        const error = await rejection(store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 5 }, conflicts: { put: [conflict('01J0000000000000000000000X', 'a')] } }));
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

    describe('checkpoints', () => {
      // a step's checkpoint with every field set, so each one is seen to round-trip
      const checkpoint = (planId: string, id: string, overrides: Partial<Checkpoint> = {}): Checkpoint =>
        checkpointFixture(planId, id, { decisionCursor: '01J00000000000000000000DEC', stepIds: ['01J00000000000000000000STP'], sideEffects: 2, toolCalls: 3, snapshot: { machineVersion: 5, snapshot: { value: { execute: 'queued' }, context: { planId } } }, ...overrides });

      it('writes checkpoints in the batch of a transition and lists them oldest first, apart from other plans', async () => {
        const store = await openStore();
        const [first, second] = [planCreation('demo/x'), planCreation('demo/y')];
        await store.createPlan(first);
        await store.createPlan(second);
        const newer = checkpoint(first.planId, '01J0000000000000000000CPB', { label: 'before-refactor', trigger: 'manual' });
        const older = checkpoint(first.planId, '01J0000000000000000000CPA');
        await store.commit({ planId: first.planId, record: { ...first.record, toolCalls: 3 }, checkpoints: [newer] });
        await store.commit({ planId: first.planId, record: first.record, checkpoints: [older] });
        await store.commit({ planId: second.planId, record: second.record, checkpoints: [checkpoint(second.planId, '01J0000000000000000000CPC')] });

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
          store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 7 }, checkpoints: [checkpoint('01J0000000000000000000000X', '01J0000000000000000000CPA')] }),
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
        await store.commit({ planId: creation.planId, record: creation.record, checkpoints: ids.map((id) => checkpoint(creation.planId, id)) });
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

    describe('step lists', () => {
      const step = (n: number) => `01J00000000000000000STP${String(n).padStart(3, '0')}`;
      const steps = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => step(from + index));
      const checkpointAt = (planId: string, n: number, stepIds: string[]) => checkpointFixture(planId, `01J0000000000000000000C${String(n).padStart(3, '0')}`, { stepIds });

      // every checkpoint's list and the plan's, read by this store and by a new one over the same data (nothing known in memory)
      async function expectLists(fixture: StoreFixture, planId: string, plan: string[], checkpoints: Record<string, string[]>): Promise<LevelBackedStore> {
        let store = fixture.store;
        for (let pass = 0; pass < (fixture.reopen ? 2 : 1); pass++) {
          expect((await store.getPlan(planId))?.strategyDecisionIds).toEqual(plan);
          expect((await store.listPlans()).find((record) => record.id === planId)?.strategyDecisionIds).toEqual(plan);
          expect(Object.fromEntries((await store.listCheckpoints(planId)).map((c) => [c.id, c.stepIds]))).toEqual(checkpoints);
          for (const [id, list] of Object.entries(checkpoints)) expect((await store.getCheckpoint(planId, id))?.stepIds).toEqual(list);
          if (fixture.reopen && pass === 0) {
            await store.close();
            store = fixture.reopen();
            // closed by the fixture's cleanup in place of the first
            fixture.store = store;
            await store.open();
          }
        }
        return store;
      }

      it('grows a plan’s list one step at a time, each checkpoint keeping the list it was taken with', async () => {
        const fixture = await openFixture();
        const creation = planCreation('demo/x', { strategyDecisionIds: [] });
        await fixture.store.createPlan(creation);
        const expected: Record<string, string[]> = {};
        for (let n = 1; n <= 12; n++) {
          const list = steps(1, n);
          const checkpoint = checkpointAt(creation.planId, n, list);
          expected[checkpoint.id] = list;
          await fixture.store.commit({ planId: creation.planId, record: { ...creation.record, strategyDecisionIds: list }, checkpoints: [checkpoint] });
        }
        await expectLists(fixture, creation.planId, steps(1, 12), expected);
      });

      it('goes back to an earlier list, takes other steps, and still reads every checkpoint taken before', async () => {
        const fixture = await openFixture();
        const creation = planCreation('demo/x', { strategyDecisionIds: [] });
        const { planId } = creation;
        await fixture.store.createPlan(creation);
        const expected: Record<string, string[]> = {};
        const commit = async (store: LevelBackedStore, n: number, list: string[], checkpointList = list) => {
          const checkpoint = checkpointAt(planId, n, checkpointList);
          expected[checkpoint.id] = checkpointList;
          await store.commit({ planId, record: { ...creation.record, strategyDecisionIds: list }, checkpoints: [checkpoint] });
        };
        for (let n = 1; n <= 6; n++) await commit(fixture.store, n, steps(1, n));
        // a rollback to the second checkpoint: the list it read back, with an undo checkpoint holding the long list
        const second = await fixture.store.getCheckpoint(planId, checkpointAt(planId, 2, []).id);
        await commit(fixture.store, 7, second!.stepIds, steps(1, 6));
        // other steps from there
        await commit(fixture.store, 8, [...steps(1, 2), step(101)]);
        await commit(fixture.store, 9, [...steps(1, 2), step(101), step(102)]);
        // undo: the long list again, as a new array
        await commit(fixture.store, 10, [...steps(1, 6)]);
        // and a step on top of it
        await commit(fixture.store, 11, steps(1, 7));
        const store = await expectLists(fixture, planId, steps(1, 7), expected);
        // a new store instance writes on from what is stored
        await commit(store, 12, [...steps(1, 2), step(103)]);
        expect((await store.getPlan(planId))?.strategyDecisionIds).toEqual([...steps(1, 2), step(103)]);
        expect((await store.getCheckpoint(planId, checkpointAt(planId, 9, []).id))?.stepIds).toEqual([...steps(1, 2), step(101), step(102)]);
      });

      it('splices steps into the middle of a list, and keeps the list from before', async () => {
        const fixture = await openFixture();
        const creation = planCreation('demo/x', { strategyDecisionIds: steps(1, 3) });
        const { planId } = creation;
        await fixture.store.createPlan(creation);
        const spliced = [step(1), step(201), step(202), step(2), step(3)];
        const before = checkpointAt(planId, 1, steps(1, 3));
        const after = checkpointAt(planId, 2, spliced);
        await fixture.store.commit({ planId, record: { ...creation.record, strategyDecisionIds: spliced }, checkpoints: [before, after] });
        await expectLists(fixture, planId, spliced, { [before.id]: steps(1, 3), [after.id]: spliced });
      });

      it('stores a checkpoint in as many bytes after a thousand steps as after ten', async () => {
        const batches: BatchInfo[] = [];
        const store = await openStore({ onBatch: (info) => batches.push(info) });
        const creation = planCreation('demo/x', { strategyDecisionIds: [] });
        await store.createPlan(creation);
        const bytesAt = new Map<number, number>();
        for (let n = 1; n <= 1000; n++) {
          const list = steps(1, n);
          await store.commit({ planId: creation.planId, record: { ...creation.record, strategyDecisionIds: list }, checkpoints: [checkpointAt(creation.planId, n % 1000, list)] });
          bytesAt.set(n, batches.at(-1)!.bytes);
        }
        // the record, one node of one id, the plan's pointer and the checkpoint: only a few digits grow
        // (node seqs and counts in the pointers: 2 more digits each, 2.4 KB if the list were copied)
        expect(bytesAt.get(1000)! - bytesAt.get(10)!).toBeLessThanOrEqual(16);
        expect((await store.getCheckpoint(creation.planId, checkpointAt(creation.planId, 999, []).id))?.stepIds).toEqual(steps(1, 999));
      });

      it('names a step list that points at a node the store does not hold, and a corrupt node', async () => {
        const store = await openStore();
        const creation = planCreation('demo/x', { strategyDecisionIds: steps(1, 2) });
        const { planId } = creation;
        await store.createPlan(creation);
        await store.commit({ planId, record: creation.record, checkpoints: [checkpointAt(planId, 1, steps(1, 2))] });
        await store.close();
        await store.open();
        await store.db.put(`!steps!${planId}`, JSON.stringify({ node: 7, count: 2 }));
        const dangling = await rejection(store.getPlan(planId));
        expect(dangling.code).toBe('STORE_CORRUPT');
        expect(dangling.message).toBe(`the step list of plan ${planId} names 2 step(s) of node 7 of its step chain, which the store does not hold`);
        expect(dangling.details).toMatchObject({ key: `!steps!${planId}` });

        await store.close();
        await store.open();
        await store.db.put(`!stepn!${planId}!000000000000`, JSON.stringify({ prev: null, ids: [1] }));
        const error = await rejection(store.getCheckpoint(planId, checkpointAt(planId, 1, []).id));
        expect(error.message).toContain(`stored node 0 of the step chain of plan ${planId} is corrupt`);
      });

      describeStepListPrefixes(makeStore);
    });

    describeMcpTasks(makeStore);
    describeHolders(makeStore);

    describe('deleting a plan', () => {
      it('removes everything stored of it in one batch, frees its name, and leaves other plans alone', async () => {
        const batches: BatchInfo[] = [];
        const store = await openStore({ onBatch: (info) => batches.push(info) });
        const [gone, kept] = [planCreation('demo/gone'), planCreation('demo/kept')];
        await store.createPlan(gone);
        await store.createPlan(kept);
        for (const { planId, record } of [gone, kept]) {
          await store.commit({
            planId,
            // a step list, so the plan has a step chain to remove
            record: { ...record, strategyDecisionIds: ['01J0000000000000000000STPA'] },
            events: journalEvents(planId, 3, 4),
            checkpoints: [checkpointFixture(planId, '01J0000000000000000000CPA')],
            conflicts: { put: [{ planId, file: 'a.txt', child: null, kind: 'content', hunks: [], edit: null, resolution: null }] },
            logs: [commandLog(planId, 1)],
          });
        }
        const before = await store.db.keys().all();
        const writes = batches.length;
        await store.deletePlan(gone.planId);

        expect(await store.getPlan(gone.planId)).toBeNull();
        expect(await store.getPlanIdByName('demo/gone')).toBeNull();
        expect(await store.getSpec(gone.planId)).toBeNull();
        expect(await store.getSnapshot(gone.planId)).toBeNull();
        expect(await store.listDecisions(gone.planId)).toEqual([]);
        expect(await store.readEvents(gone.planId)).toEqual([]);
        expect(await store.listCheckpoints(gone.planId)).toEqual([]);
        expect(await store.listConflicts(gone.planId)).toEqual([]);
        expect(await store.readLogs(gone.planId)).toEqual([]);
        expect(await store.readLogs(kept.planId)).toHaveLength(1);
        expect(await store.getChangeset(gone.changesets![0]!.id)).toBeNull();
        // nothing of it is left under any key; the other plan is whole
        const after = await store.db.keys().all();
        expect(after.filter((key) => String(key).includes(gone.planId))).toEqual([]);
        expect(after.filter((key) => String(key).includes(kept.planId))).toEqual(before.filter((key) => String(key).includes(kept.planId)));
        expect(await store.listPlans()).toEqual([{ ...kept.record, strategyDecisionIds: ['01J0000000000000000000STPA'] }]);
        // the name is free again, and a commit to the deleted plan is refused
        await store.createPlan(planCreation('demo/gone'));
        await expect(store.commit({ planId: gone.planId, record: gone.record })).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(batches.length).toBeGreaterThan(writes);
      });

      it('is no error for a plan it does not have, and keeps a name that another plan took since', async () => {
        const store = await openStore();
        await store.deletePlan('01J00000000000000000000000');
        const first = planCreation('demo/x');
        await store.createPlan(first);
        await store.deletePlan(first.planId);
        const second = planCreation('demo/x');
        await store.createPlan(second);
        await store.deletePlan(first.planId);
        expect(await store.getPlanIdByName('demo/x')).toBe(second.planId);
      });
    });

    describe('projects', () => {
      it('registers projects by name, lists them in name order, and refuses a name twice', async () => {
        const store = await openStore();
        expect(await store.listProjects()).toEqual([]);
        const docs = { name: 'docs-site', path: '/repos/docs', addedAt: '2026-01-01T00:00:00.000Z' };
        const api = { name: 'api', path: '/repos/api', addedAt: '2026-01-02T00:00:00.000Z' };
        await store.addProject(docs);
        await store.addProject(api);
        expect(await store.listProjects()).toEqual([api, docs]);
        expect(await store.getProject('docs-site')).toEqual(docs);
        expect(await store.getProject('nope')).toBeNull();
        const error = await rejection(store.addProject({ ...docs, path: '/elsewhere' }));
        expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: 'name: a project named "docs-site" is already registered' });
        expect(await store.getProject('docs-site')).toEqual(docs);
      });
    });

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
        await store.db.put(`!plans!${creation.planId}`, JSON.stringify({ ...creation.record, phase: 'dance', toolCalls: -1 }));

        const error = await rejection(store.getPlan(creation.planId));
        expect(error.code).toBe('STORE_CORRUPT');
        expect(error.message).toBe(`stored plan ${creation.planId} is corrupt: phase: must be strategize, execute, validate or apply (got "dance"); toolCalls: must be at least 0`);
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

        expect((await rejection(store.listDecisions(planId))).message).toContain(`stored decision ${decisionId} of plan ${planId} is corrupt: type:`);
        expect((await rejection(store.getDecision(planId, decisionId))).code).toBe('STORE_CORRUPT');
        expect((await rejection(store.readEvents(planId))).message).toBe(`stored event 2 of plan ${planId} is corrupt: not JSON`);
        expect((await store.readEvents(planId, { limit: 1 })).map((event) => event.seq)).toEqual([1]);
        expect((await rejection(store.getSnapshot(planId))).message).toBe(`stored snapshot of plan ${planId} is corrupt: snapshot: is required`);
        expect((await rejection(store.getSpec(planId))).message).toContain(`stored plan file of plan ${planId} is corrupt: name: is required`);
        expect((await rejection(store.getChangeset(changesetId))).message).toContain(`stored changeset ${changesetId} is corrupt`);
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
        expect((await rejection(store.getPlanIdByName('demo/x'))).message).toBe('stored name "demo/x" is corrupt: must be a string, got number 7');
      });
    });

    describe('schema version', () => {
      it('writes the current schema version into a new store', async () => {
        const store = await openStore();
        expect(await rawValue(store, '!meta!version')).toBe(String(STORE_SCHEMA_VERSION));
      });

      it('refuses a store written by a newer troupe with STORE_VERSION, and closes it', async () => {
        const store = await openStore();
        await store.db.put('!meta!version', String(STORE_SCHEMA_VERSION + 1));
        await store.close();

        const error = await rejection(store.open());
        expect(error.code).toBe('STORE_VERSION');
        expect(error.message).toContain(`schema version ${STORE_SCHEMA_VERSION + 1}`);
        expect(error.hint).toContain('upgrade troupe');
        expect(store.db.status).toBe('closed');
        await expect(store.getPlan('01J00000000000000000000000')).rejects.toThrow(/not open/);
      });

      it('runs the migration from an older version, then records the current one', async () => {
        const migrate = vi.fn(async (db: LevelBackedStore['db']) => {
          await db.put('migrated', 'yes');
        });
        const store = await openStore({ migrations: { [STORE_SCHEMA_VERSION - 1]: migrate } });
        const creation = planCreation('demo/x');
        await store.createPlan(creation);
        await store.db.put('!meta!version', String(STORE_SCHEMA_VERSION - 1));
        await store.close();

        await store.open();

        expect(migrate).toHaveBeenCalledTimes(1);
        expect(await rawValue(store, 'migrated')).toBe('yes');
        expect(await rawValue(store, '!meta!version')).toBe(String(STORE_SCHEMA_VERSION));
        expect(await store.getPlan(creation.planId)).toEqual(creation.record);
        await store.close();
        await store.open();
        expect(migrate).toHaveBeenCalledTimes(1);
      });

      it('refuses an older version it has no migration for with STORE_VERSION', async () => {
        const store = await openStore({ migrations: {} });
        await store.db.put('!meta!version', String(STORE_SCHEMA_VERSION - 1));
        await store.close();
        const error = await rejection(store.open());
        expect(error.code).toBe('STORE_VERSION');
        expect(error.message).toContain(`no migration from version ${STORE_SCHEMA_VERSION - 1}`);
      });

      it('refuses a store that has data but no schema version with STORE_CORRUPT', async () => {
        const store = await openStore();
        await store.createPlan(planCreation('demo/x'));
        await store.db.del('!meta!version');
        await store.close();
        const error = await rejection(store.open());
        expect(error.code).toBe('STORE_CORRUPT');
        expect(error.message).toContain('no schema version');
      });

      it.each([
        ['not JSON', '{v2'],
        ['not a whole number', '"2"'],
        ['negative', '-1'],
      ])('refuses a schema version that is %s with STORE_CORRUPT, naming the key', async (_kind, version) => {
        const store = await openStore();
        await store.db.put('!meta!version', version);
        await store.close();
        const error = await rejection(store.open());
        expect(error.code).toBe('STORE_CORRUPT');
        expect(error.message).toContain(`has an unreadable schema version ${JSON.stringify(version)}`);
        expect(error.details).toEqual({ key: '!meta!version' });
        expect(store.db.status).toBe('closed');
      });
    });

    describe('batch figures', () => {
      it('reports the operations and the bytes of keys and values each write stored', async () => {
        const batches: BatchInfo[] = [];
        const store = await openStore({ onBatch: (info) => batches.push(info) });
        const before = await storedBytes(store);
        const creation = planCreation('demo/x');
        await store.createPlan(creation);

        // name, plan file, record, step list, snapshot, 2 decisions, 2 events, 1 changeset
        expect(batches).toEqual([{ planId: creation.planId, operations: 10, bytes: (await storedBytes(store)) - before, sync: false }]);

        // the step list did not change: only the record is written again
        await store.commit({ planId: creation.planId, record: creation.record });
        const { strategyDecisionIds, ...record } = creation.record;
        const recordBytes = Buffer.byteLength(`!plans!${creation.planId}`) + Buffer.byteLength(JSON.stringify(record));
        expect(batches[1]).toEqual({ planId: creation.planId, operations: 1, bytes: recordBytes, sync: false });

        // a new step list is written with the record — the node of its new step and where the list is now — and read back with it
        const steps = [...strategyDecisionIds, '01JSTEP0000000000000000000'];
        await store.commit({ planId: creation.planId, record: { ...creation.record, strategyDecisionIds: steps } });
        expect(batches[2]?.operations).toBe(3);
        expect((await store.getPlan(creation.planId))?.strategyDecisionIds).toEqual(steps);
        expect((await store.listPlans())[0]?.strategyDecisionIds).toEqual(steps);
      });

      it('reports nothing for a write that failed', async () => {
        const onBatch = vi.fn();
        const store = await openStore({ onBatch });
        await store.createPlan(planCreation('demo/x'));
        await expect(store.createPlan(planCreation('demo/x'))).rejects.toThrow();
        expect(onBatch).toHaveBeenCalledTimes(1);
      });
    });

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
        expect(await store.claimedPlans([second.planId, first.planId, '01M0000000000000000000NONE'])).toEqual([first.planId]);
        await store.releasePlan(first.planId);
        // claimed twice, released once: still held
        expect(await store.claimedPlans([first.planId, second.planId])).toEqual([first.planId]);
        await store.releasePlan(first.planId);
        expect(await store.claimedPlans([first.planId, second.planId])).toEqual([]);
      });
    });

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
        await fixture.store.commit({ planId: creation.planId, record: creation.record, events: journalEvents(creation.planId, 3, 11), sync: true });
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
  });
}

async function storedBytes(store: LevelBackedStore): Promise<number> {
  let bytes = 0;
  for await (const [key, value] of store.db.iterator()) bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  return bytes;
}
