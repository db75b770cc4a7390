import { z } from 'zod';
import {
  CHECKPOINT_TRIGGERS,
  DECISION_TYPES,
  PHASES,
  PLAN_STATUSES,
  checkpointSchema,
  planRecordSchema,
  type PlanStatus,
} from '../domain/index.js';

// The structured content of the checkpoint tools (their MCP outputSchema).

const planStatus = z.enum(PLAN_STATUSES as [PlanStatus, ...PlanStatus[]]);
const revertedChange = z.object({ file: z.string(), action: z.enum(['restored', 'deleted', 'recreated']) });

/** A checkpoint as lists show it: everything but the machine snapshot it restores. */
export const checkpointSummarySchema = checkpointSchema.omit({ snapshot: true });

/**
 * `checkpoint_create`: `{checkpoint}`, the checkpoint taken.
 *
 * @example
 * const { checkpoint } = checkpointCreateResult.parse(result.structuredContent);
 */
export const checkpointCreateResult = z.object({ checkpoint: checkpointSummarySchema });

/**
 * `checkpoint_list`: `{checkpoints}`, oldest first.
 *
 * @example
 * const { checkpoints } = checkpointListResult.parse(result.structuredContent);
 */
export const checkpointListResult = z.object({ checkpoints: z.array(checkpointSummarySchema) });

/** What a rollback would do: the checkpoint, where the plan goes back to, the files, decisions and children it touches. */
export const rollbackPreviewSchema = z.object({
  planId: z.string(),
  checkpoint: checkpointSummarySchema,
  restores: z.object({ phase: z.enum(PHASES), status: z.enum(['queued', 'waiting', 'complete', 'failed']) }),
  changes: z.array(revertedChange),
  decisionsToDiscard: z.array(z.object({ id: z.string(), type: z.enum(DECISION_TYPES), title: z.string() })),
  decisionsToRestore: z.number().int().nonnegative(),
  childPlansToInvalidate: z.array(z.object({ id: z.string(), name: z.string(), status: planStatus })),
  reversionCount: z.number().int().nonnegative(),
});

/** What a rollback did, with the checkpoint to roll back to to undo it. */
export const rollbackDoneSchema = z.object({
  planId: z.string(),
  checkpoint: z.object({
    id: z.string(),
    label: z.string().nullable(),
    createdAt: z.string(),
    trigger: z.enum(CHECKPOINT_TRIGGERS),
    step: checkpointSchema.shape.step,
  }),
  restored: z.object({ phase: z.enum(PHASES), status: planStatus }),
  changesReverted: z.array(revertedChange),
  decisionsDiscarded: z.number().int().nonnegative(),
  childPlansInvalidated: z.array(z.string()),
  reversionCount: z.number().int().nonnegative(),
  undoCheckpointId: z.string(),
  decisionId: z.string(),
});

/**
 * `plan_rollback`: `rolledBack: false` with the `preview` (nothing changed),
 * or `rolledBack: true` with the `result` and the `plan` after it.
 *
 * @example
 * const answer = planRollbackResult.parse(result.structuredContent);
 * if (answer.rolledBack) console.log(answer.result?.undoCheckpointId);
 */
export const planRollbackResult = z.object({
  rolledBack: z.boolean(),
  preview: rollbackPreviewSchema.optional(),
  result: rollbackDoneSchema.optional(),
  plan: planRecordSchema.optional(),
});
