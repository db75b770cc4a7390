import {
  DEFAULT_COMMAND_CHECK_TIMEOUT_MS,
  failureLine,
  failureLines,
  limitText,
  type BuiltInInvariant,
} from '../../src/domain/index.js';
import { builtCheck } from './define-check.js';

type CommandInvariant = Extract<BuiltInInvariant, { check: 'command' }>;

/** `command`: `run` exits 0 in the sandbox within `timeoutMs` (default 120 s). */
export const commandCheck = builtCheck({
  name: 'command',
  description: 'the command exits with code 0 in the sandbox within timeoutMs',
  async run(invariant, context) {
    const { run, timeoutMs = DEFAULT_COMMAND_CHECK_TIMEOUT_MS } = invariant as unknown as CommandInvariant;
    const result = await context.runCommand(run, { timeoutMs });
    if (result.limit)
      return {
        passed: false,
        message: `stopped at ${limitText(result.limit, result.limitValue)}: ${run}`,
        lines: failureLines(result),
      };
    if (result.exitCode === 0) return { passed: true, message: `exit 0 in ${result.durationMs} ms` };
    if (result.timedOut) return { passed: false, message: `TIMEOUT after ${timeoutMs} ms: ${run}` };
    if (result.cancelled) return { passed: false, message: `cancelled while running: ${run}` };
    // which test failed, not the runner's last summary line (SPEC §18)
    const why = failureLine(result);
    const ended =
      result.exitCode === null ? `killed by ${result.signal ?? 'a signal'}` : `exit code ${result.exitCode}`;
    return { passed: false, message: why ? `${ended}: ${why}` : ended, lines: failureLines(result) };
  },
});
