import { MemoryLevel } from 'memory-level';
import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  LevelBackedStore,
  MemoryStore,
  type StoreDatabase,
  type StoreOptions,
} from '../../src/store/index.js';
import { runStoreConformance } from './conformance/index.js';
import { planCreation } from './fixtures.js';

runStoreConformance('MemoryStore', async (options) => ({ store: new MemoryStore(options), cleanup: async () => {} }));

// an embedder may hand the store a sublevel of its own database: the store's keys live under it
function storeInSublevel(options: StoreOptions = {}) {
  const outer = new MemoryLevel<string, string>();
  const inner = outer.sublevel<string, string>('app', {}) as unknown as StoreDatabase;
  return {
    outer,
    store: new LevelBackedStore(() => inner, { ...options, kind: 'memory', location: 'memory (sublevel app)' }),
  };
}

describe('MemoryStore', () => {
  it('is a memory store whose data belongs to its instance', async () => {
    const [one, two] = [createMemoryStore(), createMemoryStore()];
    await Promise.all([one.open(), two.open()]);
    const creation = planCreation('demo/x');
    await one.createPlan(creation);

    expect(one.kind).toBe('memory');
    expect(await one.getPlan(creation.planId)).toEqual(creation.record);
    expect(await two.getPlan(creation.planId)).toBeNull();
    await Promise.all([one.close(), two.close()]);
  });

  it("keeps every key under the sublevel it was given, beside the database's other data", async () => {
    const { outer, store } = storeInSublevel();
    await outer.open();
    await outer.put('!other!key', 'kept');
    await store.open();
    const creation = planCreation('demo/x');
    await store.createPlan(creation);
    await store.commit({ planId: creation.planId, record: { ...creation.record, status: 'processing' } });
    const keys = await outer.keys().all();
    expect(keys.filter((key) => !key.startsWith('!app!'))).toEqual(['!other!key']);
    expect(keys).toContain(`!app!!plans!${creation.planId}`);
    expect(await store.getPlan(creation.planId)).toMatchObject({ status: 'processing' });
    // what a batch reports counts the keys as the database underneath holds them
    const batches: number[] = [];
    const counted = storeInSublevel({ onBatch: (info) => batches.push(info.bytes) });
    await counted.store.open();
    await counted.store.createPlan(creation);
    const held = await counted.outer.iterator().all();
    const total = held
      .filter(([key]) => !key.includes('!meta!'))
      .reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
    expect(batches.at(-1)).toBe(total);
    await Promise.all([store.close(), counted.store.close()]);
  });
});
