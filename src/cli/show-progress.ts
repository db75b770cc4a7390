import type { JournalEvent } from '../domain/index.js';
import type { Runtime } from '../runtime/index.js';
import type { CommandContext } from './context.js';
import { formatProgress } from './format/progress.js';
import { warnIfUnconfined } from './unconfined-warning.js';

/**
 * Run `work` while showing the events of `planId` (or of every plan, `'*'`):
 * NDJSON under `--stream`, progress lines on stderr for people, nothing
 * under `--json`. `replayAfter` prints the plan's journal after that seq
 * first, so a plan made by this command streams from its `plan.created`
 * (each event once, in order).
 *
 * @example
 * const record = await showProgress(context, runtime, plan.id, () => runtime.run(plan.id));
 */
export async function showProgress<T>(context: CommandContext, runtime: Runtime, planId: string, work: () => Promise<T>, replayAfter: number | null = null): Promise<T> {
  const { out } = context;
  // before any plan runs: its commands may run unconfined
  await warnIfUnconfined(context);
  if (out.options.json) return work();
  let last = replayAfter ?? Number.POSITIVE_INFINITY;
  let buffered: JournalEvent[] | null = replayAfter === null ? null : [];
  const show = (event: JournalEvent) => {
    if (replayAfter !== null && event.seq <= last) return;
    last = event.seq;
    if (out.options.stream) return out.event(event);
    const line = formatProgress(event, out);
    if (line) out.note(line);
  };
  // subscribed before the replay is read: what lands in between is buffered, not lost
  const stop = runtime.subscribe(planId, (event) => (buffered ? buffered.push(event) : show(event)));
  try {
    if (buffered) {
      for (const event of await runtime.events(planId, { afterSeq: replayAfter! })) show(event);
      for (const event of buffered) show(event);
    }
    buffered = null;
    return await work();
  } finally {
    stop();
  }
}
