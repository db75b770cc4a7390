// A troupe-like process for test/store/postgres-concurrency.test.ts: opens
// the store, creates five plans of its own and races the others for
// `demo/shared`, then prints what it got as JSON.
import { TroupeError } from '../../src/domain/index.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { planCreation } from './fixtures.js';

const [url, schema, tag] = process.argv.slice(2) as [string, string, string];
const store = new PostgresStore({ url, schema });
await store.open();
const created: string[] = [];
let shared = 'won';
await Promise.all([
  (async () => {
    for (let index = 0; index < 5; index++) {
      const name = `demo/${tag}-${index}`;
      await store.createPlan(planCreation(name));
      created.push(name);
    }
  })(),
  store.createPlan(planCreation('demo/shared')).catch((error: unknown) => {
    shared = error instanceof TroupeError ? error.code : String(error);
  }),
]);
await store.close();
process.stdout.write(JSON.stringify({ created, shared }));
