import { describe, expect, it } from 'vitest';
import { Wakeup } from '../../src/runtime/workers/wakeup.js';

describe('Wakeup', () => {
  it('returns at once from a wait after a notice that came while nobody waited', async () => {
    const wakeup = new Wakeup();
    wakeup.notify();
    const started = Date.now();
    await wakeup.wait(60_000);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('is woken by a notice during the wait, and the next wait waits again', async () => {
    const wakeup = new Wakeup();
    setTimeout(wakeup.notify, 10);
    await wakeup.wait(60_000);
    let woke = false;
    const waiting = wakeup.wait(50).then(() => (woke = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(woke).toBe(false);
    await waiting;
  });

  it('ends a wait after its time, or when its signal aborts', async () => {
    const wakeup = new Wakeup();
    await wakeup.wait(5);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 10);
    await wakeup.wait(60_000, abort.signal);
    await wakeup.wait(60_000, abort.signal);
    expect(abort.signal.aborted).toBe(true);
  });
});
