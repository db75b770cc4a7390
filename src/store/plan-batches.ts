// The batches a plan's writes become, in the key layout of DESIGN §4: what a
// transition puts, every key that deleting a plan removes, and how a batch
// reaches the database.
import {
  checkpointKey,
  conflictKey,
  decisionKey,
  eventKey,
  logKey,
  planRange,
  stepNodeKey,
  SYNC_KEY,
} from './key-layout.js';
import type { PlannedSteps } from './step-lists.js';
import {
  directBatchWriter,
  writeOptions,
  type EncodedOperation,
  type StoreDatabase,
  type Sublevel,
  type Sublevels,
} from './store-database.js';
import type { BatchInfo, PlanTransaction } from './store.js';
import { AS_TEXT } from './stored-decode.js';

/** One operation of a plan's batch, on the sublevel its key lives in. */
export type Put =
  { type: 'put'; sublevel: Sublevel; key: string; value: unknown } | { type: 'del'; sublevel: Sublevel; key: string };

/**
 * The puts (and the dels of resolved conflicts) a plan transaction writes.
 * `created`: the plan's first write, whose step pointer is written even
 * when its list is empty.
 *
 * @example
 * await db.batch(transactionPuts(parts, transaction, planned, false));
 */
export function transactionPuts(
  parts: Sublevels,
  transaction: PlanTransaction,
  steps: PlannedSteps,
  created: boolean,
): Put[] {
  const { planId } = transaction;
  const { strategyDecisionIds: _ids, ...record } = transaction.record;
  const puts: Put[] = [{ type: 'put', sublevel: parts.plans, key: planId, value: record }];
  if (transaction.spec && !created)
    puts.push({ type: 'put', sublevel: parts.specs, key: planId, value: transaction.spec });
  for (const [seq, node] of steps.nodes)
    puts.push({ type: 'put', sublevel: parts.stepNodes, key: stepNodeKey(planId, seq), value: node });
  if (steps.moved || created) puts.push({ type: 'put', sublevel: parts.steps, key: planId, value: steps.pointer });
  if (transaction.snapshot)
    puts.push({ type: 'put', sublevel: parts.snapshots, key: planId, value: transaction.snapshot });
  for (const decision of transaction.decisions ?? []) {
    puts.push({ type: 'put', sublevel: parts.decisions, key: decisionKey(planId, decision.id), value: decision });
  }
  for (const event of transaction.events ?? [])
    puts.push({ type: 'put', sublevel: parts.events, key: eventKey(planId, event.seq), value: event });
  for (const changeset of transaction.changesets ?? [])
    puts.push({ type: 'put', sublevel: parts.changesets, key: changeset.id, value: changeset });
  // resolved first: a file that conflicts again in the same batch stays open
  for (const file of transaction.conflicts?.resolved ?? [])
    puts.push({ type: 'del', sublevel: parts.conflicts, key: conflictKey(planId, file) });
  for (const conflict of transaction.conflicts?.put ?? []) {
    puts.push({ type: 'put', sublevel: parts.conflicts, key: conflictKey(planId, conflict.file), value: conflict });
  }
  (transaction.checkpoints ?? []).forEach((checkpoint, index) => {
    // the checkpoint's step list is where it is in the chain, never a copy of it
    const { stepIds: _stepIds, ...rest } = checkpoint;
    puts.push({
      type: 'put',
      sublevel: parts.checkpoints,
      key: checkpointKey(planId, checkpoint.id),
      value: { ...rest, steps: steps.checkpoints[index] },
    });
  });
  for (const log of transaction.logs ?? [])
    puts.push({ type: 'put', sublevel: parts.logs, key: logKey(planId, log.seq), value: log });
  return puts;
}

/**
 * The dels that remove every key of a plan — its record, step chain, spec,
 * snapshot, journal, decisions, changesets, conflicts, checkpoints, logs and
 * (if it still points here) its name — or null when there is no such plan.
 *
 * @example
 * const dels = await planDeletes(parts, planId);
 * if (dels) await db.batch(dels);
 */
export async function planDeletes(parts: Sublevels, planId: string): Promise<Put[] | null> {
  const record = await parts.plans.get<string, string>(planId, AS_TEXT);
  if (record === undefined) return null;
  // what the record names is found even in a record that no longer parses
  const fields = parseLoosely(record);
  const dels: Put[] = [
    { type: 'del', sublevel: parts.plans, key: planId },
    { type: 'del', sublevel: parts.steps, key: planId },
    { type: 'del', sublevel: parts.specs, key: planId },
    { type: 'del', sublevel: parts.snapshots, key: planId },
    { type: 'del', sublevel: parts.holders, key: planId },
  ];
  // the name is released only if it still points here
  if (typeof fields.name === 'string') {
    const owner = await parts.names.get<string, string>(fields.name, AS_TEXT);
    if (owner !== undefined && parseLoosely(`{"id":${owner}}`).id === planId)
      dels.push({ type: 'del', sublevel: parts.names, key: fields.name });
  }
  // changesets are keyed by their own id: every one that says it is this plan's
  for await (const [key, text] of parts.changesets.iterator<string, string>(AS_TEXT)) {
    if (parseLoosely(text).planId === planId) dels.push({ type: 'del', sublevel: parts.changesets, key });
  }
  for (const sublevel of [
    parts.decisions,
    parts.events,
    parts.conflicts,
    parts.checkpoints,
    parts.logs,
    parts.stepNodes,
  ]) {
    for await (const key of sublevel.keys(planRange(planId))) dels.push({ type: 'del', sublevel, key });
  }
  return dels;
}

// a batch whose keys carry their sublevel's prefix and whose values are JSON text already
const ENCODED = { keyEncoding: 'utf8', valueEncoding: 'utf8', ...writeOptions(false) } as const;
const ENCODED_SYNC = { keyEncoding: 'utf8', valueEncoding: 'utf8', ...writeOptions(true) } as const;

/**
 * Writes a plan's batches to one open database and tells `onBatch` of each.
 * Made again on each open, as the direct writer it makes at its first write
 * belongs to that database (see directBatchWriter).
 *
 * @example
 * await new PlanBatchWriter(db, onBatch).write(planId, transactionPuts(parts, transaction, planned, false), true);
 */
export class PlanBatchWriter {
  readonly #db: StoreDatabase;
  readonly #onBatch: ((info: BatchInfo) => void) | undefined;
  #direct: { write: ReturnType<typeof directBatchWriter> } | null = null;
  // a plan write went to the database without sync since the last synced one
  #unsynced = false;

  constructor(db: StoreDatabase, onBatch: ((info: BatchInfo) => void) | undefined) {
    this.#db = db;
    this.#onBatch = onBatch;
  }

  /** Write `puts` as one batch (flushed to disk first when `sync`). */
  async write(planId: string, puts: Put[], sync: boolean): Promise<void> {
    // encoded here and written through the database itself, not through each
    // put's sublevel: the same keys and bytes, without abstract-level's
    // per-operation sublevel work, which cost a read-only step more than the
    // JSON encoding (docs/explanation/performance.md, read-only steps)
    const outer = (this.#db as { prefix?: string }).prefix?.length ?? 0;
    const operations: EncodedOperation[] = puts.map((put) => {
      const key = put.sublevel.prefix.slice(outer) + put.key;
      return put.type === 'put'
        ? { type: 'put' as const, key, value: JSON.stringify(put.value) }
        : { type: 'del' as const, key };
    });
    const direct = (this.#direct ??= { write: directBatchWriter(this.#db) }).write;
    await (direct ? direct(operations, sync) : this.#db.batch(operations, sync ? ENCODED_SYNC : ENCODED));
    // a synced write flushes LevelDB's log with every write before it
    this.#unsynced = !sync;
    const onBatch = this.#onBatch;
    if (!onBatch) return;
    let bytes: number | null = null;
    const countBytes = () =>
      operations.reduce(
        (total, operation) =>
          total +
          outer +
          Buffer.byteLength(operation.key) +
          (operation.type === 'put' ? Buffer.byteLength(operation.value) : 0),
        0,
      );
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

  /**
   * Flush what the last plan writes left unsynced, before the database
   * closes: LevelDB syncs its log up to a synced write, so one synced
   * delete of a key never written (`meta!sync`) makes every write before
   * it durable, and changes nothing (docs/explanation/architecture.md, "Durability: what is synced").
   */
  async flush(meta: Sublevel): Promise<void> {
    if (!this.#unsynced) return;
    await meta.del(SYNC_KEY, writeOptions(true));
    this.#unsynced = false;
  }
}

// the fields of a stored JSON record, or none when it does not parse
function parseLoosely(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
