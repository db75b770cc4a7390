import type { z } from 'zod';
import type { ConflictRecord, ReconcileTrigger, SandboxInfo, TieredInvariant } from '../../src/domain/index.js';
import type { PathGuard } from '../../src/tools/types.js';
import type { CommandResult } from '../../src/sandbox/command-sandbox.js';

/**
 * A check's answer: whether the invariant holds, and why in one line.
 *
 * @example
 * async run({ path }, { paths }): Promise<CheckVerdict> {
 *   const found = existsSync(await paths.resolve(path, 'read'));
 *   return { passed: found, message: found ? `${path} exists` : `${path} is missing` };
 * },
 */
export interface CheckVerdict {
  passed: boolean;
  message: string;
  /** The lines of output that say why it failed (a failed command's last lines), shown under the violation. */
  lines?: string[];
}

/**
 * What a check may use. Everything is bound to the plan's sandbox.
 *
 * @example
 * async run(invariant, context: CheckContext) {
 *   const result = await context.runCommand('npm test', { timeoutMs: 120_000 });
 *   return { passed: result.exitCode === 0, message: `exit code ${result.exitCode} ${context.trigger}` };
 * },
 */
export interface CheckContext {
  planId: string;
  trigger: ReconcileTrigger;
  sandbox: SandboxInfo;
  /** Absolute path of the sandbox worktree. */
  sandboxRoot: string;
  /** The plan's resourceScopes (undefined: it may write anywhere). */
  resourceScopes: string[] | undefined;
  /** Resolves sandbox-relative paths safely (`SANDBOX_ESCAPE` for absolute paths, `..`, symlinks out). */
  paths: PathGuard;
  /**
   * Run `sh -c command` in the plan's sandbox (contained: SPEC §15) with its
   * environment; killed with everything it started on timeout or cancel.
   * Rejects with `SANDBOX_UNAVAILABLE` when the sandbox cannot start.
   */
  runCommand(command: string, options: { timeoutMs: number }): Promise<CommandResult>;
  /** Sandbox-relative paths committed since the sandbox base (renames as delete + add). */
  changedPaths(): Promise<string[]>;
  /** The plan's open conflict records. */
  openConflicts(): Promise<ConflictRecord[]>;
  /** Aborted when the plan is cancelled: stop and answer anything. */
  signal: AbortSignal;
}

/**
 * An invariant check, registered by name (SPEC §4). `options` is the zod
 * schema of the invariant's own fields (besides `id`, `check`,
 * `description`); they are validated when a plan is created, so a typo
 * fails `plan new`, not a reconciliation.
 *
 * @example
 * const noTodos: CheckSpec = defineCheck({
 *   name: 'acme/no-todos', description: 'no changed file is named TODO', readOnly: true,
 *   run: async (invariant, { changedPaths }) => ({ passed: !(await changedPaths()).some((p) => p.endsWith('TODO')), message: 'checked' }),
 * });
 */
export interface CheckSpec<O extends Record<string, unknown> = Record<string, unknown>> {
  /** `command`, `file-exists`… for built-ins; namespaced (`acme/lint-clean`) for the ones an app adds. */
  readonly name: string;
  /** One sentence: what holds when the check passes. */
  readonly description: string;
  readonly options: z.ZodType<O> | undefined;
  /**
   * True when the check only reads the sandbox. A check that may write (it
   * runs commands) makes the next step reset the sandbox to its last commit
   * first, so nothing the check left behind is committed by the step.
   */
  readonly readOnly: boolean;
  run(invariant: TieredInvariant & O, context: CheckContext): Promise<CheckVerdict>;
}

/**
 * A check of any options, as the registry holds it.
 *
 * @example
 * const checks: AnyCheckSpec[] = [lintClean, hasChangelog];
 * const runtime = await createRuntime({ dir: '/path/to/repo', checks });
 */
// `any`, not `unknown`: a check whose options are `{level: number}` must still fit here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: options are contravariant in a check's run
export type AnyCheckSpec = CheckSpec<any>;
