import {
  MAX_CHECKPOINT_LABEL,
  NotFoundError,
  ValidationError,
  isUlid,
  type Checkpoint,
  type CheckpointStep,
  type CheckpointTrigger,
  type Decision,
  type FileChange,
  type PlanRecord,
  type RevertedChange,
} from '../../domain/index.js';
import { PLAN_MACHINE_VERSION, startedChildren, type PlanContext, type RestorePoint } from '../../../machines/index.js';
import type { ProvidedPlanMachine } from '../plans/index.js';

// Checkpoints as records (SPEC §10): how one is made from a plan's context,
// which one a `--to` names, what a rollback to it reverts, what prune keeps.

/** What a checkpoint is made from: the context to restore (already cleared of work in flight) and where it restores to. */
export interface CheckpointSource {
  id: string;
  planId: string;
  label: string | null;
  trigger: CheckpointTrigger;
  createdAt: string;
  point: RestorePoint;
  context: PlanContext;
  stepIds: readonly string[];
  /** The title of the plan's step `index` (0-based), where the runtime knows it. */
  stepTitle(index: number): string | undefined;
}

/**
 * A checkpoint record. Its snapshot is the machine resolved at the restore
 * point with the context, persisted as XState persists any snapshot — so
 * it is validated and migrated like a plan's own snapshot when restored.
 * Decision ids are ULIDs made in creation order, so the checkpoint's own
 * id is its decision cursor: every decision made later sorts after it.
 */
export function checkpointOf(machine: ProvidedPlanMachine, source: CheckpointSource): Checkpoint {
  const { context, point } = source;
  const resolved = machine.resolveState({ value: { [point.phase]: point.status }, context });
  return {
    id: source.id,
    planId: source.planId,
    label: source.label,
    trigger: source.trigger,
    createdAt: source.createdAt,
    phase: point.phase,
    status: point.status,
    sandboxCommit: context.sandbox?.headCommit ?? null,
    decisionCursor: source.id,
    childPlanIds: startedChildren(context),
    stepIds: [...source.stepIds],
    sideEffects: context.sideEffects,
    toolCalls: context.toolCalls,
    clean: context.clean,
    ...stepOf(source),
    snapshot: { machineVersion: PLAN_MACHINE_VERSION, snapshot: machine.getPersistedSnapshot(resolved) },
  };
}

// the step a checkpoint in execute follows: the last one done, counted from 1 as `plan status` counts
// (the machine keeps the index; its title lives with the step list, outside the machine's context)
function stepOf(source: CheckpointSource): { step?: CheckpointStep } {
  const last = source.context.lastCompletedStep;
  if (source.point.phase !== 'execute' || last === null) return {};
  return { step: { number: last + 1, title: source.stepTitle(last) ?? '' } };
}

/** A label as `checkpoint create --label` and `system/create-checkpoint` take it; VALIDATION_ERROR naming the field. */
export function checkLabel(label: unknown, field = 'label'): string {
  const problem =
    typeof label !== 'string' || label.trim() === ''
      ? 'must be a non-empty text'
      : label.length > MAX_CHECKPOINT_LABEL
        ? `must be at most ${MAX_CHECKPOINT_LABEL} characters`
        : /[\u0000-\u001f\u007f]/.test(label)
          ? 'must not contain control characters'
          : isUlid(label.toUpperCase())
            ? 'must not look like a checkpoint id (--to takes either)'
            : positionRef(label.trim())
              ? 'must not be last-clean or step:<n>: --to takes those as places, not labels'
              : null;
  if (problem) throw new ValidationError([{ path: field, message: problem }], { hint: 'e.g. --label before-refactor' });
  return (label as string).trim();
}

/**
 * Whether `--to` names a place rather than a checkpoint: `last-clean`, or
 * `step:<n>` (any text after `step:`, so a bad number is refused as such).
 */
export function positionRef(ref: string): boolean {
  return ref === LAST_CLEAN || ref.startsWith('step:');
}

/** `--to last-clean`: the newest clean checkpoint before the plan's current state. */
export const LAST_CLEAN = 'last-clean';

/**
 * The checkpoint `--to step:N` names: the newest `step` checkpoint taken
 * just after step N (a step run again after a rollback has a newer one).
 * VALIDATION_ERROR naming the step and the range for a step the plan does
 * not have, or one no checkpoint follows (it wrote nothing, or its
 * checkpoint was pruned).
 */
export function stepCheckpoint(
  checkpoints: readonly Checkpoint[],
  ref: string,
  plan: Pick<PlanRecord, 'name' | 'strategyDecisionIds'>,
): Checkpoint {
  const steps = plan.strategyDecisionIds.length;
  const number = /^step:(\d+)$/.exec(ref) ? Number(ref.slice('step:'.length)) : Number.NaN;
  const taken = checkpoints.filter((checkpoint) => checkpoint.trigger === 'step' && checkpoint.step !== undefined);
  const numbers = [...new Set(taken.map((checkpoint) => checkpoint.step!.number))].sort((a, b) => a - b);
  const hint = `troupe checkpoint list ${plan.name} shows them in its STEP column`;
  const held = numbers.length === 0 ? 'no step has a checkpoint yet' : `steps with a checkpoint: ${numbers.join(', ')}`;
  if (!Number.isSafeInteger(number) || number < 1 || number > steps) {
    const range = steps === 0 ? `${plan.name} has no steps yet` : `${plan.name} has steps 1 to ${steps}`;
    throw new ValidationError([{ path: '--to', message: `${ref} is not a step of the plan: ${range}; ${held}` }], {
      hint,
    });
  }
  const found = [...taken].reverse().find((checkpoint) => checkpoint.step!.number === number);
  if (!found)
    throw new ValidationError(
      [
        {
          path: '--to',
          message: `no checkpoint follows step ${number} of ${plan.name} (a step that wrote nothing takes none); ${held}`,
        },
      ],
      { hint },
    );
  return found;
}

/** The checkpoint `ref` names among a plan's (oldest first): its id, or the newest with that label. NOT_FOUND otherwise. */
export function findCheckpoint(
  checkpoints: readonly Checkpoint[],
  ref: string,
  plan: Pick<PlanRecord, 'name'>,
): Checkpoint {
  const byId = checkpoints.find((checkpoint) => checkpoint.id === ref.toUpperCase());
  const found = byId ?? [...checkpoints].reverse().find((checkpoint) => checkpoint.label === ref);
  if (!found)
    throw new NotFoundError(
      'checkpoint',
      ref,
      `troupe checkpoint list ${plan.name} shows its checkpoints (a checkpoint of another plan is not one of them)`,
    );
  return found;
}

// checkpoints that are undo points of a rollback or a correction, not places to go back to by default
const UNDO_TRIGGERS: readonly CheckpointTrigger[] = ['pre-rollback', 'pre-correction'];

/**
 * The default target of a rollback (SPEC §10): the newest checkpoint taken
 * before the plan's current state — not an undo point, and not one that
 * holds the state the plan is in now (same position, same sandbox commit:
 * going there would change nothing, e.g. the phase checkpoint written with
 * it), nor one an active rollback went back past. With `clean`, the newest
 * clean one (a correction's revert); with `notFailed` too, not one that
 * restores a failed phase (`--to last-clean`). Null when there is none. Decided by
 * state and history, not by time: a checkpoint and the transition it was
 * written with share a millisecond.
 */
export function defaultTarget(
  checkpoints: readonly Checkpoint[],
  now: { phase: string; status: string; sandboxCommit: string | null },
  decisions: readonly Decision[],
  options: { clean?: boolean; notFailed?: boolean } = {},
): Checkpoint | null {
  const undone = undoneStretches(decisions);
  for (let index = checkpoints.length - 1; index >= 0; index -= 1) {
    const checkpoint = checkpoints[index]!;
    if (UNDO_TRIGGERS.includes(checkpoint.trigger)) continue;
    if (undone.some(([from, to]) => checkpoint.id > from && checkpoint.id <= to)) continue;
    if (
      checkpoint.phase === now.phase &&
      checkpoint.status === now.status &&
      checkpoint.sandboxCommit === now.sandboxCommit
    )
      continue;
    if (options.clean && !checkpoint.clean) continue;
    if (options.notFailed && checkpoint.status === 'failed') continue;
    return checkpoint;
  }
  return null;
}

// the checkpoints an active rollback went back past (after its target, up to
// its undo point): a future the plan left, not a state before the current one
function undoneStretches(decisions: readonly Decision[]): [string, string][] {
  const stretches: [string, string][] = [];
  for (const decision of decisions) {
    if (decision.status !== 'active' || (decision.type !== 'rollback' && decision.type !== 'correction')) continue;
    const { checkpointId, undoCheckpointId } = decision.payload;
    if (typeof checkpointId === 'string' && typeof undoCheckpointId === 'string')
      stretches.push([checkpointId, undoCheckpointId]);
  }
  return stretches;
}

/** How each file changed since the checkpoint is put back: what the sandbox gained is deleted, what it lost recreated. */
export function revertedChanges(
  sinceCheckpoint: readonly Pick<FileChange, 'path' | 'action'>[],
  uncommitted: readonly string[],
): RevertedChange[] {
  const changes = new Map<string, RevertedChange['action']>();
  for (const change of sinceCheckpoint) {
    changes.set(
      change.path,
      change.action === 'added' ? 'deleted' : change.action === 'deleted' ? 'recreated' : 'restored',
    );
  }
  // work a step left uncommitted goes too; a file it made is not known from a path alone
  for (const path of uncommitted) if (!changes.has(path)) changes.set(path, 'restored');
  return [...changes]
    .map(([file, action]) => ({ file, action }))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** What a rollback decision records about decision statuses: the ones it discarded, and the ones it made active again. */
export interface StatusChanges {
  discarded: string[];
  restored: string[];
}

/**
 * The status every decision should have after going back to `cursor`:
 * later ones are discarded; earlier ones have the status they had then,
 * found by replaying the status changes that the rollbacks and corrections
 * before the cursor recorded. So undoing a rollback (going back to its
 * undo checkpoint) makes what it discarded active again.
 */
export function statusChangesTo(decisions: readonly Decision[], cursor: string | null): StatusChanges {
  const then = new Map<string, Decision['status']>();
  const sorted = [...decisions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const decision of sorted) {
    if (cursor === null || decision.id > cursor) continue;
    then.set(decision.id, 'active');
    const changes = recordedChanges(decision);
    for (const id of changes?.discarded ?? []) if (then.has(id)) then.set(id, 'discarded');
    for (const id of changes?.restored ?? []) if (then.has(id)) then.set(id, 'active');
  }
  const discarded: string[] = [];
  const restored: string[] = [];
  for (const decision of sorted) {
    const wanted = then.get(decision.id) ?? 'discarded';
    if (wanted === decision.status) continue;
    (wanted === 'discarded' ? discarded : restored).push(decision.id);
  }
  return { discarded, restored };
}

function recordedChanges(decision: Decision): Partial<StatusChanges> | null {
  if (decision.type !== 'rollback' && decision.type !== 'correction') return null;
  const statuses = decision.payload.statuses as Partial<StatusChanges> | undefined;
  return statuses && typeof statuses === 'object' ? statuses : null;
}

/**
 * The checkpoints `prune --keep N` deletes: all but the newest N, except
 * the newest of all, the undo checkpoint of every active rollback or
 * correction, and — for every child plan still going — the newest
 * checkpoint taken before it started (the one that undoes it).
 */
export function prunable(
  checkpoints: readonly Checkpoint[],
  keep: number,
  context: { decisions: readonly Decision[]; liveChildren: readonly string[] },
): Checkpoint[] {
  const kept = new Set(checkpoints.slice(Math.max(0, checkpoints.length - keep)).map((checkpoint) => checkpoint.id));
  const newest = checkpoints.at(-1);
  if (newest) kept.add(newest.id);
  for (const decision of context.decisions) {
    if (decision.status !== 'active' || (decision.type !== 'rollback' && decision.type !== 'correction')) continue;
    const undo = decision.payload.undoCheckpointId;
    if (typeof undo === 'string') kept.add(undo);
  }
  for (const childId of context.liveChildren) {
    const before = [...checkpoints].reverse().find((checkpoint) => !checkpoint.childPlanIds.includes(childId));
    if (before) kept.add(before.id);
  }
  return checkpoints.filter((checkpoint) => !kept.has(checkpoint.id));
}
