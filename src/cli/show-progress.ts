import type { JournalEvent, PlanRecord } from '../domain/index.js';
import type { Runtime } from '../runtime/index.js';
import type { CommandContext } from './context.js';
import { Progress } from './format/progress.js';
import { LiveStepLine } from './live-step-line.js';
import { warnIfUnconfined } from './unconfined-warning.js';

/** How {@link showProgress} shows a drive. */
export interface ShowProgressOptions {
  /** Print the plan's journal after this seq first, so a plan made by this command streams from its `plan.created`. */
  replayAfter?: number | null;
  /** `--verbose`: the child plans' own steps too, under their parent's lines (and with `--stream`, their events). */
  verbose?: boolean;
}

/**
 * Run `work` while showing the events of `plan` (or of every plan, `'*'`):
 * NDJSON under `--stream`, progress lines on stderr for people, nothing
 * under `--json`. Each event is shown once, in the order of its plan's
 * journal; a child plan is named, and shown step by step with `verbose`.
 *
 * @example
 * const record = await showProgress(context, runtime, plan, () => runtime.run(plan.id), { verbose: true });
 */
export async function showProgress<T>(
  context: CommandContext,
  runtime: Runtime,
  plan: Pick<PlanRecord, 'id' | 'name'> | '*',
  work: () => Promise<T>,
  options: ShowProgressOptions = {},
): Promise<T> {
  const { out } = context;
  // before any plan runs: its commands may run unconfined
  await warnIfUnconfined(context);
  if (out.options.json) return work();
  const verbose = options.verbose === true;
  const progress = new Progress(out, { verbose, others: plan === '*' ? 'show' : 'ignore' });
  // on a terminal (and only there) a running step's clock and last output line, drawn in place below the progress lines
  const stderr = context.terminal.stderr;
  const live =
    !out.options.stream && out.options.terminal === true && stderr.isTTY === true
      ? new LiveStepLine(runtime, { write: (text) => stderr.write(text), columns: stderr.columns })
      : null;
  if (plan === '*') {
    // the plans it resumes, with their children known as children (parents first)
    for (const record of byDepth(await runtime.listPlans())) progress.show(record.id, record.name, record.parentId);
  } else progress.show(plan.id, plan.name);
  const replayAfter = plan === '*' ? null : (options.replayAfter ?? null);
  // the last seq shown of each plan: a replayed event that also arrives live is shown once
  const last = new Map<string, number>(replayAfter === null || plan === '*' ? [] : [[plan.id, replayAfter]]);
  const show = (event: JournalEvent) => {
    // a model's text as it comes is no journal event (seq 0): --stream prints it as it arrives
    if (event.type === 'model.text') {
      if (out.options.stream && progress.accepts(event)) out.event(event);
      return;
    }
    if (event.seq <= (last.get(event.planId) ?? 0)) return;
    last.set(event.planId, event.seq);
    if (out.options.stream) {
      if (progress.accepts(event)) out.event(event);
      return;
    }
    const line = progress.line(event);
    // the driven plans' own steps (never a child's) run the live line
    if (live && progress.accepts(event) && !progress.isChild(event.planId)) live.event(event);
    if (!line) return;
    if (live) live.around(() => out.note(line));
    else out.note(line);
  };
  let buffered: JournalEvent[] | null = replayAfter === null ? null : [];
  // a child's events are journaled under its own id: --verbose listens to every plan and keeps the driven plan's family
  const stop = runtime.subscribe(plan === '*' || verbose ? '*' : plan.id, (event) =>
    buffered ? buffered.push(event) : show(event),
  );
  try {
    // subscribed before the replay is read: what lands in between is buffered, not lost
    if (buffered && plan !== '*') {
      for (const event of await runtime.events(plan.id, { afterSeq: replayAfter! })) show(event);
      for (const event of buffered) show(event);
    }
    buffered = null;
    return await work();
  } finally {
    stop();
    live?.stop();
  }
}

// parents before their children, so each child is known as one
function byDepth(records: readonly PlanRecord[]): PlanRecord[] {
  const ids = new Map(records.map((record) => [record.id, record]));
  const depth = (record: PlanRecord, seen = new Set<string>()): number => {
    const parent = record.parentId === null ? undefined : ids.get(record.parentId);
    if (!parent || seen.has(parent.id)) return 0;
    return 1 + depth(parent, seen.add(record.id));
  };
  return [...records].sort((a, b) => depth(a) - depth(b));
}
