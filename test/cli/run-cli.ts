import { main } from '../../src/cli/main.js';

/** What one CLI run printed and returned. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in this process, as `troupe <argv>` in `cwd`. */
export async function runCli(cwd: string, argv: string[], options: { env?: NodeJS.ProcessEnv; isTty?: boolean; signal?: AbortSignal } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    env: options.env ?? {},
    isTty: options.isTty ?? false,
    signal: options.signal ?? new AbortController().signal,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
  });
  return { code, stdout, stderr };
}
