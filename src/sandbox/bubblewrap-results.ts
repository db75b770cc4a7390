// What a command under bubblewrap ends as, where bubblewrap's own answer
// says it another way: an exit code that stands for a signal, a sandbox
// that never started, a command that was not begun at all.
import { constants as osConstants } from 'node:os';
import type { TroupeError } from '../domain/index.js';
import type { CommandResult } from './command-sandbox.js';
import { SANDBOX_FIX, sandboxUnavailable } from './find-bubblewrap.js';

/**
 * The result with the signal named: bubblewrap exits 128+n when the
 * command was killed by signal n, as a shell reports it, where an
 * unconfined command's result names the signal.
 *
 * @example
 * withSignal({ ...result, exitCode: 137 }).signal; // 'SIGKILL'
 */
export function withSignal(result: CommandResult): CommandResult {
  const code = result.exitCode;
  if (code === null || code <= 128 || code > 128 + 64) return result;
  const name = Object.entries(osConstants.signals).find(([, number]) => number === code - 128)?.[0] as
    NodeJS.Signals | undefined;
  return name ? { ...result, exitCode: null, signal: name } : result;
}

/**
 * What bubblewrap said when it could not set the sandbox up, in the user's
 * words: `SANDBOX_UNAVAILABLE`, with the fix for user namespaces when that
 * is what it names.
 *
 * @example
 * throw setupFailure('bwrap: setting up uid map: Permission denied\n');
 */
export function setupFailure(stderr: string): TroupeError {
  const said =
    stderr
      .split('\n')
      .find((line) => line.startsWith('bwrap:'))
      ?.trim() ??
    stderr.trim().split('\n').at(-1) ??
    'no message';
  const namespaces = /namespace|uid map|setting up|Operation not permitted|Permission denied/i.test(said);
  const why = namespaces
    ? `the sandbox could not start, likely because unprivileged user namespaces are disabled (${said})`
    : `the sandbox could not start (${said})`;
  const fix = namespaces
    ? 'allow unprivileged user namespaces (sudo sysctl -w kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap), or opt out with {"sandbox": {"mode": "off"}} in .troupe/config.json — see docs/explanation/sandbox.md'
    : SANDBOX_FIX;
  return sandboxUnavailable(why, fix);
}

/**
 * The result of a command stopped before it began: nothing ran, nothing
 * was printed.
 *
 * @example
 * if (request.signal?.aborted) return stopped(true);
 */
export function stopped(cancelled: boolean): CommandResult {
  return { exitCode: null, signal: null, timedOut: false, cancelled, stdoutTail: '', stderrTail: '', durationMs: 0 };
}

/**
 * The result of a command that could not be started, as a shell says it:
 * exit code 127 and the reason on stderr.
 *
 * @example
 * return notStarted('the plan network is gone (its services were stopped)');
 */
export function notStarted(reason: string): CommandResult {
  return {
    exitCode: 127,
    signal: null,
    timedOut: false,
    cancelled: false,
    stdoutTail: '',
    stderrTail: `troupe: could not start the command: ${reason}\n`,
    durationMs: 0,
  };
}
