import {
  asTroupeError,
  dependencyHintFor,
  failureLines,
  ignoredFileHint,
  limitHint,
  limitText,
  mentionsMissingModule,
  missingModuleStems,
} from '../src/domain/index.js';
import type { ValidateInput, ValidateOutcome, ValidateResult } from '../machines/index.js';
import type { ActorServices } from './services.js';

/** Validate commands without their own `timeoutMs` may run this long (10 minutes: test suites are slow). */
export const DEFAULT_VALIDATE_TIMEOUT_MS = 600_000;

/**
 * The `validate` actor: runs the plan's `validate` commands in its sandbox
 * (contained, SPEC §15), in order; the first that fails (non-zero
 * exit or timeout) fails the phase with its output tails. Re-running it is
 * safe, so its failures are retryable.
 */
export async function validatePlan(
  input: ValidateInput,
  services: ActorServices,
  signal: AbortSignal,
): Promise<ValidateOutcome> {
  const [spec, plan] = await Promise.all([services.readSpec(input.planId), services.readPlan(input.planId)]);
  const processes = services.processes(input.planId);
  // a validate re-run after a crash: the last process's commands may still run
  await processes?.reap();
  // what is validated is the plan's last step commit: after a crash (a power cut can leave files the
  // checkout wrote empty) its tracked files are put back there first, unless this process saw it
  // clean there; untracked ones stay (a file a person added to make a check pass, then ran it again)
  if (services.cleanSandboxes.get(input.planId) !== input.sandbox.headCommit)
    await services.sandboxes.reset(input.sandbox, input.sandbox.headCommit, { keepUntracked: true });
  // its commands may write there (a test's snapshots): a step after it starts from the commit again
  services.cleanSandboxes.delete(input.planId);
  const commands = await services.commandRunner(input.planId, services.sandboxes.pathOf(input.sandbox));
  const results: ValidateResult[] = [];
  for (const command of spec.validate) {
    let run;
    try {
      run = await commands(command.run, {
        timeoutMs: command.timeoutMs ?? DEFAULT_VALIDATE_TIMEOUT_MS,
        signal,
        log: { kind: 'validate' },
      });
    } catch (error) {
      // the sandbox could not start (SANDBOX_UNAVAILABLE): nothing ran, the phase can run again once it can
      const failure = asTroupeError(error);
      return {
        ok: false,
        results,
        error: {
          ...failure.toJSON(),
          message: `${failure.message} (validate command: ${command.run})`,
          retryable: true,
        },
      };
    }
    results.push({ run: command.run, exitCode: run.exitCode, durationMs: run.durationMs });
    if (run.exitCode === 0 && !run.limit) continue;
    // the lines that matter first (SPEC §18): which test failed; the whole output is in troupe plan logs
    const details = {
      run: command.run,
      exitCode: run.exitCode,
      lines: failureLines(run),
      stdoutTail: run.stdoutTail,
      stderrTail: run.stderrTail,
      durationMs: run.durationMs,
    };
    if (run.cancelled)
      return {
        ok: false,
        results,
        error: { code: 'CANCELLED', message: `validate was cancelled while running: ${command.run}`, details },
      };
    if (run.limit) {
      return {
        ok: false,
        results,
        error: {
          code: 'TOOL_FAILED',
          message: `validate command was stopped at ${limitText(run.limit, run.limitValue)}: ${command.run}`,
          details: { ...details, limit: run.limit, limitValue: run.limitValue },
          hint: limitHint(run.limit),
          retryable: true,
        },
      };
    }
    if (run.timedOut) {
      return {
        ok: false,
        results,
        error: {
          code: 'TIMEOUT',
          message: `validate command timed out after ${command.timeoutMs ?? DEFAULT_VALIDATE_TIMEOUT_MS} ms: ${command.run}`,
          details,
          hint: 'raise timeoutMs on the validate command, then run troupe plan validate again',
          retryable: true,
        },
      };
    }
    const again = `all of its output: troupe plan logs ${plan.name} --phase validate; if it was flaky, run troupe plan validate again`;
    const policy = await services.sandboxPolicy(plan.id);
    const generated = policy.mode === 'off' ? null : await generatedFileHint(run, services, policy.share);
    return {
      ok: false,
      results,
      error: {
        code: 'TOOL_FAILED',
        message: `validate command failed with exit code ${run.exitCode}: ${command.run}`,
        details,
        // a package the sandbox lacks (sandbox.share) says so first: the usual first-plan failure; unconfined, nothing is withheld
        hint:
          policy.mode === 'off'
            ? again
            : generated !== null
              ? `${generated}; ${again}`
              : dependencyHintFor(run, policy.share, again),
        retryable: true,
      },
    };
  }
  return { ok: true, results };
}

// a module the worktree lacks because git ignores it in the checkout (a generated _version.py): named
// before any dependency hint, since the package itself is installed; the checkout read only then
async function generatedFileHint(
  run: Parameters<typeof missingModuleStems>[0],
  services: ActorServices,
  share: readonly string[],
): Promise<string | null> {
  if (!mentionsMissingModule(run)) return null;
  const checkout = await services.checkoutIgnored();
  const stems = missingModuleStems(run, checkout.root);
  return stems.length === 0 ? null : ignoredFileHint(stems, checkout.files, share);
}
