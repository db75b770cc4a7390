import type { JournalEvent, Phase } from '../../domain/index.js';
import { subscriptionTarget } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { EventBus } from './event-bus.js';

/** What the runtime lends its event feed. */
export interface EventFeedHost {
  store: Store;
  /** Where a listener that threw, or events that could not be read, are reported. */
  report(message: string, error: unknown): void;
  /** A plan as reports name it: `demo/x (01…)`. */
  named(planId: string): Promise<string>;
  /** Whether the plan runs here: such a plan publishes its own events, the feed relays none of them. */
  runsHere(planId: string): boolean;
  /** Another process committed events of the plan (a parent follows its children on workers so). */
  heard(planId: string): void;
}

/**
 * The events subscribers hear (SPEC §13): what this process's plans wrote,
 * published as they are written, and what other processes committed
 * (workers, other commands on PostgreSQL), relayed from the store's change
 * feed — each event once, in `seq` order per plan.
 *
 * @example
 * const feed = new EventFeed({ store, report, named, runsHere: (id) => plans.has(id), heard: (id) => remote?.notify(id) });
 * feed.start();
 * const stop = feed.subscribe('*', (event) => console.log(event.type));
 */
export class EventFeed {
  readonly #host: EventFeedHost;
  readonly #bus: EventBus;
  // the store's change feed while it is heard, and how many listen to what it relays
  #feed: (() => void) | null = null;
  #subscribers = 0;
  #closed = false;
  // the last event published per plan, and the read of a plan's events under way
  readonly #relayed = new Map<string, number>();
  readonly #relaying = new Map<string, Promise<void>>();

  constructor(host: EventFeedHost) {
    this.#host = host;
    this.#bus = new EventBus((error) => host.report('an event listener threw', error));
  }

  /** Listen to one plan's events, or every plan's with `'*'`; returns the unsubscribe. */
  subscribe(planIdOrAll: string, listener: (event: JournalEvent) => void): () => void {
    const stop = this.#bus.subscribe(subscriptionTarget(planIdOrAll), listener);
    // plans other processes run (workers, other commands on PostgreSQL) reach subscribers through the store's feed
    this.#subscribers += 1;
    this.start();
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      this.#subscribers -= 1;
      stop();
    };
  }

  /** Hear the store's feed, once (a PostgreSQL store; other stores have one process). */
  start(): void {
    if (this.#feed || this.#closed || this.#host.store.kind !== 'postgres') return;
    this.#feed = this.#host.store.watchPlans((planId, fromSeq) => {
      this.#host.heard(planId);
      if (this.#subscribers > 0) this.#relay(planId, fromSeq);
    });
  }

  /**
   * Publish events this process wrote, each once: the feed relays only what
   * comes after them, and one the feed already relayed (it can hear this
   * process's own commit first) is not published again.
   */
  publish(events: readonly JournalEvent[]): void {
    const fresh = events.filter((event) => {
      const heard = this.#relayed.get(event.planId);
      if (heard !== undefined && event.seq <= heard) return false;
      this.#relayed.set(event.planId, event.seq);
      return true;
    });
    if (fresh.length > 0) this.#bus.publish(fresh);
  }

  /**
   * Where a plan's model text goes as it comes: `model.text` events, never
   * stored, to this process's subscribers only (no `seq` of their own: 0; not
   * relayed to other processes) — or null when nobody here follows the plan
   * (a `--stream`, the UI), and the model's answers need not be streamed.
   */
  textSink(planId: string, phase: Phase, now: () => string): ((delta: string) => void) | null {
    if (!this.#bus.listening(planId)) return null;
    return (delta) => this.#bus.publish([{ seq: 0, ts: now(), planId, type: 'model.text', phase, data: { delta } }]);
  }

  /** Stop hearing the store's feed, for good. */
  close(): void {
    this.#closed = true;
    this.#feed?.();
    this.#feed = null;
  }

  // publish here the events another process committed for a plan, each once, in seq order
  #relay(planId: string, fromSeq: number): void {
    if (planId === '*') {
      for (const [id, last] of this.#relayed) this.#relay(id, last + 1);
      return;
    }
    // a plan that runs here publishes its own events
    if (this.#host.runsHere(planId)) return;
    const previous = this.#relaying.get(planId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const after = this.#relayed.get(planId) ?? fromSeq - 1;
      const read = await this.#host.store.readEvents(planId, { afterSeq: after });
      // this process may have published some meanwhile (a child it created, a merge it wrote)
      const published = this.#relayed.get(planId) ?? after;
      const events = read.filter((event) => event.seq > published);
      if (events.length === 0 || this.#host.runsHere(planId)) return;
      this.#relayed.set(planId, events[events.length - 1]!.seq);
      this.#bus.publish(events);
    });
    const settled = next.catch(async (error: unknown) =>
      this.#host.report(`could not read the events of plan ${await this.#host.named(planId)}`, error),
    );
    this.#relaying.set(planId, settled);
    void settled.finally(() => {
      if (this.#relaying.get(planId) === settled) this.#relaying.delete(planId);
    });
  }
}
