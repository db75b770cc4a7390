import { isTerminalStatus, TroupeError, type PlanRecord } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatPlanRecord } from '../format/plan-record.js';
import { planSummary } from '../plan-summary.js';
import { followPlan } from '../follow.js';
import { endsPlan } from './events.js';

/** `troupe plan status <plan> [--watch]`: the plan record; `--watch` prints it again on every event until the plan ends. */
export async function planStatus(context: CommandContext, ref: string, options: { watch?: boolean }): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  if (!options.watch) {
    const text = context.out.options.json ? '' : await planSummary(runtime, record, context.out);
    context.out.result(record, () => text);
    return EXIT.ok;
  }
  if (context.out.options.json) {
    throw new TroupeError('VALIDATION_ERROR', '--watch prints a changing status and cannot be combined with --json', {
      hint: `use troupe events ${ref} --follow for a machine-readable stream`,
    });
  }
  const show = (current: PlanRecord) => context.out.result(current, () => `${formatPlanRecord(current, context.out)}\n`);
  show(record);
  const current = async () => (await context.runtime()).getPlan(record.id);
  // the status is printed again after each event, from the record persisted with it
  const afterSeq = (await runtime.events(record.id)).at(-1)?.seq ?? 0;
  await followPlan(context, record.id, {
    afterSeq,
    onEvent: async () => show(await current()),
    done: endsPlan,
    isOver: async () => isTerminalStatus((await current()).status),
  });
  return EXIT.ok;
}
