import { describe, expect, it } from 'vitest';
import type { PlanHolder } from '../../src/domain/index.js';
import { holdersOf } from '../../src/store/holders-of.js';

// plan list asks who holds each plan of the project: a few are read one by
// one, many with one scan of the holders (issue 42)
function holder(planId: string): PlanHolder {
  return {
    planId,
    worker: 'w1',
    host: 'h1',
    pid: 4242,
    since: '2026-01-01T00:00:00.000Z',
    heardAt: '2026-01-01T00:00:00.000Z',
  };
}

function countingStore(holders: PlanHolder[]) {
  const reads = { each: 0, lists: 0 };
  const store = {
    async getHolder(planId: string) {
      reads.each += 1;
      return holders.find((known) => known.planId === planId) ?? null;
    },
    async listHolders() {
      reads.lists += 1;
      return holders;
    },
  };
  return { store, reads };
}

describe('holdersOf', () => {
  it('answers in the order asked, null where no worker holds the plan, whichever way it reads', async () => {
    const few = ['P3', 'P1', 'P2'];
    const many = Array.from({ length: 20 }, (_, index) => `P${20 - index}`);
    const { store, reads } = countingStore([holder('P1'), holder('P7')]);
    expect(await holdersOf(store, few)).toEqual([null, holder('P1'), null]);
    expect(reads).toEqual({ each: 3, lists: 0 });
    const answered = await holdersOf(store, many);
    expect(reads).toEqual({ each: 3, lists: 1 });
    expect(answered).toHaveLength(20);
    expect(answered.map((found, index) => (found ? many[index] : null)).filter(Boolean)).toEqual(['P7', 'P1']);
    expect(await holdersOf(store, [])).toEqual([]);
  });
});
