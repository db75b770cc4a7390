// The troupe process the power-loss tests cut the power under, and the one
// that recovers after it (test/crash/power-loss.int.test.ts).
//   run <dir> <plan.yaml>   create the plan and run it to validate, printing every journal event
//   apply <dir> <name>      apply it, printing `applied <commit>` once troupe has acknowledged it
//   recover <dir> <name>    open the project as a user would, resume, run the plan to validate
//                           (or take what apply left), print STATE <json>
import { readFileSync } from 'node:fs';
import { createRuntime } from '../../src/runtime/index.js';

const [mode, dir, arg] = process.argv.slice(2);
const runtime = await createRuntime({
  dir: dir!,
  report: (message, error) => process.stderr.write(`${message}: ${String(error)}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
});
if (mode === 'run') {
  runtime.subscribe('*', (event) => process.stdout.write(`EVENT ${event.planId} ${event.phase} ${event.type}\n`));
  const plan = await runtime.createPlan(readFileSync(arg!, 'utf8'));
  process.stdout.write(`PLAN ${plan.id}\n`);
  await runtime.run(plan.id);
  process.stdout.write('finished\n');
} else if (mode === 'apply') {
  const record = await runtime.runPhase((await runtime.getPlan(arg!)).id, 'apply');
  process.stdout.write(`applied ${record.appliedCommit ?? 'nothing'} ${record.phase}/${record.status}\n`);
} else {
  let state: Record<string, unknown>;
  try {
    await runtime.resume();
    const before = await runtime.getPlan(arg!);
    const record = before.phase === 'apply' ? before : await runtime.run(before.id);
    state = {
      phase: record.phase,
      status: record.status,
      error: record.error?.code ?? null,
      message: record.error?.message ?? null,
      applied: record.appliedCommit,
      lastCompletedStep: record.lastCompletedStep,
    };
  } catch (error) {
    state = { thrown: (error as { code?: string }).code ?? 'unknown', message: (error as Error).message };
  }
  process.stdout.write(`STATE ${JSON.stringify(state)}\n`);
}
await runtime.close();
