import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExpectedRequests } from '../../src/sandbox/expected-requests.js';

// whether `promise` has settled after the pending microtasks ran
async function settledYet(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await Promise.resolve();
  await Promise.resolve();
  return done;
}

describe('ExpectedRequests', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is settled at once when nothing is coming', async () => {
    const expected = new ExpectedRequests(150);
    expect(await settledYet(expected.settled())).toBe(true);
  });

  it('is settled once every request said to be coming arrived or was cancelled, each counted once', async () => {
    const expected = new ExpectedRequests(150);
    const first = expected.coming();
    const second = expected.coming();
    const settled = expected.settled();
    first.arrived();
    // said twice, counted once: the second is still coming
    first.arrived();
    first.cancel();
    expect(await settledYet(settled)).toBe(false);
    second.cancel();
    expect(await settledYet(settled)).toBe(true);
    // nothing coming any more: the next wait ends at once
    expect(await settledYet(expected.settled())).toBe(true);
  });

  it('waits no longer than its limit for a request that never comes', async () => {
    vi.useFakeTimers();
    const expected = new ExpectedRequests(150);
    expected.coming();
    const settled = expected.settled();
    vi.advanceTimersByTime(149);
    expect(await settledYet(settled)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settledYet(settled)).toBe(true);
    // the one that never came is still counted: the next wait is held again, and bounded again
    const next = expected.settled();
    vi.advanceTimersByTime(149);
    expect(await settledYet(next)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(await settledYet(next)).toBe(true);
  });
});
