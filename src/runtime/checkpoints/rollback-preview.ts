// What going back to a checkpoint touches (SPEC §10), changing nothing: the checkpoint a rollback
// goes to, and the files, decisions and child plans it would put back — the preview users see
// and what the rollback itself then acts on.
import { NotFoundError, PhaseGuardError, checkpointSummary, isTerminalStatus, type Checkpoint, type Decision, type PlanRecord, type RevertedChange } from '../../domain/index.js';
import { planPosition, type PlanContext } from '../../../machines/index.js';
import type { RollbackPreview } from './checkpoint-api.js';
import { defaultTarget, findCheckpoint, revertedChanges, statusChangesTo, type StatusChanges } from './checkpoint-records.js';
import { storedState, type CheckpointHost, type PlanState } from './checkpoint-host.js';

/** What a rollback to a checkpoint touches: the preview, and the plan's decisions and child plans it acts on. */
export interface RollbackSurvey {
  preview: RollbackPreview;
  decisions: Decision[];
  statuses: StatusChanges;
  /** The child plans it invalidates. */
  children: PlanRecord[];
}

/**
 * The checkpoint a rollback goes to: `to` (an id or label), or the newest
 * before the plan's current state (the newest clean one with `clean`, for a
 * correction's revert). `PHASE_GUARD` for a plan that ended.
 */
export async function rollbackTarget(host: CheckpointHost, record: PlanRecord, to: string | undefined, options: { clean?: boolean }): Promise<Checkpoint> {
  if (isTerminalStatus(record.status)) {
    throw new PhaseGuardError(
      record.name,
      'roll back',
      `the plan is ${record.status} (nothing leaves a terminal status)`,
      record.status === 'done' ? 'its changes are in the project: git revert the commit apply made' : 'create the plan again under a new name to start over',
    );
  }
  await host.persistence.settled(record.id);
  const checkpoints = await host.store.listCheckpoints(record.id);
  if (to !== undefined) return findCheckpoint(checkpoints, to, record);
  const current = await storedState(host, record.id);
  const position = planPosition(current.value as never, current.context);
  const decisions = await host.store.listDecisions(record.id);
  const found = defaultTarget(checkpoints, { ...position, sandboxCommit: current.context.sandbox?.headCommit ?? null }, decisions, options);
  if (!found) {
    throw new NotFoundError(options.clean ? 'clean checkpoint' : 'checkpoint', `before the current state of ${record.name}`, `troupe checkpoint list ${record.name} shows its checkpoints; pass one with --to`);
  }
  return found;
}

/** What going back from `current` to `target` touches. */
export async function surveyRollback(host: CheckpointHost, record: PlanRecord, target: Checkpoint, current: PlanState): Promise<RollbackSurvey> {
  const { store, services } = host;
  const [decisions, plans] = await Promise.all([store.listDecisions(record.id), store.listPlans()]);
  const statuses = statusChangesTo(decisions, target.decisionCursor);
  const discarding = new Set(statuses.discarded);
  const children = invalidatedBy(plans, record.id, target);
  const preview: RollbackPreview = {
    planId: record.id,
    checkpoint: checkpointSummary(target),
    restores: { phase: target.phase, status: target.status },
    changes: await changesSince(target, current.context, services),
    decisionsToDiscard: decisions.filter((decision) => discarding.has(decision.id)).map(({ id, type, title }) => ({ id, type, title })),
    decisionsToRestore: statuses.restored.length,
    childPlansToInvalidate: children.map(({ id, name, status }) => ({ id, name, status })),
    reversionCount: current.context.reversionCount,
  };
  return { preview, decisions, statuses, children };
}

// the sandbox's files that go back: committed since the checkpoint, and not committed yet
async function changesSince(target: Checkpoint, context: PlanContext, services: CheckpointHost['services']): Promise<RevertedChange[]> {
  const sandbox = context.sandbox;
  if (!sandbox || !target.sandboxCommit) return [];
  const committed = target.sandboxCommit === sandbox.headCommit ? [] : await services.sandboxes.diff(sandbox, target.sandboxCommit, sandbox.headCommit);
  return revertedChanges(committed, await services.sandboxes.pendingPaths(sandbox));
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
