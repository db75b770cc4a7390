// A PostgreSQL server that restarts ends every session, and with them every
// plan's claim (an advisory lock): the process driving a plan takes it again
// within about a second of the server answering (src/runtime/plans/plan-claims.ts).
// In that second a reader would find the plan undriven and call it stopped,
// and a runtime starting then would take it as its own. So, in the first
// seconds of a server's life, a reader waits for a plan it finds unheld to be
// held again before it answers — and only then.

/** How long after the server started a plan held by no one may be one its process is still taking back. */
export const CLAIMS_RETAKEN_WITHIN_MS = 5_000;

// how often the unheld plans are read again in that window
const READ_AGAIN_MS = 250;

/** One read of the claims: the plans of those asked that a process holds, and how long the server has been up (its own clock). */
export interface ClaimsRead {
  held: ReadonlySet<string>;
  serverUpMs: number;
}

/**
 * The plans of `planIds` that a process holds, read with `read`: at once
 * when the server has been up {@link CLAIMS_RETAKEN_WITHIN_MS} or each is
 * held; else the unheld ones are read again every 250 ms until each is held
 * or that window has passed.
 *
 * @example
 * const held = await settledClaims(planIds, (ids) => readLocks(ids));
 */
export async function settledClaims(
  planIds: readonly string[],
  read: (planIds: readonly string[]) => Promise<ClaimsRead>,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<string[]> {
  const held = new Set<string>();
  let unheld = [...new Set(planIds)];
  while (unheld.length > 0) {
    const answer = await read(unheld);
    for (const planId of answer.held) held.add(planId);
    unheld = unheld.filter((planId) => !answer.held.has(planId));
    const left = CLAIMS_RETAKEN_WITHIN_MS - answer.serverUpMs;
    if (unheld.length === 0 || left <= 0) break;
    await wait(Math.min(READ_AGAIN_MS, left));
  }
  return planIds.filter((planId) => held.has(planId));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
