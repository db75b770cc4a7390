import { TroupeError } from '../../domain/errors.js';
import type { JournalEvent, PlanHolder, PlanRecord } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import type { RunningStep } from '../running-step.js';
import { UndrivenPlans } from '../undriven-plans.js';

/**
 * `troupe plan status <plan> [--watch]`: the plan record and whether a
 * process drives it (`live`), with the step a plan in execute runs. A
 * processing plan nobody drives is shown stopped, with the resume hint.
 * `--watch` draws it again on every event (in place on a terminal, and there
 * every second while it works) until the plan rests: it is no longer
 * processing, or it stopped.
 */
export async function planStatus(context: CommandContext, ref: string, options: { watch?: boolean }): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  if (!options.watch) {
    // whether a process drives it now: read, never taken
    const [liveness] = await runtime.liveness([record.id]);
    // the text's formatting is loaded only to print text: `--json` starts without it (and reads no journal)
    const text = context.out.options.json
      ? ''
      : await (await import('../plan-summary.js')).planSummary(runtime, record, context.out, liveness);
    context.out.result({ ...record, live: liveness?.live === true, holder: holderOf(liveness?.holder) }, () => text);
    return EXIT.ok;
  }
  if (context.out.options.json) {
    throw new TroupeError('VALIDATION_ERROR', '--watch prints a changing status and cannot be combined with --json', {
      hint: `use troupe events ${ref} --follow for a machine-readable stream`,
    });
  }
  const { out } = context;
  const [{ formatPlanRecord, isStopped, nextStepHint }, { followPlan }, { stepAfter }, { networkDenials }] =
    await Promise.all([
      import('../format/plan-record.js'),
      import('../follow.js'),
      import('../running-step.js'),
      import('../format/network-refusals.js'),
    ]);
  const journal = await runtime.events(record.id);
  // what the network allow-list refused, kept up to date event by event
  const refused = networkDenials(journal);
  // the step it runs, followed event by event from the journal read once
  let running: RunningStep | null = journal.reduce<RunningStep | null>(stepAfter, null);
  // at rest: not processing (complete, waiting, failed, queued after a stop, or ended), or stopped (no process drives it); drawn once
  let rests = false;
  let ended!: () => void;
  const over = new Promise<void>((resolve) => (ended = resolve));
  // a plan found undriven as the watch starts is stopped; one that was driven, once it stays undriven a few seconds
  const undriven = new UndrivenPlans();
  // `quiet`: draw only if it now rests (a process that died says so by no event)
  const draw = async (current: PlanRecord, quiet = false) => {
    const [liveness] = current.status === 'processing' ? await (await context.runtime()).liveness([current.id]) : [];
    const live = liveness ? undriven.shown(current.id, liveness.live) : undefined;
    const stopped = isStopped(current, live);
    rests = current.status !== 'processing' || stopped;
    if (quiet && !rests) return;
    const conflicts =
      current.status === 'waiting' ? (await (await context.runtime()).conflicts(current.id)).conflicts : [];
    const known = liveness ? { live, output: liveness.output, holder: liveness.holder } : {};
    const text = formatPlanRecord(current, out, {
      conflicts,
      running: current.status === 'processing' ? running : null,
      refused,
      ...known,
    });
    const footer = rests
      ? nextStepHint(current, conflicts, live, liveness?.holder)
      : out.paint('dim', `watching ${current.name}: drawn again on every event until it rests · Ctrl-C stops`);
    out.frame([text, footer].filter(Boolean).join('\n'));
    if (rests) ended();
  };
  await draw(record);
  if (rests) return EXIT.ok;
  const current = async () => (await context.runtime()).getPlan(record.id);
  // draws one after another: an event's and the clock's (a failed one is its caller's, not the next one's)
  let drawing = Promise.resolve();
  const drawAgain = (quiet: boolean) =>
    (drawing = drawing
      .catch(() => {})
      .then(async () => (rests ? undefined : draw(await current(), quiet)))
      .catch((error: unknown) => {
        // a read that failed (the store away) says nothing of how long the plan has been undriven
        undriven.unknown();
        throw error;
      }));
  // on a terminal the running step's clock and last output line are drawn again every second; anywhere, a plan whose process died ends the watch
  const clock = setInterval(() => void drawAgain(out.options.terminal !== true).catch(() => {}), 1_000);
  try {
    // the status is drawn again after each event, from the record persisted with it
    await followPlan(context, record.id, {
      afterSeq: journal.at(-1)?.seq ?? 0,
      onEvent: async (event: JournalEvent) => {
        running = stepAfter(running, event);
        refused.push(...networkDenials([event]));
        await drawAgain(false);
      },
      done: () => rests,
      isOver: async () => rests,
      until: over,
    });
  } finally {
    clearInterval(clock);
  }
  return EXIT.ok;
}

// the worker holding the plan in --json: who and when it was last heard (docs/reference/cli.md); null when no worker does
function holderOf(holder: PlanHolder | null | undefined): Omit<PlanHolder, 'planId'> | null {
  if (!holder) return null;
  const { planId: _planId, ...rest } = holder;
  return rest;
}
