import { summarizePlan } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatPlanList } from '../format/plan-record.js';

/** `troupe plan list [--all]`: plans that have not ended, or all of them. */
export async function planList(context: CommandContext, options: { all?: boolean }): Promise<number> {
  const runtime = await context.runtime();
  const records = await runtime.listPlans({ all: options.all === true });
  context.out.result(records.map(summarizePlan), () => formatPlanList(records, context.out));
  return EXIT.ok;
}
