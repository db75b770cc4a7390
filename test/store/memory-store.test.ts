import { describe, expect, it } from 'vitest';
import { createMemoryStore, MemoryStore } from '../../src/store/index.js';
import { runStoreConformance } from './conformance.js';
import { planCreation } from './fixtures.js';

runStoreConformance('MemoryStore', async (options) => ({ store: new MemoryStore(options), cleanup: async () => {} }));

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
});
