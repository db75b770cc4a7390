import { asTroupeError } from '../domain/errors.js';
import { planCalled } from '../domain/names.js';
import { forTerminal } from '../domain/terminal-text.js';
import type { Store } from '../store/index.js';

/**
 * A problem nobody waits for (a write that failed after the command
 * returned, a listener that threw) as a user reads it: one line with the
 * error's code and message, its hint on the next, the stack only with
 * `TROUPE_DEBUG=1`. What a runtime reports when its embedder gives no
 * `report` of its own, and what the CLI prints. A message may quote a
 * command or a model, so it is shown escaped ({@link forTerminal}): on a
 * terminal it cannot move the cursor or retitle the window.
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
  return forTerminal(text, { multiline: true });
}

/**
 * {@link planCalled} for a plan that may not be live here (a report after
 * it ended, of a plan another process runs): `live` is its name when it is,
 * else the store is asked; its id alone when the store does not answer (an
 * outage is often what is being reported).
 *
 * @example
 * await namedPlan(planId, plans.get(planId)?.identity.name, store); // 'demo/x (01J…)'
 */
export async function namedPlan(
  planId: string,
  live: string | undefined,
  store: Pick<Store, 'getPlan'>,
): Promise<string> {
  if (live !== undefined) return planCalled(planId, live);
  const record = await store.getPlan(planId).catch(() => null);
  return planCalled(planId, record?.name);
}
