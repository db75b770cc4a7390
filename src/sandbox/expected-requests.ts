/** One request said to be coming: `arrived` once it was made, `cancel` when it will not be (both idempotent). */
export interface ComingRequest {
  arrived(): void;
  cancel(): void;
}

/**
 * Requests known to be on their way to a {@link CoalescedRuns}: a worker's
 * step commit under way will ask for a push in a moment. A run about to
 * start waits for them (never longer than `maxWaitMs`), so that step
 * commits of one clone made at the same time go to the remote in one push
 * — one git process on each side instead of one per commit, and no commit
 * waits for a push that started just before it. With nothing coming, a
 * run starts at once.
 *
 * @example
 * const expected = new ExpectedRequests(150);
 * const pushes = new CoalescedRuns(push, () => expected.settled());
 * const coming = expected.coming();
 * try {
 *   await commit();
 *   const answer = pushes.request(branch);
 *   coming.arrived();
 *   await answer;
 * } finally {
 *   coming.cancel();
 * }
 */
export class ExpectedRequests {
  readonly #maxWaitMs: number;
  #count = 0;
  #waiters: (() => void)[] = [];

  constructor(maxWaitMs: number) {
    this.#maxWaitMs = maxWaitMs;
  }

  /** Say one request is coming. */
  coming(): ComingRequest {
    this.#count += 1;
    let open = true;
    const done = () => {
      if (!open) return;
      open = false;
      this.#count -= 1;
      if (this.#count === 0) this.#wake();
    };
    return { arrived: done, cancel: done };
  }

  /** Resolves once no request is coming, or after `maxWaitMs`: a slow commit holds a push back no longer than that. */
  settled(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        resolve();
      };
      // past the limit this wait is over: it leaves the list, so a request that never comes keeps none behind
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== finish);
        finish();
      }, this.#maxWaitMs);
      // waiting for a push never keeps the process up on its own
      timer.unref();
      this.#waiters.push(finish);
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
