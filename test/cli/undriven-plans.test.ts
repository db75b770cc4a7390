import { describe, expect, it } from 'vitest';
import { STOPPED_AFTER_MS, UndrivenPlans } from '../../src/cli/undriven-plans.js';

// What `plan status --watch` and `troupe ui` show of a plan no process
// drives: stopped at once when it was so at their first read, and only after
// STOPPED_AFTER_MS undriven when they saw it driven — the gap while a
// process takes its plans back after a PostgreSQL restart is not a stop.

describe('UndrivenPlans', () => {
  it('calls a plan found undriven at the first read stopped at once, and keeps it so', () => {
    const undriven = new UndrivenPlans();
    expect(undriven.shown('P', false, 1_000)).toBe(false);
    expect(undriven.shown('P', false, 1_500)).toBe(false);
  });

  it('calls a plan seen driven stopped only once it stays undriven long enough, read after read', () => {
    const undriven = new UndrivenPlans();
    expect(undriven.shown('P', true, 0)).toBe(true);
    expect(undriven.shown('P', false, 1_000)).toBeUndefined();
    expect(undriven.shown('P', false, 1_000 + STOPPED_AFTER_MS - 1)).toBeUndefined();
    expect(undriven.shown('P', false, 1_000 + STOPPED_AFTER_MS)).toBe(false);
    // driven again (another process resumed it): the next gap counts from its start
    expect(undriven.shown('P', true, 10_000)).toBe(true);
    expect(undriven.shown('P', false, 11_000)).toBeUndefined();
  });

  it('counts a gap again after a read that failed, but not a stop already seen', () => {
    const undriven = new UndrivenPlans();
    undriven.shown('gap', true, 0);
    undriven.shown('gap', false, 1_000);
    undriven.shown('dead', false, 0);
    // the store went away at 4 s and was back at 9 s: the gap's first second says nothing now
    undriven.unknown(4_000);
    expect(undriven.shown('gap', false, 9_000)).toBeUndefined();
    expect(undriven.shown('gap', false, 9_000 + STOPPED_AFTER_MS)).toBe(false);
    expect(undriven.shown('dead', false, 9_000)).toBe(false);
  });

  it('keeps plans apart, and passes through what it cannot judge', () => {
    const undriven = new UndrivenPlans();
    undriven.shown('A', true, 0);
    expect(undriven.shown('B', false, 100)).toBe(false);
    expect(undriven.shown('A', false, 100)).toBeUndefined();
    expect(undriven.shown('C', undefined, 100)).toBeUndefined();
  });
});
