import { TroupeError } from '../domain/errors.js';
import type {
  Changeset,
  Checkpoint,
  CommandLog,
  ConflictRecord,
  Decision,
  JournalEvent,
  McpTaskRecord,
  PlanHolder,
  PlanRecord,
  PlanSpec,
  ProjectRecord,
} from '../domain/index.js';
import type { BatchInfo, PlanCreation, PlanTransaction, Store, StoredSnapshot } from './store.js';
import type { StepLists } from './step-lists.js';
import { LevelReads } from './level-reads.js';
import { LevelWrites } from './level-writes.js';
import { lastEventSeq, lastLogSeq, readEvents, readLogs } from './journal-reads.js';
import { ensureSchemaVersion } from './schema-version.js';
import { STORE_MIGRATIONS, type StoreMigrations } from './migrations.js';
import { openError } from './open-error.js';
import { openSublevels, type StoreDatabase, type Sublevels } from './store-database.js';
import { readMcpTask, readMcpTasks } from './mcp-task-records.js';
import { readHolder, readHolders } from './plan-holder-records.js';
import { OneProcessClaims } from './one-process-claims.js';

/** Options every store backend takes. */
export interface StoreOptions {
  /** Called after each successful plan write with its operation count and bytes (benchmarks report bytes per step). */
  onBatch?: (info: BatchInfo) => void;
  /**
   * Called for each plan record {@link LevelBackedStore.listPlans} skips
   * because it is corrupt, with the `STORE_CORRUPT` error naming it.
   */
  onCorrupt?: (error: TroupeError) => void;
  /** Migrations by the version they start from; defaults to the ones this troupe ships. */
  migrations?: StoreMigrations;
}

/** What a backend tells the shared implementation about itself. */
export interface LevelBackedStoreSettings extends StoreOptions {
  kind: Store['kind'];
  /** Where the store is, as messages name it: a path, or `memory`. */
  location: string;
}

/**
 * The {@link Store} over any abstract-level database, with the key layout of
 * DESIGN §4 in sublevels holding JSON. Writes go through one mutex, so a
 * name is checked and claimed without another write in between; reads
 * validate what they load.
 *
 * @example
 * const store = new LevelBackedStore(() => new MemoryLevel(), { kind: 'memory', location: 'memory' });
 * await store.open();
 * await store.createPlan({ planId, record, spec, snapshot, events });
 */
export class LevelBackedStore extends OneProcessClaims implements Store {
  readonly kind: Store['kind'];
  /** Where the store is, as messages name it. */
  readonly location: string;
  readonly #createDatabase: () => StoreDatabase;
  readonly #options: StoreOptions;
  readonly #reads: LevelReads;
  // in their write lanes, queued with close: src/store/level-writes.ts
  readonly #writes: LevelWrites;
  // the plans' step chains, kept by the reads and planned into by the writes
  readonly #steps: StepLists;
  #db: StoreDatabase | null = null;
  #sublevels: Sublevels | null = null;
  #opening: Promise<void> | null = null;

  /**
   * `createDatabase` is called on the first open, not here: an abstract-level
   * database starts opening as soon as it exists, and on disk that takes
   * the lock. Later opens reuse the same database.
   */
  constructor(createDatabase: () => StoreDatabase, settings: LevelBackedStoreSettings) {
    super();
    const { kind, location, ...options } = settings;
    this.kind = kind;
    this.location = location;
    this.#createDatabase = createDatabase;
    this.#options = options;
    this.#reads = new LevelReads({ kind, parts: () => this.#parts(), onCorrupt: options.onCorrupt });
    this.#steps = this.#reads.steps;
    this.#writes = new LevelWrites({
      kind,
      parts: () => this.#parts(),
      db: () => this.db,
      steps: this.#steps,
      onBatch: options.onBatch,
    });
  }

  /** The database underneath, for diagnostics and tests; write through the store's methods. Exists from the first open. */
  get db(): StoreDatabase {
    if (!this.#db) throw notOpen(this.location);
    return this.#db;
  }

  /** Open the database, then check and migrate its schema version; `STORE_LOCKED` if another process has it. */
  open(): Promise<void> {
    if (this.#sublevels) return Promise.resolve();
    // concurrent callers share one open, so migrations run once
    this.#opening ??= this.#open().finally(() => {
      this.#opening = null;
    });
    return this.#opening;
  }

  /** Close the database once the writes asked for before are done; later writes fail as not open. */
  close(): Promise<void> {
    const opening = this.#opening;
    if (opening) return opening.then(noop, noop).then(() => this.close());
    // queued at once (no await before it), so a write asked for after close waits behind it
    return this.#writes.end(
      () => {
        const parts = this.#sublevels;
        this.#sublevels = null;
        return parts;
      },
      async () => {
        await this.#db?.close();
      },
    );
  }

  createPlan(creation: PlanCreation): Promise<void> {
    return this.#writes.createPlan(creation);
  }

  commit(transaction: PlanTransaction): Promise<void> {
    return this.#writes.commit(transaction);
  }

  /** Drop what this process remembers of a plan (another process may have written it since). */
  protected forgetPlan(planId: string): void {
    this.#steps.forget(planId);
  }

  async getPlan(planId: string): Promise<PlanRecord | null> {
    const record = await this.#reads.getPlan(planId);
    // seen to exist: a commit of it (a plan a worker took over) needs no read of its own
    if (record) this.#writes.seen(planId);
    return record;
  }

  getPlanIdByName(name: string): Promise<string | null> {
    return this.#reads.getPlanIdByName(name);
  }

  findPlanIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    return this.#reads.findPlanIdsByPrefix(prefix, limit);
  }

  /**
   * Every readable plan record, oldest first. A corrupt record is skipped
   * and reported to the `onCorrupt` option, so one damaged plan does not
   * hide the others; {@link listCorruptPlans} lists what was skipped.
   */
  listPlans(): Promise<PlanRecord[]> {
    return this.#reads.listPlans();
  }

  /**
   * A `STORE_CORRUPT` error for each plan record that cannot be read, oldest
   * first; `details` has its `planId` and `key`. These are the records
   * {@link listPlans} leaves out.
   *
   * @example
   * for (const error of await store.listCorruptPlans()) console.warn(error.message);
   */
  listCorruptPlans(): Promise<TroupeError[]> {
    return this.#reads.listCorruptPlans();
  }

  getSpec(planId: string): Promise<PlanSpec | null> {
    return this.#reads.getSpec(planId);
  }

  getSnapshot(planId: string): Promise<StoredSnapshot | null> {
    return this.#reads.getSnapshot(planId);
  }

  getDecision(planId: string, decisionId: string): Promise<Decision | null> {
    return this.#reads.getDecision(planId, decisionId);
  }

  listDecisions(planId: string): Promise<Decision[]> {
    return this.#reads.listDecisions(planId);
  }

  // async, as every read: a store that is not open rejects, it does not throw
  async readEvents(planId: string, options?: { afterSeq?: number; limit?: number }): Promise<JournalEvent[]> {
    return readEvents(this.#parts(), planId, options);
  }

  async lastEventSeq(planId: string): Promise<number> {
    return lastEventSeq(this.#parts(), planId);
  }

  async readLogs(planId: string, options?: { afterSeq?: number; limit?: number }): Promise<CommandLog[]> {
    return readLogs(this.#parts(), planId, options);
  }

  async lastLogSeq(planId: string): Promise<number> {
    return lastLogSeq(this.#parts(), planId);
  }

  getChangeset(changesetId: string): Promise<Changeset | null> {
    return this.#reads.getChangeset(changesetId);
  }

  listConflicts(planId: string): Promise<ConflictRecord[]> {
    return this.#reads.listConflicts(planId);
  }

  getCheckpoint(planId: string, checkpointId: string): Promise<Checkpoint | null> {
    return this.#reads.getCheckpoint(planId, checkpointId);
  }

  listCheckpoints(planId: string): Promise<Checkpoint[]> {
    return this.#reads.listCheckpoints(planId);
  }

  getProject(name: string): Promise<ProjectRecord | null> {
    return this.#reads.getProject(name);
  }

  listProjects(): Promise<ProjectRecord[]> {
    return this.#reads.listProjects();
  }

  getMcpTask(taskId: string): Promise<McpTaskRecord | null> {
    return readMcpTask(this.#parts(), taskId);
  }

  listMcpTasks(): Promise<McpTaskRecord[]> {
    return readMcpTasks(this.#parts());
  }

  putMcpTask(task: McpTaskRecord): Promise<void> {
    return this.#writes.putMcpTask(task);
  }

  deleteMcpTasks(taskIds: readonly string[]): Promise<void> {
    return this.#writes.deleteMcpTasks(taskIds);
  }

  getHolder(planId: string): Promise<PlanHolder | null> {
    return readHolder(this.#parts(), planId);
  }

  listHolders(): Promise<PlanHolder[]> {
    return readHolders(this.#parts());
  }

  putHolder(holder: PlanHolder): Promise<void> {
    return this.#writes.putHolder(holder);
  }

  releaseHolder(holder: PlanHolder): Promise<void> {
    return this.#writes.releaseHolder(holder);
  }

  appendLogs(planId: string, logs: readonly CommandLog[]): Promise<void> {
    return this.#writes.appendLogs(planId, logs);
  }

  deleteCheckpoints(planId: string, checkpointIds: readonly string[]): Promise<void> {
    return this.#writes.deleteCheckpoints(planId, checkpointIds);
  }

  deletePlan(planId: string): Promise<void> {
    return this.#writes.deletePlan(planId);
  }

  addProject(project: ProjectRecord): Promise<void> {
    return this.#writes.addProject(project);
  }

  async #open(): Promise<void> {
    const db = (this.#db ??= this.#createDatabase());
    try {
      await db.open();
    } catch (error) {
      throw openError(error, this.location);
    }
    try {
      await ensureSchemaVersion(db, this.#options.migrations ?? STORE_MIGRATIONS, this.location);
    } catch (error) {
      // release the database (and on disk its lock) when troupe cannot use it
      await db.close();
      throw error;
    }
    // the sublevels too are made on each open
    this.#writes.reopened();
    this.#sublevels = openSublevels(db);
  }

  #parts(): Sublevels {
    if (!this.#sublevels) throw notOpen(this.location);
    return this.#sublevels;
  }
}

function noop(): void {}

function notOpen(location: string): TroupeError {
  return new TroupeError('INTERNAL_ERROR', `the store at ${location} is not open`, {
    hint: 'call open() before using a store',
  });
}
