import pg from 'pg';
import fc from '../helpers/fast-check-capped.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { GET_MANY_CHUNK, PREPARED_KEYS, type PostgresLevel } from '../../src/store/postgres-level.js';
import { KEY_TABLES, quoteIdent } from '../../src/store/postgres-tables.js';
import { writeOptions } from '../../src/store/store-database.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { runStoreConformance } from './conformance/index.js';
import { planCreation } from './fixtures.js';

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)('PostgresStore on a real server', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  runStoreConformance('PostgresStore', async (options) => {
    const schema = server.schema();
    return {
      store: new PostgresStore({ ...options, url: server.url, schema }),
      cleanup: () => server.dropSchema(schema),
      reopen: () => new PostgresStore({ url: server.url, schema }),
    };
  });
});

describe.skipIf(unavailable !== null)('PostgresStore’s database', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('commits a plan it has read (one another process created) without asking first whether it exists', async () => {
    const schema = server.schema();
    const creator = new PostgresStore({ url: server.url, schema });
    await creator.open();
    const creation = planCreation('demo/taken');
    await creator.createPlan(creation);
    await creator.close();
    // another process: a worker that takes the plan over reads it, then writes its first transition
    const store = new PostgresStore({ url: server.url, schema });
    await store.open();
    try {
      expect(await store.getPlan(creation.planId)).not.toBeNull();
      const gets = vi.spyOn(store.db as PostgresLevel, '_get');
      await store.commit({ planId: creation.planId, record: { ...creation.record, toolCalls: 1 } });
      expect(gets).not.toHaveBeenCalled();
      expect((await store.getPlan(creation.planId))?.toolCalls).toBe(1);
    } finally {
      await store.close();
      await server.dropSchema(schema);
    }
  });

  it('answers has and getMany by key, and refuses use of its pool before open', async () => {
    const schema = server.schema();
    const store = new PostgresStore({ url: server.url, schema });
    await store.open();
    try {
      await store.db.put('!names!demo/x', '"01J"');
      expect(await store.db.has('!names!demo/x')).toBe(true);
      expect(await store.db.has('!names!demo/y')).toBe(false);
      expect(await store.db.getMany(['!names!demo/y', '!names!demo/x'])).toEqual([undefined, '"01J"']);
      expect(store.schema).toBe(schema);
      expect(store.kind).toBe('postgres');
    } finally {
      await store.close();
      await server.dropSchema(schema);
    }
    expect(() => (store.db as unknown as PostgresLevel).pool).toThrow(/not open/);
  });

  it('reads keys of several tables in one statement, in the order asked, undefined where there is none', async () => {
    const schema = server.schema();
    const store = new PostgresStore({ url: server.url, schema });
    await store.open();
    const sent = countStatements(store.db as unknown as PostgresLevel);
    try {
      await store.db.batch([
        { type: 'put', key: '!names!demo/x', value: '"A"' },
        { type: 'put', key: '!specs!B', value: '"b"' },
        { type: 'put', key: '!steps!B', value: '"c"' },
      ]);
      sent.length = 0;
      expect(await store.db.getMany(['!steps!B', '!names!demo/none', '!specs!B', '!names!demo/x', '!steps!B'])).toEqual(
        ['"c"', undefined, '"b"', '"A"', '"c"'],
      );
      expect(sent).toHaveLength(1);
      // past what one statement takes: in statements of GET_MANY_CHUNK keys, every value in its place
      const many = Array.from({ length: 2 * GET_MANY_CHUNK + 7 }, (_, index) =>
        index % 3 === 0 ? '!names!demo/x' : index % 3 === 1 ? `!names!demo/none-${index}` : '!specs!B',
      );
      sent.length = 0;
      expect(await store.db.getMany(many)).toEqual(
        many.map((key) => (key === '!names!demo/x' ? '"A"' : key === '!specs!B' ? '"b"' : undefined)),
      );
      expect(sent).toHaveLength(3);
    } finally {
      await store.close();
      await server.dropSchema(schema);
    }
  });

  it('reads a plan’s record with its step pointer in one statement, and a chain another process grew in one more', async () => {
    const schema = server.schema();
    const writer = new PostgresStore({ url: server.url, schema });
    const reader = new PostgresStore({ url: server.url, schema });
    await writer.open();
    await reader.open();
    const sent = countStatements(reader.db as unknown as PostgresLevel);
    const step = (n: number) => `01J00000000000000000STP${String(n).padStart(3, '0')}`;
    try {
      const creation = planCreation('demo/x', { strategyDecisionIds: [step(1), step(2)] });
      await writer.createPlan(creation);
      sent.length = 0;
      // first read here: the record and its pointer together, then the chain (its pointer is not read again)
      expect((await reader.getPlan(creation.planId))?.strategyDecisionIds).toEqual([step(1), step(2)]);
      expect(sent).toHaveLength(2);
      sent.length = 0;
      // the chain known here: one statement
      expect((await reader.getPlan(creation.planId))?.strategyDecisionIds).toEqual([step(1), step(2)]);
      expect(sent).toHaveLength(1);
      // another process adds a step: its new node is read with the pointer already in hand
      await writer.commit({
        planId: creation.planId,
        record: { ...creation.record, strategyDecisionIds: [step(1), step(2), step(3)] },
      });
      sent.length = 0;
      expect((await reader.getPlan(creation.planId))?.strategyDecisionIds).toEqual([step(1), step(2), step(3)]);
      expect(sent).toHaveLength(2);
      sent.length = 0;
      expect(await reader.getPlan('01J0000000000000000000NONE')).toBeNull();
      expect(sent).toHaveLength(1);
    } finally {
      await reader.close();
      await writer.close();
      await server.dropSchema(schema);
    }
  });

  it('prepares each shape of read once per connection, and prepares it again on the connections made after a restart', async () => {
    const schema = server.schema();
    const store = new PostgresStore({ url: server.url, schema });
    await store.open();
    const db = store.db as unknown as PostgresLevel;
    const sent = countStatements(db) as { name?: string; text?: string }[];
    const reads = async () => [
      await store.db.get('!names!demo/x'),
      await store.db.getMany(['!names!demo/x', '!specs!B']),
      await store.db.keys({ gte: '!names!', lt: '!names!~', limit: 5 }).all(),
      await store.db.keys({ gte: '!names!', lt: '!names!~', limit: 2 }).all(),
    ];
    try {
      await store.db.batch([
        { type: 'put', key: '!names!demo/x', value: '"A"' },
        { type: 'put', key: '!specs!B', value: '"b"' },
      ]);
      sent.length = 0;
      const expected = ['"A"', ['"A"', '"b"'], ['!names!demo/x'], ['!names!demo/x']];
      expect(await reads()).toEqual(expected);
      expect(await reads()).toEqual(expected);
      // by name, one per text: the two limits are one statement
      expect(sent.every((query) => typeof query.name === 'string')).toBe(true);
      const names = new Map(sent.map((query) => [query.text, query.name]));
      expect(names.size).toBe(3);
      expect(new Set(names.values()).size).toBe(3);
      // the server holds them: asked on the connection that ran them (reads one at a time take the same idle one)
      const client = await db.pool.connect();
      try {
        const held = await client.query<{ name: string; statement: string }>(
          'SELECT name, statement FROM pg_prepared_statements',
        );
        expect(new Map(held.rows.map((row) => [row.statement, row.name]))).toEqual(names);
      } finally {
        client.release();
      }
      // a long getMany, whose shape does not repeat, is not kept on the connections
      sent.length = 0;
      const many = Array.from({ length: PREPARED_KEYS + 1 }, (_, index) => `!names!demo/${index}`);
      expect(await store.db.getMany(many)).toEqual(many.map(() => undefined));
      expect(sent).toHaveLength(1);
      expect(sent[0]!.name).toBeUndefined();
      // the connections the pool makes once the server is back know none of them: each is prepared again there
      const back = await server.outage();
      await back();
      await vi.waitFor(async () => expect(await reads()).toEqual(expected), { timeout: 30_000, interval: 100 });
      expect(await reads()).toEqual(expected);
    } finally {
      await store.close();
      await server.dropSchema(schema);
    }
  }, 60_000);

  it('writes a batch in one query to the server, every value read back as written whatever it holds', async () => {
    const schema = server.schema();
    const store = new PostgresStore({ url: server.url, schema });
    await store.open();
    const sent = countStatements(store.db as unknown as PostgresLevel);
    try {
      // quotes, backslashes, placeholders, line breaks, any unicode: PostgreSQL text holds all but NUL
      const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((value) => value.replaceAll('\0', ''));
      await fc.assert(
        // a value with a backslash goes as an E'…' literal, one without as a plain one: both kinds, every run
        fc.asyncProperty(
          fc.uniqueArray(text, { minLength: 1, maxLength: 5 }),
          text,
          fc.boolean(),
          async (names, value, backslash) => {
            sent.length = 0;
            const stored = `${value}'${backslash ? '\\' : ''}$1`;
            await store.db.batch(names.map((name) => ({ type: 'put' as const, key: `!names!${name}`, value: stored })));
            expect(sent).toHaveLength(1);
            expect(await store.db.getMany(names.map((name) => `!names!${name}`))).toEqual(names.map(() => stored));
            await store.db.batch(names.map((name) => ({ type: 'del' as const, key: `!names!${name}` })));
            expect(await store.db.has(`!names!${names[0]!}`)).toBe(false);
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await store.close();
      await server.dropSchema(schema);
    }
  });

  it('keeps every batch it acknowledged through a crash of the server, sync asked or not', async () => {
    const schema = server.schema();
    const store = new PostgresStore({ url: server.url, schema });
    await store.open();
    try {
      // a plan's step batches ask for no sync; the runtime goes on from them once the server is back
      for (let seq = 1; seq <= 5; seq += 1)
        await store.db.batch([{ type: 'put', key: `!names!step-${seq}`, value: `"${seq}"` }], writeOptions(false));
      const back = await server.outage();
      await back();
      const again = new PostgresStore({ url: server.url, schema });
      await again.open();
      try {
        expect(await again.db.getMany([1, 2, 3, 4, 5].map((seq) => `!names!step-${seq}`))).toEqual([
          '"1"',
          '"2"',
          '"3"',
          '"4"',
          '"5"',
        ]);
      } finally {
        await again.close();
      }
    } finally {
      await store.close().catch(() => {});
      await server.dropSchema(schema);
    }
  }, 60_000);

  it('refuses a URL that is not postgres:// as it is made, naming the setting', () => {
    expect(() => new PostgresStore({ url: 'http://db', setting: 'TROUPE_DATABASE_URL' })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('TROUPE_DATABASE_URL: must be a postgres:// URL'),
      }),
    );
  });

  it('says STORE_UNAVAILABLE for a database that does not exist, and can be opened once it does', async () => {
    const url = server.url.replace(/\/[^/]*$/, '/nowhere');
    const store = new PostgresStore({ url });
    const error = await store.open().catch((reason: unknown) => reason);
    expect(error).toMatchObject({
      code: 'STORE_UNAVAILABLE',
      details: { setting: 'store.url in .troupe/config.json', reason: '3D000' },
    });
    expect((error as Error).message).toContain('database "nowhere" does not exist');
  });

  it('a connection the server cuts while a write holds it fails that write with STORE_UNAVAILABLE, does not end the process, and the next write goes through', async () => {
    const schema = server.schema();
    const store = new PostgresStore({ url: server.url, schema });
    await store.open();
    // pg emits 'error' on a client the server cut; pg-pool listens only while the client is idle in the pool
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const blocker = new pg.Client({ connectionString: server.url });
    blocker.on('error', () => {});
    await blocker.connect();
    try {
      // another session inserts the same key and does not commit: the store's write waits on it, its client checked out
      const names = `${quoteIdent(schema)}.${quoteIdent(KEY_TABLES.find((table) => table.prefix === '!names!')!.table)}`;
      await blocker.query('BEGIN');
      await blocker.query(`INSERT INTO ${names} (key, value) VALUES ($1, $2)`, ['demo/x', '"01A"']);
      const writing = store.db.put('!names!demo/x', '"01J"').then(
        () => null,
        (reason: unknown) => reason,
      );
      // the store's write is found by what it waits on — the blocker's own backend — not by its query text
      // or a number of tries: on a loaded machine its connection can take seconds to reach the server
      const {
        rows: [me],
      } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const waiting = await waitFor(async () => {
        const found = await blocker.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
          [me!.pid],
        );
        return found.rows[0]?.pid;
      }, 90_000);
      expect(waiting, 'the write never waited on the lock').toBeDefined();
      // an immediate shutdown warns the sessions and closes their sockets: no error answers the statement first
      const back = await server.outage();
      expect(await writing).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await back();
      // the pool drops its idle connections the outage closed as their sockets' ends come in (back() blocked the loop)
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(uncaught).toEqual([]);
      await store.db.put('!names!demo/x', '"01J"');
      expect(await store.db.get('!names!demo/x')).toBe('"01J"');
    } finally {
      process.off('uncaughtException', onUncaught);
      await blocker.end().catch(() => {});
      await store.close();
      await server.dropSchema(schema);
    }
  }, 180_000);
});

// polls until `probe` answers, every 25 ms, until a deadline meant for a machine under load
async function waitFor<T>(probe: () => Promise<T | undefined>, deadlineMs: number): Promise<T | undefined> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined || Date.now() > until) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

// the statements the connections of `db`'s pool send from now on
function countStatements(db: PostgresLevel): unknown[] {
  const sent: unknown[] = [];
  db.pool.on('acquire', (client) => {
    if ((client as { counted?: boolean }).counted) return;
    (client as { counted?: boolean }).counted = true;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      sent.push(args[0]);
      return query(...args);
    };
  });
  return sent;
}
