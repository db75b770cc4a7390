import { z } from 'zod';
import { nulByteProblem } from './control-characters.js';
import { AUTOMATIONS } from './phases.js';
import {
  commandText,
  nonEmptyText,
  planName,
  plainText,
  projectName,
  scopeGlob,
  timeoutMs,
  toolNameSchema,
} from './plan-file-fields.js';
import { agentSchema } from './plan-file-agent.js';
import { invariantListSchema, type Invariant } from './plan-file-invariants.js';
import { OVERLAP_POLICIES, type OverlapPolicy } from './overlap.js';
import { refuseProtoKeys } from './proto-keys.js';
import { networkSettingSchema } from './network-allow.js';
import { resourceLimitsSchema } from './resource-limits.js';

// Schemas of the plan file (SPEC §4). Every object is strict: an unknown key
// is an error naming its path, never silently dropped. The fields its parts
// share (names, texts, globs, timeouts) are in plan-file-fields.ts, its
// invariants in plan-file-invariants.ts.

/** A command run in the sandbox during validate. */
export const validateCommandSchema = z.strictObject({ run: commandText(4096), timeoutMs: timeoutMs.optional() });
export type ValidateCommand = z.output<typeof validateCommandSchema>;

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name (letters, digits, _)' });

const envValue = z.string().superRefine((value, ctx) => {
  const problem = nulByteProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Environment variables passed to commands the plan runs (shell/run, validate, command checks). */
export const envSchema = refuseProtoKeys(z.record(envName, envValue));

/** A step that runs one tool call. */
export const toolStepSchema = z.strictObject({
  title: nonEmptyText(200),
  tool: toolNameSchema,
  // a __proto__ key at any depth would be dropped before the tool sees it
  input: refuseProtoKeys(z.record(z.string(), z.unknown()), { deep: true }).default({}),
});
export type ToolStep = z.output<typeof toolStepSchema>;

export const SUBPLAN_MODES = ['sequential', 'parallel', 'dependency-ordered'] as const;
export const MERGE_STRATEGIES = ['three-way', 'ours', 'theirs', 'fail-on-conflict'] as const;
export const FAILURE_POLICIES = ['fail-fast', 'continue'] as const;
export const CONTEXT_VIEWS = ['full', 'skeleton', 'none'] as const;
export type SubplanMode = (typeof SUBPLAN_MODES)[number];
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];
export type FailurePolicy = (typeof FAILURE_POLICIES)[number];
export type ContextView = (typeof CONTEXT_VIEWS)[number];

/** A child plan in a `subplans` step. */
export interface SubplanEntry {
  name?: string | undefined;
  goal: string;
  definitionOfDone?: string | undefined;
  resourceScopes?: string[] | undefined;
  project?: string | undefined;
  dependsOn: string[];
  invariants: Invariant[];
  validate: ValidateCommand[];
  strategy?: Strategy | undefined;
}

/** A `subplans` step: how a group of child plans runs and merges back. */
export interface SubplanGroup {
  mode: SubplanMode;
  maxParallel: number;
  mergeStrategy: MergeStrategy;
  failurePolicy: FailurePolicy;
  retries: number;
  timeoutMs?: number | undefined;
  contextView: ContextView;
  /** What to do about entries whose scopes can meet (docs/reference/subplans.md); absent: the project's default, else `warn`. */
  overlap?: OverlapPolicy | undefined;
  entries: SubplanEntry[];
}

/** A step that spawns child plans. */
export interface SubplanStep {
  title: string;
  subplans: SubplanGroup;
}

export type Step = ToolStep | SubplanStep;

/** The decided work of a plan, read by the scripted strategist. */
export interface Strategy {
  steps: Step[];
}

/** How many children of a group may run at once: 1 to 50 (a cap on concurrency, not on the total). */
export const maxParallelSchema = z
  .number()
  .int({ error: 'must be a whole number between 1 and 50' })
  .min(1, { error: 'must be between 1 and 50' })
  .max(50, { error: 'must be between 1 and 50' });

/** Retries of a failed child attempt: 0 to 10 (`retries: N` = at most N+1 attempts). */
export const retriesSchema = z
  .number()
  .int({ error: 'must be a whole number between 0 and 10' })
  .min(0, { error: 'must be between 0 and 10' })
  .max(10, { error: 'must be between 0 and 10' });

const subplanEntrySchema: z.ZodType<SubplanEntry> = z.lazy(() =>
  z
    .strictObject({
      name: planName.optional(),
      goal: nonEmptyText(2000),
      definitionOfDone: plainText.optional(),
      resourceScopes: z
        .array(scopeGlob)
        .min(1, { error: 'must list at least one glob, or leave the field out and give project' })
        .optional(),
      project: projectName.optional(),
      dependsOn: z.array(planName).default([]),
      invariants: invariantListSchema.default([]),
      validate: z.array(validateCommandSchema).default([]),
      strategy: strategySchema.optional(),
    })
    .superRefine((entry, ctx) => {
      if (!entry.resourceScopes && !entry.project) {
        ctx.addIssue({
          code: 'custom',
          path: ['resourceScopes'],
          message: 'a child plan needs resourceScopes or a project',
        });
      }
    }),
);

const subplanGroupSchema: z.ZodType<SubplanGroup> = z
  .strictObject({
    mode: z.enum(SUBPLAN_MODES).default('sequential'),
    maxParallel: maxParallelSchema.default(4),
    mergeStrategy: z.enum(MERGE_STRATEGIES).default('three-way'),
    failurePolicy: z.enum(FAILURE_POLICIES).default('fail-fast'),
    retries: retriesSchema.default(0),
    timeoutMs: timeoutMs.optional(),
    contextView: z.enum(CONTEXT_VIEWS).default('skeleton'),
    overlap: z.enum(OVERLAP_POLICIES).optional(),
    entries: z.array(subplanEntrySchema).min(1, { error: 'must list at least one child plan' }),
  })
  .superRefine((group, ctx) => checkDependencies(group, ctx));

const subplanStepSchema = z.strictObject({ title: nonEmptyText(200), subplans: subplanGroupSchema });

/**
 * One step: a tool call or a group of subplans.
 *
 * @example
 * const step = stepSchema.parse({ title: 'Write hello', tool: 'fs/write-file', input: { path: 'hello.txt', content: 'hi\n' } });
 */
export const stepSchema: z.ZodType<Step> = z.union([toolStepSchema, subplanStepSchema]);

/**
 * `strategy:` of a plan file.
 *
 * @example
 * const strategy = strategySchema.parse({ steps: [{ title: 'Run tests', tool: 'shell/run', input: { command: 'npm test' } }] });
 */
export const strategySchema: z.ZodType<Strategy> = z.strictObject({
  steps: z.array(stepSchema).max(10_000, { error: 'must have at most 10000 steps' }),
});

/**
 * The plan file (SPEC §4), YAML or JSON. Defaults are filled in:
 * `automation: review`, `reconciliation: true`, `maxReversions: 3`.
 *
 * @example
 * const spec = planFileSchema.parse({ name: 'demo/x', goal: 'Say hello' });
 */
export const planFileSchema = z
  .strictObject({
    name: planName,
    goal: nonEmptyText(2000),
    definitionOfDone: plainText.optional(),
    automation: z.enum(AUTOMATIONS).default('review'),
    resourceScopes: z.array(scopeGlob).optional(),
    reconciliation: z.boolean().default(true),
    maxReversions: z
      .number()
      .int({ error: 'must be a whole number between 0 and 100' })
      .min(0, { error: 'must be between 0 and 100' })
      .max(100, { error: 'must be between 0 and 100' })
      .default(3),
    invariants: invariantListSchema.default([]),
    validate: z.array(validateCommandSchema).default([]),
    env: envSchema.default({}),
    /**
     * What the plan's commands may reach (SPEC §15): false (no network, the
     * default), true (the host's network), or `{ allow: [hosts] }` — only those,
     * through troupe's proxy (docs/explanation/sandbox.md#network-by-name). Inherited by child plans.
     */
    network: networkSettingSchema.default(false),
    /** Tighter limits for the plan's commands than the project's (docs/explanation/sandbox.md#resource-limits); inherited by child plans. */
    sandbox: z.strictObject({ limits: resourceLimitsSchema.optional() }).optional(),
    strategy: strategySchema.optional(),
    /** The model that drives the plan when it has no `strategy` (docs/how-to/agents.md); with `strategize: true`, the model decides its strategy. */
    agent: agentSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    if (spec.agent?.strategize === true && spec.strategy !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['agent', 'strategize'],
        message: 'the model decides the strategy of a plan without one: leave out strategy, or strategize',
      });
    }
  });

/**
 * A validated plan file with defaults applied.
 *
 * @example
 * const spec: PlanSpec = planFileSchema.parse({ name: 'demo/x', goal: 'Say hello' });
 * spec.automation; // 'review' (the default)
 */
export type PlanSpec = z.output<typeof planFileSchema>;
/**
 * A plan file as a user writes it (defaults optional).
 *
 * @example
 * const input: PlanFileInput = { name: 'demo/x', goal: 'Say hello', strategy: { steps: [] } };
 * const plan = await runtime.createPlan(input);
 */
export type PlanFileInput = z.input<typeof planFileSchema>;

/** Whether a step spawns subplans. */
export function isSubplanStep(step: Step): step is SubplanStep {
  return 'subplans' in step;
}

// dependency-ordered children name their siblings; an unknown name or a
// cycle is a validation error before anything runs (SPEC §8).
function checkDependencies(group: SubplanGroup, ctx: z.RefinementCtx): void {
  const names = new Map<string, number>();
  group.entries.forEach((entry, index) => {
    if (!entry.name) return;
    if (names.has(entry.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['entries', index, 'name'],
        message: `duplicate child name "${entry.name}"`,
      });
    } else names.set(entry.name, index);
  });
  group.entries.forEach((entry, index) => {
    entry.dependsOn.forEach((dependency, depIndex) => {
      if (!names.has(dependency)) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries', index, 'dependsOn', depIndex],
          message: `"${dependency}" is not the name of a sibling entry`,
        });
      } else if (dependency === entry.name) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries', index, 'dependsOn', depIndex],
          message: 'an entry cannot depend on itself',
        });
      }
    });
  });
  const cycle = findCycle(group.entries);
  if (cycle) ctx.addIssue({ code: 'custom', path: ['entries'], message: `dependency cycle: ${cycle.join(' → ')}` });
}

function findCycle(entries: readonly SubplanEntry[]): string[] | null {
  const edges = new Map<string, string[]>();
  for (const entry of entries)
    if (entry.name)
      edges.set(
        entry.name,
        entry.dependsOn.filter((dep) => dep !== entry.name),
      );
  const state = new Map<string, 'open' | 'closed'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | null => {
    state.set(name, 'open');
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 'closed');
    return null;
  };
  for (const name of edges.keys()) {
    if (!state.has(name)) {
      const found = visit(name);
      if (found) return found;
    }
  }
  return null;
}
