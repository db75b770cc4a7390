import { summarizePlan } from '../../domain/plan-summary.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/** `troupe plan list [--all]`: plans that have not ended, or all of them. */
export async function planList(context: CommandContext, options: { all?: boolean }): Promise<number> {
  const runtime = await context.runtime();
  const records = await runtime.listPlans({ all: options.all === true });
  // the text's formatting is loaded only to print text: `--json` starts without it
  const { formatPlanList } = context.out.options.json ? { formatPlanList: () => '' } : await import('../format/plan-record.js');
  context.out.result(records.map(summarizePlan), () => formatPlanList(records, context.out));
  return EXIT.ok;
}
