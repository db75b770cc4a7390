// A process for test/store/postgres-claims.test.ts: opens the store,
// claims the plan named on its command line, says so, and waits to be killed.
import { PostgresStore } from '../../src/store/postgres-store.js';

const [url, schema, planId] = process.argv.slice(2) as [string, string, string];
const store = new PostgresStore({ url, schema });
await store.open();
process.stdout.write(`${(await store.claimPlan(planId)) ? 'claimed' : 'refused'}\n`);
setInterval(() => {}, 1_000);
