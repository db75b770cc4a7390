import { z } from 'zod';
import { overlapPayloadSchema, planRecordSchema } from '../domain/index.js';
import { conflictViewSchema } from './conflict-results.js';

// The structured content of subplan_spawn and subplan_wait (their MCP outputSchema).

const childStatus = z.enum(['pending', 'running', 'retrying', 'complete', 'failed', 'cancelled', 'invalidated']);

/**
 * `subplan_spawn`: the parent, the step the group became (counted from 1)
 * and each child as it stands: the first `maxParallel` running and open, the
 * rest pending; `overlap` names the children whose scopes can meet (null:
 * none do).
 *
 * @example
 * const { children } = subplanSpawnResult.parse(result.structuredContent);
 */
export const subplanSpawnResult = z.object({
  planId: z.string(),
  step: z.number().int().positive(),
  children: z.array(z.object({ id: z.string(), name: z.string(), goal: z.string(), status: childStatus })),
  overlap: overlapPayloadSchema.nullable(),
});

/**
 * `subplan_wait`: whether the children ended (false when the wait timed
 * out), the parent, each child with its attempt, and the merge conflicts
 * that wait for `plan_resolve`.
 *
 * @example
 * const { done, conflicts } = subplanWaitResult.parse(result.structuredContent);
 */
export const subplanWaitResult = z.object({
  done: z.boolean(),
  plan: planRecordSchema,
  children: z.array(z.object({ id: z.string(), name: z.string(), status: childStatus, attempt: z.number().int() })),
  conflicts: z.array(conflictViewSchema),
});
