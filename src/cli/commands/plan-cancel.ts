import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatPlanRecord } from '../format/plan-record.js';

/** `troupe plan cancel <plan> [--reason …]`: stop the plan for good; a running step is aborted and its processes killed. */
export async function planCancel(context: CommandContext, ref: string, options: { reason?: string }): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.cancel(ref, options.reason === undefined ? {} : { reason: options.reason });
  context.out.result(record, () => formatPlanRecord(record, context.out));
  return EXIT.ok;
}
