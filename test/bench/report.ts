// What every section of `npm run bench` prints through: its lines, its
// verdicts, and a section whose run fails, reported without stopping the rest.

/** Prints one line of the report (an empty line by default). */
export function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** `pass` when a target holds, `FAIL` when it does not. */
export function verdict(ok: boolean): string {
  return ok ? 'pass' : 'FAIL';
}

/**
 * Runs one section's measure; if it throws, prints `<name>: FAIL, the run did
 * not complete: <why>` instead, and the other sections still run: the exit
 * code never depends on the figures.
 */
export async function orReport(name: string, measure: () => Promise<void>): Promise<void> {
  try {
    await measure();
  } catch (error) {
    log();
    log(
      `${name}: FAIL, the run did not complete: ${(error instanceof Error ? error.message : String(error)).slice(0, 400)}`,
    );
  }
}
