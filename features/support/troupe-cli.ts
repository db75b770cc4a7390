import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { assertNoStackTrace } from '../../test/helpers/no-stack.js';

/** The CLI entry: it runs the built code in dist/ (`npm run build`). */
export const TROUPE_BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));

/** What one troupe process printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A troupe process started in the background, read while it runs. */
export interface BackgroundRun {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<CliResult>;
  running(): boolean;
}

/**
 * The environment troupe runs in: no git identity anywhere (an empty HOME
 * whose git config forbids guessing one), no system git config, and not the
 * tsx loader the features themselves run under.
 */
export function troupeEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      key.startsWith('GIT_') ||
      key === 'EMAIL' ||
      key === 'NODE_OPTIONS' ||
      key.startsWith('TROUPE_') ||
      key === 'NO_COLOR'
    )
      continue;
    env[key] = value;
  }
  return { ...env, HOME: home, XDG_CONFIG_HOME: `${home}/.config`, GIT_CONFIG_NOSYSTEM: '1', ...extra };
}

/** Split a command line the way a shell would for simple quoting ('…' and "…"). */
export function splitArgs(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let quote: string | null = null;
  let started = false;
  for (const char of line) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) args.push(current);
  return args;
}

/** Start `troupe <args>` as a real child process in `cwd`. */
export function startTroupe(cwd: string, args: string[], env: NodeJS.ProcessEnv): BackgroundRun {
  const child = spawn(process.execPath, [TROUPE_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (output.stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (output.stderr += text));
  let done = false;
  const exited = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      done = true;
      const result = { code: code ?? (signal ? 128 : 1), stdout: output.stdout, stderr: output.stderr };
      try {
        // no stack trace of troupe's own reaches a user, background runs included
        assertNoStackTrace(result, env);
      } catch (error) {
        reject(error);
        return;
      }
      resolve(result);
    });
  });
  return { child, output, exited, running: () => !done };
}

/** Run `troupe <args>` in `cwd` and wait for it (what it printed holds no stack trace of troupe's own). */
export function runTroupe(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startTroupe(cwd, args, env).exited;
}
