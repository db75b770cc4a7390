import { z } from 'zod';
import {
  TroupeError,
  dependencyHintFor,
  failureLines,
  limitHint,
  limitText,
  nulByteProblem,
  type CommandResult,
} from '../../domain/index.js';
import { defineTool } from '../define-tool.js';

/** The timeout of `shell/run` when the step gives none: 60 s. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
/** The longest timeout a step may ask for: one hour. */
export const MAX_COMMAND_TIMEOUT_MS = 3_600_000;
/** The longest command text accepted: 64 KiB. */
export const MAX_COMMAND_LENGTH = 64 * 1024;

/** `{command, timeoutMs?}`: the input of the shell tools (`shell/run`, `shell/exec`). */
export function shellCommandInput() {
  return z.strictObject({
    command: z
      .string()
      .min(1)
      .max(MAX_COMMAND_LENGTH)
      // no process argument can hold one: refused here, not a failure to start
      .superRefine((value, ctx) => {
        const problem = nulByteProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({ description: 'Shell text run with sh -c in the sandbox root' }),
    timeoutMs: z
      .number()
      .int()
      .positive()
      .max(MAX_COMMAND_TIMEOUT_MS)
      .meta({ description: 'Kill the command after this many milliseconds (default 60000)' })
      .optional(),
  });
}

/**
 * `shell/run {command, timeoutMs?}`: run `sh -c command` in the plan's
 * sandbox (contained: only the worktree and a private /tmp are writable)
 * with the plan's environment (the allowlist plus its `env`). A non-zero
 * exit fails with `TOOL_FAILED`, a timeout with `TIMEOUT`, a cancelled plan
 * with `CANCELLED`, a command stopped at a resource limit with `TOOL_FAILED`
 * naming it (`details.limit`: `memory`, `processes`, `file size`); each
 * keeps in `details` the lines that say why
 * (`lines`: the last 20 of stderr, of stdout when stderr is empty) and the
 * output tails. Execute only.
 *
 * @example
 * await runner.run('shell/run', { command: 'npm test', timeoutMs: 120_000 }, context);
 * // { success: true, output: { exitCode: 0, stdoutTail: '…passed', stderrTail: '', durationMs: 5321 } }
 */
export const shellRunTool = defineTool({
  name: 'shell/run',
  description: 'Run a shell command (sh -c) in the sandbox; fails on a non-zero exit',
  input: shellCommandInput(),
  sideEffects: ['exec', 'fs_write'],
  async handler({ command, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS }, context) {
    // in the plan's sandbox (SPEC §15): SANDBOX_UNAVAILABLE passes through as the call's error
    const result = await context.runCommand(command, { timeoutMs });
    const details = {
      exitCode: result.exitCode,
      signal: result.signal,
      // the lines that matter first (SPEC §18): which test failed; all of it is in troupe plan logs
      lines: failureLines(result),
      stdoutTail: result.stdoutTail,
      stderrTail: result.stderrTail,
      durationMs: result.durationMs,
    };
    const shown = brief(command);
    if (result.cancelled) throw new TroupeError('CANCELLED', `shell/run was cancelled: ${shown}`, { details });
    // whatever its exit code: part of what it did was refused (docs/explanation/sandbox.md#resource-limits)
    if (result.limit) {
      throw new TroupeError(
        'TOOL_FAILED',
        `shell/run was stopped at ${limitText(result.limit, result.limitValue)}: ${shown}`,
        {
          hint: limitHint(result.limit),
          details: { ...details, limit: result.limit, limitValue: result.limitValue },
        },
      );
    }
    if (result.timedOut) {
      throw new TroupeError('TIMEOUT', `shell/run timed out after ${timeoutMs} ms: ${shown}`, {
        hint: 'give the step a larger timeoutMs (at most 3600000) or make the command faster',
        details,
      });
    }
    if (result.exitCode !== 0) {
      // a package the sandbox lacks says how to share it; a tool does not know what the project shares, so the hint says both ways
      const hint = dependencyHintFor(result, undefined);
      throw new TroupeError('TOOL_FAILED', `shell/run ${howItFailed(result)}: ${shown}`, {
        details,
        ...(hint === undefined ? {} : { hint }),
      });
    }
    return {
      exitCode: 0 as const,
      stdoutTail: result.stdoutTail,
      stderrTail: result.stderrTail,
      durationMs: result.durationMs,
    };
  },
});

function howItFailed(result: CommandResult): string {
  if (result.exitCode !== null) return `exited with code ${result.exitCode}`;
  return `was killed by ${result.signal ?? 'a signal'}`;
}

// the message is one line in a status view; the full command is in the plan file
function brief(command: string): string {
  const line = command.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
