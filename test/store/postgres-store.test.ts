import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.js';
import type { PostgresLevel } from '../../src/store/postgres-level.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { runStoreConformance } from './conformance.js';

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

  it('refuses a URL that is not postgres:// as it is made, naming the setting', () => {
    expect(() => new PostgresStore({ url: 'http://db', setting: 'TROUPE_DATABASE_URL' })).toThrow(expect.objectContaining({ code: 'VALIDATION_ERROR', message: expect.stringContaining('TROUPE_DATABASE_URL: must be a postgres:// URL') }));
  });

  it('says STORE_UNAVAILABLE for a database that does not exist, and can be opened once it does', async () => {
    const url = server.url.replace(/\/[^/]*$/, '/nowhere');
    const store = new PostgresStore({ url });
    const error = await store.open().catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: 'STORE_UNAVAILABLE', details: { setting: 'store.url in .troupe/config.json', reason: '3D000' } });
    expect((error as Error).message).toContain('database "nowhere" does not exist');
  });
});
