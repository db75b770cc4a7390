import { afterAll, beforeAll, describe } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.js';
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
