import type { JournalEvent } from '../domain/index.js';
import { HostRetryError, type Runtime } from '../runtime/index.js';

/** How `troupe mcp` reaches the project's Runtime: the CLI's session (this process owns the store, or another does). */
export interface RuntimeAccess {
  /** The current Runtime, opened on first use. */
  runtime(): Promise<Runtime>;
  /** Drop it and open a new one: the next owner's, or this process becomes the owner. */
  reopen(): Promise<Runtime>;
  /** Resolves when the connection to the owning process is lost (never while this process owns the store). */
  lost(): Promise<void>;
}

// a host shutting down as we asked: ask the next owner, a few times
const RETRIES = 3;

/**
 * The Runtime behind every MCP session of one `troupe mcp` process: opened
 * on first use and kept; when the process that owned the store goes away,
 * the next call opens a new one (the next owner's, or this process becomes
 * it), and a call the old owner refused while shutting down is asked again.
 * Journal events of every plan fan out to the sessions (resource updates).
 */
export class McpBackend {
  readonly #access: RuntimeAccess;
  readonly #listeners = new Set<(event: JournalEvent) => void>();
  readonly #inFlight = new Set<Promise<unknown>>();
  #current: Promise<Runtime> | null = null;
  #unsubscribe: (() => void) | null = null;
  #closed = false;

  constructor(access: RuntimeAccess) {
    this.#access = access;
  }

  /** The Runtime, connected (again, if the owner went away) and subscribed to every plan's events. */
  runtime(): Promise<Runtime> {
    this.#current ??= this.#connect(() => this.#access.runtime());
    return this.#current;
  }

  /** Run `work` on the Runtime; asked again of the next owner when the one asked was shutting down. */
  call<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
    const running = this.#attempt(work);
    this.#inFlight.add(running);
    void running.catch(() => {}).finally(() => this.#inFlight.delete(running));
    return running;
  }

  /** Resolves once every call under way has ended: a client that hung up still gets its steps recorded. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async #attempt<T>(work: (runtime: Runtime) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await work(await this.runtime());
      } catch (error) {
        if (!(error instanceof HostRetryError) || attempt >= RETRIES || this.#closed) throw error;
        this.#drop();
        this.#current = this.#connect(() => this.#access.reopen());
      }
    }
  }

  /** Listen to the journal events of every plan; returns the unsubscribe. */
  onEvent(listener: (event: JournalEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Stop listening; the session itself is closed by its owner (the CLI). */
  close(): void {
    this.#closed = true;
    this.#drop();
    this.#listeners.clear();
  }

  async #connect(open: () => Promise<Runtime>): Promise<Runtime> {
    let runtime: Runtime;
    try {
      runtime = await open();
    } catch (error) {
      // a failed open is not kept: the next call tries again
      this.#current = null;
      throw error;
    }
    this.#unsubscribe = runtime.subscribe('*', (event) => {
      for (const listener of this.#listeners) listener(event);
    });
    // the owner went away: the next call reopens
    void this.#access.lost().then(() => {
      if (this.#closed) return;
      this.#drop();
      this.#current = this.#connect(() => this.#access.reopen());
      this.#current.catch(() => {});
    });
    return runtime;
  }

  #drop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }
}
