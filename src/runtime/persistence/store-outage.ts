import { setTimeout as sleep } from 'node:timers/promises';
import { TroupeError } from '../../domain/index.js';

/** The default of `store.outageTimeoutMs`: how long a process waits for an unavailable PostgreSQL store (5 minutes). */
export const DEFAULT_OUTAGE_TIMEOUT_MS = 5 * 60_000;

/**
 * How a process that drives plans meets an outage of its store
 * (docs/how-to/scale-out.md): wait up to `timeoutMs` (0: fail at once, `--no-wait`),
 * saying once that it waits and once that the store is back.
 *
 * @example
 * const policy: OutagePolicy = { timeoutMs: 300_000, setting: 'store.outageTimeoutMs', say: (line) => process.stderr.write(`troupe: ${line}\n`) };
 */
export interface OutagePolicy {
  timeoutMs: number;
  /** Where the bound came from, as the message names it. */
  setting: string;
  say(line: string): void;
}

/**
 * Writes through an outage of the store: a write that finds the store
 * unavailable (`STORE_UNAVAILABLE`) is tried again with backoff — the same
 * write, so still one atomic batch — until it lands or the outage outlasts
 * the policy's bound; then it fails with `STORE_UNAVAILABLE` saying the plan
 * is resumable. One outage for the whole process: said once, however many
 * plans wait.
 *
 * @example
 * const outage = new StoreOutage(policy);
 * await outage.through(() => store.commit(transaction));
 */
export class StoreOutage {
  readonly #policy: OutagePolicy;
  #since: number | null = null;
  // how many outages were said to be over: an attempt started before the last "back" whose failure arrives after it
  // (its work still finishing something when the store answered another caller) belongs to that outage
  #ended = 0;
  // how many outages were said to begin: a success of an attempt started before the one under way began (its store
  // calls made while the store still answered) says nothing of the store now, so it does not end that outage
  #begun = 0;

  constructor(policy: OutagePolicy) {
    this.#policy = policy;
  }

  /** Whether a write is waiting for the store now. */
  get waiting(): boolean {
    return this.#since !== null;
  }

  /** Run `work` (a write, or a read a plan's actor needs), again and again while the store is away, within the bound. */
  async through<T>(work: () => Promise<T>): Promise<T> {
    for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
      const ended = this.#ended;
      const begun = this.#begun;
      try {
        const done = await work();
        if (this.#since !== null && begun === this.#begun) {
          this.#since = null;
          this.#ended += 1;
          this.#policy.say('the store is back: the plans carry on from what was stored');
        }
        return done;
      } catch (error) {
        if (!(error instanceof TroupeError) || error.code !== 'STORE_UNAVAILABLE' || this.#policy.timeoutMs <= 0)
          throw error;
        const { timeoutMs, setting } = this.#policy;
        // a failure of the outage already said to be over: tried again at once, not said again
        if (this.#since === null && this.#ended !== ended) continue;
        if (this.#since === null) {
          this.#since = Date.now();
          this.#begun += 1;
          this.#policy.say(
            `the store is unavailable (${error.message}); the plans wait where they are and try again for up to ${Math.round(timeoutMs / 1000)} s (${setting})`,
          );
        }
        if (Date.now() - this.#since >= timeoutMs) {
          throw new TroupeError(
            'STORE_UNAVAILABLE',
            `the store was unavailable for longer than ${Math.round(timeoutMs / 1000)} s (${setting}): stopped here, with each plan as it was last stored`,
            {
              hint: 'once the database is back, troupe plan resume <plan> carries it on',
              cause: error,
            },
          );
        }
        await sleep(delay);
      }
    }
  }
}
