/**
 * An async mutex: `run` calls its function once every earlier call has
 * settled (a PostgreSQL store's claim queries take turns on one).
 *
 * @example
 * const mutex = new Mutex();
 * await mutex.run(async () => { if (!(await taken())) await claim(); });
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  /** Run `fn` alone; resolves or rejects with its result. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    // the next caller waits for this one to settle, not to succeed
    this.#tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Writes in lanes: a `run` waits for the earlier runs of its lane only, so
 * writes of different plans go to a database side by side; `exclusive`
 * waits for every run asked for before it, and every run asked for after it
 * waits for it (closing the store). With `perKey` false there is one lane:
 * every write in turn, as a {@link Mutex}.
 *
 * @example
 * const lanes = new WriteLanes(true);
 * await Promise.all([lanes.run(a.id, () => write(a)), lanes.run(b.id, () => write(b))]);
 * await lanes.exclusive(() => db.close());
 */
export class WriteLanes {
  readonly #perKey: boolean;
  // the last run of each lane that has one under way; an idle lane is forgotten
  readonly #lanes = new Map<string, Promise<unknown>>();
  #barrier: Promise<unknown> = Promise.resolve();

  constructor(perKey: boolean) {
    this.#perKey = perKey;
  }

  /** Run `fn` after the earlier runs of lane `key` (after every earlier one with a single lane). */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lane = this.#perKey ? key : '';
    // a lane's runs began after the last exclusive one: waiting for the lane is waiting for it too
    const result = (this.#lanes.get(lane) ?? this.#barrier).then(fn);
    const settled = result.catch(() => undefined);
    this.#lanes.set(lane, settled);
    void settled.then(() => {
      if (this.#lanes.get(lane) === settled) this.#lanes.delete(lane);
    });
    return result;
  }

  /** Run `fn` once every run asked for before has settled; runs asked for after it wait for it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = Promise.allSettled([this.#barrier, ...this.#lanes.values()]).then(fn);
    this.#barrier = result.catch(() => undefined);
    this.#lanes.clear();
    return result;
  }
}
