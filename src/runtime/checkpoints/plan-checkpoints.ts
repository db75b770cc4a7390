import {
  NotFoundError,
  PhaseGuardError,
  TroupeError,
  checkpointSummary,
  isTerminalStatus,
  newId,
  type Changeset,
  type Checkpoint,
  type CheckpointSummary,
  type CheckpointTrigger,
  type Decision,
  type JournalEvent,
  type PlanRecord,
  type PlanSpec,
  type RevertedChange,
} from '../../domain/index.js';
import {
  PLAN_MACHINE_VERSION,
  planIdentityOf,
  planPosition,
  planRecordOf,
  restorableContext,
  restorePointOf,
  type CheckpointEmitted,
  type PlanCommand,
  type PlanContext,
} from '../../../machines/index.js';
import type { ActorServices } from '../../../actors/index.js';
import type { Store } from '../../store/index.js';
import type { PlanPersistence } from '../persistence/index.js';
import type { PlanMemory } from '../persistence/index.js';
import type { ProvidedPlanMachine } from '../plans/index.js';
import { restorablePlanSnapshot } from '../persistence/index.js';
import { checkLabel, checkpointOf, defaultTarget, findCheckpoint, prunable, revertedChanges, statusChangesTo } from './checkpoint-records.js';
import type { RollbackPreview, RollbackResult } from './checkpoint-api.js';

/** A plan's live actor, as checkpoints need it. */
export interface LivePlan {
  snapshot(): { value: unknown; context: PlanContext };
  can(event: PlanCommand): boolean;
  send(event: PlanCommand): void;
  /** Resolves when the plan is at rest and its state written: its record. */
  untilRest(): Promise<PlanRecord>;
}

/** What the runtime lends {@link RuntimeCheckpoints}. */
export interface CheckpointHost {
  store: Store;
  services: Omit<ActorServices, 'children' | 'checkpoints'>;
  machine: ProvidedPlanMachine;
  memory: PlanMemory;
  persistence: PlanPersistence;
  now(): string;
  /** The plan's live actor, restored if needed; null for a plan that ended. */
  live(planId: string): Promise<LivePlan | null>;
  /** Stop the plan's live actor, if any, once its pending writes landed; stop the commands it ran. */
  stop(planId: string): Promise<void>;
  /** Start the plan's actor from a persisted snapshot already written with `lastSeq` as its last journal seq. */
  start(record: PlanRecord, snapshot: unknown, lastSeq: number): Promise<void>;
  publish(events: JournalEvent[], record: PlanRecord): void;
}

/** How a rollback is recorded: as a plain rollback, or as a correction's revert. */
interface RevertKind {
  undoTrigger: Extract<CheckpointTrigger, 'pre-rollback' | 'pre-correction'>;
  decision: 'rollback' | 'correction';
  reason?: string;
}

/**
 * Checkpoints and going back to them (SPEC §10): manual checkpoints, the
 * ones the machine asks for, rollback of the sandbox, the decisions, the
 * child plans and the machine state together — with an undo checkpoint
 * first, so a rollback can itself be rolled back.
 */
export class RuntimeCheckpoints {
  readonly #host: CheckpointHost;

  constructor(host: CheckpointHost) {
    this.#host = host;
  }

  /** The record of a checkpoint the machine asked for with the snapshot of a transition, and its journal entry. */
  fromMachine(planId: string, emitted: CheckpointEmitted): { checkpoint: Checkpoint; entry: ReturnType<typeof createdEntry> } {
    const checkpoint = checkpointOf(this.#host.machine, {
      id: newId(),
      planId,
      label: null,
      trigger: emitted.trigger,
      createdAt: this.#host.now(),
      point: emitted.point,
      context: emitted.context,
      stepIds: this.#host.memory.stepIds(planId),
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

  /** A `manual` checkpoint of the plan as it is now (a running phase restores to queued). */
  async create(record: PlanRecord, label: string | null): Promise<CheckpointSummary> {
    const checked = label === null ? null : checkLabel(label);
    const live = await this.#host.live(record.id);
    if (!live) throw new PhaseGuardError(record.name, 'checkpoint', `the plan is ${record.status}: nothing can go back to it`);
    const checkpoint = this.#capture(record.id, live.snapshot(), 'manual', checked);
    this.#host.persistence.record(record.id, { checkpoints: [checkpoint], entries: [createdEntry(checkpoint)] });
    await this.#host.persistence.settled(record.id);
    // as stored: its batch gave it the plan's logs so far (logCursor)
    return checkpointSummary((await this.#host.store.getCheckpoint(record.id, checkpoint.id)) ?? checkpoint);
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
    const [checkpoints, decisions, plans] = await Promise.all([store.listCheckpoints(record.id), store.listDecisions(record.id), store.listPlans()]);
    const liveChildren = plans.filter((plan) => plan.parentId === record.id && !isTerminalStatus(plan.status)).map((plan) => plan.id);
    const deleted = prunable(checkpoints, keep, { decisions, liveChildren }).map((checkpoint) => checkpoint.id);
    await store.deleteCheckpoints(record.id, deleted);
    const gone = new Set(deleted);
    return { deleted, kept: checkpoints.filter((checkpoint) => !gone.has(checkpoint.id)).map((checkpoint) => checkpoint.id) };
  }

  /** What a rollback to `to` (default: the newest before now) would do, changing nothing. */
  async preview(record: PlanRecord, to: string | undefined, options: { clean?: boolean } = {}): Promise<RollbackPreview> {
    const target = await this.#target(record, to, options);
    return this.#previewOf(record, target, await this.#current(record.id));
  }

  /** Roll the plan back to a checkpoint (SPEC §10). */
  async rollback(record: PlanRecord, spec: PlanSpec, to: string | undefined): Promise<RollbackResult> {
    const target = await this.#target(record, to, {});
    return this.#revert(record, spec, target, { undoTrigger: 'pre-rollback', decision: 'rollback' });
  }

  /**
   * A correction's revert: back to `to`, or to the newest clean checkpoint,
   * with a `correction` decision; the caller then reconciles and runs on.
   */
  async revert(record: PlanRecord, spec: PlanSpec, to: string | undefined, reason: string | undefined): Promise<RollbackResult> {
    const target = await this.#target(record, to, { clean: true });
    return this.#revert(record, spec, target, { undoTrigger: 'pre-correction', decision: 'correction', ...(reason === undefined ? {} : { reason }) });
  }

  /** An undo checkpoint of the plan as it is now, with the record that says so. */
  capture(
    planId: string,
    snapshot: { value: unknown; context: PlanContext },
    trigger: CheckpointTrigger,
    stepIds?: readonly string[],
  ): { checkpoint: Checkpoint; entry: ReturnType<typeof createdEntry> } {
    const checkpoint = this.#capture(planId, snapshot, trigger, null, stepIds);
    return { checkpoint, entry: createdEntry(checkpoint) };
  }

  // `stepIds`: the plan's step list when the caller knows it better than memory (a plan without a live actor)
  #capture(planId: string, snapshot: { value: unknown; context: PlanContext }, trigger: CheckpointTrigger, label: string | null, stepIds?: readonly string[]): Checkpoint {
    const point = restorePointOf(planPosition(snapshot.value as never, snapshot.context));
    return checkpointOf(this.#host.machine, {
      id: newId(),
      planId,
      label,
      trigger,
      createdAt: this.#host.now(),
      point,
      context: restorableContext(snapshot.context, point),
      stepIds: stepIds ?? this.#host.memory.stepIds(planId),
    });
  }

  async #target(record: PlanRecord, to: string | undefined, options: { clean?: boolean }): Promise<Checkpoint> {
    if (isTerminalStatus(record.status)) {
      throw new PhaseGuardError(
        record.name,
        'roll back',
        `the plan is ${record.status} (nothing leaves a terminal status)`,
        record.status === 'done' ? 'its changes are in the project: git revert the commit apply made' : 'create the plan again under a new name to start over',
      );
    }
    await this.#host.persistence.settled(record.id);
    const checkpoints = await this.#host.store.listCheckpoints(record.id);
    if (to !== undefined) return findCheckpoint(checkpoints, to, record);
    const current = await this.#current(record.id);
    const position = planPosition(current.value as never, current.context);
    const decisions = await this.#host.store.listDecisions(record.id);
    const found = defaultTarget(checkpoints, { ...position, sandboxCommit: current.context.sandbox?.headCommit ?? null }, decisions, options);
    if (!found) {
      throw new NotFoundError(options.clean ? 'clean checkpoint' : 'checkpoint', `before the current state of ${record.name}`, `troupe checkpoint list ${record.name} shows its checkpoints; pass one with --to`);
    }
    return found;
  }

  // the plan's state as stored (its live actor's pending writes landed first)
  async #current(planId: string): Promise<{ value: unknown; context: PlanContext }> {
    await this.#host.persistence.settled(planId);
    const stored = await this.#host.store.getSnapshot(planId);
    if (!stored) throw new TroupeError('STORE_CORRUPT', `plan ${planId} has no stored snapshot`, { details: { planId } });
    return restorablePlanSnapshot(planId, stored) as { value: unknown; context: PlanContext };
  }

  async #previewOf(record: PlanRecord, target: Checkpoint, current: { value: unknown; context: PlanContext }): Promise<RollbackPreview> {
    return (await this.#survey(record, target, current)).preview;
  }

  // what going back to `target` touches: the preview users see, and what the rollback itself acts on
  async #survey(record: PlanRecord, target: Checkpoint, current: { value: unknown; context: PlanContext }) {
    const { store, services } = this.#host;
    const [decisions, plans] = await Promise.all([store.listDecisions(record.id), store.listPlans()]);
    const statuses = statusChangesTo(decisions, target.decisionCursor);
    const discarding = new Set(statuses.discarded);
    const children = invalidatedBy(plans, record.id, target);
    const preview: RollbackPreview = {
      planId: record.id,
      checkpoint: checkpointSummary(target),
      restores: { phase: target.phase, status: target.status },
      changes: await this.#changesSince(target, current.context, services),
      decisionsToDiscard: decisions.filter((decision) => discarding.has(decision.id)).map(({ id, type, title }) => ({ id, type, title })),
      decisionsToRestore: statuses.restored.length,
      childPlansToInvalidate: children.map(({ id, name, status }) => ({ id, name, status })),
      reversionCount: current.context.reversionCount,
    };
    return { preview, decisions, statuses, children };
  }

  async #changesSince(target: Checkpoint, context: PlanContext, services: CheckpointHost['services']): Promise<RevertedChange[]> {
    const sandbox = context.sandbox;
    if (!sandbox || !target.sandboxCommit) return [];
    const committed = target.sandboxCommit === sandbox.headCommit ? [] : await services.sandboxes.diff(sandbox, target.sandboxCommit, sandbox.headCommit);
    return revertedChanges(committed, await services.sandboxes.pendingPaths(sandbox));
  }

  async #revert(record: PlanRecord, spec: PlanSpec, target: Checkpoint, kind: RevertKind): Promise<RollbackResult> {
    const { store, services, now } = this.#host;
    const before = await this.#current(record.id);
    const reversions = await this.#reversionsAfter(record, target, before);
    if (reversions > before.context.reversionCount && reversions > spec.maxReversions) {
      throw new TroupeError('REVERSION_LIMIT', `${record.name} was already reverted ${before.context.reversionCount} time(s); its plan file allows ${spec.maxReversions}`, {
        details: { planId: record.id, reversionCount: before.context.reversionCount, maxReversions: spec.maxReversions },
        hint: 'raise maxReversions in the plan file for new plans, or cancel this one and start over',
      });
    }
    // from here on the plan changes: its actor stops, so nothing runs while its world goes back
    await this.#host.stop(record.id);
    const current = await this.#current(record.id);
    // the plan's actor is stopped: its decisions stay as surveyed (children write only their own)
    const { preview, decisions, statuses, children } = await this.#survey(record, target, current);
    const invalidated: string[] = [];
    for (const child of children) {
      await this.#invalidate(child, `its parent ${record.name} was rolled back to checkpoint ${target.label ?? target.id}`);
      invalidated.push(child.id);
    }
    const sandbox = current.context.sandbox;
    if (sandbox && target.sandboxCommit) {
      await services.processes(record.id)?.reap();
      // the branch moves back: the commits it leaves stay reachable for the undo point, whatever git's gc does
      await services.sandboxes.keep(record.id, [sandbox.headCommit], sandbox.repo);
      // a worktree that went missing is made again on its branch before it is moved
      await services.sandboxes.reopen({ id: record.id, name: record.name }, sandbox);
      await services.sandboxes.reset(sandbox, target.sandboxCommit);
      services.cleanSandboxes.set(record.id, target.sandboxCommit);
    }
    // the undo checkpoint first: its id sorts before the rollback's decision, so
    // undoing discards that too; the step list as stored (the plan may have had no live actor)
    const stored = await store.getPlan(record.id);
    const captured = this.capture(record.id, current, kind.undoTrigger, stored?.strategyDecisionIds ?? record.strategyDecisionIds);
    // logs are kept through a rollback, marked by its decision as the work they belong to is discarded (SPEC §18);
    // the undo checkpoint holds them all, so undoing the rollback (which discards its decision) unmarks them
    const lastLogSeq = await store.lastLogSeq(record.id);
    const undo = { ...captured, checkpoint: { ...captured.checkpoint, logCursor: lastLogSeq } };
    const keptLogs = Math.min(target.logCursor ?? 0, lastLogSeq);
    const restored = restorablePlanSnapshot(record.id, target.snapshot) as { value: unknown; context: PlanContext };
    const context: PlanContext = { ...restored.context, reversionCount: reversions, lastCheckpointId: target.id };
    const snapshot = { ...restored, context };
    const at = now();
    const decision: Decision = {
      id: newId(),
      planId: record.id,
      parentId: context.decisionRootId,
      type: kind.decision,
      title: `${kind.decision === 'rollback' ? 'rolled back' : 'reverted'} to checkpoint ${target.label ?? target.trigger} (${target.phase}, ${target.status})`,
      rationale: kind.reason ?? (kind.decision === 'rollback' ? 'rollback asked for by the user' : 'correction asked for by the user'),
      payload: {
        ...(kind.decision === 'correction' ? { mode: 'revert' } : {}),
        checkpointId: target.id,
        undoCheckpointId: undo.checkpoint.id,
        statuses,
        changesReverted: preview.changes.length,
        childPlansInvalidated: invalidated,
        ...(lastLogSeq > keptLogs ? { logsDiscarded: { after: keptLogs, through: lastLogSeq } } : {}),
        ...(kind.reason === undefined ? {} : { reason: kind.reason }),
      },
      actor: 'user',
      createdAt: at,
      status: 'active',
    };
    const changed = new Map([...statuses.discarded.map((id) => [id, 'discarded'] as const), ...statuses.restored.map((id) => [id, 'active'] as const)]);
    const rewritten = decisions.filter((candidate) => changed.has(candidate.id)).map((candidate) => ({ ...candidate, status: changed.get(candidate.id)! }));
    const identity = planIdentityOf(record);
    const after = planRecordOf(identity, snapshot as never, at, target.stepIds);
    const lastSeq = await store.lastEventSeq(record.id);
    const entries = [
      undo.entry,
      {
        type: 'plan.rolled_back' as const,
        phase: target.phase,
        data: {
          checkpointId: target.id,
          label: target.label,
          trigger: target.trigger,
          restored: { phase: target.phase, status: target.status },
          undoCheckpointId: undo.checkpoint.id,
          changesReverted: preview.changes.length,
          decisionsDiscarded: statuses.discarded.length,
          childPlansInvalidated: invalidated,
          reversionCount: reversions,
        },
      },
    ];
    const events: JournalEvent[] = entries.map((entry, offset) => ({ seq: lastSeq + offset + 1, ts: at, planId: record.id, ...entry }));
    const open = (await store.listConflicts(record.id)).map((conflict) => conflict.file);
    // the changeset is kept under one id and rewritten by each step: it must say what the sandbox holds again
    const changeset = await this.#changesetAt(record.id, context);
    await store.commit({
      planId: record.id,
      record: after,
      snapshot: { machineVersion: PLAN_MACHINE_VERSION, snapshot },
      decisions: [...rewritten, decision],
      events,
      checkpoints: [undo.checkpoint],
      ...(changeset ? { changesets: [changeset] } : {}),
      ...(open.length > 0 ? { conflicts: { resolved: open } } : {}),
      sync: true,
    });
    await this.#host.start(after, snapshot, lastSeq + events.length);
    this.#host.publish(events, after);
    return {
      planId: record.id,
      checkpoint: { id: target.id, label: target.label, createdAt: target.createdAt, trigger: target.trigger },
      restored: { phase: after.phase, status: after.status },
      changesReverted: preview.changes,
      decisionsDiscarded: statuses.discarded.length,
      childPlansInvalidated: invalidated,
      reversionCount: reversions,
      undoCheckpointId: undo.checkpoint.id,
      decisionId: decision.id,
    };
  }

  /**
   * The plan's reversion count once it is back at `target` (docs/checkpoints.md,
   * "What counts as a reversion"): going back to an undo point undoes a
   * rollback or a correction, so the count is what it was there; a rollback
   * that reverts nothing — the plan already stands where the checkpoint
   * has it, with no file, decision or child plan to put back — is not one;
   * any other adds one.
   */
  async #reversionsAfter(record: PlanRecord, target: Checkpoint, current: { value: unknown; context: PlanContext }): Promise<number> {
    const restored = restorablePlanSnapshot(record.id, target.snapshot) as { context: PlanContext };
    if (target.trigger === 'pre-rollback' || target.trigger === 'pre-correction') return restored.context.reversionCount;
    const { preview, statuses, children } = await this.#survey(record, target, current);
    const position = planPosition(current.value as never, current.context);
    const samePlace = position.phase === target.phase && position.status === target.status && current.context.lastCompletedStep === restored.context.lastCompletedStep;
    const revertsNothing = samePlace && preview.changes.length === 0 && statuses.discarded.length === 0 && children.length === 0;
    return current.context.reversionCount + (revertsNothing ? 0 : 1);
  }

  // the plan's changeset as of its restored sandbox head
  async #changesetAt(planId: string, context: PlanContext): Promise<Changeset | null> {
    const sandbox = context.sandbox;
    if (!sandbox || !context.changesetId) return null;
    const files = sandbox.headCommit === sandbox.baseCommit ? [] : await this.#host.services.sandboxes.diff(sandbox, sandbox.baseCommit, sandbox.headCommit);
    return { id: context.changesetId, planId, baseCommit: sandbox.baseCommit, headCommit: sandbox.headCommit, files };
  }

  // a child plan a rollback goes back past: it stops, its worktree goes, it ends invalidated
  async #invalidate(child: PlanRecord, reason: string): Promise<void> {
    const { store, services, machine, now } = this.#host;
    await this.#host.stop(child.id);
    this.#host.memory.forget(child.id);
    const current = await this.#current(child.id);
    const context: PlanContext = { ...current.context, target: null };
    const resolved = machine.resolveState({ value: 'invalidated', context });
    const at = now();
    const record = planRecordOf(planIdentityOf(child), { value: 'invalidated', context }, at, child.strategyDecisionIds);
    const lastSeq = await store.lastEventSeq(child.id);
    const events: JournalEvent[] = [{ seq: lastSeq + 1, ts: at, planId: child.id, type: 'plan.invalidated', phase: record.phase, data: { reason } }];
    const open = (await store.listConflicts(child.id)).map((conflict) => conflict.file);
    await store.commit({
      planId: child.id,
      record,
      snapshot: { machineVersion: PLAN_MACHINE_VERSION, snapshot: machine.getPersistedSnapshot(resolved) },
      events,
      ...(open.length > 0 ? { conflicts: { resolved: open } } : {}),
      sync: true,
    });
    if (child.sandbox) await services.sandboxes.remove(child.sandbox);
    this.#host.publish(events, record);
  }
}

function createdEntry(checkpoint: Checkpoint) {
  return {
    type: 'checkpoint.created' as const,
    phase: checkpoint.phase,
    data: { checkpointId: checkpoint.id, trigger: checkpoint.trigger, label: checkpoint.label, clean: checkpoint.clean },
  };
}

// the plan's children started after the checkpoint, and all of theirs, that are not invalidated yet
function invalidatedBy(plans: readonly PlanRecord[], planId: string, target: Checkpoint): PlanRecord[] {
  const kept = new Set(target.childPlanIds);
  const found: PlanRecord[] = [];
  const visit = (parentId: string, all: boolean) => {
    for (const plan of plans) {
      if (plan.parentId !== parentId) continue;
      if (!all && kept.has(plan.id)) continue;
      if (plan.status !== 'invalidated') found.push(plan);
      visit(plan.id, true);
    }
  };
  visit(planId, false);
  return found;
}

