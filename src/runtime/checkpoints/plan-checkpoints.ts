import {
  PhaseGuardError,
  ValidationError,
  checkpointSummary,
  isTerminalStatus,
  newId,
  type Checkpoint,
  type CheckpointSummary,
  type CheckpointTrigger,
  type PlanRecord,
  type PlanSpec,
} from '../../domain/index.js';
import type { CheckpointEmitted, PlanContext } from '../../../machines/index.js';
import type { RollbackPreview, RollbackResult } from './checkpoint-api.js';
import { captureCheckpoint, createdEntry, storedState, type CheckpointHost } from './checkpoint-host.js';
import { checkLabel, checkpointOf, findCheckpoint, prunable } from './checkpoint-records.js';
import { endChild } from './ended-children.js';
import { rollBack } from './plan-rollback.js';
import { rollbackTarget, surveyRollback } from './rollback-preview.js';
import type { PendingState } from '../../sandbox/index.js';
import type { StoreReads } from '../../../actors/index.js';

/**
 * Checkpoints and going back to them (SPEC §10): manual checkpoints, the
 * ones the machine asks for, rollback of the sandbox, the decisions, the
 * child plans and the machine state together — with an undo checkpoint
 * first, so a rollback can itself be rolled back. Listing and taking
 * checkpoints is here; what a rollback touches is in rollback-preview.ts,
 * the rollback itself in plan-rollback.ts.
 *
 * @example
 * const checkpoints = new RuntimeCheckpoints(host);
 * const preview = await checkpoints.preview(record, 'before-refactor');
 */
export class RuntimeCheckpoints {
  readonly #host: CheckpointHost;

  constructor(host: CheckpointHost) {
    this.#host = host;
  }

  /** The record of a checkpoint the machine asked for with the snapshot of a transition, and its journal entry. */
  fromMachine(
    planId: string,
    emitted: CheckpointEmitted,
  ): { checkpoint: Checkpoint; entry: ReturnType<typeof createdEntry> } {
    const checkpoint = checkpointOf(this.#host.machine, {
      id: newId(),
      planId,
      label: null,
      trigger: emitted.trigger,
      createdAt: this.#host.now(),
      point: emitted.point,
      context: emitted.context,
      stepIds: this.#host.memory.stepIds(planId),
      stepTitle: (index) => this.#host.memory.stepTitle(planId, index),
    });
    return { checkpoint, entry: createdEntry(checkpoint) };
  }

  async list(planId: string): Promise<CheckpointSummary[]> {
    await this.#host.persistence.settled(planId);
    return (await this.#host.store.listCheckpoints(planId)).map(checkpointSummary);
  }

  async show(record: PlanRecord, ref: string): Promise<CheckpointSummary> {
    await this.#host.persistence.settled(record.id);
    return checkpointSummary(findCheckpoint(await this.#host.store.listCheckpoints(record.id), ref, record));
  }

  /** A `manual` checkpoint of the plan as it is now (a running phase restores to queued), read back as stored through `reads` (a plan's own step waits an outage out). */
  async create(
    record: PlanRecord,
    label: string | null,
    reads: StoreReads = (read) => read(),
  ): Promise<CheckpointSummary> {
    const checked = label === null ? null : checkLabel(label);
    const live = await this.#host.live(record.id);
    if (!live)
      throw new PhaseGuardError(record.name, 'checkpoint', `the plan is ${record.status}: nothing can go back to it`);
    const checkpoint = captureCheckpoint(this.#host, record.id, live.snapshot(), 'manual', checked);
    this.#host.persistence.record(record.id, { checkpoints: [checkpoint], entries: [createdEntry(checkpoint)] });
    await this.#host.persistence.settled(record.id);
    // as stored: its batch gave it the plan's logs so far (logCursor)
    return checkpointSummary(
      (await reads(() => this.#host.store.getCheckpoint(record.id, checkpoint.id))) ?? checkpoint,
    );
  }

  async delete(record: PlanRecord, ref: string): Promise<CheckpointSummary> {
    await this.#host.persistence.settled(record.id);
    const checkpoint = findCheckpoint(await this.#host.store.listCheckpoints(record.id), ref, record);
    await this.#host.store.deleteCheckpoints(record.id, [checkpoint.id]);
    return checkpointSummary(checkpoint);
  }

  async prune(record: PlanRecord, keep: number): Promise<{ deleted: string[]; kept: string[] }> {
    const { store } = this.#host;
    await this.#host.persistence.settled(record.id);
    const [checkpoints, decisions, plans] = await Promise.all([
      store.listCheckpoints(record.id),
      store.listDecisions(record.id),
      store.listPlans(),
    ]);
    const liveChildren = plans
      .filter((plan) => plan.parentId === record.id && !isTerminalStatus(plan.status))
      .map((plan) => plan.id);
    const deleted = prunable(checkpoints, keep, { decisions, liveChildren }).map((checkpoint) => checkpoint.id);
    await store.deleteCheckpoints(record.id, deleted);
    const gone = new Set(deleted);
    return {
      deleted,
      kept: checkpoints.filter((checkpoint) => !gone.has(checkpoint.id)).map((checkpoint) => checkpoint.id),
    };
  }

  /** What a rollback to `to` (default: the newest before now) would do, changing nothing. */
  async preview(
    record: PlanRecord,
    to: string | undefined,
    options: { clean?: boolean } = {},
  ): Promise<RollbackPreview> {
    const target = await rollbackTarget(this.#host, record, to, options);
    return (await surveyRollback(this.#host, record, target, await storedState(this.#host, record.id))).preview;
  }

  /** Roll the plan back to a checkpoint (SPEC §10). */
  async rollback(record: PlanRecord, spec: PlanSpec, to: string | undefined): Promise<RollbackResult> {
    const pending = lookAtWorktree(this.#host, record);
    const target = await rollbackTarget(this.#host, record, to, {});
    return rollBack(this.#host, record, spec, target, { undoTrigger: 'pre-rollback', decision: 'rollback' }, pending);
  }

  /**
   * A correction's revert: back to `to`, or to the newest clean checkpoint,
   * with a `correction` decision; the caller then reconciles and runs on.
   */
  async revert(
    record: PlanRecord,
    spec: PlanSpec,
    to: string | undefined,
    reason: string | undefined,
  ): Promise<RollbackResult> {
    const pending = lookAtWorktree(this.#host, record);
    const target = await rollbackTarget(this.#host, record, to, { clean: true });
    return rollBack(
      this.#host,
      record,
      spec,
      target,
      { undoTrigger: 'pre-correction', decision: 'correction', ...(reason === undefined ? {} : { reason }) },
      pending,
    );
  }

  /** A child merged into a parent that was then cancelled ends `cancelled` too: its work goes nowhere now. */
  async cancelMerged(child: PlanRecord, reason: string): Promise<void> {
    await endChild(this.#host, child, { as: 'cancelled', reason });
  }

  /** An undo checkpoint of the plan as it is now, with the record that says so. */
  capture(
    planId: string,
    snapshot: { value: unknown; context: PlanContext },
    trigger: CheckpointTrigger,
    stepIds?: readonly string[],
  ): { checkpoint: Checkpoint; entry: ReturnType<typeof createdEntry> } {
    const checkpoint = captureCheckpoint(this.#host, planId, snapshot, trigger, null, stepIds);
    return { checkpoint, entry: createdEntry(checkpoint) };
  }
}

// git's look at the sandbox's worktree, started while the store finds the checkpoint (a rollback waits for it before it resets)
function lookAtWorktree(host: CheckpointHost, record: PlanRecord): Promise<PendingState> | undefined {
  if (!record.sandbox) return undefined;
  const pending = host.services.sandboxes.pendingState(record.sandbox);
  // the rollback may be refused before it looks (an unknown checkpoint): nobody awaits it then
  pending.catch(() => {});
  return pending;
}

/**
 * Refuse a `keep` that is not a whole number, 0 or more (`checkpoint prune
 * --keep`), before anything is read.
 *
 * @example
 * checkKeep(5); // fine; checkKeep(-1) throws VALIDATION_ERROR naming keep
 */
export function checkKeep(keep: number): void {
  if (!Number.isSafeInteger(keep) || keep < 0)
    throw new ValidationError([{ path: 'keep', message: 'must be a whole number, 0 or more' }], {
      hint: 'e.g. --keep 5',
    });
}
