/** How long a plan a view follows stays undriven, read after read, before the view calls it stopped. */
export const STOPPED_AFTER_MS = 5_000;

/**
 * What a view that follows plans (`plan status --watch`, `troupe ui`) shows
 * of whether a process drives each. A plan found undriven at the view's
 * first read of it is stopped at once; one seen driven is called stopped
 * only once it has stayed undriven {@link STOPPED_AFTER_MS}, read after
 * read: a process whose PostgreSQL connection went (a server restart) has
 * its plans back within about a second of the server answering
 * (src/runtime/plans/plan-claims.ts), and a view does not call that gap
 * stopped.
 *
 * @example
 * const undriven = new UndrivenPlans();
 * const shown = undriven.shown(plan.id, liveness.live); // undefined: not known yet, shown as it was
 */
export class UndrivenPlans {
  // each plan read undriven: since when, read after read (a plan found so at its first read counts as long stopped)
  readonly #since = new Map<string, number>();
  readonly #seen = new Set<string>();

  /** What to show of one read: `false` once it counts as stopped, `undefined` while it may yet be taken again, else `live` as read. */
  shown(planId: string, live: boolean | undefined, now = Date.now()): boolean | undefined {
    const first = !this.#seen.has(planId);
    this.#seen.add(planId);
    if (live !== false) {
      this.#since.delete(planId);
      return live;
    }
    const since = this.#since.get(planId) ?? (first ? now - STOPPED_AFTER_MS : now);
    this.#since.set(planId, since);
    return now - since >= STOPPED_AFTER_MS ? false : undefined;
  }

  /** A read failed (the store away): how long a plan not yet stopped has been undriven is not known any more. */
  unknown(now = Date.now()): void {
    for (const [planId, since] of this.#since) if (now - since < STOPPED_AFTER_MS) this.#since.delete(planId);
  }
}
