import { z } from 'zod';
import { AUTOMATIONS, PHASES, PLAN_STATUSES, type Automation, type Phase, type PlanStatus } from './phases.js';
import { ERROR_CODES, type PlanError } from './errors.js';
import { predictedConflictSchema, type PredictedConflict } from './predicted-conflicts.js';
import { modelUsageSchema, type ModelUsage } from './model-calls.js';

/**
 * Where a plan's sandbox is: a git worktree on a branch of its own (SPEC §3).
 *
 * @example
 * const { sandbox } = await runtime.getPlan('demo/x');
 * if (sandbox) console.log(sandbox.worktree, sandbox.branch, sandbox.baseCommit, sandbox.headCommit);
 */
export interface SandboxInfo {
  /** The worktree path, relative to the project root. */
  worktree: string;
  branch: string;
  /** The project commit the sandbox was branched from. */
  baseCommit: string;
  /** The sandbox commit after the last executed step that wrote (== base before any). */
  headCommit: string;
  /**
   * For a child plan of another registered project: the root of that
   * repository, whose worktree this is (the worktree itself still lives under
   * this project's `.troupe/worktrees/`). Absent for this project's plans.
   */
  repo?: string;
}

/** A child plan's position as its parent sees it (SPEC §8). */
export interface SubplanStatus {
  name: string;
  status: 'pending' | 'running' | 'retrying' | 'complete' | 'failed' | 'cancelled' | 'invalidated';
  attempt: number;
  error: PlanError | null;
}

/**
 * The plan record (SPEC §13): what `plan status --json` prints. Written in
 * the same batch as every transition of the plan.
 *
 * @example
 * const record: PlanRecord = await runtime.run('demo/x', { until: 'validate' });
 * console.log(record.id, record.phase, record.status, record.error?.message);
 */
export interface PlanRecord {
  id: string;
  name: string;
  goal: string;
  parentId: string | null;
  rootId: string;
  project: string;
  phase: Phase;
  status: PlanStatus;
  automation: Automation;
  decisionRootId: string | null;
  strategyDecisionIds: string[];
  changesetId: string | null;
  toolCalls: number;
  sandbox: SandboxInfo | null;
  /** 0-based index of the last executed step, null before the first. */
  lastCompletedStep: number | null;
  lastCheckpointId: string | null;
  reversionCount: number;
  subplanConfig: Record<string, unknown> | null;
  subplanStatuses: Record<string, SubplanStatus>;
  /**
   * Conflicts predicted between children of the current (or last) group
   * while they ran (docs/reference/subplans.md#conflicts-predicted-while-children-run);
   * empty when none were.
   */
  predictedConflicts: PredictedConflict[];
  /** The project commit apply made, null until then (or when there was nothing to apply). */
  appliedCommit: string | null;
  /**
   * The plan takes its steps from outside, one tool call at a time (no
   * `strategy` in its plan file, SPEC §16): once strategized it rests open
   * at `(execute, waiting)` until its agent finishes it.
   */
  agentDriven: boolean;
  /** What the plan's model calls cost so far: absent until its model is first called. */
  models?: ModelUsage;
  error: PlanError | null;
  createdAt: string;
  updatedAt: string;
}

const planErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  phase: z.enum(PHASES),
  step: z.number().int().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  hint: z.string().optional(),
  retryable: z.boolean(),
});

const sandboxInfoSchema = z.object({
  worktree: z.string(),
  branch: z.string(),
  baseCommit: z.string(),
  headCommit: z.string(),
  repo: z.string().optional(),
});

/** The stored shape of a plan record, checked when it is read back (a mismatch is `STORE_CORRUPT`). */
export const planRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  goal: z.string(),
  parentId: z.string().nullable(),
  rootId: z.string(),
  project: z.string(),
  phase: z.enum(PHASES),
  status: z.enum(PLAN_STATUSES as [PlanStatus, ...PlanStatus[]]),
  automation: z.enum(AUTOMATIONS),
  decisionRootId: z.string().nullable(),
  strategyDecisionIds: z.array(z.string()),
  changesetId: z.string().nullable(),
  toolCalls: z.number().int().nonnegative(),
  sandbox: sandboxInfoSchema.nullable(),
  lastCompletedStep: z.number().int().nullable(),
  lastCheckpointId: z.string().nullable(),
  reversionCount: z.number().int().nonnegative(),
  subplanConfig: z.record(z.string(), z.unknown()).nullable(),
  subplanStatuses: z.record(
    z.string(),
    z.object({
      name: z.string(),
      status: z.enum(['pending', 'running', 'retrying', 'complete', 'failed', 'cancelled', 'invalidated']),
      attempt: z.number().int(),
      error: planErrorSchema.nullable(),
    }),
  ),
  // records written before conflicts were predicted have none
  predictedConflicts: z.array(predictedConflictSchema).default([]),
  appliedCommit: z.string().nullable(),
  // records written before agent-driven plans have none
  agentDriven: z.boolean().default(false),
  models: modelUsageSchema.optional(),
  error: planErrorSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
