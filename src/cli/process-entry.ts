import { main } from './main.js';

/** The parts of `process` the CLI entry uses: the real one in bin.ts, a fake in tests. */
export interface CliProcess {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  cwd(): string;
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  readonly stdout: {
    readonly isTTY?: boolean;
    write(text: string, done?: () => void): boolean;
    on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
  };
  readonly stderr: { write(text: string): boolean };
  exit(code: number): void;
}

/**
 * Run the CLI as the `troupe` process: argv after node and the script,
 * Ctrl-C and SIGTERM stop the command (a second Ctrl-C exits at once with
 * 130), a reader that went away (EPIPE) stops it too, and the exit code of
 * {@link main} becomes the process's once stdout has drained.
 *
 * @example
 * await runCliProcess(process);
 */
export async function runCliProcess(proc: CliProcess): Promise<void> {
  // the CLI entry: the one place that calls process.exit (STYLE, changesets)
  const controller = new AbortController();
  let interrupts = 0;
  proc.on('SIGINT', () => {
    interrupts += 1;
    // a second Ctrl-C does not wait for anything
    if (interrupts > 1) proc.exit(130);
    controller.abort();
  });
  proc.on('SIGTERM', () => controller.abort());
  // a reader that went away (`troupe events x | head -1`) is not an error: stop
  // writing, and stop the command the way Ctrl-C would
  let stdoutOpen = true;
  proc.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutOpen = false;
    controller.abort();
  });

  const code = await main(proc.argv.slice(2), {
    stdout: (text) => {
      if (stdoutOpen) proc.stdout.write(text);
    },
    stderr: (text) => proc.stderr.write(text),
    cwd: proc.cwd(),
    env: proc.env,
    isTty: Boolean(proc.stdout.isTTY),
    signal: controller.signal,
  });
  // let stdout drain before exiting: a pipe may still be writing the JSON
  if (stdoutOpen) proc.stdout.write('', () => proc.exit(code));
  else proc.exit(code);
}
