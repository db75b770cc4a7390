// The process the crash suite kills and the one that finishes after it.
//   run <dir> <planId>             run the plan, printing every journal event, until killed
//   finish <dir> <planId> <ledger> resume, run the plan to its automation's end, print STATE <json>
import { createRuntime } from '../../src/runtime/index.js';
import { collectState } from './scenario.js';

const [mode, dir, planId, ledger] = process.argv.slice(2);
const runtime = await createRuntime({
  dir: dir!,
  report: (message, error) => process.stderr.write(`${message}: ${String(error)}\n`),
});
if (mode === 'run') {
  runtime.subscribe('*', (event) => process.stdout.write(`${event.planId} ${event.phase} ${event.type}\n`));
  process.stdout.write('ready\n');
  await runtime.run(planId!);
  process.stdout.write('finished\n');
} else {
  // the event loop emptied with resume or run still pending (a promise nothing will settle):
  // say where every plan stands, so the failure names the wait that never ended
  let settled = false;
  let stage = 'resume';
  process.on('beforeExit', () => {
    if (settled) return;
    settled = true;
    // said first: listing the plans can wait on the same stuck work
    process.stderr.write(`the event loop emptied during ${stage}, before the plan finished\n`);
    process.exitCode = 3;
    void runtime.listPlans({ all: true }).then((plans) => {
      const where = plans
        .map((plan) => `${plan.name} ${plan.phase}/${plan.status} step ${plan.lastCompletedStep ?? '-'}`)
        .join('; ');
      process.stderr.write(`where the plans stood: ${where}\n`);
    });
  });
  await runtime.resume();
  stage = 'run';
  await runtime.run(planId!);
  stage = 'collecting the state';
  process.stdout.write(`STATE ${JSON.stringify(await collectState(runtime, planId!, ledger!))}\n`);
  settled = true;
}
await runtime.close();
