// The checks a strategy's steps pass before any decision is recorded: the
// plan file's schema, then what the tools say of each step, recursively
// into the steps of subplans entries. The runtime runs the same checks on a
// plan file before anything is written.
import {
  ValidationError,
  cutDeepSubplans,
  stepSchema,
  toFieldIssues,
  type FieldIssue,
  type Step,
} from '../src/domain/index.js';
import type { ActorServices } from './services.js';

/**
 * A custom strategist's steps, with the same checks as a plan file's;
 * `VALIDATION_ERROR` naming every field that fails.
 */
export function validateSteps(steps: unknown, services: ActorServices, scopes: string[] | undefined): Step[] {
  const { parsed, issues } = stepIssues(steps, services, scopes);
  if (issues.length > 0) throw new ValidationError(issues, { subject: 'strategy' });
  return parsed;
}

/** The steps that pass a plan file's checks, and what is wrong with the others, by field. */
export function stepIssues(
  steps: unknown,
  services: ActorServices,
  scopes: string[] | undefined,
): { parsed: Step[]; issues: FieldIssue[] } {
  if (!Array.isArray(steps))
    return { parsed: [], issues: [{ path: 'steps', message: 'the strategist must return a list of steps' }] };
  // children nested past the limit are cut before the schema recurses into them (it would overflow the stack)
  const cut = cutDeepSubplans({ strategy: { steps } });
  const issues: FieldIssue[] = cut.issues.map((issue) => ({ ...issue, path: issue.path.replace(/^strategy\./, '') }));
  const parsed: Step[] = [];
  (cut.data as { strategy: { steps: unknown[] } }).strategy.steps.forEach((raw, index) => {
    const result = stepSchema.safeParse(raw);
    if (!result.success) {
      issues.push(...toFieldIssues(result.error.issues, raw, `steps[${index}]`));
      return;
    }
    const step = result.data;
    for (const problem of stepProblems(services.tools, step, scopes, `steps[${index}]`))
      issues.push({ path: problem.path, message: problem.message });
    parsed.push(step);
  });
  return { parsed, issues };
}

/** Steps already read through the plan file's schema: only the tools' checks, as {@link validateSteps} makes them. */
export function checkedSteps(steps: Step[], services: ActorServices, scopes: string[] | undefined): Step[] {
  const issues: FieldIssue[] = steps.flatMap((step, index) =>
    stepProblems(services.tools, step, scopes, `steps[${index}]`).map(({ path, message }) => ({ path, message })),
  );
  if (issues.length > 0) throw new ValidationError(issues, { subject: 'strategy' });
  return steps;
}

/**
 * What a step would run into, found without a sandbox: a tool step's
 * problems (ToolRunner.check), and for a `subplans` step those of every
 * entry's own steps against the entry's scopes, recursively. (Whether a
 * named project is registered needs the store: the runtime checks it.)
 *
 * @example
 * stepProblems(services.tools, step, spec.resourceScopes, 'steps[0]'); // [{ code, path: 'steps[0].input.path', message }]
 */
export function stepProblems(
  tools: Pick<ActorServices['tools'], 'check'>,
  step: Step,
  scopes: string[] | undefined,
  prefix: string,
): { code: string; path: string; message: string }[] {
  if ('tool' in step) return tools.check(step.tool, step.input, { ...(scopes ? { scopes } : {}), pathPrefix: prefix });
  return step.subplans.entries.flatMap((entry, entryIndex) => {
    const at = `${prefix}.subplans.entries[${entryIndex}]`;
    return (entry.strategy?.steps ?? []).flatMap((child, childIndex) =>
      stepProblems(tools, child, entry.resourceScopes, `${at}.strategy.steps[${childIndex}]`),
    );
  });
}
