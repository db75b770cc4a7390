import { z } from 'zod';
import { ULID_PATTERN } from './ids.js';
import {
  CONTEXT_VIEWS,
  FAILURE_POLICIES,
  MERGE_STRATEGIES,
  SUBPLAN_MODES,
  maxParallelSchema,
  retriesSchema,
  strategySchema,
  validateCommandSchema,
  type SubplanMode,
} from './plan-file.js';
import { nonEmptyText, planName, plainText, projectName, scopeGlob, timeoutMs } from './plan-file-fields.js';
import { invariantListSchema } from './plan-file-invariants.js';

const ulid = z.string().regex(ULID_PATTERN, { error: 'must be a ULID (26 characters of Crockford base32)' });

/**
 * The input of the `builtin/plan-subplan` tool (SPEC §8): one child plan a
 * parent decides to spawn. `parallel` picks the decision type
 * (`subplan_parallel_spawn` or `subplan_spawn`); `dependencies` name sibling
 * spawn decisions; `planId` is the parent, filled in when left out.
 */
export const subplanSpawnInputSchema = z
  .strictObject({
    planId: ulid.optional(),
    goal: nonEmptyText(2000),
    name: planName.optional(),
    definitionOfDone: plainText.optional(),
    resourceScopes: z
      .array(scopeGlob)
      .min(1, { error: 'must list at least one glob, or leave the field out and give project' })
      .optional(),
    project: projectName.optional(),
    parallel: z.boolean().default(false),
    mode: z.enum(SUBPLAN_MODES).optional(),
    maxParallel: maxParallelSchema.default(4),
    mergeStrategy: z.enum(MERGE_STRATEGIES).default('three-way'),
    contextView: z.enum(CONTEXT_VIEWS).default('skeleton'),
    failurePolicy: z.enum(FAILURE_POLICIES).default('fail-fast'),
    retries: retriesSchema.default(0),
    timeoutMs: timeoutMs.optional(),
    dependencies: z.array(ulid).default([]),
    parentDecisionId: ulid.optional(),
    invariants: invariantListSchema.default([]),
    validate: z.array(validateCommandSchema).default([]),
    strategy: strategySchema.optional(),
  })
  .superRefine((spawn, ctx) => {
    // a child without resourceScopes or a project is checked by builtin/plan-subplan, which knows the parent's scopes
    if (new Set(spawn.dependencies).size !== spawn.dependencies.length) {
      ctx.addIssue({ code: 'custom', path: ['dependencies'], message: 'must not list a decision twice' });
    }
  });

/** What a caller passes to `builtin/plan-subplan`. */
export type SubplanSpawnInput = z.input<typeof subplanSpawnInputSchema>;
/** A validated spawn, defaults applied. */
export type SubplanSpawn = z.output<typeof subplanSpawnInputSchema>;

/**
 * The payload of a `subplan_spawn` / `subplan_parallel_spawn` decision: every
 * field of the spawn, stored structurally, plus the child's id and name —
 * fixed when the decision is recorded, so starting the child again after a
 * restart never makes a second one.
 */
export interface SubplanSpawnPayload extends Record<string, unknown> {
  planId: string;
  childId: string;
  childName: string;
  /** 1-based order of the spawn within its parent (the `n` of `<parent-name>-<n>`). */
  spawnIndex: number;
  mode: SubplanMode;
  goal: string;
  name?: string;
  definitionOfDone?: string;
  resourceScopes?: string[];
  project?: string;
  parallel: boolean;
  maxParallel: number;
  mergeStrategy: SubplanSpawn['mergeStrategy'];
  contextView: SubplanSpawn['contextView'];
  failurePolicy: SubplanSpawn['failurePolicy'];
  retries: number;
  timeoutMs?: number;
  dependencies: string[];
  parentDecisionId: string;
  invariants: SubplanSpawn['invariants'];
  validate: SubplanSpawn['validate'];
  strategy?: SubplanSpawn['strategy'];
}

/** What `builtin/plan-subplan` answers (SPEC §8). */
export interface SubplanSpawnResult {
  success: true;
  decisionId: string;
  decisionType: 'subplan_spawn' | 'subplan_parallel_spawn';
  parentDecisionId: string;
  rationale: string;
}

/** The sentence a spawn decision gives as its rationale: goal, scopes, mode and dependencies. */
export function spawnRationale(
  spawn: Pick<
    SubplanSpawnPayload,
    'goal' | 'resourceScopes' | 'project' | 'mode' | 'parallel' | 'dependencies' | 'childName'
  >,
  dependencyNames: readonly string[],
): string {
  const where = [
    spawn.resourceScopes ? `scopes ${spawn.resourceScopes.join(', ')}` : null,
    spawn.project ? `project ${spawn.project}` : null,
  ]
    .filter(Boolean)
    .join(' in ');
  const mode = `${spawn.mode} mode${spawn.parallel ? ', may run in parallel' : ', one at a time'}`;
  const after = dependencyNames.length === 0 ? 'no dependencies' : `after ${dependencyNames.join(', ')}`;
  return `Spawn ${spawn.childName} to ${spawn.goal} (${where}; ${mode}; ${after}).`;
}
