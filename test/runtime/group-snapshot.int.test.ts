import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { LevelStore, type PlanTransaction, type Store } from '../../src/store/index.js';
import { tempRepo } from '../helpers/temp.js';
import { fanOutPlan } from './fixtures.js';

// A plan running a group of subplans writes the group's state once per
// transition, not twice (its own and its supervisor's): on LevelDB, with real
// children in real worktrees.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// the store as it is, but the snapshots of transitions written are kept to look at
function keepingSnapshots(store: Store): { store: Store; written: PlanTransaction[] } {
  const written: PlanTransaction[] = [];
  const keeping = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (property !== 'commit') return bound;
      return (transaction: PlanTransaction) => {
        written.push(structuredClone(transaction));
        return bound(transaction);
      };
    },
  });
  return { store: keeping, written };
}

describe('the snapshot of a plan running a group of subplans', () => {
  it('holds the group’s state once: its supervisor’s is stored as what differs from the plan’s own', async () => {
    const repo = await tempRepo({ 'README.md': '# group\n' });
    cleanups.push(repo.cleanup);
    const level = new LevelStore({ path: join(repo.dir, '.troupe', 'store') });
    await level.open();
    const { store, written } = keepingSnapshots(level);
    const runtime = await createRuntime({ dir: repo.dir, report: () => {}, store });
    cleanups.push(() => runtime.close());
    const plan = await runtime.createPlan(fanOutPlan('demo/fan', { after: false }));
    const record = await runtime.run(plan.id, { until: 'execute' });
    expect(record).toMatchObject({ phase: 'execute', status: 'complete' });
    expect(existsSync(join(repo.dir, record.sandbox!.worktree, 'x.txt'))).toBe(true);

    type Stored = {
      context: { group: unknown };
      children?: { supervisor?: { snapshot: { context: { state: Record<string, unknown> } } } };
    };
    const supervised = written
      .filter((transaction) => transaction.planId === plan.id)
      .map((transaction) => transaction.snapshot?.snapshot as Stored | undefined)
      .filter((snapshot) => snapshot?.children?.supervisor);
    expect(supervised.length).toBeGreaterThan(2);
    for (const snapshot of supervised) {
      const state = snapshot!.children!.supervisor!.snapshot.context.state;
      expect(state.sameAs).toBe('context.group');
      // never the children's list again: that does not change while the group runs
      expect(state).not.toHaveProperty('children');
    }
  });
});
