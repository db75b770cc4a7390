import { z } from 'zod';
import {
  PHASES,
  PLAN_STATUSES,
  UPDATABLE_FIELDS,
  changesetSchema,
  commandLogSchema,
  decisionSchema,
  modelUsageSchema,
  planRecordSchema,
  predictedConflictSchema,
  type DecisionNode,
  type PlanStatus,
} from '../domain/index.js';
import type { PlanTree } from '../runtime/index.js';

// The structured content of the plan tools (their MCP outputSchema), built
// from the domain's own schemas of what they answer, so a field the record
// gains is listed with it.

const planStatus = z.enum(PLAN_STATUSES as [PlanStatus, ...PlanStatus[]]);

/**
 * `{plan}`: the plan record (docs/reference/cli.md#plan-record), as `plan_create`,
 * `plan_status`, `plan_run`, `plan_finish`, `plan_apply` and `plan_cancel`
 * answer it.
 *
 * @example
 * const { plan } = planResult.parse(result.structuredContent);
 */
export const planResult = z.object({ plan: planRecordSchema });

/**
 * `plan_update`: the fields the file changed, each as it was and is now,
 * the `plan_update` decision (null when nothing changed) and the record.
 *
 * @example
 * const { changed, decisionId } = planUpdateResult.parse(result.structuredContent);
 */
export const planUpdateResult = z.object({
  planId: z.string(),
  changed: z.array(z.enum(UPDATABLE_FIELDS)),
  before: z.record(z.string(), z.unknown()),
  after: z.record(z.string(), z.unknown()),
  decisionId: z.string().nullable(),
  plan: planRecordSchema,
});

/** A plan in `plan_list`: where it stands and whose child it is. */
export const planSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  phase: z.enum(PHASES),
  status: planStatus,
  parentId: z.string().nullable(),
  agentDriven: z.boolean(),
});

/**
 * `plan_list`: `{plans}`, oldest first.
 *
 * @example
 * const { plans } = planListResult.parse(result.structuredContent);
 */
export const planListResult = z.object({ plans: z.array(planSummarySchema) });

/** A decision and the decisions made under it, as `plan_explain` answers the tree. */
export const decisionNodeSchema: z.ZodType<DecisionNode> = z.lazy(() =>
  decisionSchema.extend({ children: z.array(decisionNodeSchema) }),
);

/**
 * `plan_explain`: `{planId, root}`, the decision tree (null before the plan strategized).
 *
 * @example
 * const { root } = planExplainResult.parse(result.structuredContent);
 */
export const planExplainResult = z.object({
  planId: z.string(),
  root: decisionNodeSchema.nullable(),
  models: modelUsageSchema.nullable(),
});

/**
 * `plan_changes`: `{changes}` (null before the plan has a sandbox), and with
 * `patch: true` the unified diff and whether it was cut.
 *
 * @example
 * const { changes, patch } = planChangesResult.parse(result.structuredContent);
 */
export const planChangesResult = z.object({
  changes: changesetSchema.nullable(),
  patch: z.string().optional(),
  truncated: z.boolean().optional(),
});

const treeFields = {
  id: z.string(),
  name: z.string(),
  project: z.string(),
  phase: z.enum(PHASES),
  status: planStatus,
  subplan: z.object({ status: z.string(), attempt: z.number().int() }).nullable(),
  predictedConflicts: z.array(predictedConflictSchema),
};

/** A child plan in `plan_tree`, with its own children. */
export const planTreeNodeSchema: z.ZodType<PlanTree> = z.lazy(() =>
  z.object({ ...treeFields, children: z.array(planTreeNodeSchema) }),
);

/**
 * `plan_tree`: the plan, `subplan` (how its parent sees it, null for the
 * root) and its `children`, recursively.
 *
 * @example
 * const tree = planTreeResult.parse(result.structuredContent);
 */
export const planTreeResult = z.object({ ...treeFields, children: z.array(planTreeNodeSchema) });

/** One command's log in `plan_logs`: its step counted from 1, and the rollback that discarded it, if one did. */
export const planLogSchema = commandLogSchema.extend({
  step: z.number().int().positive().nullable(),
  discardedBy: z.string().nullable(),
});

/**
 * `plan_logs`: `{planId, name, logs, skipped}`, each log with its command,
 * how it ended and its streams as `{text, bytes, cut}`.
 *
 * @example
 * const { logs } = planLogsResult.parse(result.structuredContent);
 */
export const planLogsResult = z.object({
  planId: z.string(),
  name: z.string(),
  logs: z.array(planLogSchema),
  skipped: z.number().int().nonnegative(),
});
