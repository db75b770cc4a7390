import { spawn } from 'node:child_process';
import { leakedDescriptors, shadowing } from './inherited-descriptors.js';
import { afterPendingIo } from './pending-first-timer.js';

/** How long a probe may take, and what it is given. */
export interface ProbeOptions {
  /** How long the program may take before it is stopped and the probe fails (default 10 s). */
  timeoutMs?: number;
  /** The program's whole environment (default: this process's). */
  env?: Record<string, string>;
  /**
   * Whether a failing exit still answers: called with what the program
   * said on stderr (`find` exits 1 when a file it listed went away while
   * it walked, and what it printed still holds).
   */
  tolerate?: (stderr: string) => boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Run a short program that answers on standard output (`bwrap --help`,
 * `git --version`) and resolve with all of what it printed; reject when it
 * cannot start, exits with a failure, or does not answer in time — never
 * resolve with part of an answer.
 *
 * Why not `execFile` with `timeout`: when this process is stopped (`SIGSTOP`,
 * a paused VM, a blocked event loop) past the timeout while the program
 * answers, Node fires the timer before it reads the pipe, throws the
 * unread answer away, and reports success with an empty or cut output — a
 * `bwrap --help` without its options reads as a bubblewrap too old to use.
 * Here the deadline acts only once what came in meanwhile has been read
 * ({@link afterPendingIo}), and a program that did not answer is killed and
 * the probe fails.
 *
 * @example
 * const version = (await probeOutput('git', ['--version'])).trim();
 */
export async function probeOutput(file: string, args: readonly string[], options: ProbeOptions = {}): Promise<string> {
  return (await probeBytes(file, args, options)).toString('utf8');
}

/**
 * {@link probeOutput}'s answer as the bytes the program printed: file
 * names from `find -print0` are bytes, not always UTF-8.
 *
 * @example
 * const listed = await probeBytes('find', [dir, '-perm', '/6000', '-print0']);
 */
export function probeBytes(file: string, args: readonly string[], options: ProbeOptions = {}): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      action();
    };
    // what troupe holds without close-on-exec (the store's files) is /dev/null in it, as in every process troupe starts
    const child = spawn(file, [...args], {
      stdio: shadowing(['ignore', 'pipe', 'pipe'], leakedDescriptors()),
      ...(options.env ? { env: options.env } : {}),
    });
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => settle(() => reject(error)));
    child.once('close', (code, signal) =>
      settle(() => {
        const complaint = Buffer.concat(stderr).toString('utf8');
        if (code === 0 || (code !== null && options.tolerate?.(complaint) === true)) resolve(Buffer.concat(stdout));
        else {
          const said = complaint.trim().split('\n')[0] ?? '';
          reject(
            new Error(
              `${file} ${signal === null ? `exited with ${code}` : `was stopped by ${signal}`}${said === '' ? '' : `: ${said}`}`,
            ),
          );
        }
      }),
    );

    // read what came in first: a process stopped past the deadline does not fail a program that answered
    const cancelTimer = afterPendingIo(timeoutMs, () =>
      settle(() => {
        child.kill('SIGKILL');
        reject(new Error(`${file} did not answer within ${timeoutMs / 1000} s`));
      }),
    );
  });
}
