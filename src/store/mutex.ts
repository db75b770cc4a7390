/**
 * An async mutex: `run` calls its function once every earlier call has
 * settled. The store serializes its writes with one, because checking a
 * name and claiming it are two steps that must not interleave.
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
