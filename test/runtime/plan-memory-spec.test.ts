import { describe, expect, it } from 'vitest';
import { PlanMemory } from '../../src/runtime/persistence/plan-memory.js';
import { MemoryStore } from '../../src/store/index.js';
import { planCreation, planSpec } from '../store/fixtures.js';

// a real store whose plan-file reads are counted (and can be held back)
async function countedStore(): Promise<{
  store: MemoryStore;
  reads: () => number;
  hold: () => () => void;
  planId: string;
}> {
  const store = new MemoryStore();
  await store.open();
  const creation = planCreation('demo/parent');
  await store.createPlan(creation);
  let reads = 0;
  let gate: Promise<void> | null = null;
  const getSpec = store.getSpec.bind(store);
  store.getSpec = async (planId) => {
    reads += 1;
    if (gate) await gate;
    return getSpec(planId);
  };
  return {
    store,
    reads: () => reads,
    hold: () => {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = null;
        open();
      };
    },
    planId: creation.planId,
  };
}

describe('PlanMemory’s plan files', () => {
  it('reads a plan file once for every caller that asks while it is read, then answers from memory', async () => {
    const { store, reads, hold, planId } = await countedStore();
    const memory = new PlanMemory(store);
    const release = hold();
    // the children a worker starts together ask for their parent's plan file at once
    const asked = Promise.all([memory.spec(planId), memory.spec(planId), memory.spec(planId), memory.spec(planId)]);
    release();
    const specs = await asked;
    expect(reads()).toBe(1);
    expect(new Set(specs).size).toBe(1);
    expect(specs[0]!.name).toBe('demo/parent');
    await memory.spec(planId);
    expect(reads()).toBe(1);
  });

  it('keeps neither a plan file read before the plan was forgotten nor one read before it was given a new one', async () => {
    const { store, reads, hold, planId } = await countedStore();
    const memory = new PlanMemory(store);
    let release = hold();
    const before = memory.spec(planId);
    // another process took the plan over while it was read here
    memory.forget(planId);
    release();
    expect((await before).name).toBe('demo/parent');
    await memory.spec(planId);
    expect(reads()).toBe(2);

    memory.forget(planId);
    release = hold();
    const stale = memory.spec(planId);
    const taken = { ...planSpec('demo/parent'), goal: 'the new goal' };
    memory.setSpec(planId, taken);
    release();
    await stale;
    expect(await memory.spec(planId)).toBe(taken);
    expect(reads()).toBe(3);
  });

  it('says NOT_FOUND for a plan the store has no plan file of, and reads it again next time', async () => {
    const { store, reads } = await countedStore();
    const memory = new PlanMemory(store);
    await expect(memory.spec('01J0000000000000000000NONE')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(memory.spec('01J0000000000000000000NONE')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(reads()).toBe(2);
  });
});
