import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { PlanClaims } from '../../src/runtime/plans/plan-claims.js';
import { MemoryStore, type Store } from '../../src/store/index.js';

// A process whose database connection went (a PostgreSQL restart) lost the
// claims of the plans it drives with it. Until it takes them again, every
// other process sees those plans undriven — `plan status` calls them
// stopped — so it tries again at least every second while the store does
// not answer, and at once takes them or lets them go. The real server's side
// is in test/runtime/owner-outage.int.test.ts and test/cli/follow-outage.test.ts.

// the store as far as claims go: answers in turn, each try's time kept
function claimingStore(
  answers: (boolean | 'away')[],
  journal: { seqs: number[]; released: number } = { seqs: [], released: 0 },
): { store: Store & { onClaimsLost: ((planIds: string[]) => void) | null }; tries: number[] } {
  const tries: number[] = [];
  const store = {
    onClaimsLost: null,
    // the journal's last seq as each read finds it (0 once the given ones are used)
    lastEventSeq: async () => journal.seqs.shift() ?? 0,
    releasePlan: async () => void (journal.released += 1),
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

  function claims(
    store: Store,
    live: { letGo: () => void; writtenSeq?: () => Promise<number | null> } | undefined,
    reports: string[],
    closed = { now: false },
  ): PlanClaims {
    return new PlanClaims({
      store,
      report: (message) => reports.push(message),
      closed: () => closed.now,
      live: () => (live ? { name: 'demo/p', writtenSeq: async () => null, ...live } : undefined),
    });
  }

  it('lets the plan go without claiming it when another process ran it on and let it go while this one was cut off', async () => {
    // this process wrote up to seq 7; the store's journal is at 9: the claim is free again, the plan is not this one's
    const journal = { seqs: [9], released: 0 };
    const { store, tries } = claimingStore([true], journal);
    const letGo = vi.fn();
    const reports: string[] = [];
    claims(store, { letGo, writtenSeq: async () => 7 }, reports);
    store.onClaimsLost!(['P1']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(tries).toEqual([]);
    expect(letGo).toHaveBeenCalledTimes(1);
    expect(reports).toEqual(['plan demo/p (P1) stopped here: another process took it while the database was away']);
  });

  it('gives the claim back and lets the plan go when the journal moved on between its look and its claim', async () => {
    const journal = { seqs: [7, 8], released: 0 };
    const { store, tries } = claimingStore([true], journal);
    const letGo = vi.fn();
    claims(store, { letGo, writtenSeq: async () => 7 }, []);
    store.onClaimsLost!(['P1']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect([tries.length, journal.released]).toEqual([1, 1]);
    expect(letGo).toHaveBeenCalledTimes(1);
  });

  it('holds the plan again when its journal is where this process left it', async () => {
    const journal = { seqs: [7, 7], released: 0 };
    const { store, tries } = claimingStore([true], journal);
    const letGo = vi.fn();
    claims(store, { letGo, writtenSeq: async () => 7 }, []);
    store.onClaimsLost!(['P1']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect([tries.length, journal.released]).toEqual([1, 0]);
    expect(letGo).not.toHaveBeenCalled();
  });

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
    for (let index = 1; index < tries.length; index += 1)
      expect(tries[index]! - tries[index - 1]!).toBeLessThanOrEqual(1_000);
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
    expect(reports).toEqual(['plan demo/p (P1) stopped here: another process took it while the database was away']);
  });

  it('names the plan by name and id when its release fails', async () => {
    class AwayOnRelease extends MemoryStore {
      override async releasePlan(): Promise<void> {
        throw new TroupeError('STORE_UNAVAILABLE', 'connection refused');
      }
    }
    vi.useRealTimers();
    const reports: string[] = [];
    const held = new PlanClaims({
      store: new AwayOnRelease(),
      report: (message) => reports.push(message),
      closed: () => false,
      live: () => undefined,
    });
    await held.claim('P1', 'demo/p');
    held.unclaim('P1');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reports).toEqual(['could not let plan demo/p (P1) go']);
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

// A plan stored mid-phase is claimed only after asking who holds it (on
// PostgreSQL that read waits out a restart's first seconds, where a bare
// claim would win against the process taking the plan back). The real
// restart is in test/cli/follow-outage.test.ts.
describe('PlanClaims asking first', () => {
  // a store whose releases land only when let through, as PostgreSQL's unlock lands a round trip later
  class SlowReleases extends MemoryStore {
    readonly pending: (() => void)[] = [];
    claims = 0;
    override async claimPlan(planId: string): Promise<boolean> {
      this.claims += 1;
      return super.claimPlan(planId);
    }
    override async releasePlan(planId: string): Promise<void> {
      await new Promise<void>((resolve) => this.pending.push(resolve));
      return super.releasePlan(planId);
    }
  }

  function claimsOn(store: Store): PlanClaims {
    return new PlanClaims({ store, report: () => {}, closed: () => false, live: () => undefined });
  }

  it('refuses a plan another holder has without trying to take it', async () => {
    const store = new SlowReleases();
    await store.claimPlan('P1');
    const claims = claimsOn(store);
    const refused = await claims.claim('P1', 'demo/p', { askFirst: true }).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'STORE_LOCKED',
      message: 'plan demo/p is running in another process',
      details: { owner: 'another process' },
    });
    expect(store.claims).toBe(1);
    // without asking, the claim is the store's to grant (one process: always)
    await claims.claim('P1', 'demo/p');
    expect(store.claims).toBe(2);
  });

  it('does not take its own release still on its way for another holder: it waits for it, then claims', async () => {
    const store = new SlowReleases();
    const claims = claimsOn(store);
    await claims.claim('P1', 'demo/p', { askFirst: true });
    claims.unclaim('P1');
    let settled: 'claimed' | unknown = null;
    const again = claims.claim('P1', 'demo/p', { askFirst: true }).then(
      () => (settled = 'claimed'),
      (error: unknown) => (settled = error),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBeNull();
    store.pending.shift()!();
    await again;
    expect(settled).toBe('claimed');
    expect(await store.claimedPlans(['P1'])).toEqual(['P1']);
  });
});
