import { NotFoundError, TroupeError } from '../domain/errors.js';
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
import { checkpointKey, logKey } from './key-layout.js';
import type { PlannedSteps, PlanSteps, StepLists } from './step-lists.js';
import { LevelReads } from './level-reads.js';
import { AS_TEXT } from './stored-decode.js';
import { logsProblem, transactionProblem } from './transaction-problem.js';
import { ensureSchemaVersion } from './schema-version.js';
import { STORE_MIGRATIONS, type StoreMigrations } from './migrations.js';
import { openError } from './open-error.js';
import { refuseTaken } from './creation-checks.js';
import { WriteLanes } from './mutex.js';
import { openSublevels, writeOptions, type StoreDatabase, type Sublevels } from './store-database.js';
import { PlanBatchWriter, planDeletes, transactionPuts, type Put } from './plan-batches.js';
import { mcpTaskPut, readMcpTask, readMcpTasks } from './mcp-task-records.js';
import { newProjectPut } from './project-records.js';
import { holderDelete, holderPut, readHolder, readHolders } from './plan-holder-records.js';
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
  // each plan in a lane of its own on PostgreSQL (its names table refuses a taken name); in turn elsewhere
  readonly #writes: WriteLanes;
  // plans this store has written or read: a commit to one needs no existence read
  // (only a plan that ended is deleted, and the process deleting it forgets it)
  readonly #existing = new Set<string>();
  readonly #reads: LevelReads;
  // the plans' step chains, kept by the reads and planned into by the writes
  readonly #steps: StepLists;
  #db: StoreDatabase | null = null;
  // the batch writer of the open database, made at its first write
  #batches: PlanBatchWriter | null = null;
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
    this.#writes = new WriteLanes(kind === 'postgres');
    this.#reads = new LevelReads({ kind, parts: () => this.#parts(), onCorrupt: options.onCorrupt });
    this.#steps = this.#reads.steps;
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
    return this.#writes.exclusive(async () => {
      const parts = this.#sublevels;
      this.#sublevels = null;
      this.#existing.clear();
      this.#steps.clear();
      try {
        // the last writes reach the disk (PostgreSQL's WAL writer flushes those committed without sync itself)
        if (parts && this.kind === 'level') await this.#batches?.flush(parts.meta);
      } finally {
        await this.#db?.close();
      }
    });
  }

  async createPlan(creation: PlanCreation): Promise<void> {
    assertWellFormed(creation);
    const { planId, record } = creation;
    await this.#writes.run(planId, async () => {
      // taken inside the queue: a close queued ahead of this write ends the sublevels
      const parts = this.#parts();
      await refuseTaken(parts, record);
      const steps = this.#steps.fresh(planId);
      const planned = this.#planSteps(planId, steps, creation);
      const puts: Put[] = [
        { type: 'put', sublevel: parts.names, key: record.name, value: planId },
        { type: 'put', sublevel: parts.specs, key: planId, value: creation.spec },
        ...transactionPuts(parts, creation, planned, true),
      ];
      await this.#writeSteps(planId, steps, planned, puts, creation.sync === true);
      this.#existing.add(planId);
    });
  }

  async commit(transaction: PlanTransaction): Promise<void> {
    assertWellFormed(transaction);
    const { planId } = transaction;
    await this.#writes.run(planId, async () => {
      const parts = this.#parts();
      if (!this.#existing.has(planId)) {
        if ((await parts.plans.get<string, string>(planId, AS_TEXT)) === undefined) {
          throw new NotFoundError('plan', planId, 'a plan is written with createPlan before its first commit');
        }
        this.#existing.add(planId);
      }
      const steps = await this.#steps.of(planId);
      const planned = this.#planSteps(planId, steps, transaction);
      await this.#writeSteps(
        planId,
        steps,
        planned,
        transactionPuts(parts, transaction, planned, false),
        transaction.sync === true,
      );
    });
  }

  // the chain writes of a transition; a transition refused here has written nothing
  #planSteps(planId: string, steps: PlanSteps, transaction: PlanTransaction): PlannedSteps {
    return this.#steps.plan(
      planId,
      steps,
      transaction.record.strategyDecisionIds,
      (transaction.checkpoints ?? []).map((checkpoint) => checkpoint.stepIds),
    );
  }

  // a failed write leaves the chain in memory ahead of the store: read it again next time
  async #writeSteps(
    planId: string,
    steps: PlanSteps,
    planned: PlannedSteps,
    puts: Put[],
    sync: boolean,
  ): Promise<void> {
    try {
      await this.#write(planId, puts, sync);
    } catch (error) {
      this.#steps.forget(planId);
      throw error;
    }
    this.#steps.wrote(planId, steps, planned);
  }

  /** Drop what this process remembers of a plan (another process may have written it since). */
  protected forgetPlan(planId: string): void {
    this.#steps.forget(planId);
  }

  async getPlan(planId: string): Promise<PlanRecord | null> {
    const record = await this.#reads.getPlan(planId);
    // seen to exist: a commit of it (a plan a worker took over) needs no read of its own
    if (record) this.#existing.add(planId);
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

  readEvents(planId: string, options?: { afterSeq?: number; limit?: number }): Promise<JournalEvent[]> {
    return this.#reads.readEvents(planId, options);
  }

  lastEventSeq(planId: string): Promise<number> {
    return this.#reads.lastEventSeq(planId);
  }

  readLogs(planId: string, options?: { afterSeq?: number; limit?: number }): Promise<CommandLog[]> {
    return this.#reads.readLogs(planId, options);
  }

  lastLogSeq(planId: string): Promise<number> {
    return this.#reads.lastLogSeq(planId);
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

  // queued with the other writes, so a close asked for after it waits for it
  async putMcpTask(task: McpTaskRecord): Promise<void> {
    await this.#writes.run('mcp-tasks', async () => {
      const parts = this.#parts();
      await this.db.batch([await mcpTaskPut(parts, task)], writeOptions(true));
    });
  }

  async deleteMcpTasks(taskIds: readonly string[]): Promise<void> {
    if (taskIds.length === 0) return;
    await this.#writes.run('mcp-tasks', async () => {
      const parts = this.#parts();
      await this.db.batch(
        taskIds.map((key) => ({ type: 'del' as const, sublevel: parts.mcpTasks, key })),
        writeOptions(true),
      );
    });
  }

  getHolder(planId: string): Promise<PlanHolder | null> {
    return readHolder(this.#parts(), planId);
  }

  listHolders(): Promise<PlanHolder[]> {
    return readHolders(this.#parts());
  }

  // a heartbeat: flushed, so a reader in another process sees when it was last heard
  async putHolder(holder: PlanHolder): Promise<void> {
    await this.#writes.run(`holder:${holder.planId}`, async () =>
      this.db.batch([await holderPut(this.#parts(), holder)], writeOptions(true)),
    );
  }

  async releaseHolder(holder: PlanHolder): Promise<void> {
    await this.#writes.run(`holder:${holder.planId}`, async () => {
      const del = await holderDelete(this.#parts(), holder);
      if (del) await this.db.batch([del], writeOptions(true));
    });
  }

  async appendLogs(planId: string, logs: readonly CommandLog[]): Promise<void> {
    const problem = logsProblem(planId, logs);
    if (problem)
      throw new TroupeError('INTERNAL_ERROR', `cannot write logs of plan ${planId}: ${problem}`, {
        details: { planId },
      });
    if (logs.length === 0) return;
    await this.#writes.run(planId, async () => {
      const parts = this.#parts();
      if (!this.#existing.has(planId) && (await parts.plans.get<string, string>(planId, AS_TEXT)) === undefined) {
        throw new NotFoundError('plan', planId, 'logs are written for a plan that exists');
      }
      await this.#write(
        planId,
        logs.map((log) => ({ type: 'put', sublevel: parts.logs, key: logKey(planId, log.seq), value: log })),
        false,
      );
    });
  }

  async deleteCheckpoints(planId: string, checkpointIds: readonly string[]): Promise<void> {
    if (checkpointIds.length === 0) return;
    await this.#writes.run(planId, async () => {
      const parts = this.#parts();
      const dels: Put[] = checkpointIds.map((id) => ({
        type: 'del',
        sublevel: parts.checkpoints,
        key: checkpointKey(planId, id),
      }));
      await this.#write(planId, dels, true);
    });
  }

  async deletePlan(planId: string): Promise<void> {
    await this.#writes.run(planId, async () => {
      const parts = this.#parts();
      const dels = await planDeletes(parts, planId);
      if (dels === null) return;
      await this.db.batch(dels, writeOptions(true));
      this.#existing.delete(planId);
      this.#steps.forget(planId);
    });
  }

  async addProject(project: ProjectRecord): Promise<void> {
    // checked in turn, so writes stay in the order they were asked for
    await this.#writes.run('projects', async () =>
      this.db.batch([await newProjectPut(this.#parts(), project)], writeOptions(true)),
    );
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
    this.#batches = null;
    this.#sublevels = openSublevels(db);
  }

  #parts(): Sublevels {
    if (!this.#sublevels) throw notOpen(this.location);
    return this.#sublevels;
  }

  #write(planId: string, puts: Put[], sync: boolean): Promise<void> {
    return (this.#batches ??= new PlanBatchWriter(this.db, this.#options.onBatch)).write(planId, puts, sync);
  }
}

function noop(): void {}

function notOpen(location: string): TroupeError {
  return new TroupeError('INTERNAL_ERROR', `the store at ${location} is not open`, {
    hint: 'call open() before using a store',
  });
}

// ids and seqs become keys; one that breaks the layout is refused before
// anything is written (a bug in the caller, not in the user's input)
function assertWellFormed(transaction: PlanTransaction): void {
  const problem = transactionProblem(transaction);
  if (problem)
    throw new TroupeError('INTERNAL_ERROR', `cannot write plan ${transaction.planId}: ${problem}`, {
      details: { planId: transaction.planId },
    });
}
