import { TroupeError } from '../domain/errors.js';
import { LevelBackedStore, type StoreOptions } from './level-backed-store.js';
import { PostgresLevel } from './postgres-level.js';
import { redactedUrl, urlProblem } from './postgres-errors.js';

/** Options of a {@link PostgresStore}: the server, the schema, plus the options every store takes. */
export interface PostgresStoreOptions extends StoreOptions {
  /** A `postgres://` connection URL. */
  url: string;
  /** The PostgreSQL schema holding troupe's tables (default `troupe`), so one database can hold several stores. */
  schema?: string;
  /** How the URL is named in messages (default `store.url in .troupe/config.json`). */
  setting?: string;
}

/** The schema a PostgreSQL store uses unless told otherwise. */
export const DEFAULT_POSTGRES_SCHEMA = 'troupe';

/**
 * The store in PostgreSQL (DESIGN §10): the key layout of DESIGN §4 as one
 * table per kind of key, each transition one transaction. Unlike LevelDB
 * many processes may open it at once: a name is claimed by a unique key, so
 * of two processes creating the same plan one gets `VALIDATION_ERROR`; a
 * journal seq is written once, so two processes writing one plan make the
 * second transition fail whole with `STORE_LOCKED`. A server that cannot be
 * reached is `STORE_UNAVAILABLE` on open.
 *
 * @example
 * const store = new PostgresStore({ url: 'postgres://troupe@localhost/troupe' });
 * await store.open();
 */
export class PostgresStore extends LevelBackedStore {
  /** The schema holding the tables. */
  readonly schema: string;
  readonly #made: { level?: PostgresLevel };

  constructor(options: PostgresStoreOptions) {
    const { url, schema = DEFAULT_POSTGRES_SCHEMA, setting = 'store.url in .troupe/config.json', ...storeOptions } = options;
    const problem = urlProblem(url, setting);
    if (problem) throw problem;
    const location = redactedUrl(url);
    // made by the store's first open, and kept to release its open lock
    const made: { level?: PostgresLevel } = {};
    super(() => (made.level = new PostgresLevel({ url, schema, setting, location })), { ...storeOptions, kind: 'postgres', location });
    this.schema = schema;
    this.#made = made;
  }

  /** Connect and create the tables if needed, then check the schema version as every store does; `STORE_UNAVAILABLE` if the server cannot be reached. */
  override async open(): Promise<void> {
    try {
      await super.open();
    } catch (error) {
      // abstract-level wraps what the database's open threw
      throw troupeCause(error) ?? error;
    } finally {
      // the version is checked (or the open failed): other processes may open it now
      await this.#made.level?.releaseOpenLock();
    }
  }
}

function troupeCause(error: unknown): TroupeError | null {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 10; depth++) {
    if (current instanceof TroupeError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
