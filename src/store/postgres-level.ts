import { AbstractIterator, AbstractLevel } from 'abstract-level';
import pg from 'pg';
import { TroupeError, ValidationError } from '../domain/errors.js';
import {
  KEY_TABLES,
  createTablesSql,
  quoteIdent,
  quoteLiteral,
  tableOfKey,
  tableRange,
  type KeyRange,
  type KeyTable,
  type TableRange,
} from './postgres-tables.js';
import { isConnectionLoss, unavailableError } from './postgres-errors.js';

/** Where a {@link PostgresLevel} keeps its tables. */
export interface PostgresLevelOptions {
  /** A `postgres://` connection URL. */
  url: string;
  /** The PostgreSQL schema holding the tables (created if missing). */
  schema: string;
  /** How the URL is named in messages: `store.url in .troupe/config.json`, `TROUPE_DATABASE_URL`. */
  setting: string;
  /** Where the store is, as messages name it (the URL without its password). */
  location: string;
}

type Operation = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };
interface IteratorOptions extends KeyRange {
  reverse?: boolean;
  limit?: number;
  keys?: boolean;
  values?: boolean;
}

// 23505: a row with that primary key exists
const UNIQUE_VIOLATION = '23505';

/** Keys a `getMany` reads in one statement. */
export const GET_MANY_CHUNK = 500;

/** Read statements prepared by name, each once per connection; reads of other shapes past these are parsed every time. */
export const PREPARED_READS = 256;
/** Reads of more keys than this (a long `getMany`) are not prepared: their shapes vary and do not repeat, and each would be kept per connection. */
export const PREPARED_KEYS = 16;

/**
 * An abstract-level database over PostgreSQL tables (one per sublevel, see
 * postgres-tables.ts), so the store's one implementation and its
 * conformance suite serve PostgreSQL as they serve LevelDB. A batch is one
 * transaction, and every one commits durably, `sync` asked or not: the
 * server can crash while the process that wrote goes on from what it was
 * told is stored, so a transition the server acknowledged and then lost
 * would leave a gap in a journal (a LevelDB write without fsync is lost
 * only with the machine, and the process with it) — docs/explanation/architecture.md,
 * "Durability: what is synced".
 */
export class PostgresLevel extends AbstractLevel<string | Buffer | Uint8Array, string, string> {
  readonly #options: PostgresLevelOptions;
  readonly #schema: string;
  #pool: pg.Pool | null = null;
  #openLock: pg.PoolClient | null = null;
  // the name of each read statement's text, prepared on a connection the first time it runs there
  readonly #prepared = new Map<string, string>();

  constructor(options: PostgresLevelOptions) {
    super(
      { encodings: { utf8: true }, seek: false, permanence: true, createIfMissing: true, errorIfExists: false },
      { keyEncoding: 'utf8', valueEncoding: 'utf8' },
    );
    this.#options = options;
    this.#schema = quoteIdent(options.schema);
  }

  /** The channel every transition that writes journal events notifies: `troupe_<schema>`, payload `<planId> <first seq>`. */
  get channel(): string {
    return `troupe_${this.#options.schema}`;
  }

  /** The connection pool, for the store's own queries (advisory locks, tests). */
  get pool(): pg.Pool {
    if (!this.#pool)
      throw new TroupeError('INTERNAL_ERROR', `the store at ${this.#options.location} is not open`, {
        hint: 'call open() before using a store',
      });
    return this.#pool;
  }

  async _open(): Promise<void> {
    const pool = new pg.Pool({ connectionString: this.#options.url, max: 4, connectionTimeoutMillis: 10_000 });
    // an idle connection the server drops must not end the process; the next query reconnects or fails with its own error
    pool.on('error', () => {});
    // pg-pool listens for a client's 'error' only while it is idle in the pool: a client
    // checked out for a write whose server goes down (its socket closed with no error
    // message first) would emit 'error' to nobody, an uncaught exception that ends the
    // process. Every client gets a listener of its own; the write's statement still
    // fails with the loss, and the client is then destroyed, not given back.
    pool.on('connect', (client) => client.on('error', () => {}));
    let client: pg.PoolClient | null = null;
    try {
      client = await pool.connect();
      // held until the store has checked the schema version too (releaseOpenLock): two
      // processes opening a new schema at once would otherwise each find it empty, and
      // one would then see the other's first plan as data without a version
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [`troupe schema ${this.#options.schema}`]);
      await client.query(createTablesSql(this.#options.schema));
    } catch (error) {
      client?.release(true);
      await pool.end().catch(() => {});
      throw unavailableError(error, this.#options);
    }
    this.#openLock = client;
    this.#pool = pool;
  }

  /** Let other processes open the schema: called once the store has checked its version (or failed to). */
  async releaseOpenLock(): Promise<void> {
    const client = this.#openLock;
    this.#openLock = null;
    if (!client) return;
    try {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`troupe schema ${this.#options.schema}`]);
      client.release();
    } catch {
      // a session-level lock ends with its connection
      client.release(true);
    }
  }

  async _close(): Promise<void> {
    await this.releaseOpenLock();
    const pool = this.#pool;
    this.#pool = null;
    await pool?.end();
  }

  async _get(key: string): Promise<string | undefined> {
    const { table, key: inner } = tableOfKey(key);
    const result = await this.#read<{ value: string }>(`SELECT value FROM ${this.#table(table)} WHERE key = $1`, [
      inner,
    ]);
    return result.rows[0]?.value;
  }

  // one statement for them all, whatever their tables: one round trip (a plan's record and its step pointer, say);
  // a long list goes in statements of GET_MANY_CHUNK keys (PostgreSQL takes at most 65,535 parameters in one)
  async _getMany(keys: string[]): Promise<(string | undefined)[]> {
    if (keys.length <= 1) return Promise.all(keys.map((key) => this._get(key)));
    if (keys.length > GET_MANY_CHUNK) {
      const chunks: string[][] = [];
      for (let from = 0; from < keys.length; from += GET_MANY_CHUNK)
        chunks.push(keys.slice(from, from + GET_MANY_CHUNK));
      return (await Promise.all(chunks.map((chunk) => this._getMany(chunk)))).flat();
    }
    const parts = keys.map((key) => tableOfKey(key));
    const selects = parts.map(
      (part, index) => `SELECT ${index} AS at, value FROM ${this.#table(part.table)} WHERE key = $${index + 1}`,
    );
    const result = await this.#read<{ at: number; value: string }>(
      selects.join(' UNION ALL '),
      parts.map((part) => part.key),
    );
    const values: (string | undefined)[] = keys.map(() => undefined);
    for (const row of result.rows) values[row.at] = row.value;
    return values;
  }

  async _has(key: string): Promise<boolean> {
    return (await this._get(key)) !== undefined;
  }

  // a single put replaces whatever is there: the store writes in batches, and
  // only migrations and repairs put one key (the version, a value mended)
  // `sync` is not read: every transaction commits durably (see the class)
  async _put(key: string, value: string): Promise<void> {
    await this.#write([{ type: 'put', key, value }], false);
  }

  async _del(key: string): Promise<void> {
    await this.#write([{ type: 'del', key }], false);
  }

  async _batch(operations: Operation[]): Promise<void> {
    await this.#write(operations, true);
  }

  async #write(operations: Operation[], once: boolean): Promise<void> {
    try {
      await this.#inOneTrip(operations, once);
    } catch (error) {
      // a key another process wrote first: which one is asked statement by statement (nothing was written)
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
      await this.#statementByStatement(operations, once);
    }
  }

  // the batch's whole transaction as one query: one round trip to the server, however many keys it writes
  async #inOneTrip(operations: Operation[], once: boolean): Promise<void> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw this.#lost(error);
    });
    let broken = false;
    try {
      await client.query(this.#transactionText(operations, once));
    } catch (error) {
      broken = isConnectionLoss(error);
      if (!broken) await client.query('ROLLBACK').catch(() => {});
      throw this.#lost(error);
    } finally {
      // a connection the server cut is not given back to the pool
      client.release(broken ? true : undefined);
    }
  }

  // BEGIN, each operation, the notices, COMMIT: values as literals, escaped as pg escapes them (the simple protocol takes no parameters)
  #transactionText(operations: Operation[], once: boolean): string {
    const statements = ['BEGIN'];
    for (const operation of operations) statements.push(this.#statementOf(operation, once, quoteLiteral));
    // every process following these plans hears of them once this commits — never of a transition rolled back
    for (const notice of eventNotices(operations))
      statements.push(`SELECT pg_notify(${quoteLiteral(this.channel)}, ${quoteLiteral(notice)})`);
    statements.push('COMMIT');
    return statements.join(';\n');
  }

  // the statement of one operation, its key and value (in that order) as `value` puts them: literals, or $1 and $2
  #statementOf(operation: Operation, once: boolean, value: (text: string, index: number) => string): string {
    const { table, key } = tableOfKey(operation.key);
    if (operation.type === 'del') return `DELETE FROM ${this.#table(table)} WHERE key = ${value(key, 0)}`;
    const replace = once && table.insertOnly ? '' : ' ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value';
    return `INSERT INTO ${this.#table(table)} (key, value) VALUES (${value(key, 0)}, ${value(operation.value, 1)})${replace}`;
  }

  // the same transaction a statement at a time, so that a refused key names its operation
  async #statementByStatement(operations: Operation[], once: boolean): Promise<void> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw this.#lost(error);
    });
    let current: Operation | undefined;
    let broken = false;
    try {
      await client.query('BEGIN');
      for (current of operations) {
        const values = [tableOfKey(current.key).key, ...(current.type === 'put' ? [current.value] : [])];
        await client.query(
          this.#statementOf(current, once, (_, index) => `$${index + 1}`),
          values,
        );
      }
      const notices = eventNotices(operations);
      if (notices.length > 0)
        await client.query('SELECT pg_notify($1, notice) FROM unnest($2::text[]) AS notice', [this.channel, notices]);
      await client.query('COMMIT');
    } catch (error) {
      broken = isConnectionLoss(error);
      if (!broken) await client.query('ROLLBACK').catch(() => {});
      throw this.#lost(writeError(error, current));
    } finally {
      client.release(broken ? true : undefined);
    }
  }

  _iterator(options: IteratorOptions): PostgresIterator {
    return new PostgresIterator(this, options, (range, tableOptions) => this.#rows(range, tableOptions));
  }

  // the rows of a range in key order, table by table, at most `limit`
  async #rows(range: KeyRange, options: { reverse: boolean; limit: number }): Promise<[string, string][]> {
    const tables = options.reverse ? [...KEY_TABLES].reverse() : KEY_TABLES;
    const rows: [string, string][] = [];
    for (const table of tables) {
      if (rows.length >= options.limit) break;
      const part = tableRange(table, range);
      if (!part) continue;
      const { where, values } = whereOf(part);
      // the limit a parameter: one statement for every limit
      if (Number.isFinite(options.limit)) values.push(String(options.limit - rows.length));
      const limit = Number.isFinite(options.limit) ? ` LIMIT $${values.length}` : '';
      const result = await this.#read<{ key: string; value: string }>(
        `SELECT key, value FROM ${this.#table(table)}${where} ORDER BY key ${options.reverse ? 'DESC' : 'ASC'}${limit}`,
        values,
      );
      for (const row of result.rows) rows.push([table.prefix + row.key, row.value]);
    }
    return rows;
  }

  // A read as a named statement: PostgreSQL parses and plans each shape once
  // per connection instead of at every read (a worker's store reads are a
  // few shapes run thousands of times: the server's CPU per read 0.10 ms →
  // 0.04 ms, docs/explanation/performance.md#scale-out). A connection the pool makes
  // anew (after an outage) prepares again; the store's connections are
  // sessions of their own already (its claims are session locks).
  async #read<Row extends pg.QueryResultRow>(text: string, values: string[]): Promise<pg.QueryResult<Row>> {
    let name = this.#prepared.get(text);
    if (name === undefined && this.#prepared.size < PREPARED_READS && values.length <= PREPARED_KEYS) {
      name = `troupe_read_${this.#prepared.size}`;
      this.#prepared.set(text, name);
    }
    return this.pool
      .query<Row>(name === undefined ? { text, values } : { name, text, values })
      .catch((error: unknown) => {
        throw this.#lost(error);
      });
  }

  // the server out of reach is STORE_UNAVAILABLE, naming the setting; any other error as it is
  #lost(error: unknown): unknown {
    return isConnectionLoss(error) ? unavailableError(error, this.#options) : error;
  }

  #table(table: KeyTable): string {
    return `${this.#schema}.${quoteIdent(table.table)}`;
  }
}

type Fetch = (range: KeyRange, options: { reverse: boolean; limit: number }) => Promise<[string, string][]>;

/** An iterator over a range of keys: the rows are read in one go on the first call (a store's ranges are one plan's). */
class PostgresIterator extends AbstractIterator<PostgresLevel, string, string> {
  readonly #range: KeyRange;
  readonly #reverse: boolean;
  readonly #fetch: Fetch;
  #rows: Promise<[string, string][]> | null = null;
  #index = 0;

  constructor(db: PostgresLevel, options: IteratorOptions, fetch: Fetch) {
    super(db, options);
    const { gt, gte, lt, lte } = options;
    this.#range = {
      ...(gt === undefined ? {} : { gt }),
      ...(gte === undefined ? {} : { gte }),
      ...(lt === undefined ? {} : { lt }),
      ...(lte === undefined ? {} : { lte }),
    };
    this.#reverse = options.reverse === true;
    this.#fetch = fetch;
  }

  async _next(): Promise<[string, string] | undefined> {
    this.#rows ??= this.#fetch(this.#range, { reverse: this.#reverse, limit: this.limit });
    const rows = await this.#rows;
    return rows[this.#index++];
  }
}

function whereOf(range: TableRange): { where: string; values: string[] } {
  const clauses: string[] = [];
  const values: string[] = [];
  if (range.lower) {
    values.push(range.lower.key);
    clauses.push(`key ${range.lower.inclusive ? '>=' : '>'} $${values.length}`);
  }
  if (range.upper) {
    values.push(range.upper.key);
    clauses.push(`key ${range.upper.inclusive ? '<=' : '<'} $${values.length}`);
  }
  return { where: clauses.length ? ` WHERE ${clauses.join(' AND ')}` : '', values };
}

// a key written once that another process wrote first: a taken name is the
// user's VALIDATION_ERROR, as on LevelDB; a journal or log seq means two
// processes write one plan, and the whole transition was rolled back
// `<planId> <first seq>` for each plan whose journal events a batch writes
function eventNotices(operations: readonly Operation[]): string[] {
  const first = new Map<string, number>();
  for (const operation of operations) {
    if (operation.type !== 'put') continue;
    const { table, key } = tableOfKey(operation.key);
    if (table.table !== 'events') continue;
    const [planId = '', seq = ''] = key.split('!');
    const at = Number(seq);
    if (!first.has(planId) || at < first.get(planId)!) first.set(planId, at);
  }
  return [...first].map(([planId, seq]) => `${planId} ${seq}`);
}

function writeError(error: unknown, operation: Operation | undefined): unknown {
  if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION || !operation) return error;
  const { table, key } = tableOfKey(operation.key);
  if (table.table === 'names') {
    return new ValidationError([{ path: 'name', message: `a plan named "${key}" already exists` }], {
      hint: `choose another name, or see the existing plan with: troupe plan status ${key}`,
    });
  }
  const [planId, seq] = key.split('!');
  return new TroupeError(
    'STORE_LOCKED',
    `plan ${planId} is written by another process: its ${table.table === 'events' ? 'event' : 'command log'} ${Number(seq)} exists already`,
    {
      hint: 'one process runs a plan at a time; nothing of this transition was written. Run the command again to continue from what the other process wrote',
      details: { planId, key: operation.key },
      cause: error,
    },
  );
}
