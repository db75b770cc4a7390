import type { Terminal } from '../../src/cli/context.js';
import { main } from '../../src/cli/main.js';
import { assertNoStackTrace } from '../helpers/no-stack.js';

/** What one CLI run printed and returned, with the questions it asked. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  asked: string[];
}

/** How to run the CLI: its environment, whether it is in a terminal, and what the user answers when asked. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  isTty?: boolean;
  signal?: AbortSignal;
  /** Answers to the questions asked, in order; given, the run has a terminal to ask in. */
  answers?: string[];
  /** The terminal `troupe ui` draws on (a fake one in tests). */
  terminal?: Terminal;
}

/** Run the CLI in this process, as `troupe <argv>` in `cwd`. */
export async function runCli(cwd: string, argv: string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const asked: string[] = [];
  const answers = [...(options.answers ?? [])];
  const code = await main(argv, {
    cwd,
    env: options.env ?? {},
    isTty: options.isTty ?? options.answers !== undefined,
    signal: options.signal ?? new AbortController().signal,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    ...(options.terminal ? { terminal: options.terminal } : {}),
    ...(options.answers === undefined
      ? {}
      : {
          ask: async (question: string) => {
            asked.push(question);
            return answers.shift() ?? '';
          },
        }),
  });
  // every failure the suite provokes is checked for a stack trace of troupe's own
  assertNoStackTrace({ stdout, stderr }, options.env);
  return { code, stdout, stderr, asked };
}
