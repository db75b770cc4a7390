import { describe, expect, it } from 'vitest';
import type { JournalEvent, PlanRecord } from '../../src/domain/index.js';
import { PlanPersistence, type LogDraft, type PersistSource } from '../../src/runtime/persistence/plan-persistence.js';
import { createMemoryStore, type Store } from '../../src/store/index.js';
import { countingCalls } from '../helpers/counting-store.js';
import { checkpoint as checkpointOf, commandLog, decision, planCreation } from '../store/fixtures.js';

// PlanPersistence over a real MemoryStore; one write fails as a full disk would.

/** The store, except that its next `commit` fails once. */
function failingOnce(store: Store): { store: Store; failNext: () => void } {
  let fail = false;
  const flaky = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'commit') {
        return async (...args: Parameters<Store['commit']>) => {
          if (fail) {
            fail = false;
            throw new Error('ENOSPC: no space left on device');
          }
          return target.commit(...args);
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store: flaky, failNext: () => (fail = true) };
}

describe('PlanPersistence', () => {
  it('keeps what a failed write held and writes it, in order, with the next snapshot', async () => {
    const memory = createMemoryStore();
    await memory.open();
    const creation = planCreation('demo/x');
    await memory.createPlan(creation);
    const { store, failNext } = failingOnce(memory);
    const errors: unknown[] = [];
    const published: JournalEvent[][] = [];
    const persistence = new PlanPersistence({
      store,
      now: () => '2026-01-01T00:00:00.000Z',
      publish: (events) => published.push(events),
      onError: (_, error) => errors.push(error),
    });
    let version = { n: 0 };
    const source: PersistSource = {
      planId: creation.planId,
      versions: () => [version],
      capture: () => ({
        snapshot: { machineVersion: 1, snapshot: { n: version.n } },
        record: { ...creation.record, toolCalls: version.n } as PlanRecord,
      }),
    };
    persistence.track(source, { current: true, lastSeq: null });

    const first = decision(creation.planId);
    failNext();
    persistence.record(creation.planId, {
      decisions: [first],
      entries: [{ type: 'phase.started', phase: 'strategize', data: {} }],
    });
    await persistence.settled(creation.planId);
    expect(errors).toEqual([expect.objectContaining({ message: 'ENOSPC: no space left on device' })]);
    expect(await memory.readEvents(creation.planId)).toHaveLength(2);
    expect(published).toEqual([]);

    version = { n: 1 };
    persistence.record(creation.planId, { entries: [{ type: 'phase.completed', phase: 'strategize', data: {} }] });
    await persistence.settled(creation.planId);
    expect((await memory.readEvents(creation.planId)).map((event) => [event.seq, event.type])).toEqual([
      [1, 'plan.created'],
      [2, 'phase.started'],
      [3, 'phase.started'],
      [4, 'phase.completed'],
    ]);
    expect(await memory.getDecision(creation.planId, first.id)).toEqual(first);
    expect(await memory.getSnapshot(creation.planId)).toEqual({ machineVersion: 1, snapshot: { n: 1 } });
    expect((await memory.getPlan(creation.planId))?.toolCalls).toBe(1);
    expect(published.flat().map((event) => event.seq)).toEqual([3, 4]);
    await persistence.release(creation.planId);
    await memory.close();
  });

  describe('the journal seq read when the plan was taken', () => {
    // a store that counts its answers to lastEventSeq
    async function counted() {
      const memory = createMemoryStore();
      await memory.open();
      const creation = planCreation('demo/x');
      await memory.createPlan(creation);
      const { store, calls: reads } = countingCalls(memory, 'lastEventSeq');
      const errors: unknown[] = [];
      const persistence = new PlanPersistence({
        store,
        now: () => '2026-01-01T00:00:00.000Z',
        publish: () => {},
        onError: (_, error) => errors.push(error),
      });
      const source: PersistSource = {
        planId: creation.planId,
        versions: () => [{}],
        capture: () => ({ snapshot: { machineVersion: 1, snapshot: {} }, record: creation.record }),
      };
      return { memory, persistence, source, planId: creation.planId, errors, reads };
    }

    // the first transition written, and the journal it leaves: numbered after what the creation wrote, no gap, no clash
    async function firstTransition({
      memory,
      persistence,
      planId,
      errors,
    }: Awaited<ReturnType<typeof counted>>): Promise<void> {
      persistence.record(planId, { entries: [{ type: 'phase.started', phase: 'strategize', data: {} }] });
      await persistence.settled(planId);
      expect(errors).toEqual([]);
      const events = await memory.readEvents(planId);
      expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
      expect(events.at(-1)?.type).toBe('phase.started');
      await persistence.release(planId);
      await memory.close();
    }

    it('numbers the first transition from the read already under way, asking the store nothing more', async () => {
      const taken = await counted();
      taken.persistence.track(taken.source, { current: true, lastSeq: taken.memory.lastEventSeq(taken.planId) });
      await firstTransition(taken);
      expect(taken.reads()).toBe(0);
    });

    it('reads the seq at the first write when the read under way failed (and leaves no unhandled rejection)', async () => {
      const taken = await counted();
      taken.persistence.track(taken.source, {
        current: true,
        lastSeq: Promise.reject(new Error('the store went away')),
      });
      // a turn of the event loop with the rejection unawaited: an unhandled one would fail the run
      await new Promise((resolve) => setImmediate(resolve));
      await firstTransition(taken);
      expect(taken.reads()).toBe(1);
    });
  });

  describe('command logs', () => {
    const draft = (command: string, overrides: Partial<LogDraft> = {}): LogDraft => {
      const { seq: _seq, ts: _ts, ...log } = commandLog('x', 1, { command, ...overrides });
      return log;
    };

    async function tracked(failing = false) {
      const memory = createMemoryStore();
      await memory.open();
      const creation = planCreation('demo/x');
      await memory.createPlan(creation);
      const { store, failNext } = failingOnce(memory);
      const late: [string, LogDraft[]][] = [];
      const persistence = new PlanPersistence({
        store,
        now: () => '2026-01-01T00:00:00.000Z',
        publish: () => {},
        onError: () => {},
        onLateLogs: (planId, logs) => late.push([planId, logs]),
      });
      let n = 0;
      persistence.track(
        {
          planId: creation.planId,
          versions: () => [n],
          capture: () => ({ snapshot: { machineVersion: 1, snapshot: { n } }, record: creation.record }),
        },
        { current: true, lastSeq: null },
      );
      if (failing) failNext();
      return { memory, persistence, planId: creation.planId, late, next: () => (n += 1), failNext };
    }

    it('holds a log until a transition records a result, and writes it in that batch with the next seq', async () => {
      const { memory, persistence, planId } = await tracked();
      expect(persistence.hold(planId, draft('npm test', { planId }))).toBe(true);
      persistence.record(planId, { entries: [{ type: 'step.started', phase: 'execute', data: { index: 0 } }] });
      await persistence.settled(planId);
      expect(await memory.readLogs(planId)).toEqual([]);

      persistence.record(planId, { entries: [{ type: 'step.completed', phase: 'execute', data: { index: 0 } }] });
      await persistence.settled(planId);
      expect((await memory.readLogs(planId)).map((log) => [log.seq, log.command, log.ts])).toEqual([
        [1, 'npm test', '2026-01-01T00:00:00.000Z'],
      ]);
      expect(persistence.hold('01J0000000000000000000000Z', draft('x'))).toBe(false);
      await memory.close();
    });

    it('takes the last log seq it is given (0 for a plan just created) instead of reading it when a checkpoint is first written', async () => {
      const memory = createMemoryStore();
      await memory.open();
      const creation = planCreation('demo/x');
      await memory.createPlan(creation);
      const { store, calls: reads } = countingCalls(memory, 'lastLogSeq');
      const persistence = new PlanPersistence({
        store,
        now: () => '2026-01-01T00:00:00.000Z',
        publish: () => {},
        onError: () => {},
      });
      persistence.track(
        {
          planId: creation.planId,
          versions: () => [{}],
          capture: () => ({ snapshot: { machineVersion: 1, snapshot: {} }, record: creation.record }),
        },
        { current: false, lastSeq: 1, lastLogSeq: 0 },
      );
      persistence.hold(creation.planId, draft('npm test', { planId: creation.planId }));
      const taken = checkpointOf(creation.planId, '01J0000000000000000000CPA');
      persistence.record(creation.planId, {
        entries: [{ type: 'step.completed', phase: 'execute', data: { index: 0 } }],
        checkpoints: [taken],
      });
      await persistence.settled(creation.planId);
      expect(reads()).toBe(0);
      expect((await memory.readLogs(creation.planId)).map((log) => log.seq)).toEqual([1]);
      expect((await memory.getCheckpoint(creation.planId, taken.id))?.logCursor).toBe(1);
      await memory.close();
    });

    // a plan taken over with one log stored, its log seq read under way (or failed): its next log and checkpoint follow it
    async function takenOver(lastLogSeq: (memory: Store, planId: string) => Promise<number>) {
      const memory = createMemoryStore();
      await memory.open();
      const creation = planCreation('demo/x');
      await memory.createPlan(creation);
      await memory.appendLogs(creation.planId, [commandLog(creation.planId, 1)]);
      const { store, calls: reads } = countingCalls(memory, 'lastLogSeq');
      const errors: unknown[] = [];
      const persistence = new PlanPersistence({
        store,
        now: () => '2026-01-01T00:00:00.000Z',
        publish: () => {},
        onError: (_, error) => errors.push(error),
      });
      persistence.track(
        {
          planId: creation.planId,
          versions: () => [{}],
          capture: () => ({ snapshot: { machineVersion: 1, snapshot: {} }, record: creation.record }),
        },
        { current: true, lastSeq: null, lastLogSeq: lastLogSeq(memory, creation.planId) },
      );
      // a turn of the event loop with the read unawaited: a rejection left unhandled would fail the run
      await new Promise((resolve) => setImmediate(resolve));
      persistence.hold(creation.planId, draft('npm test', { planId: creation.planId }));
      const taken = checkpointOf(creation.planId, '01J0000000000000000000CPA');
      persistence.record(creation.planId, {
        entries: [{ type: 'step.completed', phase: 'execute', data: { index: 0 } }],
        checkpoints: [taken],
      });
      await persistence.settled(creation.planId);
      expect(errors).toEqual([]);
      expect((await memory.readLogs(creation.planId)).map((log) => log.seq)).toEqual([1, 2]);
      expect((await memory.getCheckpoint(creation.planId, taken.id))?.logCursor).toBe(2);
      await memory.close();
      return reads();
    }

    it('numbers the first log and checkpoint of a plan taken over from the log seq read already under way, asking the store nothing more', async () => {
      expect(await takenOver((memory, planId) => memory.lastLogSeq(planId))).toBe(0);
    });

    it('reads the log seq when first needed when the read under way failed (and leaves no unhandled rejection)', async () => {
      expect(await takenOver(() => Promise.reject(new Error('the store went away')))).toBe(1);
    });

    it('gives a check’s log the step its reconciliation followed, and a checkpoint the logs of its batch', async () => {
      const { memory, persistence, planId } = await tracked();
      persistence.hold(
        planId,
        draft('npm test', { planId, kind: 'check', step: null, tool: null, invariant: 'tests' }),
      );
      persistence.hold(
        planId,
        draft('npm run lint', { planId, kind: 'check', step: null, tool: null, invariant: 'lint' }),
      );
      const taken = checkpointOf(planId, '01J0000000000000000000CPA');
      persistence.record(planId, {
        entries: [
          { type: 'invariant.reconciled', phase: 'execute', data: { trigger: 'post-step', step: 2, results: [] } },
        ],
      });
      persistence.record(planId, { checkpoints: [taken] });
      await persistence.settled(planId);

      expect((await memory.readLogs(planId)).map((log) => [log.seq, log.invariant, log.step])).toEqual([
        [1, 'tests', 2],
        [2, 'lint', 2],
      ]);
      expect((await memory.getCheckpoint(planId, taken.id))?.logCursor).toBe(2);
      await memory.close();
    });

    it('keeps the logs of a failed write and writes them with the next one', async () => {
      const { memory, persistence, planId } = await tracked(true);
      persistence.hold(planId, draft('one', { planId }));
      persistence.record(planId, { entries: [{ type: 'step.failed', phase: 'execute', data: { index: 0 } }] });
      await persistence.settled(planId);
      expect(await memory.readLogs(planId)).toEqual([]);
      persistence.record(planId, { entries: [{ type: 'phase.failed', phase: 'execute', data: {} }] });
      await persistence.settled(planId);
      expect((await memory.readLogs(planId)).map((log) => [log.seq, log.command])).toEqual([[1, 'one']]);
      await memory.close();
    });

    it('hands logs still held when a plan that ended is released to onLateLogs, and drops them otherwise', async () => {
      const ended = await tracked();
      ended.persistence.hold(ended.planId, draft('sleep 30', { planId: ended.planId, cancelled: true }));
      await ended.persistence.release(ended.planId, { held: 'late' });
      expect(ended.late.map(([planId, logs]) => [planId, logs.map((log) => log.command)])).toEqual([
        [ended.planId, ['sleep 30']],
      ]);
      expect(ended.persistence.hold(ended.planId, draft('later'))).toBe(false);

      const stopped = await tracked();
      stopped.persistence.hold(stopped.planId, draft('sleep 30', { planId: stopped.planId }));
      await stopped.persistence.release(stopped.planId);
      expect(stopped.late).toEqual([]);
      expect(await stopped.memory.readLogs(stopped.planId)).toEqual([]);
      await Promise.all([ended.memory.close(), stopped.memory.close()]);
    });
  });
});
