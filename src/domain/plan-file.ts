import { z } from 'zod';
import { nulByteProblem } from './control-characters.js';
import { AUTOMATIONS } from './phases.js';
import { unsafePathProblem } from './paths.js';
import { commandText, nonEmptyText, planName, plainText, projectName, scopeGlob, timeoutMs, toolNameSchema } from './plan-file-fields.js';
import { refuseProtoKeys } from './proto-keys.js';
import { resourceLimitsSchema } from './resource-limits.js';
import { declareKnownKeys } from './schema-keys.js';

// Schemas of the plan file (SPEC §4). Every object is strict: an unknown key
// is an error naming its path, never silently dropped. The fields its parts
// share (names, texts, globs, timeouts) are in plan-file-fields.ts.

const sandboxPath = z.string().superRefine((value, ctx) => {
  const problem = unsafePathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Names of the invariant checks troupe ships (SPEC §4).
 *
 * @example
 * const builtIn = (BUILT_IN_CHECKS as readonly string[]).includes('file-exists'); // true
 */
export const BUILT_IN_CHECKS = ['command', 'file-exists', 'file-absent', 'paths-within', 'no-conflicts'] as const;
export type BuiltInCheckName = (typeof BUILT_IN_CHECKS)[number];

/** Default time a `command` invariant may run (SPEC §4: 120 s). */
export const DEFAULT_COMMAND_CHECK_TIMEOUT_MS = 120_000;

const invariantId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, { error: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit' });

const invariantBase = { id: invariantId, description: plainText.optional() };

/**
 * The built-in invariants, one strict shape per check.
 *
 * @example
 * const invariant = builtInInvariantSchema.parse({ id: 'readme', check: 'file-exists', path: 'README.md' });
 */
export const builtInInvariantSchema = z.discriminatedUnion(
  'check',
  [
    z.strictObject({ ...invariantBase, check: z.literal('command'), run: commandText(4096), timeoutMs: timeoutMs.optional() }),
    z.strictObject({ ...invariantBase, check: z.literal('file-exists'), path: sandboxPath }),
    z.strictObject({ ...invariantBase, check: z.literal('file-absent'), path: sandboxPath }),
    z.strictObject({ ...invariantBase, check: z.literal('paths-within') }),
    z.strictObject({ ...invariantBase, check: z.literal('no-conflicts') }),
  ],
  { error: `must name a known check: ${BUILT_IN_CHECKS.join(', ')}, or a registered check such as acme/lint-clean` },
);
export type BuiltInInvariant = z.output<typeof builtInInvariantSchema>;

/**
 * Checks an embedding app registers are namespaced (`acme/lint-clean`), so
 * they never collide with a check troupe ships later.
 */
export const customCheckNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)+$/, { error: 'must be a namespaced check name such as acme/lint-clean' });

/**
 * An invariant of a registered check. Its own fields are checked against the
 * check's options when the plan is created (the registry knows them).
 *
 * @example
 * const invariant = customInvariantSchema.parse({ id: 'lint', check: 'acme/lint-clean', maxWarnings: 0 });
 */
export const customInvariantSchema = refuseProtoKeys(z.looseObject({ ...invariantBase, check: customCheckNameSchema }));
export type CustomInvariant = z.output<typeof customInvariantSchema>;

/**
 * One invariant: a rule that must keep holding while the plan works (SPEC §4).
 *
 * @example
 * const tests: Invariant = { id: 'tests', check: 'command', run: 'npm test', timeoutMs: 300_000 };
 * const lint: Invariant = { id: 'lint', check: 'acme/lint-clean', maxWarnings: 0 };
 */
export type Invariant = BuiltInInvariant | CustomInvariant;

// a namespaced name can only be a registered check; everything else is read
// as a built-in, so a typo in a built-in name says which names exist
function isCustomCheck(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const check = (value as { check?: unknown }).check;
  return typeof check === 'string' && check.includes('/');
}

/**
 * One invariant: a built-in check's strict shape, or a registered (namespaced) check with its own fields.
 *
 * @example
 * const invariant = invariantSchema.parse({ id: 'tests', check: 'command', run: 'npm test' });
 * invariantSchema.safeParse({ id: 'x', check: 'nope' }).success; // false: names the known checks
 */
export const invariantSchema = z
  .unknown()
  .transform((value, ctx) => {
    const result = isCustomCheck(value) ? customInvariantSchema.safeParse(value) : builtInInvariantSchema.safeParse(value);
    if (result.success) return result.data as Invariant;
    for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: value } as never);
    return z.NEVER;
  }) as unknown as z.ZodType<Invariant, z.input<typeof builtInInvariantSchema> | z.input<typeof customInvariantSchema>>;
// the fields of the check the invariant names, for "did you mean"
declareKnownKeys(invariantSchema, (value) => {
  const check = typeof value === 'object' && value !== null ? (value as { check?: unknown }).check : undefined;
  const shapes = builtInInvariantSchema.options.filter((option) => check === undefined || option.shape.check.value === check);
  return [...new Set((shapes.length > 0 ? shapes : builtInInvariantSchema.options).flatMap((option) => Object.keys(option.shape)))];
});

/**
 * A list of invariants: ids are unique within it.
 *
 * @example
 * const invariants = invariantListSchema.parse([{ id: 'tests', check: 'command', run: 'npm test' }, { id: 'scope', check: 'paths-within' }]);
 * invariantListSchema.safeParse([{ id: 'a', check: 'no-conflicts' }, { id: 'a', check: 'paths-within' }]).success; // false: duplicate id
 */
export const invariantListSchema = z.array(invariantSchema).superRefine(
  (invariants, ctx) => {
    const first = new Map<string, number>();
    // runs even when an invariant is malformed, so every problem is listed at once
    (invariants as unknown[]).forEach((invariant, index) => {
      const id = typeof invariant === 'object' && invariant !== null ? (invariant as { id?: unknown }).id : undefined;
      if (typeof id !== 'string') return;
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, index);
      else ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id "${id}" (also invariants[${earlier}])` });
    });
  },
  { when: (payload) => Array.isArray(payload.value) },
);

/** A command run in the sandbox during validate. */
export const validateCommandSchema = z.strictObject({ run: commandText(4096), timeoutMs: timeoutMs.optional() });
export type ValidateCommand = z.output<typeof validateCommandSchema>;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name (letters, digits, _)' });

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
      resourceScopes: z.array(scopeGlob).min(1, { error: 'must list at least one glob, or leave the field out and give project' }).optional(),
      project: projectName.optional(),
      dependsOn: z.array(planName).default([]),
      invariants: invariantListSchema.default([]),
      validate: z.array(validateCommandSchema).default([]),
      strategy: strategySchema.optional(),
    })
    .superRefine((entry, ctx) => {
      if (!entry.resourceScopes && !entry.project) {
        ctx.addIssue({ code: 'custom', path: ['resourceScopes'], message: 'a child plan needs resourceScopes or a project' });
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
export const planFileSchema = z.strictObject({
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
  /** Commands may use the host network (SPEC §15); inherited by child plans. Default: no network. */
  network: z.boolean({ error: 'must be true or false' }).default(false),
  /** Tighter limits for the plan's commands than the project's (docs/sandbox.md#resource-limits); inherited by child plans. */
  sandbox: z.strictObject({ limits: resourceLimitsSchema.optional() }).optional(),
  strategy: strategySchema.optional(),
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
      ctx.addIssue({ code: 'custom', path: ['entries', index, 'name'], message: `duplicate child name "${entry.name}"` });
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
        ctx.addIssue({ code: 'custom', path: ['entries', index, 'dependsOn', depIndex], message: 'an entry cannot depend on itself' });
      }
    });
  });
  const cycle = findCycle(group.entries);
  if (cycle) ctx.addIssue({ code: 'custom', path: ['entries'], message: `dependency cycle: ${cycle.join(' → ')}` });
}

function findCycle(entries: readonly SubplanEntry[]): string[] | null {
  const edges = new Map<string, string[]>();
  for (const entry of entries) if (entry.name) edges.set(entry.name, entry.dependsOn.filter((dep) => dep !== entry.name));
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
