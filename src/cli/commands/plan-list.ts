import { summarizePlan } from '../../domain/plan-summary.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/** `troupe plan list [--all]`: plans that have not ended, or all of them. */
export async function planList(context: CommandContext, options: { all?: boolean }): Promise<number> {
  const runtime = await context.runtime();
  const records = await runtime.listPlans({ all: options.all === true });
  // which of them a process drives now: `live`, and a processing plan nobody drives is shown stopped
  const live = new Set(
    (await runtime.liveness(records.map((record) => record.id))).filter((plan) => plan.live).map((plan) => plan.planId),
  );
  // the text's formatting is loaded only to print text: `--json` starts without it
  const { formatPlanList } = context.out.options.json
    ? { formatPlanList: () => '' }
    : await import('../format/plan-record.js');
  context.out.result(
    records.map((record) => ({ ...summarizePlan(record), live: live.has(record.id) })),
    () => formatPlanList(records, context.out, live),
  );
  return EXIT.ok;
}
