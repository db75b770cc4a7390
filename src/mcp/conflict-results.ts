import { z } from 'zod';
import {
  CONFLICT_KINDS,
  PHASES,
  PLAN_STATUSES,
  RESOLUTION_SOURCES,
  planRecordSchema,
  type PlanStatus,
} from '../domain/index.js';

// The structured content of the conflict tools (their MCP outputSchema).

/** One side-by-side region of a conflicting file: each side's lines (null where a side has no such file). */
export const conflictHunkSchema = z.object({
  ours: z.string().nullable(),
  base: z.string().nullable(),
  theirs: z.string().nullable(),
  path: z.string().optional(),
});

/**
 * One open conflict: the file, the child it came from (null for apply), its
 * kind, its hunks, a copy with markers to edit, and for a renamed file where
 * each side has it.
 *
 * @example
 * const conflict = conflictViewSchema.parse(list.conflicts[0]);
 */
export const conflictViewSchema = z.object({
  file: z.string(),
  child: z.string().nullable(),
  childName: z.string().nullable(),
  kind: z.enum(CONFLICT_KINDS),
  hunks: z.array(conflictHunkSchema),
  edit: z.string().nullable(),
  paths: z.object({ base: z.string(), ours: z.string().nullable(), theirs: z.string().nullable() }).optional(),
});

/**
 * `plan_conflicts`: where the plan stands, its open conflicts, and those already resolved.
 *
 * @example
 * const { conflicts } = planConflictsResult.parse(result.structuredContent);
 */
export const planConflictsResult = z.object({
  planId: z.string(),
  phase: z.enum(PHASES),
  status: z.enum(PLAN_STATUSES as [PlanStatus, ...PlanStatus[]]),
  conflicts: z.array(conflictViewSchema),
  resolved: z.array(z.object({ file: z.string(), with: z.enum(RESOLUTION_SOURCES) })),
});

/**
 * `plan_resolve`: the file and how it was settled, whose merge it was, the
 * files still open, the merge commit once none is, and the plan.
 *
 * @example
 * const { remaining, mergeCommit } = planResolveResult.parse(result.structuredContent);
 */
export const planResolveResult = z.object({
  planId: z.string(),
  file: z.string(),
  with: z.enum(RESOLUTION_SOURCES),
  child: z.string().nullable(),
  childName: z.string().nullable(),
  remaining: z.array(z.string()),
  mergeCommit: z.string().nullable(),
  plan: planRecordSchema,
});
