import { afterEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { createMemoryStore, type Store } from '../../src/store/index.js';
import { git } from '../helpers/temp.js';
import { fanOutPlan, planYaml, projectWithRuntime, step } from './fixtures.js';

// Issue 43, without a database to stop: every store access a plan's actors
// make while it executes waits an outage out within the bound — the runner's
// read of the registered projects at a step's first command, the plan and
// the checkpoint a step's checkpoint reads, a transition's write, the child
// plans made, claimed, merged and released — instead of failing the step
// (or the subplans) with STORE_UNAVAILABLE. (A PostgreSQL outage that began
// just before a step's first command failed the plan in CI.)

const AWAY_MS = 200;

/**
 * A real MemoryStore that says it is PostgreSQL (so the runtime waits its
 * outages out) and goes away for `AWAY_MS` at the first call of `method`
 * after the plan's first transition: that call and every other one until
 * then fail with STORE_UNAVAILABLE, as a stopped server's do.
 */
function goingAway(method: keyof Store): { store: Store; calls: () => number } {
  const memory = createMemoryStore();
  let armed = false;
  let backAt: number | null = null;
  let failed = 0;
  const store = new Proxy(memory, {
    get(target, property, receiver) {
      if (property === 'kind') return 'postgres';
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (armed && backAt === null && property === method) backAt = Date.now() + AWAY_MS;
        if (backAt !== null && Date.now() < backAt) {
          failed += 1;
          return Promise.reject(
            new TroupeError(
              'STORE_UNAVAILABLE',
              `cannot open the PostgreSQL store (test): Connection terminated unexpectedly (${String(property)})`,
            ),
          );
        }
        if (property === 'commit') armed = true;
        return (value as (...given: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls: () => failed };
}

const PLAN = planYaml({
  name: 'demo/away',
  strategy: {
    steps: [
      step('One', 'shell/run', { command: 'echo one >> log.txt' }),
      step('Mark', 'system/create-checkpoint', { label: 'mid' }),
      step('Three', 'fs/write-file', { path: 'three.txt', content: 'three\n' }),
    ],
  },
});

describe('a plan’s actors through an outage of the store', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  // runs the plan to validate on a store that goes away at `method`: it ends complete, the outage said once each way
  async function runThrough(method: keyof Store, plan: string, name: string) {
    const { store, calls } = goingAway(method);
    const said: string[] = [];
    const { dir, runtime, close } = await projectWithRuntime(undefined, {
      store,
      resume: false,
      storeOutage: { say: (line) => said.push(line) },
    });
    cleanups.push(close);
    await runtime.createPlan(plan);
    const record = await runtime.run(name, { until: 'validate' });
    expect(calls()).toBeGreaterThan(0);
    expect([record.phase, record.status, record.error?.message]).toEqual(['validate', 'complete', undefined]);
    expect(said.filter((line) => line.startsWith('the store is unavailable'))).toHaveLength(1);
    expect(said.filter((line) => line.startsWith('the store is back'))).toHaveLength(1);
    const show = (file: string) => git(dir, 'show', `${record.sandbox!.headCommit}:${file}`);
    return { runtime, show };
  }

  it.each([
    ['the registered projects a step’s first command reads', 'listProjects'],
    ['the plan a step’s checkpoint is taken of', 'getPlan'],
    ['the checkpoint a step took, read back as stored', 'getCheckpoint'],
    ['a transition’s write', 'commit'],
  ] as const)('waits out one that begins at %s', async (_, method) => {
    const { runtime, show } = await runThrough(method, PLAN, 'demo/away');
    // the command ran once, and the steps after it were not lost
    expect(show('log.txt')).toBe('one');
    expect((await runtime.checkpoints('demo/away')).filter((checkpoint) => checkpoint.label === 'mid')).toHaveLength(1);
    const events = await runtime.events('demo/away');
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events.filter((event) => event.type === 'step.completed')).toHaveLength(3);
  });

  it.each([
    ['a child plan made', 'createPlan'],
    ['a child plan claimed', 'claimPlan'],
    ['the checkpoints of a child plan merged', 'listCheckpoints'],
    ['a child plan released', 'releasePlan'],
  ] as const)('waits out one that begins at %s', async (_, method) => {
    const { show } = await runThrough(method, fanOutPlan('demo/fan'), 'demo/fan');
    // both children merged, and the parent's step after them ran
    expect([show('x.txt'), show('y.txt'), show('after.txt')]).toEqual(['x', 'y', 'after']);
  });
});
