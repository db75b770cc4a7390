import { describe, expect, it } from 'vitest';
import type { JournalEvent, PlanRecord } from '../../src/domain/index.js';
import { PlanPersistence, type PersistSource } from '../../src/runtime/plan-persistence.js';
import { createMemoryStore, type Store } from '../../src/store/index.js';
import { decision, planCreation } from '../store/fixtures.js';

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
    const persistence = new PlanPersistence({ store, now: () => '2026-01-01T00:00:00.000Z', publish: (events) => published.push(events), onError: (_, error) => errors.push(error) });
    let version = { n: 0 };
    const source: PersistSource = {
      planId: creation.planId,
      versions: () => [version],
      capture: () => ({ snapshot: { machineVersion: 1, snapshot: { n: version.n } }, record: { ...creation.record, toolCalls: version.n } as PlanRecord }),
    };
    persistence.track(source, { current: true, lastSeq: null });

    const first = decision(creation.planId);
    failNext();
    persistence.record(creation.planId, { decisions: [first], entries: [{ type: 'phase.started', phase: 'strategize', data: {} }] });
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
});
