import type {
  Checkpoint,
  Changeset,
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

/**
 * A persisted machine snapshot with the version of the machine that wrote it.
 *
 * @example
 * const stored: StoredSnapshot | null = await store.getSnapshot(planId);
 * if (stored?.machineVersion === PLAN_MACHINE_VERSION) console.log(stored.snapshot);
 */
export interface StoredSnapshot {
  machineVersion: number;
  snapshot: unknown;
}

/**
 * Everything one plan transition writes, in one atomic batch (DESIGN §4):
 * the record, the machine snapshot, and the decisions, journal events and
 * changesets that are new since the last write.
 *
 * @example
 * const transaction: PlanTransaction = { planId: record.id, record: { ...record, updatedAt: new Date().toISOString() }, sync: true };
 * await store.commit(transaction);
 */
export interface PlanTransaction {
  planId: string;
  record: PlanRecord;
  snapshot?: StoredSnapshot;
  /** New decisions, or decisions whose status changed (the whole decision is written). */
  decisions?: readonly Decision[];
  /** New journal events; `seq` already assigned and increasing. */
  events?: readonly JournalEvent[];
  changesets?: readonly Changeset[];
  /** Conflicts that open (`put`, one record per file) and files whose conflict was resolved (`resolved`). */
  conflicts?: { put?: readonly ConflictRecord[]; resolved?: readonly string[] };
  /** Checkpoints taken at this transition (DESIGN §4: in the batch of the snapshot they copy). */
  checkpoints?: readonly Checkpoint[];
  /**
   * Logs of the commands whose step, check or validate result this
   * transition records (`seq` already assigned and increasing): a crash
   * leaves both or neither.
   */
  logs?: readonly CommandLog[];
  /**
   * The plan file again, replacing the stored one: only a child plan that a
   * new spawn decision of its parent takes over starts over with another
   * (docs/reference/subplans.md); the name stays the plan's.
   */
  spec?: PlanSpec;
  /** Flush to disk before resolving (phase boundaries). */
  sync?: boolean;
}

/** The first write of a plan: also claims its name and stores its plan file. */
export interface PlanCreation extends PlanTransaction {
  spec: PlanSpec;
}

/** Figures about one written batch, for benchmarks and diagnostics. */
export interface BatchInfo {
  planId: string;
  operations: number;
  /**
   * Bytes of keys and JSON values in the batch: counted when first read
   * (it serializes every value again), from the values as they were written.
   */
  readonly bytes: number;
  /** Whether it was written with `sync` (LevelDB's log flushed to disk before it resolved). */
  sync?: boolean;
}

/**
 * The storage port (DESIGN §4). Two backends share one implementation and
 * one conformance suite: {@link LevelStore} (LevelDB on disk, the default)
 * and {@link MemoryStore} (in memory, for embedding and tests).
 *
 * Reads validate what they load: a record that does not parse is a
 * `STORE_CORRUPT` error naming the plan, and other plans still load.
 *
 * @example
 * const store: Store = createMemoryStore();
 * const runtime = await createRuntime({ dir: '/path/to/repo', store });
 * const plans = await store.listPlans();
 */
export interface Store {
  /** `level`, `memory` or `postgres`. */
  readonly kind: 'level' | 'memory' | 'postgres';
  /** Open the store, creating it if needed; checks the schema version (`STORE_VERSION`) and the lock (`STORE_LOCKED`). */
  open(): Promise<void>;
  close(): Promise<void>;
  /** Create a plan atomically; `VALIDATION_ERROR` (nothing written) if its name is taken. */
  createPlan(creation: PlanCreation): Promise<void>;
  /** Write one transition of an existing plan in one atomic batch. */
  commit(transaction: PlanTransaction): Promise<void>;
  getPlan(planId: string): Promise<PlanRecord | null>;
  getPlanIdByName(name: string): Promise<string | null>;
  /** Ids of plans whose id starts with `prefix` (upper-cased), at most `limit`. */
  findPlanIdsByPrefix(prefix: string, limit: number): Promise<string[]>;
  /** Every plan record, oldest first. */
  listPlans(): Promise<PlanRecord[]>;
  getSpec(planId: string): Promise<PlanSpec | null>;
  getSnapshot(planId: string): Promise<StoredSnapshot | null>;
  getDecision(planId: string, decisionId: string): Promise<Decision | null>;
  /** A plan's decisions, oldest first. */
  listDecisions(planId: string): Promise<Decision[]>;
  /** A plan's journal after `afterSeq` (default 0), oldest first, at most `limit`. */
  readEvents(planId: string, options?: { afterSeq?: number; limit?: number }): Promise<JournalEvent[]>;
  /** The highest `seq` journaled for a plan, 0 if none. */
  lastEventSeq(planId: string): Promise<number>;
  /** A plan's command logs after `afterSeq` (default 0), oldest first, at most `limit`. */
  readLogs(planId: string, options?: { afterSeq?: number; limit?: number }): Promise<CommandLog[]>;
  /** The highest command log `seq` of a plan, 0 if none. */
  lastLogSeq(planId: string): Promise<number>;
  /**
   * Write command logs of a plan without a transition: the logs of commands
   * that ended after the plan did (a cancel stops them). `NOT_FOUND` for a
   * plan that does not exist; nothing is written for a log that does not fit.
   */
  appendLogs(planId: string, logs: readonly CommandLog[]): Promise<void>;
  getChangeset(changesetId: string): Promise<Changeset | null>;
  /** A plan's open conflicts, by file path. */
  listConflicts(planId: string): Promise<ConflictRecord[]>;
  getCheckpoint(planId: string, checkpointId: string): Promise<Checkpoint | null>;
  /** A plan's checkpoints, oldest first. */
  listCheckpoints(planId: string): Promise<Checkpoint[]>;
  /** Delete checkpoints of a plan in one batch (unknown ids are ignored). */
  deleteCheckpoints(planId: string, checkpointIds: readonly string[]): Promise<void>;
  /**
   * Delete a plan and everything stored of it — record, step list, plan
   * file, snapshot, name (when it still names this plan), changeset,
   * decisions, journal, open conflicts and checkpoints — in one batch. An
   * unknown plan is no error. Its children are the caller's to delete.
   */
  deletePlan(planId: string): Promise<void>;
  /** Register a project; `VALIDATION_ERROR` (nothing written) if its name is taken. */
  addProject(project: ProjectRecord): Promise<void>;
  getProject(name: string): Promise<ProjectRecord | null>;
  /** Registered projects, by name. */
  listProjects(): Promise<ProjectRecord[]>;
  /** An MCP task (docs/reference/mcp.md#tasks), or null; expiry is the caller's to judge. */
  getMcpTask(taskId: string): Promise<McpTaskRecord | null>;
  /** Every MCP task, by id. */
  listMcpTasks(): Promise<McpTaskRecord[]>;
  /** Write an MCP task whole, created or changed, flushed to disk before it resolves. */
  putMcpTask(task: McpTaskRecord): Promise<void>;
  /** Delete MCP tasks in one batch (unknown ids are ignored). */
  deleteMcpTasks(taskIds: readonly string[]): Promise<void>;
  /** Which worker holds a plan it took from the queue (docs/how-to/scale-out.md), or null: who, not whether it is alive (that is {@link claimedPlans}). */
  getHolder(planId: string): Promise<PlanHolder | null>;
  /** Every holder record, by plan id: one per plan a worker took (a listing of many plans reads them at once). */
  listHolders(): Promise<PlanHolder[]>;
  /** Write a plan's holder whole (taken, or a heartbeat), flushed before it resolves. */
  putHolder(holder: PlanHolder): Promise<void>;
  /** Delete a plan's holder record if it still names this holder (worker, host, pid, since); another's is kept. */
  releaseHolder(holder: PlanHolder): Promise<void>;
  /**
   * Take a plan for this process while its actor runs here: true when this
   * process holds it (again), false when another process does. A store only
   * one process opens (LevelDB, memory) is always this process's.
   */
  claimPlan(planId: string): Promise<boolean>;
  /** Let a plan this process claimed go (no-op when it holds none). */
  releasePlan(planId: string): Promise<void>;
  /**
   * Of these plans, the ones some process holds now ({@link claimPlan}):
   * this one, or on a store many processes open, any other whose claim has
   * not ended — a process that died lost its claims with it (PostgreSQL: when
   * the server ends its connection). Reading takes no claim. A store whose
   * claims a server restart ends (PostgreSQL) waits, in the server's first
   * seconds, for an unheld plan's process to take it back before calling it
   * unheld.
   */
  claimedPlans(planIds: readonly string[]): Promise<string[]>;
  /**
   * Of these plans, the ones this process still holds ({@link claimPlan}),
   * confirmed with the store now: on PostgreSQL, only while the connection
   * whose session holds the locks answers — a worker cut off from the
   * database (its session ended, another process may run the plan) holds
   * none, though it has not heard so yet. A store one process opens: the
   * plans it claimed.
   */
  heldHere(planIds: readonly string[]): Promise<string[]>;
  /**
   * Hear of journal events other processes (and this one) commit: called
   * with the plan's id and the first `seq` a committed transition wrote, or
   * with `'*'` and 0 once it listens and again after a lost connection came
   * back (anything committed before may not have been heard). A store only one process opens never calls it. The returned
   * function stops listening.
   */
  watchPlans(listener: (planId: string, fromSeq: number) => void): () => void;
  /**
   * Resolves once {@link watchPlans} first hears every commit made from
   * then on (its `LISTEN` took effect), or the store closed; at once for a
   * store only one process opens. A runtime waits for it before anyone
   * subscribes, so nothing committed after a subscription goes unheard.
   */
  listening(): Promise<void>;
}

/** The schema version this troupe writes and reads (2: step lists in step chains, src/store/step-chain.ts). */
export const STORE_SCHEMA_VERSION = 2;
