import { fileURLToPath } from 'node:url';

// troupe's own checkout: a frame in one of its files is troupe's stack, not a command's output
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Throws when what the CLI printed holds a stack frame of troupe's own code
 * (`    at … (<checkout>/src/…:1:2)`, `node:internal/…`), unless the run
 * asked for it with `TROUPE_DEBUG=1`: no stack trace reaches a user. A
 * command's own output — a failing test's stack in a validate excerpt —
 * names the project's files, not troupe's, and passes. Called by every
 * CLI run the tests and features make.
 */
export function assertNoStackTrace(output: { stdout: string; stderr: string }, env: NodeJS.ProcessEnv = {}): void {
  if (env['TROUPE_DEBUG'] === '1') return;
  for (const text of [output.stderr, output.stdout]) {
    const frame = text
      .split('\n')
      .find((line) => /^\s+at\s/.test(line) && (line.includes(ROOT) || line.includes('node:internal/')));
    if (frame !== undefined) throw new Error(`a stack trace reached the user:\n${frame}\n--- all of it ---\n${text}`);
  }
}
