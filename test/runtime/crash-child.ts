// Runs a plan until it is killed: the crash test SIGKILLs this process at
// chosen moments and checks that a new runtime finishes the plan with every
// step's effect exactly once.
import { createRuntime } from '../../src/runtime/index.js';

const [dir, planId] = process.argv.slice(2);
const runtime = await createRuntime({ dir: dir!, report: () => {} });
runtime.subscribe(planId!, (event) => process.stdout.write(`${event.type} ${JSON.stringify(event.data)}\n`));
process.stdout.write('ready\n');
await runtime.run(planId!, { until: 'execute' });
// never closes: the test kills it, even when the kill lands after the work is done
process.stdout.write('finished\n');
setInterval(() => {}, 60_000);
