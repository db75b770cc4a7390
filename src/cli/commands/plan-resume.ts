import type { PlanRecord } from '../../domain/index.js';
import { EXIT, exitCodeForPlan } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import type { Runtime } from '../../runtime/index.js';
import { planSummary } from '../plan-summary.js';
import { showProgress } from '../show-progress.js';

/**
 * `troupe plan resume [<plan>]` (SPEC §10, §11): continue the plan, or every
 * plan that has not ended, from its last persisted state, showing progress,
 * until each is at rest. `--json`: the record for a named plan, an array of
 * records when none is named (as SPEC §11 says). The exit code is that of
 * the plans' positions: 1 if any failed, else 3 if any waits, else 0.
 */
export async function planResume(
  context: CommandContext,
  ref: string | undefined,
  options: { verbose?: boolean } = {},
): Promise<number> {
  const runtime = await context.runtime();
  const named = ref === undefined ? undefined : await runtime.getPlan(ref);
  const records = await showProgress(context, runtime, named ?? '*', () => runtime.resume(named?.id), {
    verbose: options.verbose === true,
  });
  const { out } = context;
  if (named) {
    const record = records[0] ?? named;
    const text = out.options.json ? '' : await planSummary(runtime, record, out);
    out.result(record, () => text);
    return exitCodeForPlan(record);
  }
  const text = out.options.json ? '' : await formatResumed(runtime, records, context);
  out.result(records, () => text);
  return worstExit(records);
}

async function formatResumed(
  runtime: Runtime,
  records: readonly PlanRecord[],
  context: CommandContext,
): Promise<string> {
  if (records.length === 0)
    return context.out.paint('dim', 'no plans to resume: every plan has ended (troupe plan list --all shows them)');
  return (await Promise.all(records.map((record) => planSummary(runtime, record, context.out)))).join('\n\n');
}

// a failure outranks a wait: both need the user, but a failed plan needs a fix
function worstExit(records: readonly PlanRecord[]): number {
  const codes = records.map(exitCodeForPlan);
  if (codes.includes(EXIT.failed)) return EXIT.failed;
  if (codes.includes(EXIT.waiting)) return EXIT.waiting;
  return EXIT.ok;
}
