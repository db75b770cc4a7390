import { describe, expect, it } from 'vitest';
import { PlanMemory } from '../../src/runtime/persistence/plan-memory.js';
import { MemoryStore, type Store } from '../../src/store/index.js';
import { countingCalls } from '../helpers/counting-store.js';
import { planCreation } from '../store/fixtures.js';

// PlanMemory over a real MemoryStore whose record and plan-file reads are counted (a read ahead can be made to fail)
async function counted(options: { failFirstRecordRead?: boolean } = {}) {
  const memoryStore = new MemoryStore();
  await memoryStore.open();
  const creation = planCreation('demo/taken');
  await memoryStore.createPlan(creation);
  let failNext = options.failFirstRecordRead === true;
  const flaky = new Proxy(memoryStore as Store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (property !== 'getPlan') return value.bind(target);
      return async (planId: string) => {
        if (failNext) {
          failNext = false;
          throw new Error('the store went away');
        }
        return target.getPlan(planId);
      };
    },
  });
  const records = countingCalls(flaky, 'getPlan');
  const specs = countingCalls(records.store, 'getSpec');
  return {
    store: memoryStore,
    memory: new PlanMemory(specs.store),
    creation,
    recordReads: records.calls,
    specReads: specs.calls,
  };
}

describe('PlanMemory’s read ahead of a plan just claimed', () => {
  it('answers every ask for the record and plan file from the reads started ahead, asking the store once each', async () => {
    const { store, memory, creation, recordReads, specReads } = await counted();
    memory.readAhead(creation.planId);
    expect([recordReads(), specReads()]).toEqual([1, 1]);
    // the plan's actors ask as they start (its strategize, its invariants)
    const [record, again, spec] = await Promise.all([
      memory.record(creation.planId),
      memory.record(creation.planId),
      memory.spec(creation.planId),
    ]);
    expect(record).toEqual(creation.record);
    expect(again).toBe(record);
    expect(spec.name).toBe('demo/taken');
    expect([recordReads(), specReads()]).toEqual([1, 1]);
    await store.close();
  });

  it('drops a record remembered from before the claim: another process wrote the plan since', async () => {
    const { store, memory, creation } = await counted();
    memory.setRecord(creation.planId, creation.record);
    // a worker ran the plan meanwhile
    const moved = { ...creation.record, toolCalls: 3 };
    await store.commit({ planId: creation.planId, record: moved });
    memory.readAhead(creation.planId);
    expect((await memory.record(creation.planId)).toolCalls).toBe(3);
    await store.close();
  });

  it('answers with what this runtime writes next, not what was read ahead', async () => {
    const { store, memory, creation, recordReads } = await counted();
    memory.readAhead(creation.planId);
    const written = { ...creation.record, toolCalls: 7 };
    memory.setRecord(creation.planId, written);
    expect(await memory.record(creation.planId)).toEqual(written);
    expect(recordReads()).toBe(1);
    await store.close();
  });

  it('reads the store again when the read ahead failed (and leaves no unhandled rejection)', async () => {
    const { store, memory, creation, recordReads } = await counted({ failFirstRecordRead: true });
    memory.readAhead(creation.planId);
    // a turn of the event loop with the failed read unawaited: an unhandled rejection would fail the run
    await new Promise((resolve) => setImmediate(resolve));
    expect(await memory.record(creation.planId)).toEqual(creation.record);
    expect(recordReads()).toBe(2);
    await store.close();
  });
});
