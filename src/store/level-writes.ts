// The writes of a LevelBackedStore: each in the write lane of its plan (or
// of what it writes), checked before anything is written, and a plan's
// transitions batched with its step chain planned ahead. The store opens
// and closes the database and hands its writes here; its reads keep the
// step chains these writes plan into.
import { NotFoundError, TroupeError } from '../domain/errors.js';
import type { CommandLog, McpTaskRecord, PlanHolder, ProjectRecord } from '../domain/index.js';
import type { BatchInfo, PlanCreation, PlanTransaction, Store } from './store.js';
import { checkpointKey, logKey } from './key-layout.js';
import type { PlannedSteps, PlanSteps, StepLists } from './step-lists.js';
import { AS_TEXT } from './stored-decode.js';
import { logsProblem, transactionProblem } from './transaction-problem.js';
import { refuseTaken } from './creation-checks.js';
import { WriteLanes } from './mutex.js';
import { writeOptions, type StoreDatabase, type Sublevels } from './store-database.js';
import { PlanBatchWriter, planDeletes, transactionPuts, type Put } from './plan-batches.js';
import { mcpTaskPut } from './mcp-task-records.js';
import { newProjectPut } from './project-records.js';
import { holderDelete, holderPut } from './plan-holder-records.js';

/** What {@link LevelWrites} writes through. */
export interface LevelWritesSettings {
  readonly kind: Store['kind'];
  /** The open database's sublevels; throws when the store is not open. */
  readonly parts: () => Sublevels;
  /** The database underneath; throws before the first open. */
  readonly db: () => StoreDatabase;
  /** The plans' step chains, kept by the reads. */
  readonly steps: StepLists;
  /** Hears of each plan write: its operation count and bytes. */
  readonly onBatch?: ((info: BatchInfo) => void) | undefined;
}

/**
 * The writes of a LevelBackedStore, over the sublevels of its open
 * database. A write asked for after {@link LevelWrites.end} waits for it.
 *
 * @example
 * const writes = new LevelWrites({ kind: 'memory', parts: () => sublevels, db: () => db, steps: reads.steps });
 * await writes.createPlan({ planId, record, spec, snapshot, events });
 */
export class LevelWrites {
  readonly #kind: Store['kind'];
  readonly #parts: () => Sublevels;
  readonly #db: () => StoreDatabase;
  readonly #steps: StepLists;
  readonly #onBatch: ((info: BatchInfo) => void) | undefined;
  // each plan in a lane of its own on PostgreSQL (its names table refuses a taken name); in turn elsewhere
  readonly #lanes: WriteLanes;
  // plans this store has written or read: a commit to one needs no existence read
  // (only a plan that ended is deleted, and the process deleting it forgets it)
  readonly #existing = new Set<string>();
  // the batch writer of the open database, made at its first write
  #batches: PlanBatchWriter | null = null;

  constructor(settings: LevelWritesSettings) {
    this.#kind = settings.kind;
    this.#parts = settings.parts;
    this.#db = settings.db;
    this.#steps = settings.steps;
    this.#onBatch = settings.onBatch;
    this.#lanes = new WriteLanes(settings.kind === 'postgres');
  }

  /** Plan `planId` was seen to exist: a commit of it (a plan a worker took over) needs no read of its own. */
  seen(planId: string): void {
    this.#existing.add(planId);
  }

  /** The database was opened again: its batch writer is made anew at its first write. */
  reopened(): void {
    this.#batches = null;
  }

  /**
   * Once every write asked for before is done, and before any asked for
   * after: take the sublevels from the store (`detach`), forget what was
   * written, flush the last writes to disk, then `close` the database.
   */
  end(detach: () => Sublevels | null, close: () => Promise<void>): Promise<void> {
    return this.#lanes.exclusive(async () => {
      const parts = detach();
      this.#existing.clear();
      this.#steps.clear();
      try {
        // the last writes reach the disk (PostgreSQL's WAL writer flushes those committed without sync itself)
        if (parts && this.#kind === 'level') await this.#batches?.flush(parts.meta);
      } finally {
        await close();
      }
    });
  }

  async createPlan(creation: PlanCreation): Promise<void> {
    assertWellFormed(creation);
    const { planId, record } = creation;
    await this.#lanes.run(planId, async () => {
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
    await this.#lanes.run(planId, async () => {
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

  // queued with the other writes, so a close asked for after it waits for it
  async putMcpTask(task: McpTaskRecord): Promise<void> {
    await this.#lanes.run('mcp-tasks', async () => {
      const parts = this.#parts();
      await this.#db().batch([await mcpTaskPut(parts, task)], writeOptions(true));
    });
  }

  async deleteMcpTasks(taskIds: readonly string[]): Promise<void> {
    if (taskIds.length === 0) return;
    await this.#lanes.run('mcp-tasks', async () => {
      const parts = this.#parts();
      await this.#db().batch(
        taskIds.map((key) => ({ type: 'del' as const, sublevel: parts.mcpTasks, key })),
        writeOptions(true),
      );
    });
  }

  // a heartbeat: flushed, so a reader in another process sees when it was last heard
  async putHolder(holder: PlanHolder): Promise<void> {
    await this.#lanes.run(`holder:${holder.planId}`, async () =>
      this.#db().batch([await holderPut(this.#parts(), holder)], writeOptions(true)),
    );
  }

  async releaseHolder(holder: PlanHolder): Promise<void> {
    await this.#lanes.run(`holder:${holder.planId}`, async () => {
      const del = await holderDelete(this.#parts(), holder);
      if (del) await this.#db().batch([del], writeOptions(true));
    });
  }

  async appendLogs(planId: string, logs: readonly CommandLog[]): Promise<void> {
    const problem = logsProblem(planId, logs);
    if (problem)
      throw new TroupeError('INTERNAL_ERROR', `cannot write logs of plan ${planId}: ${problem}`, {
        details: { planId },
      });
    if (logs.length === 0) return;
    await this.#lanes.run(planId, async () => {
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
    await this.#lanes.run(planId, async () => {
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
    await this.#lanes.run(planId, async () => {
      const parts = this.#parts();
      const dels = await planDeletes(parts, planId);
      if (dels === null) return;
      await this.#db().batch(dels, writeOptions(true));
      this.#existing.delete(planId);
      this.#steps.forget(planId);
    });
  }

  async addProject(project: ProjectRecord): Promise<void> {
    // checked in turn, so writes stay in the order they were asked for
    await this.#lanes.run('projects', async () =>
      this.#db().batch([await newProjectPut(this.#parts(), project)], writeOptions(true)),
    );
  }

  #write(planId: string, puts: Put[], sync: boolean): Promise<void> {
    return (this.#batches ??= new PlanBatchWriter(this.#db(), this.#onBatch)).write(planId, puts, sync);
  }
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
