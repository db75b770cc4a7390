import { TroupeError } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, shellCommandInput } from './shell-run.js';

/** How much of the end of stdout and of stderr `shell/exec` returns: 16 KiB each. */
export const EXEC_OUTPUT_BYTES = 16 * 1024;

/**
 * `shell/exec {command, timeoutMs?}`: run `sh -c command` in the plan's
 * sandbox, like `shell/run`, and answer how it ended — a non-zero exit or
 * a timeout is a result, not a failure: `{exitCode, signal, timedOut,
 * stdout, stderr, durationMs}` with the last 16 KiB of each stream, and
 * `limit` when it was stopped at a resource limit. What
 * the command wrote is the step's, as with any tool. This is what an agent
 * calls (`run_command`, SPEC §16); a plan file that wants a failing command
 * to stop the plan uses `shell/run`. Only troupe's own errors fail it
 * (`SANDBOX_UNAVAILABLE`, `CANCELLED`). Execute only.
 *
 * @example
 * await runner.run('shell/exec', { command: 'npm test' }, context);
 * // { success: true, output: { exitCode: 1, signal: null, timedOut: false, stdout: '…', stderr: '1 failing\n', durationMs: 2310 } }
 */
export const shellExecTool = defineTool({
  name: 'shell/exec',
  description: 'Run a shell command (sh -c) in the sandbox and return its exit code and output, whatever the exit code',
  input: shellCommandInput(),
  sideEffects: ['exec', 'fs_write'],
  async handler({ command, timeoutMs = DEFAULT_COMMAND_TIMEOUT_MS }, context) {
    const result = await context.runCommand(command, { timeoutMs, tailBytes: EXEC_OUTPUT_BYTES });
    if (result.cancelled)
      throw new TroupeError('CANCELLED', 'shell/exec was cancelled', {
        details: { stdout: result.stdoutTail, stderr: result.stderrTail },
      });
    const limit = result.limit ? { limit: result.limit, limitValue: result.limitValue } : {};
    return {
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      stdout: result.stdoutTail,
      stderr: result.stderrTail,
      durationMs: result.durationMs,
      ...limit,
    };
  },
});
