import { PHASES, ValidationError, type JournalEvent, type MergeStrategy, type Phase, type PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';
import { exitCodeForPlan } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatPlanRecord, nextStepHint } from '../format/plan-record.js';
import { formatProgress } from '../format/progress.js';
import { createPlanFromFile, isPlanFile } from './plan-file.js';

/**
 * `troupe plan run <plan|file> [--until <phase>]`: drive a plan as far as
 * its automation (or --until) allows. A file creates the plan first.
 * Exit 0 where it stopped, 1 if it failed, 3 if it waits for the user.
 */
export async function planRun(context: CommandContext, target: string, options: { until?: string }): Promise<number> {
  const until = options.until === undefined ? undefined : parsePhase(options.until, '--until');
  const runtime = await context.runtime();
  const created = await isPlanFile(context.dir, target);
  const record = created ? await createPlanFromFile(runtime, context.dir, target, { runHint: true }) : await runtime.getPlan(target);
  // a plan made by this command streams from its plan.created
  return drive(context, runtime, record, () => runtime.run(record.id, until ? { until } : {}), created ? 0 : null);
}

/** `troupe plan strategize|execute|validate|apply <plan>`: run exactly that phase (apply: `--strategy`). */
export function planPhase(phase: Phase) {
  return async (context: CommandContext, ref: string, options: { strategy?: MergeStrategy }): Promise<number> => {
    const runtime = await context.runtime();
    const record = await runtime.getPlan(ref);
    return drive(context, runtime, record, () => runtime.runPhase(record.id, phase, options.strategy ? { strategy: options.strategy } : {}), null);
  };
}

// follows the plan's events while it runs: NDJSON under --stream, progress
// lines on stderr for people, nothing under --json. `replayAfter` prints the
// journal after that seq first (each event once, in order).
async function drive(context: CommandContext, runtime: Runtime, record: PlanRecord, go: () => Promise<PlanRecord>, replayAfter: number | null): Promise<number> {
  const { out } = context;
  let last = replayAfter ?? Number.POSITIVE_INFINITY;
  let buffered: JournalEvent[] | null = replayAfter === null ? null : [];
  const show = (event: JournalEvent) => {
    if (replayAfter !== null && event.seq <= last) return;
    last = event.seq;
    if (out.options.stream) return out.event(event);
    const line = formatProgress(event, out);
    if (line) out.note(line);
  };
  const stop = out.options.json ? () => {} : runtime.subscribe(record.id, (event) => (buffered ? buffered.push(event) : show(event)));
  if (buffered && !out.options.json) {
    for (const event of await runtime.events(record.id, { afterSeq: replayAfter! })) show(event);
    for (const event of buffered) show(event);
  }
  buffered = null;
  let final: PlanRecord;
  try {
    final = await go();
  } finally {
    stop();
  }
  const conflicts = final.status === 'waiting' && !out.options.json ? (await runtime.conflicts(final.id)).conflicts : [];
  out.result(final, () => [formatPlanRecord(final, out, conflicts), nextStepHint(final)].filter(Boolean).join('\n'));
  return exitCodeForPlan(final);
}

/** A phase name from a flag, or a VALIDATION_ERROR naming the flag. */
export function parsePhase(value: string, flag: string): Phase {
  if ((PHASES as readonly string[]).includes(value)) return value as Phase;
  throw new ValidationError([{ path: flag, message: `must be one of ${PHASES.join(', ')} (got "${value}")` }]);
}
