import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { commandEnv } from './command-env.js';
import { COMMAND_TOKEN_VARIABLE, type CommandRecord, type ProcessLedger } from './process-ledger.js';

/**
 * What {@link runCommand} runs and how long it may take. In a custom tool,
 * pass the tool context's `signal`, `processes` and `env`, so a cancelled
 * step, a timeout or a crashed process stops the command's whole group.
 *
 * @example
 * const options: RunCommandOptions = { command: 'make lint', cwd: context.cwd, env: context.env, timeoutMs: 60_000, signal: context.signal, ...(context.processes ? { processes: context.processes } : {}) };
 */
export interface RunCommandOptions {
  /** Shell text, run as `sh -c command`. */
  command: string;
  /** Absolute working directory (the sandbox root). */
  cwd: string;
  /** The whole environment of the command; defaults to `commandEnv()`, never troupe's own. */
  env?: Record<string, string>;
  /** Kill the command after this many milliseconds; no limit when omitted (or not finite). */
  timeoutMs?: number;
  /** Kill the command when this aborts (plan cancelled, step abandoned). */
  signal?: AbortSignal;
  /** How many bytes of the end of stdout and of stderr to keep (default 4096). */
  tailBytes?: number;
  /** Time between SIGTERM and SIGKILL when the command is stopped (default 2000 ms). */
  killGraceMs?: number;
  /** Where the command's process group is recorded while it runs, so a later process can kill it if this one dies. */
  processes?: Pick<ProcessLedger, 'prepare' | 'release'>;
}

/**
 * How a command ended. Failures are data here, not exceptions.
 *
 * @example
 * const result: CommandResult = await runCommand({ command: 'npm test', cwd });
 * if (result.timedOut) console.log(`timed out after ${result.durationMs} ms`);
 */
export interface CommandResult {
  /** The exit code; null when it was killed by a signal, timed out or was cancelled. */
  exitCode: number | null;
  /** The signal that ended the shell, if one did. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  /** The last `tailBytes` of stdout, decoded as UTF-8. */
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
}

const DEFAULT_TAIL_BYTES = 4096;
const DEFAULT_KILL_GRACE_MS = 2000;
// after the shell exits, how long to wait for its pipes to close before giving up on them
// (a process that left the group with setsid may hold them open forever).
const PIPE_CLOSE_GRACE_MS = 500;
const MAX_TIMER_MS = 2 ** 31 - 1;
// With a ledger, the shell records its own pid (= its process group: it is
// spawned detached) before it runs anything, then becomes the command with
// exec (same pid, same group). A command that cannot be recorded does not run.
const RECORDING_SHELL = `echo $$ > "$0" || { echo "troupe: cannot record the command in $0" >&2; exit 126; }; exec sh -c "$1"`;

/**
 * Run `sh -c command` in its own process group and resolve with how it
 * ended. Only the tail of each output stream is kept, so a command that
 * prints gigabytes costs a few kilobytes. On timeout or abort the whole
 * group is stopped — SIGTERM, then SIGKILL after `killGraceMs` — so
 * background processes the command started die with it; processes still
 * in the group when the shell exits are killed too, because they would go
 * on changing the sandbox after the step is committed. Never rejects: a
 * command that cannot start resolves with exit code 127 and the reason in
 * `stderrTail`, as a shell would.
 *
 * @example
 * const result = await runCommand({ command: 'npm test', cwd: sandboxRoot, timeoutMs: 60_000 });
 * if (result.exitCode !== 0) console.log(result.stderrTail);
 */
export async function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const started = performance.now();
  const stdout = new Tail(options.tailBytes ?? DEFAULT_TAIL_BYTES);
  const stderr = new Tail(options.tailBytes ?? DEFAULT_TAIL_BYTES);
  const ended = (fields: Pick<CommandResult, 'exitCode' | 'signal' | 'timedOut' | 'cancelled'>): CommandResult => ({
    ...fields,
    stdoutTail: stdout.text(),
    stderrTail: stderr.text(),
    durationMs: Math.round(performance.now() - started),
  });
  const notStarted = (reason: string): CommandResult => {
    stderr.push(Buffer.from(`troupe: could not start the command: ${reason}\n`));
    return ended({ exitCode: 127, signal: null, timedOut: false, cancelled: false });
  };

  if (options.signal?.aborted) return ended({ exitCode: null, signal: null, timedOut: false, cancelled: true });
  // node reports a missing cwd as "spawn sh ENOENT", which blames the shell; say what is wrong instead.
  const cwdProblem = await directoryProblem(options.cwd);
  if (cwdProblem !== null) return notStarted(cwdProblem);

  let record: CommandRecord | undefined;
  let child: ChildProcess;
  try {
    record = options.processes?.prepare();
    child = spawn('sh', record ? ['-c', RECORDING_SHELL, record.file, options.command] : ['-c', options.command], {
      cwd: options.cwd,
      env: { ...(options.env ?? commandEnv()), ...(record ? { [COMMAND_TOKEN_VARIABLE]: record.token } : {}) },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // e.g. a NUL byte in the command: spawn throws synchronously
    if (record) options.processes?.release(record);
    return notStarted(messageOf(error));
  }

  return new Promise<CommandResult>((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let stopping = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers = new Set<NodeJS.Timeout>();
    const later = (ms: number, action: () => void): void => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        action();
      }, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
      timers.add(timer);
    };

    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        // a negative pid signals the whole group the detached shell leads
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is already gone
      }
    };
    const stop = (reason: 'timeout' | 'abort'): void => {
      if (stopping || exit !== undefined) return;
      stopping = true;
      if (reason === 'timeout') timedOut = true;
      else cancelled = true;
      killGroup('SIGTERM');
      later(options.killGraceMs ?? DEFAULT_KILL_GRACE_MS, () => killGroup('SIGKILL'));
    };
    const onAbort = (): void => stop('abort');

    const finish = (result: CommandResult): void => {
      if (settled) return;
      settled = true;
      if (record) options.processes?.release(record);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };

    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => {
      // only a failed spawn leaves no pid; a failed kill is not worth reporting
      if (child.pid === undefined) finish(notStarted(messageOf(error)));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      killGroup('SIGKILL');
      later(PIPE_CLOSE_GRACE_MS, () => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(result());
      });
    });
    child.on('close', () => finish(result()));

    const result = (): CommandResult =>
      ended({
        exitCode: timedOut || cancelled ? null : (exit?.code ?? null),
        signal: exit?.signal ?? null,
        timedOut,
        cancelled,
      });

    if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) later(options.timeoutMs, () => stop('timeout'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    // an abort while the cwd was being checked fired before the listener existed
    if (options.signal?.aborted) onAbort();
  });
}

/** Keeps the last `limit` bytes of a stream without holding the rest. */
class Tail {
  readonly #limit: number;
  readonly #chunks: Buffer[] = [];
  #size = 0;

  constructor(limit: number) {
    this.#limit = Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
  }

  push(chunk: Buffer): void {
    if (this.#limit === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    // drop whole chunks while the rest still covers the limit: memory stays ≤ limit + one chunk
    while (this.#chunks.length > 1 && this.#size - this.#chunks[0]!.length >= this.#limit) {
      this.#size -= this.#chunks.shift()!.length;
    }
  }

  text(): string {
    const all = Buffer.concat(this.#chunks);
    let start = Math.max(0, all.length - this.#limit);
    // don't start in the middle of a UTF-8 character: skip its continuation bytes
    for (let skipped = 0; skipped < 3 && start < all.length && (all[start]! & 0xc0) === 0x80; skipped++) start++;
    return all.subarray(start).toString('utf8');
  }
}

async function directoryProblem(cwd: string): Promise<string | null> {
  try {
    const info = await stat(cwd);
    return info.isDirectory() ? null : `working directory ${cwd} is not a directory`;
  } catch (error) {
    return `working directory ${cwd} is not accessible (${messageOf(error)})`;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
