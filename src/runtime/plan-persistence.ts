import type { Changeset, Checkpoint, ConflictRecord, Decision, JournalEntry, JournalEvent, PlanRecord } from '../domain/index.js';
import type { Store, StoredSnapshot } from '../store/index.js';

/** What the persistence needs from a plan's live actor at write time. */
export interface PersistSource {
  planId: string;
  /**
   * The snapshot objects of the plan actor and its direct children. XState
   * snapshots are immutable, so when none of these objects changed, the
   * persisted snapshot did not change either.
   */
  versions(): readonly unknown[];
  /** The persisted snapshot and the record derived from the same state. */
  capture(now: string): { snapshot: StoredSnapshot; record: PlanRecord };
}

interface Pending {
  source: PersistSource;
  decisions: Decision[];
  entries: JournalEntry[];
  changesets: Map<string, Changeset>;
  /** Conflict records to store and files whose record goes, by file: the last word on a file wins. */
  conflicts: Map<string, ConflictRecord | null>;
  checkpoints: Checkpoint[];
  scheduled: boolean;
  /** The last write (or the failure of it), chained so writes of a plan never overlap. */
  chain: Promise<void>;
  /** The snapshot objects written last (see {@link PersistSource.versions}); null before the first write. */
  lastVersions: readonly unknown[] | null;
  /** The journal seq last written; null until first needed (then read from the store). */
  lastSeq: number | null;
  closed: boolean;
}

// these journal events mark phase boundaries: their batch is synced to disk
const SYNC_EVENTS = new Set(['plan.created', 'phase.completed', 'phase.failed', 'plan.cancelled', 'plan.invalidated', 'merge.conflict', 'conflict.resolved', 'merge.completed']);

/**
 * Persists plan transitions (DESIGN §4): a plan's snapshot, record, new
 * decisions, journal events, changesets and checkpoints are written in ONE batch per
 * macrotask — coalescing the transitions (and child-actor snapshot changes)
 * that happened in it — then the events are published.
 */
export class PlanPersistence {
  readonly #store: Store;
  readonly #now: () => string;
  readonly #publish: (events: JournalEvent[], record: PlanRecord) => void;
  readonly #onError: (planId: string, error: unknown) => void;
  readonly #plans = new Map<string, Pending>();

  constructor(options: {
    store: Store;
    now: () => string;
    publish: (events: JournalEvent[], record: PlanRecord) => void;
    onError: (planId: string, error: unknown) => void;
  }) {
    this.#store = options.store;
    this.#now = options.now;
    this.#publish = options.publish;
    this.#onError = options.onError;
  }

  /**
   * Start tracking a plan; `written` says whether its current state is on
   * disk, and its last journal seq — or null to read it from the store at
   * the first write (restoring many plans at rest reads none).
   */
  track(source: PersistSource, written: { current: boolean; lastSeq: number | null }): void {
    this.#plans.set(source.planId, {
      source,
      decisions: [],
      entries: [],
      changesets: new Map(),
      conflicts: new Map(),
      checkpoints: [],
      scheduled: false,
      chain: Promise.resolve(),
      lastVersions: written.current ? source.versions() : null,
      lastSeq: written.lastSeq,
      closed: false,
    });
  }

  /** The plan changed: write it at the end of this macrotask. */
  changed(planId: string): void {
    const pending = this.#plans.get(planId);
    if (!pending || pending.closed || pending.scheduled) return;
    pending.scheduled = true;
    setImmediate(() => {
      pending.scheduled = false;
      pending.chain = pending.chain.then(() => this.#write(pending)).catch((error: unknown) => this.#onError(planId, error));
    });
  }

  /** Queue what a transition recorded; it is written with the next snapshot. */
  record(
    planId: string,
    recorded: {
      decisions?: readonly Decision[];
      entries?: readonly JournalEntry[];
      changeset?: Changeset;
      /** Conflict records to store (`put`, whole records) and files whose conflict is gone (`closed`). */
      conflicts?: { put?: readonly ConflictRecord[]; closed?: readonly string[] };
      /** Checkpoints of this transition: written with its snapshot. */
      checkpoints?: readonly Checkpoint[];
    },
  ): void {
    const pending = this.#plans.get(planId);
    if (!pending || pending.closed) return;
    if (recorded.decisions) pending.decisions.push(...recorded.decisions);
    if (recorded.entries) pending.entries.push(...recorded.entries);
    if (recorded.changeset) pending.changesets.set(recorded.changeset.id, recorded.changeset);
    if (recorded.checkpoints) pending.checkpoints.push(...recorded.checkpoints);
    for (const file of recorded.conflicts?.closed ?? []) pending.conflicts.set(file, null);
    for (const conflict of recorded.conflicts?.put ?? []) pending.conflicts.set(conflict.file, conflict);
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

  /** Stop writing a plan (its actor is being stopped); pending work is flushed first. */
  async release(planId: string): Promise<void> {
    await this.settled(planId);
    const pending = this.#plans.get(planId);
    if (pending) pending.closed = true;
    this.#plans.delete(planId);
  }

  async #write(pending: Pending): Promise<void> {
    const hasNews = pending.decisions.length > 0 || pending.entries.length > 0 || pending.changesets.size > 0 || pending.conflicts.size > 0 || pending.checkpoints.length > 0;
    const versions = pending.source.versions();
    // child actors report snapshot changes that leave what is persisted as it
    // was (a promise settling before its parent moves on): skip those writes
    if (!hasNews && sameVersions(versions, pending.lastVersions)) return;
    pending.lastSeq ??= await this.#store.lastEventSeq(pending.source.planId);
    const lastSeq = pending.lastSeq;
    const now = this.#now();
    const { snapshot, record } = pending.source.capture(now);
    const entries = pending.entries.splice(0);
    const decisions = pending.decisions.splice(0);
    const changesets = [...pending.changesets.values()];
    pending.changesets.clear();
    const conflicts = new Map(pending.conflicts);
    pending.conflicts.clear();
    const checkpoints = pending.checkpoints.splice(0);
    const events: JournalEvent[] = entries.map((entry, offset) => ({
      seq: lastSeq + offset + 1,
      ts: now,
      planId: pending.source.planId,
      type: entry.type,
      ...(entry.phase === undefined ? {} : { phase: entry.phase }),
      data: entry.data,
    }));
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
        sync: checkpoints.length > 0 || events.some((event) => SYNC_EVENTS.has(event.type)),
      });
    } catch (error) {
      // keep what was not written: the next write retries it with a newer snapshot
      pending.entries.unshift(...entries);
      pending.decisions.unshift(...decisions);
      pending.checkpoints.unshift(...checkpoints);
      for (const changeset of changesets) if (!pending.changesets.has(changeset.id)) pending.changesets.set(changeset.id, changeset);
      for (const [file, conflict] of conflicts) if (!pending.conflicts.has(file)) pending.conflicts.set(file, conflict);
      throw error;
    }
    pending.lastSeq = lastSeq + events.length;
    pending.lastVersions = versions;
    this.#publish(events, record);
  }
}

function conflictChanges(conflicts: ReadonlyMap<string, ConflictRecord | null>): { put: ConflictRecord[]; resolved: string[] } {
  const put: ConflictRecord[] = [];
  const resolved: string[] = [];
  for (const [file, conflict] of conflicts) {
    if (conflict) put.push(conflict);
    else resolved.push(file);
  }
  return { put, resolved };
}

function sameVersions(now: readonly unknown[], then: readonly unknown[] | null): boolean {
  return then !== null && now.length === then.length && now.every((version, index) => version === then[index]);
}
