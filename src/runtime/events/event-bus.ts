import type { JournalEvent } from '../../domain/index.js';

/** A listener for journaled events. */
export type EventListener = (event: JournalEvent) => void;

/**
 * Fans journaled events out to subscribers, per plan and for all plans
 * (`'*'`). Events are published after they are persisted, in `seq` order.
 * A throwing listener is reported and does not stop the others.
 */
export class EventBus {
  readonly #listeners = new Map<string, Set<EventListener>>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  /** Listen to one plan's events, or every plan's with `'*'`; returns the unsubscribe. */
  subscribe(planId: string, listener: EventListener): () => void {
    let set = this.#listeners.get(planId);
    if (!set) this.#listeners.set(planId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(planId);
    };
  }

  /** Whether anyone listens to the plan's events (its own listeners, or every plan's). */
  listening(planId: string): boolean {
    return (this.#listeners.get(planId)?.size ?? 0) > 0 || (this.#listeners.get('*')?.size ?? 0) > 0;
  }

  publish(events: readonly JournalEvent[]): void {
    for (const event of events) {
      for (const key of [event.planId, '*']) {
        for (const listener of this.#listeners.get(key) ?? []) {
          try {
            listener(event);
          } catch (error) {
            this.#onListenerError(error);
          }
        }
      }
    }
  }
}
