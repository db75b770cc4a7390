// The process the crash suite kills and the one that finishes after it.
//   run <dir> <planId>             run the plan, printing every journal event, until killed
//   finish <dir> <planId> <ledger> resume, run the plan to its automation's end, print STATE <json>
import { createRuntime } from '../../src/runtime/index.js';
import { collectState } from './scenario.js';

const [mode, dir, planId, ledger] = process.argv.slice(2);
const runtime = await createRuntime({ dir: dir!, report: (message, error) => process.stderr.write(`${message}: ${String(error)}\n`) });
if (mode === 'run') {
  runtime.subscribe('*', (event) => process.stdout.write(`${event.planId} ${event.phase} ${event.type}\n`));
  process.stdout.write('ready\n');
  await runtime.run(planId!);
  process.stdout.write('finished\n');
} else {
  await runtime.resume();
  await runtime.run(planId!);
  process.stdout.write(`STATE ${JSON.stringify(await collectState(runtime, planId!, ledger!))}\n`);
}
await runtime.close();
