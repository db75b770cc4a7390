/**
 * A wake-up call that is never lost: one that comes while nobody waits (the
 * waiter is reading what changed) makes the next wait return at once. A
 * parent follows a child on a worker by its record: it reads the record,
 * then waits for the store's next notice of a change — a notice heard
 * during the read must not wait for the fallback poll.
 *
 * @example
 * const wakeup = new Wakeup();
 * store.watchPlans(() => wakeup.notify());
 * for (;;) {
 *   if (done(await read())) break;
 *   await wakeup.wait(2_000, signal);
 * }
 */
export class Wakeup {
  #pending = false;
  #wake: (() => void) | null = null;

  /** Something changed: wake the waiter, or the next one. */
  readonly notify = (): void => {
    this.#pending = true;
    this.#wake?.();
  };

  /** Until notified (since the last wait returned), `ms` pass, or `signal` aborts. */
  async wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.#pending && !signal?.aborted) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.#wake = null;
          resolve();
        };
        const timer = setTimeout(done, ms);
        signal?.addEventListener('abort', done, { once: true });
        this.#wake = done;
      });
    }
    this.#pending = false;
  }
}
