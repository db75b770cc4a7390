import { TroupeError } from '../domain/errors.js';

/** How a PostgreSQL store is named in messages: where its URL came from, and the URL without its password. */
export interface PostgresSetting {
  /** `store.url in .troupe/config.json`, `TROUPE_DATABASE_URL`. */
  readonly setting: string;
  readonly location: string;
}

/**
 * The URL as messages show it: its password replaced by `***`. A URL that
 * does not parse is shown as `(not a URL)`, never as written (it may hold one).
 */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * `VALIDATION_ERROR` for a URL that is not a `postgres://` or
 * `postgresql://` URL, naming where it came from; null for one that is.
 */
export function urlProblem(url: unknown, setting: string): TroupeError | null {
  let protocol: string | null;
  try {
    protocol = typeof url === 'string' ? new URL(url).protocol : null;
  } catch {
    protocol = null;
  }
  if (protocol === 'postgres:' || protocol === 'postgresql:') return null;
  return new TroupeError(
    'VALIDATION_ERROR',
    `${setting}: must be a postgres:// URL such as postgres://user:password@host:5432/troupe, got ${typeof url === 'string' ? JSON.stringify(redactedUrl(url)) : typeof url}`,
    {
      hint: `fix ${setting}, or remove it to keep the store in .troupe/db; troupe doctor checks the project`,
      details: { setting },
    },
  );
}

// SQLSTATE class 08 (connection exception) and the server going down or not yet up
const LOST_STATES = /^(08|57P0[123])/;
const LOST_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Whether an error says the server is out of reach (refused, cut, shut
 * down) rather than that a statement failed: such a query may succeed once
 * the server is back.
 */
export function isConnectionLoss(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (LOST_ERRNOS.has(code) || LOST_STATES.test(code))) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message);
}

/**
 * `STORE_UNAVAILABLE` for a PostgreSQL server that cannot be reached or
 * refuses the connection, naming the setting, the server and the reason.
 */
export function unavailableError(error: unknown, where: PostgresSetting): TroupeError {
  const reason = error instanceof Error && error.message ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  return new TroupeError(
    'STORE_UNAVAILABLE',
    `cannot open the PostgreSQL store at ${where.location} (${where.setting}): ${reason}`,
    {
      hint: `check that the server runs and accepts this user, and that ${where.setting} names it; then run the command again`,
      details: {
        setting: where.setting,
        location: where.location,
        ...(typeof code === 'string' ? { reason: code } : {}),
      },
      cause: error,
    },
  );
}
