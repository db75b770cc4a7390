// The claims of a store only one process opens (LevelDB, memory): every
// plan is that process's, and there is no other process to hear of. The
// PostgreSQL store, which many processes open, overrides all of it.

/**
 * Claims and watching for a store one process opens: a claim is counted (for
 * `claimedPlans`) and always granted; nothing is heard from elsewhere.
 *
 * @example
 * class MyStore extends OneProcessClaims { … }
 */
export abstract class OneProcessClaims {
  // the plans this process claimed, by how many times
  readonly #claimed = new Map<string, number>();

  /** One process opens this store: every plan is its own (claims are counted, for {@link claimedPlans}). */
  async claimPlan(planId: string): Promise<boolean> {
    this.#claimed.set(planId, (this.#claimed.get(planId) ?? 0) + 1);
    return true;
  }

  async releasePlan(planId: string): Promise<void> {
    const held = this.#claimed.get(planId);
    if (held === undefined) return;
    if (held > 1) this.#claimed.set(planId, held - 1);
    else this.#claimed.delete(planId);
  }

  /** One process opens this store: the plans it holds are the ones claimed. */
  async claimedPlans(planIds: readonly string[]): Promise<string[]> {
    return planIds.filter((planId) => this.#claimed.has(planId));
  }

  /** One process opens this store: the plans it claimed are its own, with nothing to confirm. */
  async heldHere(planIds: readonly string[]): Promise<string[]> {
    return planIds.filter((planId) => this.#claimed.has(planId));
  }

  /** One process opens this store: nothing to hear of. */
  watchPlans(_listener: (planId: string, fromSeq: number) => void): () => void {
    return () => {};
  }

  /** One process opens this store: it hears everything already. */
  listening(): Promise<void> {
    return Promise.resolve();
  }
}
