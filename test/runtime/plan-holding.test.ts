import { hostname } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { heldBy, hold, HOLDER_HEARTBEAT_MS, planLabel } from '../../src/runtime/workers/index.js';
import { planCreation } from '../store/fixtures.js';

// A worker's hold on a plan (docs/how-to/scale-out.md, "Who holds a child"): written when it takes the job,
// refreshed by a heartbeat, deleted when the job ends; a failing heartbeat is said once.

describe('a worker holding a plan', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes itself on the plan, says so again every heartbeat, and deletes its record when released', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = createMemoryStore();
    await store.open();
    let clock = Date.parse('2026-11-25T15:00:00.000Z');
    const holding = await hold(
      store,
      'w1',
      'P1',
      () => {},
      () => new Date(clock),
    );
    expect(await store.getHolder('P1')).toEqual({
      planId: 'P1',
      worker: 'w1',
      host: hostname(),
      pid: process.pid,
      since: '2026-11-25T15:00:00.000Z',
      heardAt: '2026-11-25T15:00:00.000Z',
    });
    clock += HOLDER_HEARTBEAT_MS;
    await vi.advanceTimersByTimeAsync(HOLDER_HEARTBEAT_MS);
    expect(await store.getHolder('P1')).toMatchObject({
      since: '2026-11-25T15:00:00.000Z',
      heardAt: '2026-11-25T15:00:05.000Z',
    });
    await holding.release();
    expect(await store.getHolder('P1')).toBeNull();
    // no heartbeat after the release writes it again
    await vi.advanceTimersByTimeAsync(HOLDER_HEARTBEAT_MS * 2);
    expect(await store.getHolder('P1')).toBeNull();
    await store.close();
  });

  it('says a failing heartbeat once, however many beats fail, and again after one landed', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const store = createMemoryStore();
    await store.open();
    const put = store.putHolder.bind(store);
    let away = true;
    store.putHolder = async (holder) => {
      if (away) throw new TroupeError('STORE_UNAVAILABLE', 'the database is away');
      return put(holder);
    };
    const said: string[] = [];
    const holding = await hold(store, 'w1', 'P1', (error) => said.push(error.message));
    await vi.advanceTimersByTimeAsync(HOLDER_HEARTBEAT_MS * 3);
    expect(said).toEqual(['the database is away']);
    away = false;
    await vi.advanceTimersByTimeAsync(HOLDER_HEARTBEAT_MS);
    expect(await store.getHolder('P1')).toMatchObject({ worker: 'w1' });
    away = true;
    await vi.advanceTimersByTimeAsync(HOLDER_HEARTBEAT_MS);
    expect(said).toEqual(['the database is away', 'the database is away']);
    await holding.release();
    await store.close();
  });

  it('names a plan in log lines by name and id', async () => {
    const store = createMemoryStore();
    await store.open();
    const creation = planCreation('demo/c01');
    await store.createPlan(creation);
    const record = await store.getPlan(creation.planId);
    expect(planLabel(creation.planId, record)('attempt 1')).toBe(`demo/c01 (${creation.planId}, attempt 1)`);
    expect(planLabel(creation.planId, record)()).toBe(`demo/c01 (${creation.planId})`);
    expect(planLabel('UNKNOWN', await store.getPlan('UNKNOWN'))('attempt 2')).toBe('UNKNOWN (attempt 2)');
    await store.close();
  });

  it('names who holds a plan a job found held: the worker of a recent heartbeat, else another process and the worker its record still names', () => {
    const now = Date.parse('2026-11-28T13:00:00.000Z');
    const holder = {
      planId: 'P',
      worker: 'w1',
      host: 'ci-3',
      pid: 4242,
      since: '2026-11-28T12:59:00.000Z',
      heardAt: new Date(now - HOLDER_HEARTBEAT_MS).toISOString(),
    };
    expect(heldBy(holder, now)).toBe('worker w1 on host ci-3 (pid 4242) runs it');
    // no record: a troupe command, or a parent handing the plan over
    expect(heldBy(null, now)).toBe('another process holds it');
    // a record whose worker has not been heard from for two heartbeats: a frozen worker that keeps the claim, or a dead
    // one's record while another process holds the plan — which, the record cannot tell, so the line gives both
    expect(heldBy({ ...holder, heardAt: new Date(now - 2 * HOLDER_HEARTBEAT_MS - 1).toISOString() }, now)).toBe(
      'another process holds it (its holder record names worker w1 on host ci-3 (pid 4242), last heard 10 s ago)',
    );
    expect(heldBy({ ...holder, heardAt: new Date(now - 21_400).toISOString() }, now)).toBe(
      'another process holds it (its holder record names worker w1 on host ci-3 (pid 4242), last heard 21 s ago)',
    );
  });
});
