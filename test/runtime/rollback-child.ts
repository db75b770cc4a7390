// Rolls a plan back until it is killed: the crash test SIGKILLs this process
// at chosen moments of the rollback and checks that running it again (or
// not, when it landed) ends in the same state as one uninterrupted rollback.
import { createRuntime } from '../../src/runtime/index.js';

const [dir, planId, checkpointId] = process.argv.slice(2);
const runtime = await createRuntime({ dir: dir!, report: () => {} });
runtime.subscribe('*', (event) => process.stdout.write(`${event.type} ${event.planId}\n`));
process.stdout.write('ready\n');
await runtime.rollback(planId!, { to: checkpointId! });
process.stdout.write('finished\n');
await runtime.close();
