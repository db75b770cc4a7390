import type { z } from 'zod';
import { NotFoundError, TroupeError, ValidationError } from '../domain/errors.js';
import { quickStoredPlanRecord, type StoredPlanRecord } from '../domain/plan-record-shape.js';
import type { Changeset, Checkpoint, CommandLog, ConflictRecord, Decision, JournalEvent, PlanRecord, PlanSpec, ProjectRecord } from '../domain/index.js';
import type { BatchInfo, PlanCreation, PlanTransaction, Store, StoredSnapshot } from './store.js';
import { checkpointKey, decisionKey, eventKey, isStorableSeq, logKey, planRange, seqOfEventKey } from './key-layout.js';
import type { StepNode, StepPointer } from './step-chain.js';
import { StepLists, type PlannedSteps, type PlanSteps, type StepChainReader } from './step-lists.js';
import { decodeStoredValue, type StoredValueSubject } from './stored-value.js';
import { AS_TEXT, decodeStored, loadedSchemas, quickNode, quickPointer, quickString, storedSchemas, type StoredSchemas } from './stored-decode.js';
import { logsProblem, transactionProblem } from './transaction-problem.js';
import { ensureSchemaVersion } from './schema-version.js';
import { STORE_MIGRATIONS, type StoreMigrations } from './migrations.js';
import { openError } from './open-error.js';
import { Mutex } from './mutex.js';
import { directBatchWriter, openSublevels, writeOptions, type EncodedOperation, type StoreDatabase, type Sublevel, type Sublevels } from './store-database.js';
import { planDeletes, transactionPuts, type Put } from './plan-batches.js';

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

type StoredCheckpoint = z.output<StoredSchemas['storedCheckpointSchema']>;
// a batch whose keys carry their sublevel's prefix and whose values are JSON text already
const ENCODED = { keyEncoding: 'utf8', valueEncoding: 'utf8', ...writeOptions(false) } as const;
const ENCODED_SYNC = { keyEncoding: 'utf8', valueEncoding: 'utf8', ...writeOptions(true) } as const;

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
export class LevelBackedStore implements Store {
  readonly kind: Store['kind'];
  /** Where the store is, as messages name it. */
  readonly location: string;
  readonly #createDatabase: () => StoreDatabase;
  readonly #options: StoreOptions;
  readonly #writes = new Mutex();
  // plans this store has seen exist: a commit to one needs no existence read
  // (this process is the store's only writer, and forgets a plan it deletes)
  readonly #existing = new Set<string>();
  // the plans' step chains as read or written: a step adds a node without reading the chain
  readonly #steps = new StepLists((planId) => this.#readChain(planId));
  #db: StoreDatabase | null = null;
  // the direct batch writer of the open database (see directBatchWriter), made at its first write
  #direct: { write: ReturnType<typeof directBatchWriter> } | null = null;
  #sublevels: Sublevels | null = null;
  #opening: Promise<void> | null = null;

  /**
   * `createDatabase` is called on the first open, not here: an abstract-level
   * database starts opening as soon as it exists, and on disk that takes
   * the lock. Later opens reuse the same database.
   */
  constructor(createDatabase: () => StoreDatabase, settings: LevelBackedStoreSettings) {
    const { kind, location, ...options } = settings;
    this.kind = kind;
    this.location = location;
    this.#createDatabase = createDatabase;
    this.#options = options;
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
    return this.#writes.run(async () => {
      this.#sublevels = null;
      this.#existing.clear();
      this.#steps.clear();
      await this.#db?.close();
    });
  }

  async createPlan(creation: PlanCreation): Promise<void> {
    assertWellFormed(creation);
    const { planId, record } = creation;
    await this.#writes.run(async () => {
      // taken inside the queue: a close queued ahead of this write ends the sublevels
      const parts = this.#parts();
      if ((await parts.names.get<string, string>(record.name, AS_TEXT)) !== undefined) {
        throw new ValidationError([{ path: 'name', message: `a plan named "${record.name}" already exists` }], {
          hint: `choose another name, or see the existing plan with: troupe plan status ${record.name}`,
        });
      }
      if ((await parts.plans.get<string, string>(planId, AS_TEXT)) !== undefined) {
        throw new TroupeError('INTERNAL_ERROR', `a plan with id ${planId} already exists`, {
          hint: 'plan ids are made fresh for each plan; this is a bug, please report it',
        });
      }
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
    await this.#writes.run(async () => {
      const parts = this.#parts();
      if (!this.#existing.has(planId)) {
        if ((await parts.plans.get<string, string>(planId, AS_TEXT)) === undefined) {
          throw new NotFoundError('plan', planId, 'a plan is written with createPlan before its first commit');
        }
        this.#existing.add(planId);
      }
      const steps = await this.#steps.of(planId);
      const planned = this.#planSteps(planId, steps, transaction);
      await this.#writeSteps(planId, steps, planned, transactionPuts(parts, transaction, planned, false), transaction.sync === true);
    });
  }

  // the chain writes of a transition; a transition refused here has written nothing
  #planSteps(planId: string, steps: PlanSteps, transaction: PlanTransaction): PlannedSteps {
    return this.#steps.plan(planId, steps, transaction.record.strategyDecisionIds, (transaction.checkpoints ?? []).map((checkpoint) => checkpoint.stepIds));
  }

  // a failed write leaves the chain in memory ahead of the store: read it again next time
  async #writeSteps(planId: string, steps: PlanSteps, planned: PlannedSteps, puts: Put[], sync: boolean): Promise<void> {
    try {
      await this.#write(planId, puts, sync);
    } catch (error) {
      this.#steps.forget(planId);
      throw error;
    }
    this.#steps.wrote(planId, steps, planned);
  }

  /** One process opens this store: every plan is its own. */
  async claimPlan(_planId: string): Promise<boolean> {
    return true;
  }

  async releasePlan(_planId: string): Promise<void> {}

  /** One process opens this store: nothing to hear of. */
  watchPlans(_listener: (planId: string, fromSeq: number) => void): () => void {
    return () => {};
  }

  /** One process opens this store: it hears everything already. */
  listening(): Promise<void> {
    return Promise.resolve();
  }

  /** Drop what this process remembers of a plan (another process may have written it since). */
  protected forgetPlan(planId: string): void {
    this.#steps.forget(planId);
  }

  async getPlan(planId: string): Promise<PlanRecord | null> {
    const parts = this.#parts();
    const [record, pointer] = await Promise.all([
      this.#read(parts.plans, planId, (known) => known.storedRecordSchema, { what: `plan ${planId}`, planId }, quickStoredPlanRecord),
      this.#readPointer(planId),
    ]);
    if (!record) return null;
    const ids = await this.#listAt(planId, pointer, { what: `step list of plan ${planId}`, key: parts.steps.prefix + planId, planId });
    return { ...record, strategyDecisionIds: ids as string[] };
  }

  // the list a stored pointer names, through the plan's chain (read once, by `read` when given); STORE_CORRUPT when it cannot be followed
  async #listAt(planId: string, pointer: StepPointer | null, subject: StoredValueSubject, read?: StepChainReader): Promise<readonly string[]> {
    if (pointer === null) return [];
    const steps = await this.#steps.of(planId, read);
    const ids = this.#steps.list(planId, steps, pointer);
    if (ids !== null) return ids;
    // a store other processes write (PostgreSQL): the plan's chain grew elsewhere since it was read here
    if (this.kind === 'postgres') {
      this.#steps.forget(planId);
      const again = this.#steps.list(planId, await this.#steps.of(planId), pointer);
      if (again !== null) return again;
    }
    throw new TroupeError('STORE_CORRUPT', `the ${subject.what} names ${pointer.count} step(s) of node ${pointer.node} of its step chain, which the store does not hold`, {
      hint: 'restore .troupe/db from a backup, or report it if troupe wrote it',
      details: { key: subject.key, planId },
    });
  }

  async #readPointer(planId: string): Promise<StepPointer | null> {
    return this.#read(this.#parts().steps, planId, (known) => known.stepPointerSchema, { what: `step list of plan ${planId}`, planId }, quickPointer);
  }

  // a plan's step chain as stored: its pointer and every node
  async #readChain(planId: string): Promise<{ nodes: [number, StepNode][]; pointer: StepPointer | null }> {
    const entries: [string, string][] = [];
    for await (const entry of this.#parts().stepNodes.iterator<string, string>({ ...planRange(planId), ...AS_TEXT })) entries.push(entry);
    return { nodes: await this.#decodeNodes(planId, entries), pointer: await this.#readPointer(planId) };
  }

  async #decodeNodes(planId: string, entries: readonly [string, string][]): Promise<[number, StepNode][]> {
    const sublevel = this.#parts().stepNodes;
    const nodes: [number, StepNode][] = [];
    for (const [key, text] of entries) {
      const seq = seqOfEventKey(key);
      nodes.push([seq, await decodeStored(text, (known) => known.stepNodeSchema, this.#subject(sublevel, key, `node ${seq} of the step chain of plan ${planId}`, planId), quickNode)]);
    }
    return nodes;
  }

  async getPlanIdByName(name: string): Promise<string | null> {
    return this.#read(this.#parts().names, name, (known) => known.planIdSchema, { what: `name "${name}"` }, quickString);
  }

  async findPlanIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    if (!(limit > 0)) return [];
    const wanted = prefix.toUpperCase();
    const ids: string[] = [];
    // keys from the prefix on: those that match come first and together
    for await (const id of this.#parts().plans.keys({ gte: wanted, limit: iteratorLimit(limit) })) {
      if (!id.startsWith(wanted)) break;
      ids.push(id);
    }
    return ids;
  }

  /**
   * Every readable plan record, oldest first. A corrupt record is skipped
   * and reported to the `onCorrupt` option, so one damaged plan does not
   * hide the others; {@link listCorruptPlans} lists what was skipped.
   */
  async listPlans(): Promise<PlanRecord[]> {
    const records: PlanRecord[] = [];
    for await (const entry of this.#scanPlans()) {
      if (entry instanceof TroupeError) this.#options.onCorrupt?.(entry);
      else records.push(entry);
    }
    return records;
  }

  /**
   * A `STORE_CORRUPT` error for each plan record that cannot be read, oldest
   * first; `details` has its `planId` and `key`. These are the records
   * {@link listPlans} leaves out.
   *
   * @example
   * for (const error of await store.listCorruptPlans()) console.warn(error.message);
   */
  async listCorruptPlans(): Promise<TroupeError[]> {
    const errors: TroupeError[] = [];
    for await (const entry of this.#scanPlans()) if (entry instanceof TroupeError) errors.push(entry);
    return errors;
  }

  async getSpec(planId: string): Promise<PlanSpec | null> {
    return this.#read(this.#parts().specs, planId, (known) => known.planFileSchema, { what: `plan file of plan ${planId}`, planId });
  }

  async getSnapshot(planId: string): Promise<StoredSnapshot | null> {
    const stored = await this.#read(this.#parts().snapshots, planId, (known) => known.storedSnapshotSchema, { what: `snapshot of plan ${planId}`, planId });
    return stored && { machineVersion: stored.machineVersion, snapshot: stored.snapshot };
  }

  async getDecision(planId: string, decisionId: string): Promise<Decision | null> {
    return this.#read(this.#parts().decisions, decisionKey(planId, decisionId), (known) => known.decisionSchema, {
      what: `decision ${decisionId} of plan ${planId}`,
      planId,
    });
  }

  async listDecisions(planId: string): Promise<Decision[]> {
    const { decisionSchema } = loadedSchemas() ?? (await storedSchemas());
    const sublevel = this.#parts().decisions;
    const decisions: Decision[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>({ ...planRange(planId), ...AS_TEXT })) {
      const decisionId = key.slice(planId.length + 1);
      decisions.push(decodeStoredValue(decisionSchema, text, this.#subject(sublevel, key, `decision ${decisionId} of plan ${planId}`, planId)));
    }
    return decisions;
  }

  async readEvents(planId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<JournalEvent[]> {
    const { journalEventSchema } = loadedSchemas() ?? (await storedSchemas());
    const afterSeq = Math.max(0, Math.floor(options.afterSeq ?? 0));
    // past the largest storable seq nothing can follow (and its key would not sort)
    if (!isStorableSeq(afterSeq) || (options.limit !== undefined && !(options.limit > 0))) return [];
    const sublevel = this.#parts().events;
    const range = { gt: eventKey(planId, afterSeq), lt: planRange(planId).lt, limit: iteratorLimit(options.limit) };
    const events: JournalEvent[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>({ ...range, ...AS_TEXT })) {
      events.push(decodeStoredValue(journalEventSchema, text, this.#subject(sublevel, key, `event ${seqOfEventKey(key)} of plan ${planId}`, planId)));
    }
    return events;
  }

  async lastEventSeq(planId: string): Promise<number> {
    // the seq is in the key, so the last event's value need not be read
    const [last] = await this.#parts().events.keys({ ...planRange(planId), reverse: true, limit: 1 }).all();
    return last === undefined ? 0 : seqOfEventKey(last);
  }

  async readLogs(planId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<CommandLog[]> {
    const { commandLogSchema } = loadedSchemas() ?? (await storedSchemas());
    const afterSeq = Math.max(0, Math.floor(options.afterSeq ?? 0));
    if (!isStorableSeq(afterSeq) || (options.limit !== undefined && !(options.limit > 0))) return [];
    const sublevel = this.#parts().logs;
    const range = { gt: logKey(planId, afterSeq), lt: planRange(planId).lt, limit: iteratorLimit(options.limit) };
    const logs: CommandLog[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>({ ...range, ...AS_TEXT })) {
      logs.push(decodeStoredValue(commandLogSchema, text, this.#subject(sublevel, key, `command log ${seqOfEventKey(key)} of plan ${planId}`, planId)));
    }
    return logs;
  }

  async lastLogSeq(planId: string): Promise<number> {
    const [last] = await this.#parts().logs.keys({ ...planRange(planId), reverse: true, limit: 1 }).all();
    return last === undefined ? 0 : seqOfEventKey(last);
  }

  async appendLogs(planId: string, logs: readonly CommandLog[]): Promise<void> {
    const problem = logsProblem(planId, logs);
    if (problem) throw new TroupeError('INTERNAL_ERROR', `cannot write logs of plan ${planId}: ${problem}`, { details: { planId } });
    if (logs.length === 0) return;
    await this.#writes.run(async () => {
      const parts = this.#parts();
      if (!this.#existing.has(planId) && (await parts.plans.get<string, string>(planId, AS_TEXT)) === undefined) {
        throw new NotFoundError('plan', planId, 'logs are written for a plan that exists');
      }
      await this.#write(planId, logs.map((log) => ({ type: 'put', sublevel: parts.logs, key: logKey(planId, log.seq), value: log })), false);
    });
  }

  async getChangeset(changesetId: string): Promise<Changeset | null> {
    return this.#read(this.#parts().changesets, changesetId, (known) => known.changesetSchema, { what: `changeset ${changesetId}` });
  }

  async listConflicts(planId: string): Promise<ConflictRecord[]> {
    const { conflictRecordSchema } = loadedSchemas() ?? (await storedSchemas());
    const sublevel = this.#parts().conflicts;
    const conflicts: ConflictRecord[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>({ ...planRange(planId), ...AS_TEXT })) {
      const file = key.slice(planId.length + 1);
      conflicts.push(decodeStoredValue(conflictRecordSchema, text, this.#subject(sublevel, key, `conflict on ${file} of plan ${planId}`, planId)));
    }
    return conflicts;
  }

  async getCheckpoint(planId: string, checkpointId: string): Promise<Checkpoint | null> {
    const sublevel = this.#parts().checkpoints;
    const key = checkpointKey(planId, checkpointId);
    const subject = this.#subject(sublevel, key, `checkpoint ${checkpointId} of plan ${planId}`, planId);
    const stored = await this.#read(sublevel, key, (known) => known.storedCheckpointSchema, subject);
    return stored && this.#checkpointOf(stored, subject);
  }

  async listCheckpoints(planId: string): Promise<Checkpoint[]> {
    const { storedCheckpointSchema } = loadedSchemas() ?? (await storedSchemas());
    const sublevel = this.#parts().checkpoints;
    const checkpoints: Checkpoint[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>({ ...planRange(planId), ...AS_TEXT })) {
      const subject = this.#subject(sublevel, key, `checkpoint ${key.slice(planId.length + 1)} of plan ${planId}`, planId);
      checkpoints.push(await this.#checkpointOf(decodeStoredValue(storedCheckpointSchema, text, subject), subject));
    }
    return checkpoints;
  }

  // a stored checkpoint with its step list read through the plan's chain
  async #checkpointOf(stored: StoredCheckpoint, subject: StoredValueSubject): Promise<Checkpoint> {
    const { steps, ...checkpoint } = stored;
    return { ...checkpoint, stepIds: (await this.#listAt(stored.planId, steps, subject)) as string[] };
  }

  async deleteCheckpoints(planId: string, checkpointIds: readonly string[]): Promise<void> {
    if (checkpointIds.length === 0) return;
    await this.#writes.run(async () => {
      const parts = this.#parts();
      const dels: Put[] = checkpointIds.map((id) => ({ type: 'del', sublevel: parts.checkpoints, key: checkpointKey(planId, id) }));
      await this.#write(planId, dels, true);
    });
  }

  async deletePlan(planId: string): Promise<void> {
    await this.#writes.run(async () => {
      const parts = this.#parts();
      const dels = await planDeletes(parts, planId);
      if (dels === null) return;
      await this.db.batch(dels, writeOptions(true));
      this.#existing.delete(planId);
      this.#steps.forget(planId);
    });
  }

  async addProject(project: ProjectRecord): Promise<void> {
    await this.#writes.run(async () => {
      // checked in turn, so writes stay in the order they were asked for
      const parsed = (loadedSchemas() ?? (await storedSchemas())).projectRecordSchema.parse(project);
      const parts = this.#parts();
      if ((await parts.projects.get<string, string>(parsed.name, AS_TEXT)) !== undefined) {
        throw new ValidationError([{ path: 'name', message: `a project named "${parsed.name}" is already registered` }], { hint: 'troupe project list shows them' });
      }
      await this.db.batch([{ type: 'put', sublevel: parts.projects, key: parsed.name, value: parsed }], writeOptions(true));
    });
  }

  async getProject(name: string): Promise<ProjectRecord | null> {
    return this.#read(this.#parts().projects, name, (known) => known.projectRecordSchema, { what: `project ${name}` });
  }

  async listProjects(): Promise<ProjectRecord[]> {
    const { projectRecordSchema } = loadedSchemas() ?? (await storedSchemas());
    const sublevel = this.#parts().projects;
    const projects: ProjectRecord[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>(AS_TEXT)) {
      projects.push(decodeStoredValue(projectRecordSchema, text, { what: `project ${key}`, key: sublevel.prefix + key }));
    }
    return projects;
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
    this.#direct = null;
    this.#sublevels = openSublevels(db);
  }

  #parts(): Sublevels {
    if (!this.#sublevels) throw notOpen(this.location);
    return this.#sublevels;
  }

  async #write(planId: string, puts: Put[], sync: boolean): Promise<void> {
    // encoded here and written through the database itself, not through each
    // put's sublevel: the same keys and bytes, without abstract-level's
    // per-operation sublevel work, which cost a read-only step more than the
    // JSON encoding (docs/performance.md, read-only steps)
    const outer = (this.db as { prefix?: string }).prefix?.length ?? 0;
    const operations: EncodedOperation[] = puts.map((put) => {
      const key = put.sublevel.prefix.slice(outer) + put.key;
      return put.type === 'put' ? { type: 'put' as const, key, value: JSON.stringify(put.value) } : { type: 'del' as const, key };
    });
    const direct = (this.#direct ??= { write: directBatchWriter(this.db) }).write;
    await (direct ? direct(operations, sync) : this.db.batch(operations, sync ? ENCODED_SYNC : ENCODED));
    const onBatch = this.#options.onBatch;
    if (!onBatch) return;
    let bytes: number | null = null;
    const countBytes = () => operations.reduce((total, operation) => total + outer + Buffer.byteLength(operation.key) + (operation.type === 'put' ? Buffer.byteLength(operation.value) : 0), 0);
    try {
      onBatch({
        planId,
        operations: operations.length,
        sync,
        // counted when read, from the encoded batch
        get bytes() {
          return (bytes ??= countBytes());
        },
      });
    } catch {
      // an observer must not turn a durable write into a reported failure
    }
  }

  async #read<S extends z.ZodType>(
    sublevel: Sublevel,
    key: string,
    schema: (known: StoredSchemas) => S,
    subject: Omit<StoredValueSubject, 'key'>,
    quick?: (value: unknown) => z.output<S> | undefined,
  ): Promise<z.output<S> | null> {
    const text = await sublevel.get<string, string>(key, AS_TEXT);
    return text === undefined ? null : decodeStored(text, schema, { ...subject, key: sublevel.prefix + key }, quick);
  }

  async *#scanPlans(): AsyncGenerator<PlanRecord | TroupeError> {
    const { plans, steps, stepNodes } = this.#parts();
    const pointerTexts = new Map<string, string>();
    for await (const [planId, text] of steps.iterator<string, string>(AS_TEXT)) pointerTexts.set(planId, text);
    // every plan's chain in one scan, not a range read per plan
    const nodeTexts = new Map<string, [string, string][]>();
    for await (const [key, text] of stepNodes.iterator<string, string>(AS_TEXT)) {
      const planId = key.slice(0, key.indexOf('!'));
      let entries = nodeTexts.get(planId);
      if (!entries) nodeTexts.set(planId, (entries = []));
      entries.push([key, text]);
    }
    for await (const [planId, text] of plans.iterator<string, string>(AS_TEXT)) {
      try {
        const record: StoredPlanRecord = await decodeStored(text, (known) => known.storedRecordSchema, this.#subject(plans, planId, `plan ${planId}`, planId), quickStoredPlanRecord);
        const pointerText = pointerTexts.get(planId);
        const subject = this.#subject(steps, planId, `step list of plan ${planId}`, planId);
        const pointer = pointerText === undefined ? null : await decodeStored(pointerText, (known) => known.stepPointerSchema, subject, quickPointer);
        const scanned: StepChainReader = async () => ({ nodes: await this.#decodeNodes(planId, nodeTexts.get(planId) ?? []), pointer });
        yield { ...record, strategyDecisionIds: (await this.#listAt(planId, pointer, subject, scanned)) as string[] };
      } catch (error) {
        if (error instanceof TroupeError && error.code === 'STORE_CORRUPT') yield error;
        else throw error;
      }
    }
  }

  #subject(sublevel: Sublevel, key: string, what: string, planId: string): StoredValueSubject {
    return { what, key: sublevel.prefix + key, planId };
  }
}

function noop(): void {}

// abstract-level takes a whole number, -1 for no limit
function iteratorLimit(limit: number | undefined): number {
  return limit === undefined || !Number.isFinite(limit) ? -1 : Math.ceil(limit);
}

function notOpen(location: string): TroupeError {
  return new TroupeError('INTERNAL_ERROR', `the store at ${location} is not open`, { hint: 'call open() before using a store' });
}

// ids and seqs become keys; one that breaks the layout is refused before
// anything is written (a bug in the caller, not in the user's input)
function assertWellFormed(transaction: PlanTransaction): void {
  const problem = transactionProblem(transaction);
  if (problem) throw new TroupeError('INTERNAL_ERROR', `cannot write plan ${transaction.planId}: ${problem}`, { details: { planId: transaction.planId } });
}
