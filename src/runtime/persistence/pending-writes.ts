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
import type { StoredSnapshot } from '../../store/index.js';

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

/** What a plan's transitions recorded for its next batch (see PlanPersistence.record). */
export interface Recorded {
  decisions?: readonly Decision[];
  entries?: readonly JournalEntry[];
  changeset?: Changeset;
  /** Conflict records to store (`put`, whole records) and files whose conflict is gone (`closed`). */
  conflicts?: { put?: readonly ConflictRecord[]; closed?: readonly string[] };
  /** Checkpoints of this transition: written with its snapshot. */
  checkpoints?: readonly Checkpoint[];
  /** The plan file the plan goes on with, written with its snapshot. */
  spec?: PlanSpec;
}

/** How much of a plan is on disk when it is tracked (see PlanPersistence.track). */
export interface Written {
  current: boolean;
  lastSeq: number | null | Promise<number>;
  lastLogSeq?: number | Promise<number>;
}

/** A tracked plan: what waits for its next batch, and what its writes so far left behind. */
export interface Pending {
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

/** What one batch took out of a plan's pending writes: put back whole when the batch fails. */
export interface TakenNews {
  entries: JournalEntry[];
  decisions: Decision[];
  changesets: Changeset[];
  conflicts: Map<string, ConflictRecord | null>;
  spec: PlanSpec | null;
  checkpoints: Checkpoint[];
  drafts: LogDraft[];
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
 * A plan just tracked, nothing pending yet: `written` says whether its
 * current state is on disk and what is known (or being read) of its seqs.
 *
 * @example
 * const pending = pendingOf(source, { current: true, lastSeq: 1, lastLogSeq: 0 });
 */
export function pendingOf(source: PersistSource, written: Written): Pending {
  return {
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
    lastSeq: typeof written.lastSeq === 'number' ? written.lastSeq : null,
    seqRead: readUnderWay(written.lastSeq),
    closed: false,
  };
}

/**
 * Queue what a transition recorded for the plan's next batch; the command
 * logs held for it join the batch once an entry records their work's result.
 *
 * @example
 * queueRecorded(pending, { entries: [{ type: 'step.completed', phase: 'execute', data: { step: 0 } }] });
 */
export function queueRecorded(pending: Pending, recorded: Recorded): void {
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
}

/** Whether the plan has anything to write besides its snapshot. */
export function hasNews(pending: Pending): boolean {
  return (
    pending.decisions.length > 0 ||
    pending.entries.length > 0 ||
    pending.changesets.size > 0 ||
    pending.conflicts.size > 0 ||
    pending.checkpoints.length > 0 ||
    pending.logs.length > 0 ||
    pending.spec !== null
  );
}

/** The journal events a batch writes for its entries, numbered on from `lastSeq`. */
export function journalEvents(
  planId: string,
  entries: readonly JournalEntry[],
  lastSeq: number,
  now: string,
): JournalEvent[] {
  return entries.map((entry, offset) => ({
    seq: lastSeq + offset + 1,
    ts: now,
    planId,
    type: entry.type,
    ...(entry.phase === undefined ? {} : { phase: entry.phase }),
    data: entry.data,
  }));
}

/** A batch failed: what it took goes back, ahead of what came meanwhile, for the next write to retry with a newer snapshot. */
export function putBack(pending: Pending, taken: TakenNews): void {
  pending.entries.unshift(...taken.entries);
  pending.decisions.unshift(...taken.decisions);
  pending.checkpoints.unshift(...taken.checkpoints);
  pending.logs.unshift(...taken.drafts);
  pending.spec ??= taken.spec;
  for (const changeset of taken.changesets)
    if (!pending.changesets.has(changeset.id)) pending.changesets.set(changeset.id, changeset);
  for (const [file, conflict] of taken.conflicts)
    if (!pending.conflicts.has(file)) pending.conflicts.set(file, conflict);
}

// a seq read started before tracking: a failed one reads as null, read again at the first write that needs it
// (which then fails as it would have), never an unhandled rejection
function readUnderWay(read: number | null | undefined | Promise<number>): Promise<number | null> | null {
  return read instanceof Promise ? read.catch(() => null) : null;
}

/** The seq read under way, taken by the one write that needs it first: null when none was started (or it failed). */
export async function takeRead(pending: Pending, field: 'seqRead' | 'logSeqRead'): Promise<number | null> {
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

/** The conflict changes of a batch: records to store, and files whose conflict was resolved. */
export function conflictChanges(conflicts: ReadonlyMap<string, ConflictRecord | null>): {
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

/** Whether the snapshot objects are those written last (see {@link PersistSource.versions}). */
export function sameVersions(now: readonly unknown[], then: readonly unknown[] | null): boolean {
  return then !== null && now.length === then.length && now.every((version, index) => version === then[index]);
}
