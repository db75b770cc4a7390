import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { StoreOutage } from '../../src/runtime/persistence/index.js';

// How long a process waits out an outage of its store (store.outageTimeoutMs):
// the bound itself, without a database — the clock is the test's, the store a
// function that fails as told. A try that finds the outage as old as its bound
// fails with STORE_UNAVAILABLE; one that finds it younger waits and tries again.
// (The real server's side, skipped without PostgreSQL, is in test/runtime/owner-outage.int.test.ts.)

const unavailable = () => new TroupeError('STORE_UNAVAILABLE', 'cannot reach the PostgreSQL store (test)');

let clock = 0;
beforeEach(() => {
  clock = 1_000_000;
  vi.spyOn(Date, 'now').mockImplementation(() => clock);
});
afterEach(() => {
  vi.restoreAllMocks();
});

function outageWithin(timeoutMs: number) {
  const said: string[] = [];
  const outage = new StoreOutage({ timeoutMs, setting: 'store.outageTimeoutMs', say: (line) => said.push(line) });
  return { outage, said };
}

// a store away until its `backAt`-th try; `elapsed[n]` ms of outage have passed when try n+1 begins
function store(elapsed: number[], backAt: number) {
  const start = clock;
  let tries = 0;
  const work = async () => {
    tries += 1;
    clock = start + (elapsed[tries - 1] ?? 0);
    if (tries < backAt) throw unavailable();
    return 'stored';
  };
  return { work, tries: () => tries };
}

describe('the store-outage bound', { timeout: 10_000 }, () => {
  it('fails the try that finds the outage exactly as old as its bound, and tries no more', async () => {
    const { outage, said } = outageWithin(10_000);
    // the store would answer the third try: the bound ended the wait at the second
    const { work, tries } = store([0, 10_000, 10_500], 3);
    const failed = await outage.through(work).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(TroupeError);
    expect(failed).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message:
        'the store was unavailable for longer than 10 s (store.outageTimeoutMs): stopped here, with each plan as it was last stored',
      hint: 'once the database is back, troupe plan resume <plan> carries it on',
    });
    expect(tries()).toBe(2);
    expect(said).toEqual([
      'the store is unavailable (cannot reach the PostgreSQL store (test)); the plans wait where they are and try again for up to 10 s (store.outageTimeoutMs)',
    ]);
  });

  it('waits on through an outage one millisecond younger than its bound', async () => {
    const { outage, said } = outageWithin(10_000);
    const { work, tries } = store([0, 9_999, 12_000], 3);
    expect(await outage.through(work)).toBe('stored');
    expect(tries()).toBe(3);
    expect(said.map((line) => line.split(/[:(]/)[0]!.trim())).toEqual([
      'the store is unavailable',
      'the store is back',
    ]);
  });

  it('counts the bound from the outage’s start, not from each caller’s first try', async () => {
    const { outage } = outageWithin(10_000);
    // (were the bound not kept, each caller's store would answer it a try later, and the test end at once)
    const first = store([0, 10_000, 10_500], 3);
    const firstRun = outage.through(first.work).catch((error: unknown) => error);
    // the outage began with the first caller; a second that meets it 10 s in fails at its first try
    while (!outage.waiting) await new Promise((resolve) => setImmediate(resolve));
    clock += 10_000;
    let secondTries = 0;
    const second = await outage
      .through(async () => {
        secondTries += 1;
        if (secondTries > 1) return 'stored';
        throw unavailable();
      })
      .catch((error: unknown) => error);
    expect(second).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringMatching(/^the store was unavailable for longer than 10 s/),
    });
    expect(secondTries).toBe(1);
    expect(await firstRun).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('fails at once, as the store said, with a bound of 0 (--no-wait)', async () => {
    const { outage, said } = outageWithin(0);
    const { work, tries } = store([0, 0], 2);
    await expect(outage.through(work)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: 'cannot reach the PostgreSQL store (test)',
    });
    expect(tries()).toBe(1);
    expect(said).toEqual([]);
  });
});
