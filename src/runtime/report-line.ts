import { asTroupeError } from '../domain/errors.js';

/**
 * A problem nobody waits for (a write that failed after the command
 * returned, a listener that threw) as a user reads it: one line with the
 * error's code and message, its hint on the next, the stack only with
 * `TROUPE_DEBUG=1`. What a runtime reports when its embedder gives no
 * `report` of its own, and what the CLI prints.
 *
 * @example
 * reportLine('could not persist plan 01J…', error);
 * // troupe: could not persist plan 01J…: error[STORE_UNAVAILABLE]: cannot open the PostgreSQL store …
 * // hint: start the database …
 */
export function reportLine(message: string, error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const troupe = asTroupeError(error);
  let text = `troupe: ${message}: error[${troupe.code}]: ${troupe.message}\n`;
  if (troupe.hint) text += `hint: ${troupe.hint}\n`;
  if (env['TROUPE_DEBUG'] === '1') {
    const cause = troupe.cause ?? error;
    text += `${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`;
  }
  return text;
}
