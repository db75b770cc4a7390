import { z } from 'zod';
import { PHASES, type Phase } from './phases.js';

/**
 * Why a checkpoint was taken (SPEC §10).
 *
 * @example
 * const checkpoints = await runtime.checkpoints('demo/x');
 * const counts = CHECKPOINT_TRIGGERS.map((trigger) => [trigger, checkpoints.filter((c) => c.trigger === trigger).length]);
 */
export const CHECKPOINT_TRIGGERS = [
  'phase',
  'pre-execute',
  'post-execute',
  'step',
  'pre-merge',
  'post-merge',
  'pre-correction',
  'pre-rollback',
  'manual',
] as const;
/**
 * Why a checkpoint was taken: one of {@link CHECKPOINT_TRIGGERS}.
 *
 * @example
 * const trigger: CheckpointTrigger = 'manual';
 * const labelled = (await runtime.checkpoints('demo/x')).filter((c) => c.trigger === trigger);
 */
export type CheckpointTrigger = (typeof CHECKPOINT_TRIGGERS)[number];

/**
 * Where a plan stands when it is rolled back to a checkpoint: a state at
 * rest, with no actor running (DESIGN §3). A checkpoint taken while a phase
 * ran restores to that phase `queued`; one taken at rest restores to it.
 */
export const RESTORE_STATUSES = ['queued', 'complete', 'failed'] as const;
export type RestoreStatus = (typeof RESTORE_STATUSES)[number];

/**
 * The step a checkpoint follows: its number (from 1, as `plan status`
 * counts) and title.
 *
 * @example
 * const step: CheckpointStep = { number: 2, title: 'Write the header' };
 */
export interface CheckpointStep {
  number: number;
  title: string;
}

/** The longest label a checkpoint may have. */
export const MAX_CHECKPOINT_LABEL = 120;

/**
 * A checkpoint (SPEC §10): the plan's machine snapshot at one moment with
 * what it takes to bring the rest of its world back to that moment — the
 * sandbox commit, the last decision then, the child plans that existed.
 * Its size is that of the plan's context, never of its history.
 *
 * @example
 * const checkpoint: Checkpoint | null = await store.getCheckpoint(planId, checkpointId);
 * if (checkpoint?.clean) console.log(checkpoint.phase, checkpoint.status, checkpoint.sandboxCommit);
 */
export interface Checkpoint {
  id: string;
  planId: string;
  /** A name given by `checkpoint create --label` or `system/create-checkpoint`; null for automatic ones. */
  label: string | null;
  trigger: CheckpointTrigger;
  createdAt: string;
  /** The `(phase, status)` the plan is restored to. */
  phase: Phase;
  status: RestoreStatus;
  /** The sandbox commit then (null before the sandbox existed). */
  sandboxCommit: string | null;
  /** The newest decision then: later ones are discarded by a rollback. */
  decisionCursor: string | null;
  /** The child plans that existed then: later ones are invalidated by a rollback. */
  childPlanIds: string[];
  /** The plan's decided steps then (`strategyDecisionIds`): a correction may have appended some since. */
  stepIds: string[];
  /** Successful tool calls that wrote to the sandbox, up to then. */
  sideEffects: number;
  toolCalls: number;
  /** The last reconciliation before it passed (or none had failed). */
  clean: boolean;
  /**
   * The last step done when it was taken, for one that restores to execute:
   * every `step` checkpoint has it (the step it follows). Absent before the
   * first step, elsewhere, and in checkpoints stored before troupe kept it.
   */
  step?: CheckpointStep;
  /**
   * The plan's command logs then: the highest log seq written by the
   * checkpoint's batch or before it. A rollback to it marks later logs as
   * discarded (absent: before logs were kept, so every log is later).
   */
  logCursor?: number;
  /** The persisted machine snapshot to restore, with the version of the machine that wrote it. */
  snapshot: { machineVersion: number; snapshot: unknown };
}

/** The stored shape of a checkpoint, checked when it is read back. */
export const checkpointSchema = z.object({
  id: z.string(),
  planId: z.string(),
  label: z.string().nullable(),
  trigger: z.enum(CHECKPOINT_TRIGGERS),
  createdAt: z.string(),
  phase: z.enum(PHASES),
  status: z.enum(RESTORE_STATUSES),
  sandboxCommit: z.string().nullable(),
  decisionCursor: z.string().nullable(),
  childPlanIds: z.array(z.string()),
  stepIds: z.array(z.string()),
  sideEffects: z.number().int().nonnegative(),
  toolCalls: z.number().int().nonnegative(),
  clean: z.boolean(),
  // optional: checkpoints stored before it was kept read as they are
  step: z.object({ number: z.number().int().positive(), title: z.string() }).optional(),
  logCursor: z.number().int().nonnegative().optional(),
  snapshot: z.object({
    machineVersion: z.number().int().nonnegative(),
    snapshot: z.custom<unknown>((value) => value !== undefined, { message: 'is required' }),
  }),
});

/**
 * A checkpoint without its snapshot, as lists show it (`checkpoint list --json`).
 *
 * @example
 * const summary: CheckpointSummary = await runtime.createCheckpoint('demo/x', { label: 'before-refactor' });
 * await runtime.rollback('demo/x', { to: summary.id });
 */
export type CheckpointSummary = Omit<Checkpoint, 'snapshot'>;

/** The summary of a checkpoint. */
export function checkpointSummary(checkpoint: Checkpoint): CheckpointSummary {
  const { snapshot: _snapshot, ...summary } = checkpoint;
  return summary;
}

/**
 * Where a rollback to a checkpoint puts the plan, in the words `plan
 * status` uses: `execute · after step 2 "Write the header"` for one that
 * restores to `(execute, queued)` after a step, else `<phase> · <status>`
 * (a preview's or a rollback's own status: an agent's plan opens again as
 * `waiting`).
 *
 * @example
 * restoresTo({ phase: 'execute', status: 'queued', step: { number: 2, title: 'Write the header' } }); // 'execute · after step 2 "Write the header"'
 * restoresTo({ phase: 'validate', status: 'complete' }); // 'validate · complete'
 */
export function restoresTo(place: { phase: Phase; status: string; step?: CheckpointStep | undefined }): string {
  if (place.phase !== 'execute' || place.status !== 'queued' || !place.step) return `${place.phase} · ${place.status}`;
  return `execute · ${afterStep(place.step)}`;
}

/**
 * A step as checkpoints name it: `after step 2 "Write the header"` (the
 * title left out when it has none).
 *
 * @example
 * afterStep({ number: 2, title: 'Write the header' }); // 'after step 2 "Write the header"'
 */
export function afterStep(step: CheckpointStep): string {
  return `after step ${step.number}${step.title ? ` "${step.title}"` : ''}`;
}

/**
 * How a rollback changed one file of the sandbox (SPEC §10).
 *
 * @example
 * const { changes } = await runtime.previewRollback('demo/x');
 * for (const change of changes) console.log(change.action, change.file); // e.g. restored src/app.ts
 */
export interface RevertedChange {
  file: string;
  /** `restored` to its content then, `deleted` (it did not exist then), `recreated` (it was deleted since). */
  action: 'restored' | 'deleted' | 'recreated';
}
