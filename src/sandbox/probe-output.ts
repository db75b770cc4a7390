import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** How long a probe may take, and how often its deadline is looked at. */
export interface ProbeOptions {
  /** How long the program may take, counted only while this process runs (default 10 s). */
  timeoutMs?: number;
  /** How often the deadline is looked at (default 500 ms). */
  tickMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_TICK_MS = 500;

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
 * Here the deadline counts only this process's own running time: ticks that
 * come late (the process was not running) do not end the wait, so the
 * answer that arrived meanwhile is read first.
 *
 * @example
 * const version = (await probeOutput('git', ['--version'])).trim();
 */
export function probeOutput(file: string, args: readonly string[], options: ProbeOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let settled = false;
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      clearInterval(ticker);
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

    // the deadline: time counted one on-time tick at a time; a late tick means
    // this process was not running, and the program's answer may be waiting unread
    const needed = Math.max(1, Math.ceil(timeoutMs / tickMs));
    let counted = 0;
    let late = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      const onTime = now - last < tickMs * 2;
      last = now;
      if (onTime) counted += 1;
      else late += 1;
      // a process late on every tick still gives up, after three times the wait
      if ((onTime && counted >= needed) || counted + late >= needed * 3) {
        settle(() => {
          child.kill('SIGKILL');
          reject(new Error(`${file} did not answer within ${timeoutMs / 1000} s`));
        });
      }
    }, tickMs);
  });
}
