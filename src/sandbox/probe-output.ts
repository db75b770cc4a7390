import { spawn } from 'node:child_process';
import { afterPendingIo } from './pending-first-timer.js';

/** How long a probe may take. */
export interface ProbeOptions {
  /** How long the program may take before it is stopped and the probe fails (default 10 s). */
  timeoutMs?: number;
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
export function probeOutput(file: string, args: readonly string[], options: ProbeOptions = {}): Promise<string> {
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
    const child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', (error) => settle(() => reject(error)));
    child.once('close', (code, signal) =>
      settle(() => {
        if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
        else {
          const said = Buffer.concat(stderr).toString('utf8').trim().split('\n')[0] ?? '';
          reject(new Error(`${file} ${signal === null ? `exited with ${code}` : `was stopped by ${signal}`}${said === '' ? '' : `: ${said}`}`));
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
