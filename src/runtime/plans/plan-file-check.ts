import { z } from 'zod';
import {
  PLAN_FILE_HINT,
  TroupeError,
  ValidationError,
  invariantSchema,
  isLoaderEnv,
  looserLimits,
  networkSettingSchema,
  resourceLimitsSchema,
  widerNetwork,
  projectName,
  readPlanFile,
  scopeGlob,
  toolNameSchema,
  type ErrorCode,
  type FieldIssue,
  type NetworkSetting,
  type PlanSpec,
  type ResourceLimits,
} from '../../domain/index.js';
import type { ActorServices, CheckRegistry } from '../../../actors/index.js';
import type { ToolRunner } from '../../tools/index.js';

/** What a plan file is checked against besides its schema. */
export interface PlanFileCheckers {
  tools: ToolRunner;
  checks: CheckRegistry;
  /** Whether a project of this name is registered (`troupe project add`). */
  hasProject: (name: string) => Promise<boolean>;
  /** `sandbox.allowLoaderEnv`: the plan's `env` may set loader variables (`LD_PRELOAD`…). Default false. */
  allowLoaderEnv?: boolean;
  /** The project's resource limits: a plan's `sandbox.limits` above one is refused (none checked when absent). */
  limits?: ResourceLimits;
  /** The project's `network`: with an allow-list, a plan's `network` reaching past it is refused (none checked when absent). */
  network?: NetworkSetting;
}

type Problem = FieldIssue & { code: ErrorCode; kind: 'schema' | 'step' | 'check' | 'project' | 'limits' | 'network' };

/**
 * Validate a plan file in one pass (SPEC §4) before anything is written:
 * its schema, and on every part that parsed, what needs the runtime —
 * each tool step against its tool (input, unsafe paths, writes outside its
 * plan's scopes), each invariant against its registered check, each
 * `project:` against the registered projects, its `sandbox.limits` against
 * the project's (a plan may only tighten them), its `network` against the
 * project's allow-list (a plan may only narrow it). Every problem is listed at
 * once, by field; a check that depends on a field that is wrong (scopes
 * that do not parse) is skipped rather than guessed. Throws one
 * `VALIDATION_ERROR`, or `SANDBOX_ESCAPE` / `SCOPE_VIOLATION` when that is
 * the whole story.
 */
export async function checkPlanFile(
  source: unknown,
  checkers: PlanFileCheckers,
  subject = 'plan file',
): Promise<PlanSpec> {
  const { data, spec, issues } = readPlanFile(source, { origin: subject });
  const problems: Problem[] = issues.map((issue) => ({ ...issue, code: 'VALIDATION_ERROR', kind: 'schema' }));
  const projects: { path: string; project: string }[] = [];
  for (const level of planLevels(data)) {
    problems.push(...levelProblems(level, checkers));
    if (level.project !== null) projects.push({ path: `${level.prefix}project`, project: level.project });
  }
  if (checkers.allowLoaderEnv !== true) problems.push(...loaderEnvProblems(data));
  if (checkers.limits) {
    const sandbox = data['sandbox'];
    const limits = resourceLimitsSchema.safeParse(isMapping(sandbox) ? sandbox['limits'] : undefined);
    if (limits.success)
      for (const issue of looserLimits(limits.data, checkers.limits))
        problems.push({ ...issue, code: 'VALIDATION_ERROR', kind: 'limits' });
  }
  if (checkers.network !== undefined) {
    const network = networkSettingSchema.safeParse(data['network'] ?? false);
    if (network.success)
      for (const issue of widerNetwork(network.data, checkers.network))
        problems.push({ ...issue, code: 'VALIDATION_ERROR', kind: 'network' });
  }
  for (const reference of projects) {
    if (!(await checkers.hasProject(reference.project))) {
      problems.push({
        path: reference.path,
        message: `no project named "${reference.project}" is registered`,
        code: 'VALIDATION_ERROR',
        kind: 'project',
      });
    }
  }
  if (problems.length === 0 && spec !== null) return spec;
  throw planFileError(problems, subject);
}

// a loader variable in `env` would act on whatever program starts with it: refused unless the project allows it
function loaderEnvProblems(data: unknown): Problem[] {
  const env = isMapping(data) ? data['env'] : undefined;
  if (!isMapping(env)) return [];
  return Object.keys(env)
    .filter(isLoaderEnv)
    .map((name) => ({
      path: `env.${name}`,
      message: `${name} is a variable the dynamic loader or the C library acts on: a plan may not set it unless the project allows it ("sandbox": {"allowLoaderEnv": true} in .troupe/config.json; it then reaches the command inside the sandbox only)`,
      code: 'VALIDATION_ERROR' as const,
      kind: 'schema' as const,
    }));
}

/** One plan of a plan file: the root or a child entry, with what its steps are checked against. */
interface PlanLevel {
  /** Field path prefix: '' for the root, `strategy.steps[0].subplans.entries[1].` for a child. */
  prefix: string;
  fields: Record<string, unknown>;
  /** Its resourceScopes when they parse; undefined when absent or wrong (no scope check then). */
  scopes: string[] | undefined;
  /** The registered project a child names, when the name is well-formed. */
  project: string | null;
}

const scopesSchema = z.array(scopeGlob);

// the root and every child entry, in document order (the depth was bounded by readPlanFile)
function planLevels(root: Record<string, unknown>): PlanLevel[] {
  const levels: PlanLevel[] = [];
  const visit = (fields: Record<string, unknown>, prefix: string, child: boolean) => {
    const scopes = scopesSchema.safeParse(fields['resourceScopes']);
    const project = child && projectName.safeParse(fields['project']).success ? (fields['project'] as string) : null;
    levels.push({ prefix, fields, scopes: scopes.success ? scopes.data : undefined, project });
    stepsOf(fields).forEach((step, index) => {
      const entries = isMapping(step) && isMapping(step['subplans']) ? step['subplans']['entries'] : undefined;
      if (!Array.isArray(entries)) return;
      entries.forEach((entry, entryIndex) => {
        if (isMapping(entry)) visit(entry, `${prefix}strategy.steps[${index}].subplans.entries[${entryIndex}].`, true);
      });
    });
  };
  visit(root, '', false);
  return levels;
}

function levelProblems(level: PlanLevel, { tools, checks }: PlanFileCheckers): Problem[] {
  const problems: Problem[] = [];
  const invariants = level.fields['invariants'];
  if (Array.isArray(invariants)) {
    invariants.forEach((raw, index) => {
      const parsed = invariantSchema.safeParse(raw);
      if (!parsed.success) return;
      for (const issue of checks.problemsOf(parsed.data, `${level.prefix}invariants[${index}]`))
        problems.push({ ...issue, code: 'VALIDATION_ERROR', kind: 'check' });
    });
  }
  stepsOf(level.fields).forEach((step, index) => {
    if (!isMapping(step) || !toolNameSchema.safeParse(step['tool']).success) return;
    const input = step['input'] ?? {};
    // an input that is not a mapping is the schema's to report
    if (!isMapping(input)) return;
    const found = tools.check(step['tool'] as string, input, {
      ...(level.scopes ? { scopes: level.scopes } : {}),
      pathPrefix: `${level.prefix}strategy.steps[${index}]`,
    });
    for (const problem of found)
      problems.push({ path: problem.path, message: problem.message, code: problem.code as ErrorCode, kind: 'step' });
  });
  return problems;
}

function planFileError(problems: readonly Problem[], subject: string): TroupeError {
  // what the schema said about a field is said once, whoever else looked at it
  const seen = new Set<string>();
  const shown = problems.filter((problem) => {
    const key = problem.kind === 'schema' ? `${problem.path}\u0000${problem.message}` : problem.path;
    if (seen.has(key) || seen.has(problem.path)) return false;
    seen.add(key);
    seen.add(problem.path);
    return true;
  });
  const kinds = new Set(shown.map((problem) => problem.kind));
  const only = kinds.size === 1 ? [...kinds][0] : undefined;
  const unregistered = new Set(
    shown.filter((problem) => problem.kind === 'project').map((problem) => /"(.*)"/.exec(problem.message)![1]!),
  );
  const hint =
    only === 'project'
      ? `register it: troupe project add ${unregistered.size === 1 ? [...unregistered][0]! : '<name>'} <path>`
      : only === 'check'
        ? 'register the check with a plugin (docs/reference/plugins.md) or createRuntime({ checks }), or fix the invariant'
        : only === 'limits'
          ? "lower it in the plan file, or raise the project's limit (sandbox.limits in .troupe/config.json) — see docs/explanation/sandbox.md#resource-limits"
          : only === 'network'
            ? 'list only hosts the project allows, or add the host to network.allow in .troupe/config.json — see docs/explanation/sandbox.md#network-by-name'
            : PLAN_FILE_HINT;
  const error = new ValidationError(
    shown.map(({ path, message }) => ({ path, message })),
    { subject, hint },
  );
  // an unsafe path or a write outside scopes keeps its own code when it is the whole story
  const codes = new Set(shown.map((problem) => problem.code));
  const [code] = codes;
  if (codes.size === 1 && code !== undefined && code !== 'VALIDATION_ERROR') {
    return new TroupeError(code, error.message, {
      ...(error.hint ? { hint: error.hint } : {}),
      ...(error.details ? { details: error.details } : {}),
    });
  }
  return error;
}

function stepsOf(fields: Record<string, unknown>): unknown[] {
  const strategy = fields['strategy'];
  return isMapping(strategy) && Array.isArray(strategy['steps']) ? strategy['steps'] : [];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A plan's sandbox starts from a commit: a project without one is refused
 * when the plan is created, before its name is taken, not at strategize.
 *
 * @example
 * await checkHasCommits(services.project, '/path/to/repo');
 */
export async function checkHasCommits(project: Pick<ActorServices['project'], 'head'>, dir: string): Promise<void> {
  if ((await project.head()) !== null) return;
  throw new TroupeError(
    'VALIDATION_ERROR',
    `the project has no commits yet (${dir}): a plan's sandbox starts from one`,
    {
      hint: `make a first commit (git add -A && git commit -m "initial"), then create the plan again`,
    },
  );
}
