import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { StoreOutage } from '../../src/runtime/persistence/index.js';

// One outage of the store, said once each way however many callers meet it
// — also when a caller's failure arrives after another caller found the
// store back (its work was still finishing something when the store
// answered), or a caller whose work began before the outage ends in it:
// CI saw "the store is unavailable" twice for one outage.

const unavailable = () => new TroupeError('STORE_UNAVAILABLE', 'cannot reach the PostgreSQL store (test)');

function outageSaid() {
  const said: string[] = [];
  const outage = new StoreOutage({
    timeoutMs: 60_000,
    setting: 'store.outageTimeoutMs',
    say: (line) => said.push(line),
  });
  return { outage, said, count: (start: string) => said.filter((line) => line.startsWith(start)).length };
}

describe('StoreOutage', () => {
  it('says an outage once and its end once, whoever waits', async () => {
    const { outage, count } = outageSaid();
    let away = true;
    setTimeout(() => (away = false), 100);
    const work = async () => {
      if (away) throw unavailable();
      return 'done';
    };
    expect(await Promise.all([outage.through(work), outage.through(work), outage.through(work)])).toEqual([
      'done',
      'done',
      'done',
    ]);
    expect([count('the store is unavailable'), count('the store is back')]).toEqual([1, 1]);
  });

  it('does not say the outage again for a failure that arrives after the store was found back', async () => {
    const { outage, said, count } = outageSaid();
    let away = true;
    let late: () => void = () => {};
    // the first caller fails while the store is away, but its failure reaches the outage only when let through
    let first = true;
    const slow = () => {
      if (!first) return Promise.resolve('slow done');
      first = false;
      return new Promise<string>((_, reject) => (late = () => reject(unavailable())));
    };
    const quick = async () => {
      if (away) throw unavailable();
      return 'quick done';
    };
    const slowRun = outage.through(slow);
    const quickRun = outage.through(quick);
    setTimeout(() => (away = false), 50);
    expect(await quickRun).toBe('quick done');
    expect(count('the store is back')).toBe(1);
    late();
    expect(await slowRun).toBe('slow done');
    expect(said.map((line) => line.split(/[:(]/)[0]!.trim())).toEqual([
      'the store is unavailable',
      'the store is back',
    ]);
  });

  it('does not say the store is back for an attempt that began before the outage and ended in it', async () => {
    const { outage, said } = outageSaid();
    let away = false;
    // the first caller's store calls were made while the store still answered; its work ends once the outage began
    let finish: () => void = () => {};
    const before = outage.through(() => new Promise<string>((resolve) => (finish = () => resolve('before done'))));
    away = true;
    const during = outage.through(async () => {
      if (away) throw unavailable();
      return 'during done';
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    finish();
    expect(await before).toBe('before done');
    // the store is still away: its end is said by the caller that finds it back, once
    expect(said.map((line) => line.split(/[:(]/)[0]!.trim())).toEqual(['the store is unavailable']);
    setTimeout(() => (away = false), 400);
    expect(await during).toBe('during done');
    expect(said.map((line) => line.split(/[:(]/)[0]!.trim())).toEqual([
      'the store is unavailable',
      'the store is back',
    ]);
  });

  it('says a new outage that begins after the last one ended', async () => {
    const { outage, count } = outageSaid();
    let away = true;
    const work = async () => {
      if (away) throw unavailable();
      return 'done';
    };
    setTimeout(() => (away = false), 50);
    await outage.through(work);
    away = true;
    setTimeout(() => (away = false), 50);
    await outage.through(work);
    expect([count('the store is unavailable'), count('the store is back')]).toEqual([2, 2]);
  });
});
