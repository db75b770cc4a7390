import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { CapturedOutput } from '../domain/index.js';
import type { CommandResult } from './command-sandbox.js';
import { shadowing, type ChildStdio } from './inherited-descriptors.js';
import { afterPendingIo } from './pending-first-timer.js';

/** One process to start for a command: the program and its arguments, and how long it may take. */
export interface SpawnRequest {
  /** The program (`sh`, `bwrap`), looked up on `env.PATH` unless absolute. */
  file: string;
  args: readonly string[];
  /** Absolute working directory; checked first, so a missing one is reported as such. */
  cwd: string;
  /** The whole environment of the process. */
  env: Record<string, string>;
  /** Kill the process group after this many milliseconds; no limit when omitted (or not finite). */
  timeoutMs?: number | undefined;
  /** Kill the process group when this aborts. */
  signal?: AbortSignal | undefined;
  /** How many bytes of the end of stdout and of stderr to keep (default 4096). */
  tailBytes?: number | undefined;
  /** Capture stdout and stderr up to this many bytes each in `output` (none when omitted or 0). */
  outputBytes?: number | undefined;
  /** Time between SIGTERM and SIGKILL when the command is stopped (default 2000 ms). */
  killGraceMs?: number | undefined;
  /** Collect what the process writes to its fd 3 (bubblewrap's `--json-status-fd 3`). */
  statusFd?: boolean | undefined;
  /**
   * Give the process an fd 4 and write `go\n` to it once its fd 3 has said
   * `"child-pid"` (needs `statusFd`); if this process dies first, fd 4 reads
   * end-of-file instead. Bubblewrap binds its life to troupe's just before
   * it says `child-pid`: a command that waits for `go` never runs unbound.
   */
  gate?: boolean | undefined;
  /**
   * Descriptors this process holds open without close-on-exec that the
   * child must not inherit: each is `/dev/null` in the child instead.
   */
  shadowFds?: readonly number[] | undefined;
  /**
   * With `gate`: called with the sandbox's first process (bubblewrap's
   * `child-pid`, a pid as this process sees it) before `go` is said, which
   * waits for it — what the command starts is born where this put it. If
   * it rejects, `go` is never said: fd 4 reads end-of-file, the command
   * does not run, and the error is the result's `gateError`.
   */
  beforeGo?: ((childPid: number) => Promise<void>) | undefined;
  /**
   * Called with the process's pid as soon as it exists, before it can have
   * done anything (to record it); if it throws, the process is killed and
   * the result says it did not start, with the reason.
   */
  onSpawn?: ((pid: number) => void) | undefined;
  /** Called with every chunk of stdout and stderr as it arrives (a live view, a service's log); its failures are ignored. */
  onOutput?: ((chunk: Buffer, stream: 'stdout' | 'stderr') => void) | undefined;
  /**
   * Bytes the process reads on its fd 5 until end-of-file (needs `gate`):
   * the seccomp program bubblewrap installs with `--seccomp 5`.
   */
  filter?: Buffer | undefined;
}

/** How a spawned process ended, plus what it wrote to fd 3 when asked. */
export interface SpawnedCommand extends CommandResult {
  /** fd 3's text (empty unless `statusFd`). */
  status: string;
  /** Whether the process was started at all (false: exit code 127 and the reason in stderrTail). */
  started: boolean;
  /** Why `beforeGo` refused to let the command run, when it did. */
  gateError?: unknown;
}

const DEFAULT_TAIL_BYTES = 4096;
const DEFAULT_KILL_GRACE_MS = 2000;
// after the process exits, how long to wait for its pipes to close before giving up on them
// (a process that left the group with setsid may hold them open forever).
const PIPE_CLOSE_GRACE_MS = 500;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Start `file args` in a process group of its own and resolve with how it
 * ended. Only the tail of each output stream is kept, so a command that
 * prints gigabytes costs a few kilobytes. On timeout or abort the whole
 * group is stopped — SIGTERM, then SIGKILL after `killGraceMs`; processes
 * still in the group when the leader exits are killed too, because they
 * would go on changing the sandbox after the step is committed. Never
 * rejects: a process that cannot start resolves with exit code 127 and the
 * reason in `stderrTail`, as a shell would.
 *
 * The command sandboxes (unconfined and bubblewrap) are built on this; plan
 * code runs commands through the {@link CommandSandbox} port, never here.
 *
 * @example
 * const done = await spawnCommand({ file: 'sh', args: ['-c', 'npm test'], cwd: worktree, env: commandEnv(), timeoutMs: 60_000 });
 * if (done.exitCode !== 0) console.log(done.stderrTail);
 */
export async function spawnCommand(request: SpawnRequest): Promise<SpawnedCommand> {
  const started = performance.now();
  const stdout = new Tail(request.tailBytes ?? DEFAULT_TAIL_BYTES);
  const stderr = new Tail(request.tailBytes ?? DEFAULT_TAIL_BYTES);
  // the whole output up to a bound: a second, larger tail (the short one stays what results always had)
  const captured =
    (request.outputBytes ?? 0) > 0
      ? { stdout: new Tail(request.outputBytes!), stderr: new Tail(request.outputBytes!) }
      : null;
  const status: Buffer[] = [];
  let gateError: unknown;
  const ended = (
    fields: Pick<CommandResult, 'exitCode' | 'signal' | 'timedOut' | 'cancelled'>,
    wasStarted = true,
  ): SpawnedCommand => ({
    ...fields,
    stdoutTail: stdout.text(),
    stderrTail: stderr.text(),
    durationMs: Math.round(performance.now() - started),
    ...(captured ? { output: { stdout: captured.stdout.captured(), stderr: captured.stderr.captured() } } : {}),
    status: Buffer.concat(status).toString('utf8'),
    started: wasStarted,
    ...(gateError === undefined ? {} : { gateError }),
  });
  const notStarted = (reason: string): SpawnedCommand => {
    const said = Buffer.from(`troupe: could not start the command: ${reason}\n`);
    stderr.push(said);
    captured?.stderr.push(said);
    return ended({ exitCode: 127, signal: null, timedOut: false, cancelled: false }, false);
  };

  if (request.signal?.aborted) return ended({ exitCode: null, signal: null, timedOut: false, cancelled: true }, false);
  // node reports a missing cwd as "spawn sh ENOENT", which blames the program; say what is wrong instead.
  const cwdProblem = await directoryProblem(request.cwd);
  if (cwdProblem !== null) return notStarted(cwdProblem);

  let child: ChildProcess;
  try {
    child = spawn(request.file, [...request.args], {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      stdio: stdioOf(request),
    });
  } catch (error) {
    // e.g. a NUL byte in an argument: spawn throws synchronously
    return notStarted(messageOf(error));
  }
  if (request.filter !== undefined) {
    const input = (child.stdio as unknown as NodeJS.WritableStream[])[5]!;
    // a process that dies before it read it: its failure to start is the result, not this pipe's
    input.on('error', () => {});
    input.end(request.filter);
  }
  if (child.pid !== undefined && request.onSpawn) {
    try {
      request.onSpawn(child.pid);
    } catch (error) {
      // its whole group: a gated command never runs, an ungated one barely started
      killQuietly(child.pid);
      return notStarted(messageOf(error));
    }
  }

  return new Promise<SpawnedCommand>((resolve) => {
    let timedOut = false;
    let cancelled = false;
    let stopping = false;
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timers = new Set<() => void>();
    // after the pipes and the exit waiting to be read: a command that ended while
    // this process was stopped is not called timed out, nor its last output cut off
    const later = (ms: number, action: () => void): void => {
      const cancel = afterPendingIo(Math.min(Math.max(ms, 0), MAX_TIMER_MS), () => {
        timers.delete(cancel);
        action();
      });
      timers.add(cancel);
    };

    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        // a negative pid signals the whole group the detached process leads
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
      later(request.killGraceMs ?? DEFAULT_KILL_GRACE_MS, () => killGroup('SIGKILL'));
    };
    const onAbort = (): void => stop('abort');

    const finish = (result: SpawnedCommand): void => {
      if (settled) return;
      settled = true;
      for (const cancel of timers) cancel();
      timers.clear();
      request.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };

    const pipes = [
      child.stdout,
      child.stderr,
      request.statusFd ? (child.stdio[3] as NodeJS.ReadableStream | null) : null,
    ];
    const tell = (chunk: Buffer, stream: 'stdout' | 'stderr'): void => {
      try {
        request.onOutput?.(chunk, stream);
      } catch {
        // a live view's failure is its own: the command and its result go on
      }
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      captured?.stdout.push(chunk);
      tell(chunk, 'stdout');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      captured?.stderr.push(chunk);
      tell(chunk, 'stderr');
    });
    // the status stream is a few short JSON lines: keep it whole (bounded, in case a program floods it)
    let statusBytes = 0;
    const gate = request.gate
      ? (child.stdio[4] as NodeJS.WritableStream & {
          destroy(): void;
          on(event: 'error', listener: () => void): unknown;
        })
      : null;
    gate?.on('error', () => {});
    let opened = false;
    pipes[2]?.on('data', (chunk: Buffer) => {
      if ((statusBytes += chunk.length) <= 64 * 1024) status.push(chunk);
      // the whole number, not a prefix of it: a status line may arrive in pieces
      const childPid =
        gate && !opened
          ? /"child-pid"\s*:\s*(\d+)\s*[,}]/.exec(Buffer.concat(status).toString('latin1'))?.[1]
          : undefined;
      if (gate && childPid !== undefined) {
        opened = true;
        if (!request.beforeGo) gate.end('go\n');
        else {
          request.beforeGo(Number(childPid)).then(
            () => gate.end('go\n'),
            (error: unknown) => {
              gateError = error;
              gate.destroy();
            },
          );
        }
      }
    });
    child.on('error', (error) => {
      // only a failed spawn leaves no pid; a failed kill is not worth reporting
      if (child.pid === undefined) finish(notStarted(messageOf(error)));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      killGroup('SIGKILL');
      gate?.destroy();
      later(PIPE_CLOSE_GRACE_MS, () => {
        for (const pipe of pipes) (pipe as { destroy?: () => void } | null)?.destroy?.();
        finish(result());
      });
    });
    child.on('close', () => finish(result()));

    const result = (): SpawnedCommand =>
      ended({
        exitCode: timedOut || cancelled ? null : (exit?.code ?? null),
        signal: exit?.signal ?? null,
        timedOut,
        cancelled,
      });

    if (request.timeoutMs !== undefined && Number.isFinite(request.timeoutMs))
      later(request.timeoutMs, () => stop('timeout'));
    request.signal?.addEventListener('abort', onAbort, { once: true });
    // an abort while the cwd was being checked fired before the listener existed
    if (request.signal?.aborted) onAbort();
  });
}

function killQuietly(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// the child's descriptors: stdin empty, pipes for its output (and fds 3–5
// when asked), and /dev/null over every descriptor to shadow
function stdioOf(request: SpawnRequest): ChildStdio[] {
  const stdio: ChildStdio[] = request.gate
    ? ['ignore', 'pipe', 'pipe', 'pipe', 'pipe']
    : request.statusFd
      ? ['ignore', 'pipe', 'pipe', 'pipe']
      : ['ignore', 'pipe', 'pipe'];
  if (request.gate && request.filter !== undefined) stdio.push('pipe');
  return shadowing(stdio, request.shadowFds ?? []);
}

/** Keeps the last `limit` bytes of a stream without holding the rest. */
class Tail {
  readonly #limit: number;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #total = 0;

  constructor(limit: number) {
    this.#limit = Number.isFinite(limit) && limit > 0 ? Math.floor(limit) : 0;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    if (this.#limit === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    // drop whole chunks while the rest still covers the limit: memory stays ≤ limit + one chunk
    while (this.#chunks.length > 1 && this.#size - this.#chunks[0]!.length >= this.#limit) {
      this.#size -= this.#chunks.shift()!.length;
    }
  }

  text(): string {
    return this.#kept().toString('utf8');
  }

  /** The text kept, with how many bytes were written in all and how many are not in it. */
  captured(): CapturedOutput {
    const kept = this.#kept();
    return { text: kept.toString('utf8'), bytes: this.#total, cut: this.#total - kept.length };
  }

  #kept(): Buffer {
    const all = Buffer.concat(this.#chunks);
    let start = Math.max(0, all.length - this.#limit);
    // don't start in the middle of a UTF-8 character: skip its continuation bytes
    for (let skipped = 0; skipped < 3 && start < all.length && (all[start]! & 0xc0) === 0x80; skipped++) start++;
    return all.subarray(start);
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
