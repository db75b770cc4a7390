// Owns a project's store in another process and runs a plan, like
// `troupe plan run` in another terminal.
import { openRuntime } from '../../src/runtime/index.js';

const [dir, planRef] = process.argv.slice(2);
const session = await openRuntime({ dir: dir!, resume: false });
process.stdout.write(`${session.role}\n`);
await session.runtime.run(planRef!, { until: 'execute' });
await session.close();
process.stdout.write('done\n');
