// A troupe process the escape suite kills with SIGKILL while a plan's
// command runs: nothing the command started may outlive it.
import { createRuntime } from '../../src/runtime/index.js';

const [dir, planId] = process.argv.slice(2);
const runtime = await createRuntime({ dir: dir!, report: () => {}, warn: () => {} });
runtime.subscribe(planId!, (event) => process.stdout.write(`${event.type}\n`));
process.stdout.write('ready\n');
await runtime.run(planId!);
// never closes: the test kills it
setInterval(() => {}, 60_000);
