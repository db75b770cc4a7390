import type { Checkpoint, JournalEvent, PlanRecord } from '../../domain/index.js';

// these journal events mark phase boundaries and what a user resolved or merged: their batch is synced
const SYNC_EVENTS = new Set([
  'plan.created',
  'phase.completed',
  'phase.failed',
  'plan.cancelled',
  'plan.invalidated',
  'merge.conflict',
  'conflict.resolved',
  'merge.completed',
]);

/** What a plan's batch holds, as far as its durability goes. */
export interface BatchContents {
  /** The plan file it replaces, or null. */
  spec: unknown;
  checkpoints: readonly Pick<Checkpoint, 'trigger'>[];
  events: readonly Pick<JournalEvent, 'type'>[];
  /** The record it writes: where the plan stands after it. */
  record: Pick<PlanRecord, 'phase' | 'status' | 'agentDriven'>;
}

/**
 * Whether a plan's batch is written with `sync` (LevelDB's log flushed to
 * disk, PostgreSQL's commit waiting for its WAL flush) — docs/explanation/architecture.md,
 * "Durability: what is synced". A step checkpoint is synced no more often
 * than the step commit it points at, which git writes without fsync: a
 * writing step's batch is not. Synced: a phase boundary and what a user
 * resolved or merged (the events above), a new plan file, every checkpoint
 * but a `step` one (phase, merge, manual, undo points), and any batch that
 * leaves the plan at rest — queued, waiting, complete, failed or ended — so
 * that what a user sees as stopped survives a power cut. An agent-driven
 * plan waiting for its agent's next call is not at rest: it is between two
 * steps of its agent's drive (SPEC §16), which ends synced (`plan.finish`,
 * `plan.fail`).
 *
 * @example
 * syncsBatch({ spec: null, checkpoints: [{ trigger: 'step' }], events: [{ type: 'step.completed' }], record: { phase: 'execute', status: 'processing', agentDriven: false } }); // false
 */
export function syncsBatch(batch: BatchContents): boolean {
  if (batch.spec !== null) return true;
  if (batch.checkpoints.some((checkpoint) => checkpoint.trigger !== 'step')) return true;
  if (batch.events.some((event) => SYNC_EVENTS.has(event.type))) return true;
  return atRest(batch.record);
}

function atRest(record: BatchContents['record']): boolean {
  if (record.status === 'processing') return false;
  // an open plan between its agent's calls
  return !(record.agentDriven && record.phase === 'execute' && record.status === 'waiting');
}
