// Rolling a plan back to a checkpoint (SPEC §10): the sandbox, the decisions, the child plans and
// the machine state go back together in one batch, after an undo checkpoint of where it stood.
import { TroupeError, newId, type Changeset, type Checkpoint, type CheckpointTrigger, type Decision, type JournalEvent, type PlanRecord, type PlanSpec } from '../../domain/index.js';
import { PLAN_MACHINE_VERSION, planIdentityOf, planPosition, planRecordOf, type PlanContext } from '../../../machines/index.js';
import { restorablePlanSnapshot } from '../persistence/index.js';
import type { RollbackResult } from './checkpoint-api.js';
import { captureCheckpoint, createdEntry, storedState, type CheckpointHost, type PlanState } from './checkpoint-host.js';
import { surveyRollback } from './rollback-preview.js';

/** How a rollback is recorded: as a plain rollback, or as a correction's revert. */
export interface RevertKind {
  undoTrigger: Extract<CheckpointTrigger, 'pre-rollback' | 'pre-correction'>;
  decision: 'rollback' | 'correction';
  reason?: string;
}

/**
 * Roll the plan back to `target`: its actor stops, child plans started since
 * are invalidated, the sandbox is reset (its commits kept for the undo), and
 * the restored state, the rewritten decisions, an undo checkpoint and the
 * `rollback` (or `correction`) decision are written at once; then the actor
 * starts again from there. `REVERSION_LIMIT` past the plan's maxReversions.
 */
export async function rollBack(host: CheckpointHost, record: PlanRecord, spec: PlanSpec, target: Checkpoint, kind: RevertKind): Promise<RollbackResult> {
  const { store, services, now } = host;
  const before = await storedState(host, record.id);
  const reversions = await reversionsAfter(host, record, target, before);
  if (reversions > before.context.reversionCount && reversions > spec.maxReversions) {
    throw new TroupeError('REVERSION_LIMIT', `${record.name} was already reverted ${before.context.reversionCount} time(s); its plan file allows ${spec.maxReversions}`, {
      details: { planId: record.id, reversionCount: before.context.reversionCount, maxReversions: spec.maxReversions },
      hint: 'raise maxReversions in the plan file for new plans, or cancel this one and start over',
    });
  }
  // from here on the plan changes: its actor stops, so nothing runs while its world goes back
  await host.stop(record.id);
  const current = await storedState(host, record.id);
  // the plan's actor is stopped: its decisions stay as surveyed (children write only their own)
  const { preview, decisions, statuses, children } = await surveyRollback(host, record, target, current);
  const invalidated: string[] = [];
  for (const child of children) {
    await invalidate(host, child, `its parent ${record.name} was rolled back to checkpoint ${target.label ?? target.id}`);
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
  const captured = captureCheckpoint(host, record.id, current, kind.undoTrigger, null, stored?.strategyDecisionIds ?? record.strategyDecisionIds);
  // logs are kept through a rollback, marked by its decision as the work they belong to is discarded (SPEC §18);
  // the undo checkpoint holds them all, so undoing the rollback (which discards its decision) unmarks them
  const lastLogSeq = await store.lastLogSeq(record.id);
  const undo = { checkpoint: { ...captured, logCursor: lastLogSeq }, entry: createdEntry(captured) };
  const keptLogs = Math.min(target.logCursor ?? 0, lastLogSeq);
  const restored = restorablePlanSnapshot(record.id, target.snapshot) as PlanState;
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
  // what its model calls cost stays spent
  if (record.models) after.models = record.models;
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
  const changeset = await changesetAt(host, record.id, context);
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
  await host.start(after, snapshot, lastSeq + events.length);
  host.publish(events, after);
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
 * or revert that reverts nothing — no file, decision or child plan to put
 * back, and no step or phase to do again — is not one (issue 36: the
 * checkpoint a revert finds is often the one just after the last step,
 * `execute · queued` where the plan is `execute · complete`); any other adds
 * one. Leaving `failed` always counts: that is the retry the limit bounds.
 */
async function reversionsAfter(host: CheckpointHost, record: PlanRecord, target: Checkpoint, current: PlanState): Promise<number> {
  const restored = restorablePlanSnapshot(record.id, target.snapshot) as { context: PlanContext };
  if (target.trigger === 'pre-rollback' || target.trigger === 'pre-correction') return restored.context.reversionCount;
  const { preview, statuses, children } = await surveyRollback(host, record, target, current);
  const position = planPosition(current.value as never, current.context);
  // the status alone may differ: back from `complete` to `queued` at the same step there is nothing to do again
  const samePlace = position.phase === target.phase && position.status !== 'failed' && current.context.lastCompletedStep === restored.context.lastCompletedStep;
  const revertsNothing = samePlace && preview.changes.length === 0 && statuses.discarded.length === 0 && children.length === 0;
  return current.context.reversionCount + (revertsNothing ? 0 : 1);
}

// the plan's changeset as of its restored sandbox head
async function changesetAt(host: CheckpointHost, planId: string, context: PlanContext): Promise<Changeset | null> {
  const sandbox = context.sandbox;
  if (!sandbox || !context.changesetId) return null;
  const files = sandbox.headCommit === sandbox.baseCommit ? [] : await host.services.sandboxes.diff(sandbox, sandbox.baseCommit, sandbox.headCommit);
  return { id: context.changesetId, planId, baseCommit: sandbox.baseCommit, headCommit: sandbox.headCommit, files };
}

// a child plan a rollback goes back past: it stops, its worktree goes, it ends invalidated
async function invalidate(host: CheckpointHost, child: PlanRecord, reason: string): Promise<void> {
  const { store, services, machine, now } = host;
  await host.stop(child.id);
  host.memory.forget(child.id);
  const current = await storedState(host, child.id);
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
  host.publish(events, record);
}
