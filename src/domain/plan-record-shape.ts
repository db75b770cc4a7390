import { CONFLICT_KINDS } from './conflict-kinds.js';
import { ERROR_CODES, type PlanError } from './errors.js';
import { AUTOMATIONS, PHASES, PLAN_STATUSES } from './phases.js';
import type { ModelUsage } from './model-calls.js';
import type { PlanRecord, SandboxInfo, SubplanStatus } from './plan-record.js';
import type { PredictedConflict } from './predicted-conflicts.js';

/** A plan record as the store keeps it: its step list has a key of its own. */
export type StoredPlanRecord = Omit<PlanRecord, 'strategyDecisionIds'>;

/** The fields of a stored plan record, in the order of `planRecordSchema` (a test holds the two together). */
export const STORED_PLAN_RECORD_KEYS = [
  'id',
  'name',
  'goal',
  'parentId',
  'rootId',
  'project',
  'phase',
  'status',
  'automation',
  'decisionRootId',
  'changesetId',
  'toolCalls',
  'sandbox',
  'lastCompletedStep',
  'lastCheckpointId',
  'reversionCount',
  'subplanConfig',
  'subplanStatuses',
  'predictedConflicts',
  'appliedCommit',
  'agentDriven',
  'models',
  'error',
  'createdAt',
  'updatedAt',
] as const satisfies readonly (keyof StoredPlanRecord)[];

const SUBPLAN_STATUSES: readonly string[] = [
  'pending',
  'running',
  'retrying',
  'complete',
  'failed',
  'cancelled',
  'invalidated',
];

type Fields = Record<string, unknown>;

/**
 * The stored plan record `value` is, exactly as `planRecordSchema` (without
 * its step list) would give it back — fields in its order, unknown ones
 * dropped, `agentDriven` false when absent — or `undefined` when it is not
 * plainly one. Never more lenient than the schema: whatever it does not
 * vouch for is left to the schema, which says what is wrong. It loads no
 * schema library, so `troupe plan status` reads a record without one.
 *
 * @example
 * const record = quickStoredPlanRecord(JSON.parse(text)) ?? storedRecordSchema.parse(JSON.parse(text));
 */
export function quickStoredPlanRecord(value: unknown): StoredPlanRecord | undefined {
  if (!isFields(value)) return undefined;
  const v = value;
  const agentDriven = v.agentDriven === undefined ? false : v.agentDriven;
  const sandbox = v.sandbox === null ? null : sandboxInfo(v.sandbox);
  const subplanConfig = v.subplanConfig === null ? null : plainRecord(v.subplanConfig);
  const subplanStatuses = subplanStatusesOf(v.subplanStatuses);
  const predictedConflicts = v.predictedConflicts === undefined ? [] : predictionsOf(v.predictedConflicts);
  const error = v.error === null ? null : planError(v.error);
  const models = v.models === undefined ? null : modelUsage(v.models);
  if (!(
    typeof v.id === 'string' &&
    typeof v.name === 'string' &&
    typeof v.goal === 'string' &&
    nullableString(v.parentId) &&
    typeof v.rootId === 'string' &&
    typeof v.project === 'string' &&
    oneOf(v.phase, PHASES) &&
    oneOf(v.status, PLAN_STATUSES) &&
    oneOf(v.automation, AUTOMATIONS) &&
    nullableString(v.decisionRootId) &&
    nullableString(v.changesetId) &&
    count(v.toolCalls) &&
    sandbox !== undefined &&
    (v.lastCompletedStep === null || Number.isSafeInteger(v.lastCompletedStep)) &&
    nullableString(v.lastCheckpointId) &&
    count(v.reversionCount) &&
    subplanConfig !== undefined &&
    subplanStatuses !== undefined &&
    predictedConflicts !== undefined &&
    nullableString(v.appliedCommit) &&
    typeof agentDriven === 'boolean' &&
    models !== undefined &&
    error !== undefined &&
    typeof v.createdAt === 'string' &&
    typeof v.updatedAt === 'string'
  )) {
    return undefined;
  }
  return {
    id: v.id,
    name: v.name,
    goal: v.goal,
    parentId: v.parentId,
    rootId: v.rootId,
    project: v.project,
    phase: v.phase,
    status: v.status,
    automation: v.automation,
    decisionRootId: v.decisionRootId,
    changesetId: v.changesetId,
    toolCalls: v.toolCalls,
    sandbox,
    lastCompletedStep: v.lastCompletedStep as number | null,
    lastCheckpointId: v.lastCheckpointId,
    reversionCount: v.reversionCount,
    subplanConfig,
    subplanStatuses,
    predictedConflicts,
    appliedCommit: v.appliedCommit,
    agentDriven,
    ...(models === null ? {} : { models }),
    error,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}

// what the plan's model calls cost, as modelUsageSchema keeps it (unknown fields dropped), or undefined
function modelUsage(value: unknown): ModelUsage | undefined {
  if (!isFields(value)) return undefined;
  const { calls, inputTokens, outputTokens, totalTokens, latencyMs, models } = value;
  if (!(
    count(calls) &&
    count(inputTokens) &&
    count(outputTokens) &&
    count(totalTokens) &&
    typeof latencyMs === 'number' &&
    Number.isFinite(latencyMs) &&
    latencyMs >= 0
  ))
    return undefined;
  if (!Array.isArray(models) || !models.every((model) => typeof model === 'string')) return undefined;
  return { calls, inputTokens, outputTokens, totalTokens, latencyMs, models: [...(models as string[])] };
}

// a plain JSON object; one with a `__proto__` key is left to the schema
function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Object.hasOwn(value, '__proto__');
}

function oneOf<T extends string>(value: unknown, choices: readonly T[]): value is T {
  return typeof value === 'string' && (choices as readonly string[]).includes(value);
}

function nullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function count(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function plainRecord(value: unknown): Record<string, unknown> | undefined {
  return isFields(value) ? { ...value } : undefined;
}

function sandboxInfo(value: unknown): SandboxInfo | undefined {
  if (!isFields(value)) return undefined;
  const { worktree, branch, baseCommit, headCommit, repo } = value;
  if (
    typeof worktree !== 'string' ||
    typeof branch !== 'string' ||
    typeof baseCommit !== 'string' ||
    typeof headCommit !== 'string'
  )
    return undefined;
  if (repo !== undefined && typeof repo !== 'string') return undefined;
  return { worktree, branch, baseCommit, headCommit, ...(repo === undefined ? {} : { repo }) };
}

function planError(value: unknown): PlanError | undefined {
  if (!isFields(value)) return undefined;
  const { code, message, phase, step, details, hint, retryable } = value;
  if (
    !oneOf(code, ERROR_CODES) ||
    typeof message !== 'string' ||
    !oneOf(phase, PHASES) ||
    typeof retryable !== 'boolean'
  )
    return undefined;
  if (step !== undefined && !Number.isSafeInteger(step)) return undefined;
  if (hint !== undefined && typeof hint !== 'string') return undefined;
  const detailFields = details === undefined ? undefined : plainRecord(details);
  if (details !== undefined && detailFields === undefined) return undefined;
  return {
    code,
    message,
    phase,
    ...(step === undefined ? {} : { step: step as number }),
    ...(detailFields === undefined ? {} : { details: detailFields }),
    ...(hint === undefined ? {} : { hint }),
    retryable,
  };
}

function subplanStatusesOf(value: unknown): Record<string, SubplanStatus> | undefined {
  if (!isFields(value)) return undefined;
  const statuses: Record<string, SubplanStatus> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (!isFields(entry)) return undefined;
    const { name, status, attempt } = entry;
    const error = entry.error === null ? null : planError(entry.error);
    if (
      typeof name !== 'string' ||
      !oneOf(status, SUBPLAN_STATUSES) ||
      !Number.isSafeInteger(attempt) ||
      error === undefined
    )
      return undefined;
    statuses[key] = { name, status: status as SubplanStatus['status'], attempt: attempt as number, error };
  }
  return statuses;
}

function predictionsOf(value: unknown): PredictedConflict[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const predictions: PredictedConflict[] = [];
  for (const entry of value) {
    if (!isFields(entry)) return undefined;
    const { step, children, names, files, kinds } = entry;
    if (!count(step) || !pairOfStrings(children) || !pairOfStrings(names)) return undefined;
    if (!Array.isArray(files) || !files.every((file) => typeof file === 'string')) return undefined;
    if (!Array.isArray(kinds) || !kinds.every((kind) => oneOf(kind, CONFLICT_KINDS))) return undefined;
    predictions.push({
      step,
      children: [children[0], children[1]],
      names: [names[0], names[1]],
      files: [...files],
      kinds: [...kinds],
    });
  }
  return predictions;
}

function pairOfStrings(value: unknown): value is [string, string] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}
