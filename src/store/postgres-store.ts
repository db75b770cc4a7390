import pg from 'pg';
import { TroupeError } from '../domain/errors.js';
import { LevelBackedStore, type StoreOptions } from './level-backed-store.js';
import { PostgresLevel } from './postgres-level.js';
import { redactedUrl, unavailableError, urlProblem } from './postgres-errors.js';
import { Mutex } from './mutex.js';
import { settledClaims, type ClaimsRead } from './claims-settling.js';

/** Options of a {@link PostgresStore}: the server, the schema, plus the options every store takes. */
export interface PostgresStoreOptions extends StoreOptions {
  /** A `postgres://` connection URL. */
  url: string;
  /** The PostgreSQL schema holding troupe's tables (default `troupe`), so one database can hold several stores. */
  schema?: string;
  /** How the URL is named in messages (default `store.url in .troupe/config.json`). */
  setting?: string;
}

// the server's keepalive probes of the connection holding claims: idle 30 s, then 3 probes 10 s apart (docs/how-to/scale-out.md)
const CLAIM_KEEPALIVES = '-c tcp_keepalives_idle=30 -c tcp_keepalives_interval=10 -c tcp_keepalives_count=3';
// how long a worker waits for its claim connection to answer before it takes its claims for lost (a cut network does not say so)
const CLAIM_CONFIRM_MS = 10_000;

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
  readonly #url: string;
  readonly #where: { setting: string; location: string };
  // plans this process holds, by how many times it claimed them; the connection holding their locks
  readonly #claims = new Map<string, number>();
  #claimer: Promise<pg.Client> | null = null;
  // one query at a time on the claim connection: pg queues a second one itself, but warns (deprecated)
  readonly #claimQueries = new Mutex();
  // the LISTEN connection and who hears it
  readonly #listeners = new Set<(planId: string, fromSeq: number) => void>();
  #listener: pg.Client | null = null;
  #listening = false;
  // resolved when LISTEN first takes effect (or the store closes)
  #heardResolve!: () => void;
  readonly #heard = new Promise<void>((resolve) => (this.#heardResolve = resolve));
  #closed = false;
  /** Called with the plans whose claims ended with a lost connection (the server went away): they are no longer this process's. */
  onClaimsLost: ((planIds: string[]) => void) | null = null;

  constructor(options: PostgresStoreOptions) {
    const {
      url,
      schema = DEFAULT_POSTGRES_SCHEMA,
      setting = 'store.url in .troupe/config.json',
      ...storeOptions
    } = options;
    const problem = urlProblem(url, setting);
    if (problem) throw problem;
    const location = redactedUrl(url);
    // made by the store's first open, and kept to release its open lock
    const made: { level?: PostgresLevel } = {};
    super(() => (made.level = new PostgresLevel({ url, schema, setting, location })), {
      ...storeOptions,
      kind: 'postgres',
      location,
    });
    this.schema = schema;
    this.#made = made;
    this.#url = url;
    this.#where = { setting, location };
  }

  /**
   * Hold the plan for this process with a session-level advisory lock
   * (`pg_try_advisory_lock(hashtext(schema), hashtext(planId))`) on a
   * connection of its own: another process asking gets false until this one
   * releases it — or dies, since the lock ends with its connection. Claiming
   * again is counted. What this process remembered of the plan is dropped on
   * a new claim: another process may have written it meanwhile.
   */
  override async claimPlan(planId: string): Promise<boolean> {
    const held = this.#claims.get(planId);
    if (held !== undefined) {
      this.#claims.set(planId, held + 1);
      return true;
    }
    const client = await this.#claimConnection();
    const result = await this.#claimQueries
      .run(() =>
        client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', [
          this.schema,
          planId,
        ]),
      )
      .catch((error: unknown) => {
        throw unavailableError(error, this.#where);
      });
    if (result.rows[0]?.ok !== true) return false;
    // claimed meanwhile by a concurrent call of this process: one lock, two claims
    this.#claims.set(planId, (this.#claims.get(planId) ?? 0) + 1);
    this.forgetPlan(planId);
    return true;
  }

  override async releasePlan(planId: string): Promise<void> {
    const held = this.#claims.get(planId);
    if (held === undefined) return;
    if (held > 1) {
      this.#claims.set(planId, held - 1);
      return;
    }
    this.#claims.delete(planId);
    const client = await this.#claimer?.catch(() => null);
    // a lost connection already let it go
    if (client)
      await this.#claimQueries
        .run(() => client.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', [this.schema, planId]))
        .catch(() => {});
  }

  /**
   * Of these plans, the ones this process holds, once its claim connection
   * answered a query now: a session the server ended (an administrator, a
   * restart, keepalive after a cut network) took its locks with it, whether
   * or not this process heard. No answer within 10 s is none held.
   */
  override async heldHere(planIds: readonly string[]): Promise<string[]> {
    const mine = planIds.filter((planId) => this.#claims.has(planId));
    const client = mine.length > 0 ? await this.#claimer?.catch(() => null) : null;
    if (!client) return [];
    let timer: NodeJS.Timeout | undefined;
    const answered = await Promise.race([
      this.#claimQueries
        .run(() => client.query('SELECT 1'))
        .then(
          () => true,
          () => false,
        ),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLAIM_CONFIRM_MS))),
    ]).finally(() => clearTimeout(timer));
    // a connection that failed the query has ended: its claims are gone (and heard of)
    return answered ? mine.filter((planId) => this.#claims.has(planId)) : [];
  }

  /**
   * Of these plans, the ones a process holds: the advisory locks of
   * {@link claimPlan} granted now in this database, read from `pg_locks`
   * (taking none). A process that died holds nothing once the server ended
   * its connection — at once for a process killed on this machine (its
   * socket closes), within TCP keepalive for a machine that vanished. In
   * the first seconds after the server started, every claim ended with the
   * restart and its processes are taking them back: a plan found unheld
   * then is read again until it is held or the server has been up 5 s
   * (src/store/claims-settling.ts), so a reader does not call it stopped.
   */
  override async claimedPlans(planIds: readonly string[]): Promise<string[]> {
    if (planIds.length === 0) return [];
    return settledClaims(planIds, (unheld) => this.#readClaims(unheld));
  }

  // one read of pg_locks for these plans, with how long the server has been up
  async #readClaims(planIds: readonly string[]): Promise<ClaimsRead> {
    const pool = this.#made.level!.pool;
    // an advisory lock on two int4 keys is shown as classid, objid (as oid) and objsubid 2
    const result = await pool
      .query<{ id: string; held: boolean; up_ms: number }>(
        `SELECT asked.id, EXISTS (
           SELECT 1 FROM pg_locks AS held
           WHERE held.locktype = 'advisory' AND held.granted AND held.objsubid = 2
             AND held.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND held.classid = hashtext($1)::oid AND held.objid = hashtext(asked.id)::oid) AS held,
           (extract(epoch FROM clock_timestamp() - pg_postmaster_start_time()) * 1000)::float8 AS up_ms
         FROM unnest($2::text[]) AS asked(id)`,
        [this.schema, [...planIds]],
      )
      .catch((error: unknown) => {
        throw unavailableError(error, this.#where);
      });
    return {
      held: new Set(result.rows.filter((row) => row.held).map((row) => row.id)),
      serverUpMs: result.rows[0]?.up_ms ?? Number.POSITIVE_INFINITY,
    };
  }

  /** Hear of every transition that wrote journal events, from any process (`LISTEN` on the store's channel). */
  override watchPlans(listener: (planId: string, fromSeq: number) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#listening) {
      this.#listening = true;
      void this.#listen(0);
    }
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Resolves once the first {@link watchPlans} has its `LISTEN` in effect (or the store closed). */
  override listening(): Promise<void> {
    return this.#heard;
  }

  override async close(): Promise<void> {
    this.#closed = true;
    this.#heardResolve();
    const [claimer, listener] = [this.#claimer, this.#listener];
    this.#claimer = null;
    this.#listener = null;
    this.#claims.clear();
    // the store closes first (writes queued behind the close are refused), then its own connections
    const closing = super.close();
    await Promise.allSettled([claimer?.then((client) => client.end()), listener?.end()]);
    await closing;
  }

  #claimConnection(): Promise<pg.Client> {
    if (!this.#claimer) {
      const connecting = (async () => {
        // the server probes this connection when it is idle: the claims of a machine that vanished (no socket closed) end within a minute
        const client = new pg.Client({
          connectionString: this.#url,
          connectionTimeoutMillis: 10_000,
          options: CLAIM_KEEPALIVES,
        });
        // the connection ended (the server went away): its locks ended with it
        const lost = () => {
          if (this.#claimer !== connecting) return;
          this.#claimer = null;
          const planIds = [...this.#claims.keys()];
          this.#claims.clear();
          if (planIds.length > 0 && !this.#closed) this.onClaimsLost?.(planIds);
        };
        client.on('error', lost);
        client.on('end', lost);
        await client.connect();
        return client;
      })();
      connecting.catch(() => {
        if (this.#claimer === connecting) this.#claimer = null;
      });
      this.#claimer = connecting;
    }
    return this.#claimer.catch((error: unknown) => {
      throw unavailableError(error, this.#where);
    });
  }

  // the LISTEN connection, made again (with backoff) whenever it is lost; once it listens, everyone hears '*'
  async #listen(attempt: number): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.#url, connectionTimeoutMillis: 10_000 });
    let again = false;
    const lost = () => {
      if (again || this.#closed) return;
      again = true;
      if (this.#listener === client) this.#listener = null;
      setTimeout(() => void this.#listen(attempt + 1), Math.min(200 * 2 ** attempt, 5_000)).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      const [planId = '', seq = '0'] = (message.payload ?? '').split(' ');
      if (planId !== '') this.#hear(planId, Number(seq));
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteChannel(`troupe_${this.schema}`)}`);
    } catch {
      await client.end().catch(() => {});
      lost();
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#listener = client;
    this.#heardResolve();
    // what was committed before LISTEN took effect was not heard — since the
    // first watchPlans (connecting takes a while) or while the connection was lost
    this.#hear('*', 0);
    // a later loss backs off from the start again
    attempt = 0;
  }

  #hear(planId: string, fromSeq: number): void {
    for (const listener of this.#listeners) {
      try {
        listener(planId, fromSeq);
      } catch {
        // a listener's failure is its own
      }
    }
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

// a channel name as an identifier (schema names are [a-z_][a-z0-9_]*, but quote anyway)
function quoteChannel(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function troupeCause(error: unknown): TroupeError | null {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 10; depth++) {
    if (current instanceof TroupeError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}
