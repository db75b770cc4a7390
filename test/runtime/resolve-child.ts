// Resolves a waiting plan's conflicts until it is killed: the crash test
// SIGKILLs this process at chosen moments and checks that a new runtime
// finishes the merge with every resolution kept exactly once. It never
// closes its runtime, so every run ends in a SIGKILL.
import { createRuntime } from '../../src/runtime/index.js';

const [dir, planId, ...files] = process.argv.slice(2);
const runtime = await createRuntime({ dir: dir!, report: () => {} });
runtime.subscribe(planId!, (event) => process.stdout.write(`${event.type} ${JSON.stringify(event.data)}\n`));
process.stdout.write('ready\n');
for (const file of files) await runtime.resolve(planId!, file, { with: 'theirs' });
// never closes: the test kills it, even when the kill lands after the last resolution
process.stdout.write('finished\n');
setInterval(() => {}, 60_000);
