// Runs a plan again until it is killed: the crash test SIGKILLs this process
// at chosen moments of a run that starts child plans over (after a rollback)
// and checks that a new runtime finishes it as one uninterrupted run would.
import { createRuntime } from '../../src/runtime/index.js';

const [dir, planId] = process.argv.slice(2);
const runtime = await createRuntime({ dir: dir!, report: () => {} });
// the child plans' events only: a kill point counts what happened under the plan
runtime.subscribe('*', (event) => {
  if (event.planId !== planId) process.stdout.write(`${event.type} ${event.planId}\n`);
});
process.stdout.write('ready\n');
await runtime.run(planId!);
process.stdout.write('finished\n');
// never closes: the test kills it, even when the kill lands after the work is done
setInterval(() => {}, 60_000);
