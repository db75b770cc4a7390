// How a command a plan ran ended: what the CommandSandbox port answers
// (src/sandbox) and ToolContext.runCommand hands to a tool (src/tools). It
// lives in the domain so that neither of the two imports the other.
import type { CapturedOutput } from './command-logs.js';
import type { NetworkUsage } from './network-allow.js';
import type { ResourceLimitName } from './resource-limits.js';

/**
 * How a command ended. Failures are data here, not exceptions.
 *
 * @example
 * const result: CommandResult = await context.runCommand('npm test', { timeoutMs: 120_000 });
 * if (result.timedOut) console.log(`timed out after ${result.durationMs} ms`);
 */
export interface CommandResult {
  /** The exit code; null when it was killed by a signal, timed out or was cancelled. */
  exitCode: number | null;
  /** The signal that ended the command, if one did. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The last `tailBytes` of stdout, decoded as UTF-8. */
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
  /**
   * The whole of stdout and stderr up to `outputBytes` each (past it, the
   * end, with how much was cut), when the request asked for it. A plan's
   * commands always capture it: it is what `troupe plan logs` shows.
   */
  output?: { stdout: CapturedOutput; stderr: CapturedOutput } | undefined;
  /**
   * The resource limit the command hit, when it did (docs/explanation/sandbox.md#resource-limits):
   * it was stopped there, with everything it started.
   */
  limit?: ResourceLimitName | undefined;
  /** The value of that limit: processes, or MB. */
  limitValue?: number | undefined;
  /**
   * What the command asked troupe's proxy for, when its plan has a network
   * allow-list (docs/explanation/sandbox.md#network-by-name): connections let through
   * and refused, counted by host.
   */
  network?: NetworkUsage | undefined;
}
