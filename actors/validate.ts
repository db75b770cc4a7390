import type { ValidateInput, ValidateOutcome, ValidateResult } from '../machines/index.js';
import type { ActorServices } from './services.js';

/** Validate commands without their own `timeoutMs` may run this long (10 minutes: test suites are slow). */
export const DEFAULT_VALIDATE_TIMEOUT_MS = 600_000;

/**
 * The `validate` actor: runs the plan's `validate` commands in the sandbox,
 * in order, each in its own process group; the first that fails (non-zero
 * exit or timeout) fails the phase with its output tails. Re-running it is
 * safe, so its failures are retryable.
 */
export async function validatePlan(input: ValidateInput, services: ActorServices, signal: AbortSignal): Promise<ValidateOutcome> {
  const spec = await services.readSpec(input.planId);
  const processes = services.processes(input.planId);
  // a validate re-run after a crash: the last process's commands may still run
  await processes?.reap();
  const cwd = services.sandboxes.pathOf(input.sandbox);
  const env = services.commandEnv(spec.env);
  const results: ValidateResult[] = [];
  for (const command of spec.validate) {
    const run = await services.runCommand({ command: command.run, cwd, env, timeoutMs: command.timeoutMs ?? DEFAULT_VALIDATE_TIMEOUT_MS, signal, ...(processes ? { processes } : {}) });
    results.push({ run: command.run, exitCode: run.exitCode, durationMs: run.durationMs });
    if (run.exitCode === 0) continue;
    const details = { run: command.run, exitCode: run.exitCode, stdoutTail: run.stdoutTail, stderrTail: run.stderrTail, durationMs: run.durationMs };
    if (run.cancelled) return { ok: false, results, error: { code: 'CANCELLED', message: `validate was cancelled while running: ${command.run}`, details } };
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
    return {
      ok: false,
      results,
      error: {
        code: 'TOOL_FAILED',
        message: `validate command failed with exit code ${run.exitCode}: ${command.run}`,
        details,
        hint: 'details.stderrTail shows why; if it was flaky, run troupe plan validate again',
        retryable: true,
      },
    };
  }
  return { ok: true, results };
}
