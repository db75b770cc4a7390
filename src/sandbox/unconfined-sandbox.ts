import { COMMAND_TOKEN_VARIABLE, type CommandRecord } from './process-ledger.js';
import type { CommandRequest, CommandResult, CommandSandbox, SandboxProbe } from './command-sandbox.js';
import { notStarted } from './bubblewrap-results.js';
import { spawnCommand } from './spawn-command.js';

// With a ledger, the shell records its own pid (= its process group: it is
// spawned detached) before it runs anything, then becomes the command with
// exec (same pid, same group). A command that cannot be recorded does not run.
const RECORDING_SHELL = `echo $$ > "$0" || { echo "troupe: cannot record the command in $0" >&2; exit 126; }; exec sh -c "$1"`;

/**
 * The {@link CommandSandbox} of `"sandbox": {"mode": "off"}` in
 * `.troupe/config.json`: `sh -c command` in the worktree, in a process
 * group of its own, with the plan's environment — and nothing else
 * contained: the command can read and write anything the user can, and use
 * the network (docs/explanation/sandbox.md says what that gives up).
 *
 * What it still does: a timeout or a cancel stops the whole group, what is
 * left in the group when the shell exits is killed, and with a ledger the
 * command is recorded before it runs, so the next process kills what a
 * process killed with SIGKILL left (`setsid` and double forks escape all of
 * this; the bubblewrap sandbox does not let them).
 *
 * @example
 * const sandbox = new UnconfinedSandbox();
 * const result = await sandbox.run({ command: 'make', worktree, env: commandEnv(), network: true });
 */
export class UnconfinedSandbox implements CommandSandbox {
  readonly kind = 'unconfined' as const;

  async run(request: CommandRequest): Promise<CommandResult> {
    let record: CommandRecord | undefined;
    try {
      record = request.processes?.prepare();
    } catch (error) {
      // no ledger, no command: it could outlive a crash unrecorded
      return notStarted(`cannot record it (${error instanceof Error ? error.message : String(error)})`);
    }
    try {
      const {
        status: _status,
        started: _started,
        ...result
      } = await spawnCommand({
        file: 'sh',
        args: record ? ['-c', RECORDING_SHELL, record.file, request.command] : ['-c', request.command],
        cwd: request.worktree,
        env: { ...request.env, ...(record ? { [COMMAND_TOKEN_VARIABLE]: record.token } : {}) },
        timeoutMs: request.timeoutMs,
        signal: request.signal,
        tailBytes: request.tailBytes,
        outputBytes: request.outputBytes,
        killGraceMs: request.killGraceMs,
        onOutput: request.onOutput,
      });
      return result;
    } finally {
      if (record) request.processes?.release(record);
    }
  }

  /** Always ok: nothing is contained, so nothing can fail to start. */
  async probe(): Promise<SandboxProbe> {
    return { ok: true, detail: 'off ("sandbox": {"mode": "off"}): commands run unconfined' };
  }

  /** None: unconfined commands and services share the host's network. */
  async startNetwork(): Promise<null> {
    return null;
  }
}
