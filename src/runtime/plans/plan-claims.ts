import { TroupeError, planCalled } from '../../domain/index.js';
import type { Store } from '../../store/index.js';

// how soon a lost claim is first tried again, and at most how long apart the tries are while the store does not answer:
// `plan status --watch` and `troupe ui` wait several times that before they call an undriven plan stopped (src/cli/undriven-plans.ts)
const RECLAIM_FIRST_MS = 250;
const RECLAIM_MOST_MS = 1_000;

/** A plan with a live actor here, as its claim sees it. */
export interface ClaimedPlan {
  name: string;
  /** The journal seq this process last wrote of the plan (or read when it took it); null when not known yet. */
  writtenSeq(): Promise<number | null>;
  /** Stop the actor here without writing what it had not written: another process runs the plan now. */
  letGo(): void;
}

/** What the runtime lends the claims it holds. */
export interface ClaimsHost {
  store: Store;
  report(message: string, error: unknown): void;
  /** Whether the runtime closed: a lost claim is not taken again then. */
  closed(): boolean;
  /** The plan's live actor here, if it has one. */
  live(planId: string): ClaimedPlan | undefined;
}

/**
 * The plans this process holds in the store (`claimPlan`) while their actors
 * run here, so that no other process runs them too (a worker, another
 * command on PostgreSQL). A claim the store lost with its database
 * connection is taken again when the server is back — or, if another process
 * took the plan meanwhile, the plan stops here.
 *
 * @example
 * const claims = new PlanClaims({ store, report, closed: () => false, live: (id) => undefined });
 * await claims.claim(planId, 'demo'); // STORE_LOCKED when another process runs it
 * claims.unclaim(planId);
 */
export class PlanClaims {
  readonly #host: ClaimsHost;
  // the plans held here, by id, with their names (for what is reported of them)
  readonly #owned = new Map<string, string>();
  // plans let go whose release the store has not finished: a claim of one waits for it (see claim)
  readonly #releasing = new Map<string, Promise<void>>();

  constructor(host: ClaimsHost) {
    this.#host = host;
    // a plan held here whose claim ended with the database connection is no longer this process's to run
    if ('onClaimsLost' in host.store) {
      (host.store as { onClaimsLost: ((planIds: string[]) => void) | null }).onClaimsLost = (planIds) =>
        this.lost(planIds);
    }
  }

  /**
   * Hold a plan in the store while its actor runs here: `STORE_LOCKED` when
   * another process runs it. `askFirst`, for a plan stored mid-phase (its
   * work in flight runs again here): ask first who holds it, as a listing
   * does — on PostgreSQL, just after a server restart, that waits for the
   * plan's process to take it back ({@link Store.claimedPlans}), where a bare
   * claim would win against it and run the work in two processes.
   */
  async claim(planId: string, name: string, { askFirst = false }: { askFirst?: boolean } = {}): Promise<void> {
    if (this.#owned.has(planId)) return;
    // this process's own release still on its way would read as another's hold (PostgreSQL reads the locks elsewhere)
    await this.#releasing.get(planId);
    const heldElsewhere = askFirst && (await this.#host.store.claimedPlans([planId])).includes(planId);
    if (heldElsewhere || !(await this.#host.store.claimPlan(planId))) {
      throw new TroupeError('STORE_LOCKED', `plan ${name} is running in another process`, {
        details: { planId, owner: 'another process' },
        hint: `a worker or another troupe command runs it: follow it with troupe events ${name} --follow, or wait until it stops`,
      });
    }
    this.#owned.set(planId, name);
  }

  /** Let the plan go in the store, if this process holds it; a failure is reported. */
  unclaim(planId: string): void {
    const name = this.#owned.get(planId);
    if (name === undefined) return;
    this.#owned.delete(planId);
    const released = this.#host.store
      .releasePlan(planId)
      .catch((error: unknown) => this.#host.report(`could not let plan ${planCalled(planId, name)} go`, error));
    this.#releasing.set(planId, released);
    void released.then(() => {
      if (this.#releasing.get(planId) === released) this.#releasing.delete(planId);
    });
  }

  /**
   * Once the store has let go the plan this process let go ({@link unclaim}):
   * at once when no release is on its way. A plan handed to a worker waits
   * for it, or the worker would find it still held here and put its job
   * back for a while.
   */
  released(planId: string): Promise<void> {
    return this.#releasing.get(planId) ?? Promise.resolve();
  }

  /**
   * The database connection holding these claims went away, and the claims
   * with it. The plans' writes fail until the server is back; then each
   * live plan is claimed again — or, if another process took it meanwhile,
   * stopped here without writing.
   */
  lost(planIds: readonly string[]): void {
    for (const planId of planIds) {
      this.#owned.delete(planId);
      if (this.#host.live(planId)) void this.#reclaim(planId);
    }
  }

  async #reclaim(planId: string): Promise<void> {
    // tried again at least every second: until it is, the plan looks stopped to everyone else (`plan status` and followers)
    for (let delay = RECLAIM_FIRST_MS; !this.#host.closed(); delay = Math.min(delay * 2, RECLAIM_MOST_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      const plan = this.#host.live(planId);
      if (!plan || this.#owned.has(planId)) return;
      // another process may have taken the plan, run it on and let it go while this one was cut off: its claim is free
      // again, but what this process holds in memory is behind the store. Asked before the claim (a claim held even
      // for a moment lets this process push the plan's stale step commit) and again once held (a write in between)
      const moved = await this.#movedOn(planId, plan).catch(() => null);
      if (moved === null) continue;
      const claimed = moved ? false : await this.#host.store.claimPlan(planId).catch(() => null);
      if (claimed === null) continue;
      if (claimed) {
        const since = await this.#movedOn(planId, plan).catch(() => null);
        if (since === false) {
          this.#owned.set(planId, plan.name);
          return;
        }
        await this.#host.store.releasePlan(planId).catch(() => {});
        if (since === null) continue;
      }
      plan.letGo();
      this.#host.report(
        `plan ${planCalled(planId, plan.name)} stopped here: another process took it while the database was away`,
        null,
      );
      return;
    }
  }

  // whether the store's journal of the plan went past what this process wrote of it (unknown: it wrote nothing yet, and
  // is taken as not: its first write reads the seq afresh)
  async #movedOn(planId: string, plan: ClaimedPlan): Promise<boolean> {
    const written = await plan.writtenSeq();
    if (written === null) return false;
    return (await this.#host.store.lastEventSeq(planId)) > written;
  }
}
