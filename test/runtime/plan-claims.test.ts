import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { PlanClaims } from '../../src/runtime/plans/plan-claims.js';
import type { Store } from '../../src/store/index.js';

// A process whose database connection went (a PostgreSQL restart) lost the
// claims of the plans it drives with it. Until it takes them again, every
// other process sees those plans undriven — `plan status` calls them
// stopped — so it tries again at least every second while the store does
// not answer, and at once takes them or lets them go. The real server's side
// is in test/runtime/owner-outage.int.test.ts and test/cli/follow-outage.test.ts.

// the store as far as claims go: answers in turn, each try's time kept
function claimingStore(answers: (boolean | 'away')[]): { store: Store & { onClaimsLost: ((planIds: string[]) => void) | null }; tries: number[] } {
  const tries: number[] = [];
  const store = {
    onClaimsLost: null,
    claimPlan: async () => {
      tries.push(Date.now());
      const answer = answers.shift() ?? 'away';
      if (answer === 'away') throw new TroupeError('STORE_UNAVAILABLE', 'connection refused');
      return answer;
    },
  };
  return { store: store as unknown as Store & typeof store, tries };
}

describe('PlanClaims after the database connection went', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function claims(store: Store, live: { letGo: () => void } | undefined, reports: string[], closed = { now: false }): PlanClaims {
    return new PlanClaims({ store, report: (message) => reports.push(message), closed: () => closed.now, live: () => (live ? { name: 'demo/p', ...live } : undefined) });
  }

  it('tries to take a plan again at least every second while the store is away, and holds it once it answers', async () => {
    const answers: (boolean | 'away')[] = Array.from({ length: 12 }, () => 'away' as const);
    const { store, tries } = claimingStore([...answers, true]);
    const letGo = vi.fn();
    const reports: string[] = [];
    claims(store, { letGo }, reports);
    store.onClaimsLost!(['P1']);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tries).toHaveLength(13);
    expect(tries[0]).toBeLessThanOrEqual(1_000);
    for (let index = 1; index < tries.length; index += 1) expect(tries[index]! - tries[index - 1]!).toBeLessThanOrEqual(1_000);
    expect(letGo).not.toHaveBeenCalled();
    expect(reports).toEqual([]);
  });

  it('lets the plan go, saying so, when another process took it meanwhile', async () => {
    const { store, tries } = claimingStore(['away', false]);
    const letGo = vi.fn();
    const reports: string[] = [];
    claims(store, { letGo }, reports);
    store.onClaimsLost!(['P1']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tries).toHaveLength(2);
    expect(letGo).toHaveBeenCalledTimes(1);
    expect(reports).toEqual(['plan demo/p stopped here: another process took it while the database was away']);
  });

  it('stops trying once the runtime closed, and never tries for a plan with no actor here', async () => {
    const closed = { now: false };
    const { store, tries } = claimingStore([]);
    claims(store, { letGo: () => {} }, [], closed);
    store.onClaimsLost!(['P1']);
    await vi.advanceTimersByTimeAsync(2_000);
    const before = tries.length;
    expect(before).toBeGreaterThan(0);
    closed.now = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tries.length).toBeLessThanOrEqual(before + 1);

    const other = claimingStore([]);
    claims(other.store, undefined, []);
    other.store.onClaimsLost!(['P2']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(other.tries).toEqual([]);
  });
});
