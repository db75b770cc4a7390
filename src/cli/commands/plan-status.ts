import { TroupeError } from '../../domain/errors.js';
import type { JournalEvent, PlanRecord } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import type { RunningStep } from '../running-step.js';

/**
 * `troupe plan status <plan> [--watch]`: the plan record, with the step a
 * plan in execute runs. `--watch` draws it again on every event (in place on
 * a terminal) until the plan rests: it is no longer processing.
 */
export async function planStatus(context: CommandContext, ref: string, options: { watch?: boolean }): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  if (!options.watch) {
    // the text's formatting is loaded only to print text: `--json` starts without it
    const text = context.out.options.json ? '' : await (await import('../plan-summary.js')).planSummary(runtime, record, context.out);
    context.out.result(record, () => text);
    return EXIT.ok;
  }
  if (context.out.options.json) {
    throw new TroupeError('VALIDATION_ERROR', '--watch prints a changing status and cannot be combined with --json', {
      hint: `use troupe events ${ref} --follow for a machine-readable stream`,
    });
  }
  const { out } = context;
  const [{ formatPlanRecord, nextStepHint }, { followPlan }, { stepAfter }] = await Promise.all([import('../format/plan-record.js'), import('../follow.js'), import('../running-step.js')]);
  const journal = await runtime.events(record.id);
  // the step it runs, followed event by event from the journal read once
  let running: RunningStep | null = journal.reduce<RunningStep | null>(stepAfter, null);
  // at rest: not processing (complete, waiting, failed, queued after a stop, or ended); a plan at rest is drawn once
  let rests = false;
  const draw = async (current: PlanRecord) => {
    rests = current.status !== 'processing';
    const conflicts = current.status === 'waiting' ? (await (await context.runtime()).conflicts(current.id)).conflicts : [];
    const text = formatPlanRecord(current, out, { conflicts, running: rests ? null : running });
    const footer = rests ? nextStepHint(current, conflicts) : out.paint('dim', `watching ${current.name}: drawn again on every event until it rests · Ctrl-C stops`);
    out.frame([text, footer].filter(Boolean).join('\n'));
  };
  await draw(record);
  if (rests) return EXIT.ok;
  const current = async () => (await context.runtime()).getPlan(record.id);
  // the status is drawn again after each event, from the record persisted with it
  await followPlan(context, record.id, {
    afterSeq: journal.at(-1)?.seq ?? 0,
    onEvent: async (event: JournalEvent) => {
      running = stepAfter(running, event);
      await draw(await current());
    },
    done: () => rests,
    isOver: async () => rests,
  });
  return EXIT.ok;
}
