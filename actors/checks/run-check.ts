import { TroupeError, type InvariantResult } from '../../src/domain/index.js';
import type { CheckInput } from '../../machines/index.js';
import type { ActorServices } from '../services.js';
import type { CheckRegistry } from './registry.js';
import type { CheckContext } from './types.js';

// a violation's lines live in the plan's error and its reconciliation decision: bounded
const MAX_LINES = 30;

/**
 * The `runCheck` actor: checks one invariant in the plan's sandbox and
 * answers its result — never a throw: a check that throws or answers
 * nonsense is a violation saying so. Safe to run twice: checks read the
 * sandbox, and a check that may write (a command) makes the next step reset
 * the sandbox to its last commit first.
 */
export async function runInvariantCheck(
  input: CheckInput,
  services: ActorServices,
  checks: CheckRegistry,
  signal: AbortSignal,
): Promise<InvariantResult> {
  const { invariant, sandbox, planId } = input;
  const started = performance.now();
  const result = (passed: boolean, message: string): InvariantResult => ({
    id: invariant.id,
    tier: invariant.tier,
    check: invariant.check,
    passed,
    message,
    durationMs: Math.round(performance.now() - started),
  });
  const check = checks.get(invariant.check);
  if (!check) return result(false, `no check named "${invariant.check}" is registered in this runtime`);
  // what the check leaves in the worktree must not reach the next step's commit
  if (!check.readOnly) services.cleanSandboxes.delete(planId);
  try {
    const spec = await services.readSpec(planId);
    const root = services.sandboxes.pathOf(sandbox);
    const paths = await services.pathGuard(root, spec.resourceScopes);
    const commands = await services.commandRunner(planId, root);
    const context: CheckContext = {
      planId,
      trigger: input.trigger,
      sandbox,
      sandboxRoot: root,
      resourceScopes: spec.resourceScopes,
      paths,
      signal,
      runCommand: (command, options) =>
        commands(command, { timeoutMs: options.timeoutMs, signal, log: { kind: 'check', invariant: invariant.id } }),
      changedPaths: async () =>
        (await services.sandboxes.diff(sandbox, sandbox.baseCommit, sandbox.headCommit)).map((change) => change.path),
      openConflicts: () => services.openConflicts(planId),
    };
    const verdict: unknown = await check.run(checks.withDefaults(invariant), context);
    if (
      typeof verdict !== 'object' ||
      verdict === null ||
      typeof (verdict as { passed?: unknown }).passed !== 'boolean'
    ) {
      return result(
        false,
        `the ${check.name} check answered ${JSON.stringify(verdict) ?? 'nothing'} instead of { passed, message }`,
      );
    }
    const { passed, message, lines } = verdict as { passed: boolean; message?: unknown; lines?: unknown };
    const shown =
      !passed && Array.isArray(lines) && lines.every((line) => typeof line === 'string') && lines.length > 0
        ? { lines: lines.slice(-MAX_LINES) as string[] }
        : {};
    return { ...result(passed, typeof message === 'string' ? message : ''), ...shown };
  } catch (error) {
    // a command that could not be contained says so first: the plan's error is then SANDBOX_UNAVAILABLE
    if (error instanceof TroupeError && error.code === 'SANDBOX_UNAVAILABLE')
      return result(false, `SANDBOX_UNAVAILABLE: ${error.message}`);
    return result(false, `the ${check.name} check failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
