import type { Runtime, RuntimeSession } from '../runtime/index.js';
// not the runtime's index: that loads the whole runtime, which a command another process serves does without
import { HostRetryError, type RemoteRuntime } from '../runtime/host/index.js';
import { HOST_METHODS } from '../runtime/host/index.js';

// how often one call is asked again: each time, an owner closed before it
// started the call, and a client that finds nobody listening becomes the owner
const RETRIES = 20;

const CALLS: ReadonlySet<string | symbol> = new Set(HOST_METHODS);

interface Subscription {
  target: string;
  listener: Parameters<Runtime['subscribe']>[1];
  stop: () => void;
}

/**
 * The Runtime of one CLI command across owners of the store (DESIGN §4).
 * Opened on first use; a call the owner could not have started (it was
 * closing, or it went away during a read) is asked again of the next owner —
 * or this process becomes the owner — and only that call: what the command
 * did before is not done twice. Subscriptions move to the next owner before
 * the call is asked again, so progress shown for it goes on.
 *
 * @example
 * const session = new CommandSession(() => openRuntime({ dir, resume: false }));
 * const plans = await (await session.runtime()).listPlans();
 * await session.close();
 */
export class CommandSession {
  readonly #open: () => Promise<RuntimeSession>;
  readonly #subscriptions = new Set<Subscription>();
  #opening: Promise<RuntimeSession> | null = null;
  // the last session opened, and the one being replaced (lost)
  #session: RuntimeSession | null = null;
  #replacing: RuntimeSession | null = null;
  #facade: Runtime;
  #closed = false;

  constructor(open: () => Promise<RuntimeSession>) {
    this.#open = open;
    this.#facade = this.#newFacade();
  }

  /**
   * The Runtime commands use. A new object each time the owner changed, so a
   * view keyed on it (`troupe ui`) reads everything again; an older one still
   * works and goes to the current owner.
   */
  async runtime(): Promise<Runtime> {
    await this.#current();
    return this.#facade;
  }

  /** Resolves when the connection to the current owner is lost (never while this process owns the store). */
  async lost(): Promise<void> {
    const session = await this.#current();
    if (session.role === 'host') return new Promise<void>(() => {});
    return new Promise<void>((resolve) => (session.runtime as RemoteRuntime).onDisconnect(resolve));
  }

  /** The Runtime of the next owner (or of this process as the owner) once the current one is lost; the current one while it is not. */
  async reopen(): Promise<Runtime> {
    const session = await this.#current();
    if (session.role === 'client' && !(session.runtime as RemoteRuntime).connected) await this.#replace(session);
    return this.#facade;
  }

  /** Close the current session (`force`: drop requests other processes wait on, Ctrl-C); nothing reopens after. */
  async close(options: { force?: boolean } = {}): Promise<void> {
    this.#closed = true;
    const session = await this.#opening?.catch(() => null);
    await session?.close(options);
  }

  #current(): Promise<RuntimeSession> {
    this.#opening ??= this.#start(null);
    return this.#opening;
  }

  #start(previous: RuntimeSession | null): Promise<RuntimeSession> {
    const opening = (async () => {
      await previous?.close().catch(() => {});
      const session = await this.#open();
      this.#session = session;
      for (const subscription of this.#subscriptions) {
        subscription.stop();
        subscription.stop = session.runtime.subscribe(subscription.target, subscription.listener);
      }
      if (previous) this.#facade = this.#newFacade();
      return session;
    })();
    // a failed open is not kept: the next call tries again
    opening.catch(() => {
      if (this.#opening === opening) this.#opening = null;
    });
    return opening;
  }

  // several calls may fail on the same lost owner: the first one replaces it, the rest wait for that
  #replace(lost: RuntimeSession): Promise<RuntimeSession> {
    if (this.#session === lost && this.#replacing !== lost) {
      this.#replacing = lost;
      this.#opening = this.#start(lost);
    }
    return this.#current();
  }

  async #call(method: string, args: unknown[]): Promise<unknown> {
    for (let attempt = 0; ; attempt += 1) {
      const session = await this.#current();
      try {
        return await (session.runtime as unknown as Record<string, (...params: unknown[]) => Promise<unknown>>)[
          method
        ]!(...args);
      } catch (error) {
        if (!(error instanceof HostRetryError) || attempt >= RETRIES || this.#closed) throw error;
        await this.#replace(session);
      }
    }
  }

  // on the last session opened: while it is being replaced, #start moves the subscription over
  #subscribe(target: string, listener: Subscription['listener']): () => void {
    const subscription: Subscription = { target, listener, stop: this.#session!.runtime.subscribe(target, listener) };
    this.#subscriptions.add(subscription);
    return () => {
      if (this.#subscriptions.delete(subscription)) subscription.stop();
    };
  }

  // the Runtime interface over whichever session is current; calls the
  // host serves are retried, anything else is the current runtime's own
  #newFacade(): Runtime {
    return new Proxy({} as Runtime, {
      get: (_target, property) => {
        if (property === 'subscribe')
          return (target: string, listener: Subscription['listener']) => this.#subscribe(target, listener);
        if (CALLS.has(property)) return (...args: unknown[]) => this.#call(property as string, args);
        const runtime = this.#session?.runtime as unknown as Record<string | symbol, unknown> | undefined;
        const value = runtime?.[property];
        return typeof value === 'function' ? (value as (...params: unknown[]) => unknown).bind(runtime) : value;
      },
    });
  }
}
