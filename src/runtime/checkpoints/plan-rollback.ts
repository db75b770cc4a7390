// Rolling a plan back to a checkpoint (SPEC §10): the sandbox, the decisions, the child plans and
// the machine state go back together in one batch, after an undo checkpoint of where it stood.
import {
  TroupeError,
  newId,
  restoresTo,
  type Changeset,
  type Checkpoint,
  type CheckpointTrigger,
  type Decision,
  type JournalEvent,
  type PlanRecord,
  type PlanSpec,
  type SandboxInfo,
} from '../../domain/index.js';
import {
  PLAN_MACHINE_VERSION,
  planIdentityOf,
  planPosition,
  planRecordOf,
  type PlanContext,
} from '../../../machines/index.js';
import { restorablePlanSnapshot } from '../persistence/index.js';
import type { RollbackResult } from './checkpoint-api.js';
import {
  captureCheckpoint,
  createdEntry,
  storedState,
  type CheckpointHost,
  type PlanState,
} from './checkpoint-host.js';
import { endChild } from './ended-children.js';
import { surveyRollback, surveySandbox, type RollbackSurvey } from './rollback-preview.js';
import type { PendingState } from '../../sandbox/index.js';

/** How a rollback is recorded: as a plain rollback, or as a correction's revert. */
export interface RevertKind {
  undoTrigger: Extract<CheckpointTrigger, 'pre-rollback' | 'pre-correction'>;
  decision: 'rollback' | 'correction';
  reason?: string;
}

/**
 * Roll the plan back to `target` (`pending`: its sandbox's worktree as the
 * caller started asking git, for the record's sandbox): its actor stops, child plans started since
 * are invalidated, the sandbox is reset (its commits kept for the undo), and
 * the restored state, the rewritten decisions, an undo checkpoint and the
 * `rollback` (or `correction`) decision are written at once; then the actor
 * starts again from there. `REVERSION_LIMIT` past the plan's maxReversions.
 */
export async function rollBack(
  host: CheckpointHost,
  record: PlanRecord,
  spec: PlanSpec,
  target: Checkpoint,
  kind: RevertKind,
  pending?: Promise<PendingState>,
): Promise<RollbackResult> {
  const { store, services, now } = host;
  // git is asked about the sandbox the record names while the store is read (the usual case: it is the one stored);
  // `pending`: the caller's look at its worktree, started already
  const early = surveySandbox(target, record.sandbox, services, pending);
  early.catch(() => {});
  const before = await storedState(host, record.id);
  const surveyed = await surveyRollback(
    host,
    record,
    target,
    before,
    sameSandbox(record.sandbox, before.context.sandbox) ? early : undefined,
  );
  const reversions = reversionsAfter(record, target, before, surveyed);
  if (reversions > before.context.reversionCount && reversions > spec.maxReversions) {
    throw new TroupeError(
      'REVERSION_LIMIT',
      `${record.name} was already reverted ${before.context.reversionCount} time(s); its plan file allows ${spec.maxReversions}`,
      {
        details: {
          planId: record.id,
          reversionCount: before.context.reversionCount,
          maxReversions: spec.maxReversions,
        },
        hint: 'raise maxReversions in the plan file for new plans, or cancel this one and start over',
      },
    );
  }
  // from here on the plan changes: its actor stops, so nothing runs while its world goes back
  await host.stop(record.id);
  // what the batch below needs of the store, read at once (the plan writes nothing while stopped)
  const [current, stored, lastLogSeq, lastSeq, conflicts] = await Promise.all([
    storedState(host, record.id),
    store.getPlan(record.id),
    store.lastLogSeq(record.id),
    store.lastEventSeq(record.id),
    store.listConflicts(record.id),
  ]);
  // a plan at rest is as surveyed; one that was running may have moved on before it stopped (its actor's last writes)
  const atRest =
    planPosition(before.value as never, before.context).status !== 'processing' && sameState(before, current);
  const { preview, decisions, statuses, children, seen } = atRest
    ? surveyed
    : await surveyRollback(host, record, target, current);
  const invalidated: string[] = [];
  for (const child of children) {
    await endChild(host, child, {
      as: 'invalidated',
      reason: `its parent ${record.name} was rolled back to checkpoint ${target.label ?? target.id}`,
    });
    invalidated.push(child.id);
  }
  // the undo checkpoint first: its id sorts before the rollback's decision, so
  // undoing discards that too; the step list as stored (the plan may have had no live actor)
  const captured = captureCheckpoint(
    host,
    record.id,
    current,
    kind.undoTrigger,
    null,
    stored?.strategyDecisionIds ?? record.strategyDecisionIds,
  );
  // logs are kept through a rollback, marked by its decision as the work they belong to is discarded (SPEC §18);
  // the undo checkpoint holds them all, so undoing the rollback (which discards its decision) unmarks them
  const undo = { checkpoint: { ...captured, logCursor: lastLogSeq }, entry: createdEntry(captured) };
  const keptLogs = Math.min(target.logCursor ?? 0, lastLogSeq);
  const restored = restorablePlanSnapshot(record.id, target.snapshot) as PlanState;
  const context: PlanContext = { ...restored.context, reversionCount: reversions, lastCheckpointId: target.id };
  const snapshot = { ...restored, context };
  // the sandbox goes back while the changeset it will hold is listed (from commits: the worktree does not matter)
  const [, changeset] = await Promise.all([
    resetSandbox(host, record, current.context.sandbox, target, seen),
    changesetAt(host, record.id, context),
  ]);
  const at = now();
  const decision: Decision = {
    id: newId(),
    planId: record.id,
    parentId: context.decisionRootId,
    type: kind.decision,
    title: `${kind.decision === 'rollback' ? 'rolled back' : 'reverted'} to ${checkpointName(target)}`,
    rationale:
      kind.reason ??
      (kind.decision === 'rollback' ? 'rollback asked for by the user' : 'correction asked for by the user'),
    payload: {
      ...(kind.decision === 'correction' ? { mode: 'revert' } : {}),
      checkpointId: target.id,
      ...(target.step ? { step: target.step } : {}),
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
  const changed = new Map([
    ...statuses.discarded.map((id) => [id, 'discarded'] as const),
    ...statuses.restored.map((id) => [id, 'active'] as const),
  ]);
  const rewritten = decisions
    .filter((candidate) => changed.has(candidate.id))
    .map((candidate) => ({ ...candidate, status: changed.get(candidate.id)! }));
  const identity = planIdentityOf(record);
  const after = planRecordOf(identity, snapshot as never, at, target.stepIds);
  // what its model calls cost stays spent
  if (record.models) after.models = record.models;
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
  const events: JournalEvent[] = entries.map((entry, offset) => ({
    seq: lastSeq + offset + 1,
    ts: at,
    planId: record.id,
    ...entry,
  }));
  const open = conflicts.map((conflict) => conflict.file);
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
    checkpoint: {
      id: target.id,
      label: target.label,
      createdAt: target.createdAt,
      trigger: target.trigger,
      ...(target.step ? { step: target.step } : {}),
    },
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
 * The plan's reversion count once it is back at `target` (docs/reference/checkpoints.md,
 * "What counts as a reversion"): going back to an undo point undoes a
 * rollback or a correction, so the count is what it was there; a rollback
 * or revert that reverts nothing — no file, decision or child plan to put
 * back, and no step or phase to do again — is not one, so it uses up no
 * retry (the checkpoint a revert finds is often the one just after the last
 * step, `execute · queued` where the plan is `execute · complete`); any
 * other adds one. Leaving `failed` always counts: that is the retry the
 * limit bounds.
 */
function reversionsAfter(record: PlanRecord, target: Checkpoint, current: PlanState, survey: RollbackSurvey): number {
  const restored = restorablePlanSnapshot(record.id, target.snapshot) as { context: PlanContext };
  if (target.trigger === 'pre-rollback' || target.trigger === 'pre-correction') return restored.context.reversionCount;
  const { preview, statuses, children } = survey;
  const position = planPosition(current.value as never, current.context);
  // the status alone may differ: back from `complete` to `queued` at the same step there is nothing to do again
  const samePlace =
    position.phase === target.phase &&
    position.status !== 'failed' &&
    current.context.lastCompletedStep === restored.context.lastCompletedStep;
  const revertsNothing =
    samePlace && preview.changes.length === 0 && statuses.discarded.length === 0 && children.length === 0;
  return current.context.reversionCount + (revertsNothing ? 0 : 1);
}

// the checkpoint as a decision names it: its id (what --to takes), its label, why it was taken and where it puts the plan
function checkpointName(target: Checkpoint): string {
  return `checkpoint ${target.id}${target.label === null ? '' : ` "${target.label}"`} (${target.trigger}, ${restoresTo(target)})`;
}

function sameSandbox(a: SandboxInfo | null, b: SandboxInfo | null): boolean {
  return (
    a === b ||
    (a !== null &&
      b !== null &&
      a.worktree === b.worktree &&
      a.branch === b.branch &&
      a.headCommit === b.headCommit &&
      a.baseCommit === b.baseCommit &&
      a.repo === b.repo)
  );
}

// whether the stored state is still what was read before the actor stopped (nothing written in between)
function sameState(before: PlanState, after: PlanState): boolean {
  return JSON.stringify(before) === JSON.stringify(after);
}

// the sandbox back at the checkpoint's commit, its commits since kept for the undo point
async function resetSandbox(
  host: CheckpointHost,
  record: PlanRecord,
  sandbox: SandboxInfo | null,
  target: Checkpoint,
  seen: RollbackSurvey['seen'],
): Promise<void> {
  const { services } = host;
  if (!sandbox || !target.sandboxCommit) return;
  const reaped = (await services.processes(record.id)?.reap()) ?? 0;
  // a head a crash took (docs/reference/errors.md#REPOSITORY_DAMAGED) is neither reopened nor kept for the undo point:
  // git has nothing there; the reset below makes the worktree again at the checkpoint if it must
  const headReadable = await services.sandboxes.readsHead(sandbox);
  // a worktree that went missing is made again on its branch before it is moved
  if (headReadable) await services.sandboxes.reopen({ id: record.id, name: record.name }, sandbox);
  // the branch moves back: the commits it leaves stay reachable for the undo point, whatever git's gc does
  // (kept beside the reset: git prunes nothing that recent); the worktree's status as surveyed, unless
  // commands were stopped since or the worktree was missing (then the reset asks git)
  const known = reaped === 0 && seen !== null ? { seen } : {};
  await Promise.all([
    services.sandboxes.keep(record.id, headReadable ? [sandbox.headCommit] : [], sandbox.repo),
    services.sandboxes.reset(sandbox, target.sandboxCommit, known),
  ]);
  services.cleanSandboxes.set(record.id, target.sandboxCommit);
}

// the plan's changeset as of its restored sandbox head: kept under one id and rewritten by each step, it must say what the sandbox holds again
async function changesetAt(host: CheckpointHost, planId: string, context: PlanContext): Promise<Changeset | null> {
  const sandbox = context.sandbox;
  if (!sandbox || !context.changesetId) return null;
  const files =
    sandbox.headCommit === sandbox.baseCommit
      ? []
      : await host.services.sandboxes.diff(sandbox, sandbox.baseCommit, sandbox.headCommit);
  return { id: context.changesetId, planId, baseCommit: sandbox.baseCommit, headCommit: sandbox.headCommit, files };
}
