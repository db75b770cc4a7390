// What going back to a checkpoint touches (SPEC §10), changing nothing: the checkpoint a rollback
// goes to, and the files, decisions and child plans it would put back — the preview users see
// and what the rollback itself then acts on.
import {
  NotFoundError,
  PhaseGuardError,
  checkpointSummary,
  isTerminalStatus,
  type Checkpoint,
  type Decision,
  type PlanRecord,
  type RevertedChange,
  type SandboxInfo,
} from '../../domain/index.js';
import { planPosition } from '../../../machines/index.js';
import type { RollbackPreview } from './checkpoint-api.js';
import {
  LAST_CLEAN,
  defaultTarget,
  findCheckpoint,
  revertedChanges,
  statusChangesTo,
  stepCheckpoint,
  type StatusChanges,
} from './checkpoint-records.js';
import { storedState, type CheckpointHost, type PlanState } from './checkpoint-host.js';
import type { PendingState } from '../../sandbox/index.js';

/** What a rollback to a checkpoint touches: the preview, and the plan's decisions and child plans it acts on. */
export interface RollbackSurvey {
  preview: RollbackPreview;
  decisions: Decision[];
  statuses: StatusChanges;
  /** The child plans it invalidates. */
  children: PlanRecord[];
  /** The sandbox's worktree as git gave its status while surveying (null without one): a reset right after needs not ask again. */
  seen: PendingState['status'];
}

/**
 * The checkpoint a rollback goes to: `to` — an id or label, `step:N` (the
 * checkpoint just after step N) or `last-clean` (the newest clean one
 * before the current state that does not restore a failed phase) — or the
 * newest before the plan's current state (the newest clean one with
 * `clean`, for a correction's revert). `PHASE_GUARD` for a plan that ended.
 */
export async function rollbackTarget(
  host: CheckpointHost,
  record: PlanRecord,
  to: string | undefined,
  options: { clean?: boolean },
): Promise<Checkpoint> {
  if (isTerminalStatus(record.status)) {
    throw new PhaseGuardError(
      record.name,
      'roll back',
      `the plan is ${record.status} (nothing leaves a terminal status)`,
      record.status === 'done'
        ? 'its changes are in the project: git revert the commit apply made'
        : 'create the plan again under a new name to start over',
    );
  }
  await host.persistence.settled(record.id);
  const checkpoints = await host.store.listCheckpoints(record.id);
  if (to !== undefined && to.startsWith('step:')) return stepCheckpoint(checkpoints, to, record);
  if (to !== undefined && to !== LAST_CLEAN) return findCheckpoint(checkpoints, to, record);
  const current = await storedState(host, record.id);
  const position = planPosition(current.value as never, current.context);
  const decisions = await host.store.listDecisions(record.id);
  // last-clean: as a correction's revert finds it, and never a failed phase to go back to
  const wanted = to === LAST_CLEAN ? { clean: true, notFailed: true } : options;
  const found = defaultTarget(
    checkpoints,
    { ...position, sandboxCommit: current.context.sandbox?.headCommit ?? null },
    decisions,
    wanted,
  );
  if (!found) {
    throw new NotFoundError(
      wanted.clean ? 'clean checkpoint' : 'checkpoint',
      `before the current state of ${record.name}`,
      `troupe checkpoint list ${record.name} shows its checkpoints; pass one with --to`,
    );
  }
  return found;
}

/** What going back to a checkpoint does to a sandbox: the files that go back, and its worktree's status as git gave it. */
export interface SandboxSurvey {
  changes: RevertedChange[];
  seen: PendingState['status'];
}

/**
 * What going back from `current` to `target` touches. `sandbox`: the
 * sandbox's part, when the caller started it already (for `current`'s
 * sandbox; a rollback asks git while it reads the store).
 */
export async function surveyRollback(
  host: CheckpointHost,
  record: PlanRecord,
  target: Checkpoint,
  current: PlanState,
  sandbox?: Promise<SandboxSurvey>,
): Promise<RollbackSurvey> {
  const { store, services } = host;
  // the store's reads and git's side by side
  const [decisions, plans, { changes, seen }] = await Promise.all([
    store.listDecisions(record.id),
    store.listPlans(),
    sandbox ?? surveySandbox(target, current.context.sandbox, services),
  ]);
  const statuses = statusChangesTo(decisions, target.decisionCursor);
  const discarding = new Set(statuses.discarded);
  const children = invalidatedBy(plans, record.id, target);
  const preview: RollbackPreview = {
    planId: record.id,
    checkpoint: checkpointSummary(target),
    restores: { phase: target.phase, status: target.status },
    changes,
    decisionsToDiscard: decisions
      .filter((decision) => discarding.has(decision.id))
      .map(({ id, type, title }) => ({ id, type, title })),
    decisionsToRestore: statuses.restored.length,
    childPlansToInvalidate: children.map(({ id, name, status }) => ({ id, name, status })),
    reversionCount: current.context.reversionCount,
  };
  return { preview, decisions, statuses, children, seen };
}

/**
 * The sandbox's files that go back to `target` — committed since the
 * checkpoint, and not committed yet (both asked of git at once) — and its
 * worktree's status (`pending`: as the caller already asked for it).
 */
export async function surveySandbox(
  target: Checkpoint,
  sandbox: SandboxInfo | null,
  services: CheckpointHost['services'],
  pending?: Promise<PendingState>,
): Promise<SandboxSurvey> {
  if (!sandbox || !target.sandboxCommit) return { changes: [], seen: null };
  // a head a crash took (docs/reference/errors.md#REPOSITORY_DAMAGED): what it held cannot be listed, and the rollback is what repairs it
  if (!(await services.sandboxes.readsHead(sandbox))) return { changes: [], seen: null };
  const [committed, worktree] = await Promise.all([
    target.sandboxCommit === sandbox.headCommit
      ? []
      : services.sandboxes.changedPaths(sandbox, target.sandboxCommit, sandbox.headCommit),
    pending ?? services.sandboxes.pendingState(sandbox),
  ]);
  const [pendingPaths, seen] = [worktree.paths, worktree.status];
  return { changes: revertedChanges(committed, pendingPaths), seen };
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
