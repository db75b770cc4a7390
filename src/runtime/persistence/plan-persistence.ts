import type { CommandLog, JournalEvent, PlanRecord } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import type { StoreOutage } from './store-outage.js';
import { syncsBatch } from './batch-sync.js';
import {
  conflictChanges,
  hasNews,
  journalEvents,
  pendingOf,
  putBack,
  queueRecorded,
  sameVersions,
  takeRead,
  type LogDraft,
  type Pending,
  type PersistSource,
  type Recorded,
  type Written,
} from './pending-writes.js';

export type { LogDraft, PersistSource } from './pending-writes.js';

/**
 * Persists plan transitions (DESIGN §4): a plan's snapshot, record, new
 * decisions, journal events, changesets and checkpoints are written in ONE batch per
 * macrotask — coalescing the transitions (and child-actor snapshot changes)
 * that happened in it — then the events are published.
 *
 * Command logs are held until the transition that records the result of
 * their step, check, agent read or phase, and written in its batch: a crash
 * leaves both or neither (the work then runs again, and logs again).
 */
export class PlanPersistence {
  readonly #store: Store;
  readonly #now: () => string;
  readonly #publish: (events: JournalEvent[], record: PlanRecord) => void;
  readonly #onError: (planId: string, error: unknown) => void;
  readonly #onLateLogs: (planId: string, logs: LogDraft[]) => void;
  readonly #outage: StoreOutage | null;
  readonly #plans = new Map<string, Pending>();

  constructor(options: {
    store: Store;
    now: () => string;
    publish: (events: JournalEvent[], record: PlanRecord) => void;
    onError: (planId: string, error: unknown) => void;
    /** Logs still held when a plan that ended is released (commands a cancel stopped): written without a transition. */
    onLateLogs?: (planId: string, logs: LogDraft[]) => void;
    /** Writes wait out an unavailable store this way (a PostgreSQL store); without it they fail at once. */
    outage?: StoreOutage;
  }) {
    this.#store = options.store;
    this.#now = options.now;
    this.#publish = options.publish;
    this.#onError = options.onError;
    this.#onLateLogs = options.onLateLogs ?? (() => {});
    this.#outage = options.outage ?? null;
  }

  /** Whether writes wait out an unavailable store (then nothing a plan runs may go ahead of what is stored: {@link written}). */
  get waitsOutOutages(): boolean {
    return this.#outage !== null;
  }

  /**
   * Resolves once everything the plan did so far is stored — waiting out an
   * outage of the store — and rejects with the write's error when it could
   * not be: the plan's next step, command or tool call must not run ahead of
   * what is stored.
   */
  async written(planId: string): Promise<void> {
    await this.settled(planId);
    const failure = this.#plans.get(planId)?.failure;
    if (failure !== undefined) throw failure;
  }

  /** A read that must see what the plan did (a checkpoint of it), after that is stored, tried again while the store is away (within the bound). */
  async readWritten<T>(planId: string, read: () => Promise<T>): Promise<T> {
    await this.written(planId);
    return this.#outage ? this.#outage.through(read) : read();
  }

  /** A store access of a plan's actors that is safe to repeat (a child plan started, merged, released): tried again while the store is away, within the bound. */
  async through<T>(work: () => Promise<T>): Promise<T> {
    return this.#outage ? this.#outage.through(work) : work();
  }

  /** Reads that must see what the plan did (a checkpoint's): {@link readWritten} on a store that can go away, else directly. Its actors' other reads only go {@link through}. */
  reads(planId: string): <T>(read: () => Promise<T>) => Promise<T> {
    return this.#outage ? (read) => this.readWritten(planId, read) : (read) => read();
  }

  /**
   * Start tracking a plan; `written` says whether its current state is on
   * disk, and its last journal seq — or a read of it already under way, or
   * null to read it from the store at the first write — and its last
   * command log seq when known (0 for a plan just created) or a read of it
   * under way, else read when first needed.
   */
  track(source: PersistSource, written: Written): void {
    this.#plans.set(source.planId, pendingOf(source, written));
  }

  /**
   * The journal seq of the plan as this process last wrote it (or read it
   * when it took the plan), once the write under way settled; null when not
   * known yet or not tracked here.
   */
  async writtenSeq(planId: string): Promise<number | null> {
    const pending = this.#plans.get(planId);
    if (!pending) return null;
    // a write committed but not yet counted would read as another process's (the chain never rejects)
    await pending.chain;
    if (pending.lastSeq !== null) return pending.lastSeq;
    return (await pending.seqRead?.catch(() => null)) ?? null;
  }

  /** The plan changed: write it at the end of this macrotask. */
  changed(planId: string): void {
    const pending = this.#plans.get(planId);
    if (!pending || pending.closed || pending.scheduled) return;
    pending.scheduled = true;
    setImmediate(() => {
      pending.scheduled = false;
      const write = () => this.#write(pending);
      pending.chain = pending.chain
        .then(() => (this.#outage ? this.#outage.through(write) : write()))
        .catch((error: unknown) => {
          pending.failure = error;
          this.#onError(planId, error);
        });
    });
  }

  /**
   * Hold a command's log until a transition records its result; false (and
   * nothing held) when the plan's writes do not go through here (it ended).
   */
  hold(planId: string, log: LogDraft): boolean {
    const pending = this.#plans.get(planId);
    if (!pending || pending.closed) return false;
    pending.held.push(log);
    return true;
  }

  /** Queue what a transition recorded; it is written with the next snapshot. */
  record(planId: string, recorded: Recorded): void {
    const pending = this.#plans.get(planId);
    if (!pending || pending.closed) return;
    queueRecorded(pending, recorded);
    this.changed(planId);
  }

  /** Resolves when everything the plan did so far is on disk (or its write failed and was reported). */
  async settled(planId: string): Promise<void> {
    const pending = this.#plans.get(planId);
    if (!pending) return;
    // a write scheduled for this macrotask is chained when setImmediate fires
    while (pending.scheduled) await new Promise((resolve) => setImmediate(resolve));
    await pending.chain;
  }

  /**
   * Stop writing a plan (its actor is being stopped); pending work is
   * flushed first. Logs still held belong to work no transition recorded:
   * with `held: 'late'` (the plan ended) they go to `onLateLogs`, else they
   * are dropped (a rollback or a restart discards that work).
   */
  async release(planId: string, options: { held?: 'late' | 'drop' } = {}): Promise<void> {
    await this.settled(planId);
    const pending = this.#plans.get(planId);
    if (pending) {
      pending.closed = true;
      const held = pending.held.splice(0);
      if (held.length > 0 && options.held === 'late') this.#onLateLogs(planId, held);
    }
    this.#plans.delete(planId);
  }

  async #write(pending: Pending): Promise<void> {
    const versions = pending.source.versions();
    // child actors report snapshot changes that leave what is persisted as it
    // was (a promise settling before its parent moves on): skip those writes
    if (!hasNews(pending) && sameVersions(versions, pending.lastVersions)) return;
    if (pending.lastSeq === null)
      pending.lastSeq = (await takeRead(pending, 'seqRead')) ?? (await this.#store.lastEventSeq(pending.source.planId));
    const lastSeq = pending.lastSeq;
    const now = this.#now();
    const { snapshot, record } = pending.source.capture(now);
    const entries = pending.entries.splice(0);
    const decisions = pending.decisions.splice(0);
    const changesets = [...pending.changesets.values()];
    pending.changesets.clear();
    const conflicts = new Map(pending.conflicts);
    pending.conflicts.clear();
    const spec = pending.spec;
    pending.spec = null;
    // a checkpoint knows the logs of its state: those of its batch and before (a rollback marks later ones)
    if (pending.lastLogSeq === null && (pending.logs.length > 0 || pending.checkpoints.length > 0)) {
      pending.lastLogSeq =
        (await takeRead(pending, 'logSeqRead')) ?? (await this.#store.lastLogSeq(pending.source.planId));
    }
    const lastLogSeq = pending.lastLogSeq ?? 0;
    const drafts = pending.logs.splice(0);
    const logs: CommandLog[] = drafts.map((draft, offset) => ({ ...draft, seq: lastLogSeq + offset + 1, ts: now }));
    const checkpoints = pending.checkpoints
      .splice(0)
      .map((checkpoint) => ({ ...checkpoint, logCursor: lastLogSeq + logs.length }));
    const events: JournalEvent[] = journalEvents(pending.source.planId, entries, lastSeq, now);
    try {
      await this.#store.commit({
        planId: pending.source.planId,
        record,
        snapshot,
        decisions,
        events,
        changesets,
        ...(conflicts.size === 0 ? {} : { conflicts: conflictChanges(conflicts) }),
        ...(checkpoints.length === 0 ? {} : { checkpoints }),
        ...(logs.length === 0 ? {} : { logs }),
        ...(spec ? { spec } : {}),
        sync: syncsBatch({ spec, checkpoints, events, record }),
      });
    } catch (error) {
      // keep what was not written: the next write retries it with a newer snapshot
      putBack(pending, { entries, decisions, changesets, conflicts, spec, checkpoints, drafts });
      throw error;
    }
    pending.lastSeq = lastSeq + events.length;
    if (pending.lastLogSeq !== null) pending.lastLogSeq = lastLogSeq + logs.length;
    pending.lastVersions = versions;
    this.#publish(events, record);
  }
}
