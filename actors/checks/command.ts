import { DEFAULT_COMMAND_CHECK_TIMEOUT_MS, type BuiltInInvariant } from '../../src/domain/index.js';
import { builtCheck } from './define-check.js';

type CommandInvariant = Extract<BuiltInInvariant, { check: 'command' }>;

/** `command`: `run` exits 0 in the sandbox within `timeoutMs` (default 120 s). */
export const commandCheck = builtCheck({
  name: 'command',
  description: 'the command exits with code 0 in the sandbox within timeoutMs',
  async run(invariant, context) {
    const { run, timeoutMs = DEFAULT_COMMAND_CHECK_TIMEOUT_MS } = invariant as unknown as CommandInvariant;
    const result = await context.runCommand(run, { timeoutMs });
    if (result.exitCode === 0) return { passed: true, message: `exit 0 in ${result.durationMs} ms` };
    if (result.timedOut) return { passed: false, message: `TIMEOUT after ${timeoutMs} ms: ${run}` };
    if (result.cancelled) return { passed: false, message: `cancelled while running: ${run}` };
    const why = lastLine(result.stderrTail) || lastLine(result.stdoutTail);
    const ended = result.exitCode === null ? `killed by ${result.signal ?? 'a signal'}` : `exit code ${result.exitCode}`;
    return { passed: false, message: why ? `${ended}: ${why}` : ended };
  },
});

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  const line = lines[lines.length - 1]?.trim() ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
