// The events part of the Runtime interface (SPEC §13): a plan's journal, read back or followed
// as it is written. runtime.ts assembles Runtime from a part per wing.
import type { JournalEvent } from '../../domain/index.js';

/**
 * The Runtime's events (SPEC §13): a plan's journal read back from a seq,
 * and a subscription to events as they are persisted.
 *
 * @example
 * const earlier = await runtime.events('demo/x', { afterSeq: 0, limit: 100 });
 * const stop = runtime.subscribe((await runtime.getPlan('demo/x')).id, (event) => console.log(event.seq, event.type));
 * stop();
 */
export interface EventMethods {
  /** The journal after `afterSeq`, oldest first. */
  events(ref: string, options?: { afterSeq?: number; limit?: number }): Promise<JournalEvent[]>;
  /** Listen to a plan's events by its id (or all plans' with `'*'`) as they are persisted; returns the unsubscribe. A name or id prefix throws VALIDATION_ERROR: subscribe to `(await getPlan(name)).id`. */
  subscribe(planIdOrAll: string, listener: (event: JournalEvent) => void): () => void;
}
