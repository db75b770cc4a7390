import type {
  Changeset,
  Checkpoint,
  CommandLog,
  ConflictRecord,
  Decision,
  JournalEntry,
  JournalEvent,
  PlanRecord,
  PlanSpec,
} from '../../domain/index.js';
import type { Store, StoredSnapshot } from '../../store/index.js';
import type { StoreOutage } from './store-outage.js';
import { syncsBatch } from './batch-sync.js';

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

/** A command's log before it is written: its seq and time are given by the batch that writes it. */
export type LogDraft = Omit<CommandLog, 'seq' | 'ts'>;

interface Pending {
  source: PersistSource;
  /** Logs of commands whose result no transition recorded yet: held until one does. */
  held: LogDraft[];
  /** Logs to write with the next batch (their result is in it). */
  logs: LogDraft[];
  /** The log seq last written; null until first needed. */
  lastLogSeq: number | null;
  /** A read of the log seq started when the plan was taken (null when it failed: read again); taken by the first write that needs it. */
  logSeqRead: Promise<number | null> | null;
  decisions: Decision[];
  entries: JournalEntry[];
  changesets: Map<string, Changeset>;
  /** Conflict records to store and files whose record goes, by file: the last word on a file wins. */
  conflicts: Map<string, ConflictRecord | null>;
  checkpoints: Checkpoint[];
  /** A plan file that replaces the stored one (a child taken over by a new spawn decision). */
  spec: PlanSpec | null;
  scheduled: boolean;
  /** The last write (or the failure of it), chained so writes of a plan never overlap. */
  chain: Promise<void>;
  /** The snapshot objects written last (see {@link PersistSource.versions}); null before the first write. */
  lastVersions: readonly unknown[] | null;
  /** The journal seq last written; null until first needed (then read from the store). */
  lastSeq: number | null;
  /** A read of the journal seq started when the plan was taken (null when it failed: read again); taken by the first write. */
  seqRead: Promise<number | null> | null;
  closed: boolean;
  /** Why the last write failed for good (set once it did): nothing of the plan runs on after it. */
  failure?: unknown;
}

// these journal events record the result of work that ran commands (a step, an
// agent's read, a reconciliation, a phase): the logs held for the plan go in their batch
const RESULT_EVENTS = new Set([
  'step.completed',
  'step.failed',
  'read.completed',
  'tool.called',
  'service.stopped',
  'phase.completed',
  'phase.failed',
  'invariant.reconciled',
  'invariant.violated',
  'plan.cancelled',
]);

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
  track(
    source: PersistSource,
    written: { current: boolean; lastSeq: number | null | Promise<number>; lastLogSeq?: number | Promise<number> },
  ): void {
    const known = typeof written.lastSeq === 'number' ? written.lastSeq : null;
    this.#plans.set(source.planId, {
      source,
      held: [],
      logs: [],
      lastLogSeq: typeof written.lastLogSeq === 'number' ? written.lastLogSeq : null,
      logSeqRead: readUnderWay(written.lastLogSeq),
      decisions: [],
      entries: [],
      changesets: new Map(),
      conflicts: new Map(),
      checkpoints: [],
      spec: null,
      scheduled: false,
      chain: Promise.resolve(),
      lastVersions: written.current ? source.versions() : null,
      lastSeq: known,
      seqRead: readUnderWay(written.lastSeq),
      closed: false,
    });
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
      /** The plan file the plan goes on with, written with its snapshot. */
      spec?: PlanSpec;
    },
  ): void {
    const pending = this.#plans.get(planId);
    if (!pending || pending.closed) return;
    if (recorded.decisions) pending.decisions.push(...recorded.decisions);
    if (recorded.entries) {
      pending.entries.push(...recorded.entries);
      // a step that turned out to be a read: its commands' logs are the read's
      for (const entry of recorded.entries)
        if (entry.type === 'read.completed') pending.held = pending.held.map((log) => asRead(log, entry.data));
      const result = recorded.entries.find((entry) => RESULT_EVENTS.has(entry.type));
      // a check's log learns the step it checked from its reconciliation's event
      const step =
        result?.type.startsWith('invariant.') && typeof result.data.step === 'number' ? result.data.step : null;
      if (result)
        pending.logs.push(
          ...pending.held
            .splice(0)
            .map((log) => (log.kind === 'check' && log.step === null && step !== null ? { ...log, step } : log)),
        );
    }
    if (recorded.changeset) pending.changesets.set(recorded.changeset.id, recorded.changeset);
    if (recorded.checkpoints) pending.checkpoints.push(...recorded.checkpoints);
    if (recorded.spec) pending.spec = recorded.spec;
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
    const hasNews =
      pending.decisions.length > 0 ||
      pending.entries.length > 0 ||
      pending.changesets.size > 0 ||
      pending.conflicts.size > 0 ||
      pending.checkpoints.length > 0 ||
      pending.logs.length > 0 ||
      pending.spec !== null;
    const versions = pending.source.versions();
    // child actors report snapshot changes that leave what is persisted as it
    // was (a promise settling before its parent moves on): skip those writes
    if (!hasNews && sameVersions(versions, pending.lastVersions)) return;
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
        ...(logs.length === 0 ? {} : { logs }),
        ...(spec ? { spec } : {}),
        sync: syncsBatch({ spec, checkpoints, events, record }),
      });
    } catch (error) {
      // keep what was not written: the next write retries it with a newer snapshot
      pending.entries.unshift(...entries);
      pending.decisions.unshift(...decisions);
      pending.checkpoints.unshift(...checkpoints);
      pending.logs.unshift(...drafts);
      pending.spec ??= spec;
      for (const changeset of changesets)
        if (!pending.changesets.has(changeset.id)) pending.changesets.set(changeset.id, changeset);
      for (const [file, conflict] of conflicts) if (!pending.conflicts.has(file)) pending.conflicts.set(file, conflict);
      throw error;
    }
    pending.lastSeq = lastSeq + events.length;
    if (pending.lastLogSeq !== null) pending.lastLogSeq = lastLogSeq + logs.length;
    pending.lastVersions = versions;
    this.#publish(events, record);
  }
}

// a seq read started before tracking: a failed one reads as null, read again at the first write that needs it
// (which then fails as it would have), never an unhandled rejection
function readUnderWay(read: number | null | undefined | Promise<number>): Promise<number | null> | null {
  return read instanceof Promise ? read.catch(() => null) : null;
}

// the seq read under way, taken by the one write that needs it first: null when none was started (or it failed)
async function takeRead(pending: Pending, field: 'seqRead' | 'logSeqRead'): Promise<number | null> {
  const read = pending[field];
  pending[field] = null;
  return read ? await read : null;
}

// a log of the step a read ran as, filed under the read instead (no step)
function asRead(log: LogDraft, data: Record<string, unknown>): LogDraft {
  const { step, read } = data;
  if (log.kind !== 'step' || typeof step !== 'number' || log.step !== step || typeof read !== 'number') return log;
  return { ...log, kind: 'read', step: null, read };
}

function conflictChanges(conflicts: ReadonlyMap<string, ConflictRecord | null>): {
  put: ConflictRecord[];
  resolved: string[];
} {
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
