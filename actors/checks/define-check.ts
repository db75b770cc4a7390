import type { z } from 'zod';
import {
  BUILT_IN_CHECKS,
  ValidationError,
  customCheckNameSchema,
  toFieldIssues,
  type TieredInvariant,
} from '../../src/domain/index.js';
import type { CheckContext, CheckSpec, CheckVerdict } from './types.js';

/** The options type a check's invariants carry: the schema's output, or nothing extra. */
export type CheckOptionsOf<S> =
  S extends z.ZodType<infer O extends Record<string, unknown>> ? O : Record<string, unknown>;

/**
 * What {@link defineCheck} takes: a {@link CheckSpec} whose invariant type is inferred from `options`.
 *
 * @example
 * const definition: CheckDefinition<undefined> = {
 *   name: 'acme/has-changelog', description: 'CHANGELOG.md mentions the plan', readOnly: true,
 *   async run(invariant, { changedPaths }) { const changed = await changedPaths(); return { passed: changed.includes('CHANGELOG.md'), message: changed.join(', ') }; },
 * };
 * const hasChangelog = defineCheck(definition);
 */
export interface CheckDefinition<S extends z.ZodType<Record<string, unknown>> | undefined> {
  /** Namespaced, e.g. `acme/lint-clean`. */
  name: string;
  description: string;
  /** A zod schema of the invariant's own fields (a strict object), or nothing when it has none. */
  options?: S;
  /** True when the check only reads the sandbox (default false: it may write, like a command). */
  readOnly?: boolean;
  run(invariant: TieredInvariant & CheckOptionsOf<S>, context: CheckContext): Promise<CheckVerdict>;
}

/**
 * An invariant check an embedding app registers with
 * `createRuntime({ checks: [...] })`, checked and frozen. Plan files then use
 * it by name: `{ id: lint, check: acme/lint-clean, maxWarnings: 0 }`.
 *
 * @example
 * const lintClean = defineCheck({
 *   name: 'acme/lint-clean',
 *   description: 'the linter reports at most maxWarnings warnings',
 *   options: z.strictObject({ maxWarnings: z.number().int().nonnegative().default(0) }),
 *   async run({ maxWarnings }, { runCommand }) {
 *     const result = await runCommand(`npx eslint --max-warnings ${maxWarnings} .`, { timeoutMs: 60_000 });
 *     return { passed: result.exitCode === 0, message: result.exitCode === 0 ? 'lint clean' : result.stdoutTail.trim().split('\n').at(-1) ?? '' };
 *   },
 * });
 */
export function defineCheck<S extends z.ZodType<Record<string, unknown>> | undefined = undefined>(
  definition: CheckDefinition<S>,
): CheckSpec<CheckOptionsOf<S>> {
  const issues = [];
  const name = customCheckNameSchema.safeParse(definition.name);
  if (!name.success) issues.push(...toFieldIssues(name.error.issues, definition.name, 'name'));
  if ((BUILT_IN_CHECKS as readonly string[]).includes(definition.name))
    issues.push({ path: 'name', message: `"${definition.name}" is a built-in check` });
  if (typeof definition.description !== 'string' || definition.description.trim() === '')
    issues.push({ path: 'description', message: 'must not be empty' });
  if (typeof definition.run !== 'function') issues.push({ path: 'run', message: 'must be a function' });
  if (
    definition.options !== undefined &&
    typeof (definition.options as { safeParse?: unknown }).safeParse !== 'function'
  ) {
    issues.push({ path: 'options', message: 'must be a zod schema' });
  }
  if (issues.length > 0) throw new ValidationError(issues, { subject: `check ${JSON.stringify(definition.name)}` });
  return builtCheck(definition);
}

/** A check without the name rules of {@link defineCheck}: for the ones troupe ships. */
export function builtCheck<S extends z.ZodType<Record<string, unknown>> | undefined>(
  definition: CheckDefinition<S>,
): CheckSpec<CheckOptionsOf<S>> {
  return Object.freeze({
    name: definition.name,
    description: definition.description,
    options: definition.options as never,
    readOnly: definition.readOnly ?? false,
    run: definition.run as never,
  });
}
