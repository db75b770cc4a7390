// Runs a plan with a group of subplans until it is killed: the crash test
// SIGKILLs this process in the middle of the fan-out and checks that a new
// runtime finishes it without a second copy of any child.
import { createRuntime } from '../../src/runtime/index.js';

const [dir, planId] = process.argv.slice(2);
const runtime = await createRuntime({ dir: dir!, report: () => {} });
runtime.subscribe('*', (event) =>
  process.stdout.write(`${event.planId} ${event.type} ${JSON.stringify(event.data)}\n`),
);
process.stdout.write('ready\n');
await runtime.run(planId!, { until: 'execute' });
// never closes: the test kills it, even when the kill lands after the work is done
process.stdout.write('finished\n');
setInterval(() => {}, 60_000);
