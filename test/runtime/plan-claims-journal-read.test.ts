import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { PlanClaims } from '../../src/runtime/plans/plan-claims.js';
import type { Store } from '../../src/store/index.js';

// Taking a lost claim back (the database connection went and came back): once
// the claim is held, the journal is read again to be sure no other process
// wrote in between. When that read fails, nothing says the plan is still this
// process's: the claim is given back and the whole check tried again later —
// it is not kept on a journal nobody could read.

function store(reads: (number | 'fails')[]) {
  const calls: string[] = [];
  const fake = {
    onClaimsLost: null as ((planIds: string[]) => void) | null,
    lastEventSeq: async () => {
      const read = reads.shift() ?? 7;
      calls.push(`read ${read}`);
      if (read === 'fails') throw new TroupeError('STORE_UNAVAILABLE', 'connection refused');
      return read;
    },
    claimPlan: async () => {
      calls.push('claim');
      return true;
    },
    releasePlan: async () => void calls.push('release'),
  };
  return { store: fake as unknown as Store & typeof fake, calls };
}

describe('PlanClaims taking a lost claim back', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the claim back when the journal read after taking it fails, and holds it once a read says it may', async () => {
    // this process wrote up to seq 7; the look before the claim finds 7, the read after it fails
    const { store: fake, calls } = store([7, 'fails']);
    const letGo = vi.fn();
    const reports: string[] = [];
    const claims = new PlanClaims({
      store: fake,
      report: (message) => reports.push(message),
      closed: () => false,
      live: () => ({ name: 'demo/p', writtenSeq: async () => 7, letGo }),
    });
    fake.onClaimsLost!(['P1']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(['read 7', 'claim', 'read fails', 'release', 'read 7', 'claim', 'read 7']);
    expect(letGo).not.toHaveBeenCalled();
    expect(reports).toEqual([]);
    // held here now: a claim of it is this process's own
    await claims.claim('P1', 'demo/p');
    expect(calls.filter((call) => call === 'claim')).toHaveLength(2);
  });
});
