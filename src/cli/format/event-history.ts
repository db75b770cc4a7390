import type { JournalEvent } from '../../domain/index.js';
import { forTerminal } from '../../domain/terminal-text.js';
import type { Output } from '../output.js';
import { eventSummary, stepOf } from './event-summary.js';
import { Progress } from './progress.js';

// the longest stored event type (invariant.reconciled): the summaries start in one column
const TYPE_WIDTH = 20;
const STEP_WIDTH = 'step 99'.length;

/**
 * `troupe events` for people: one line per event — when (local
 * time to the millisecond, with the date when the events span days), the
 * plan, its step, the event type and what it says — like `gh run view` or
 * Temporal's history. What it says is the progress line `plan run` prints
 * for it where there is one (so it reads the same, elapsed times included),
 * else a few words of its data. Every event must pass through
 * {@link EventHistory.line} in journal order, printed or not: the progress
 * learns names and start times from them.
 *
 * @example
 * const history = new EventHistory(out, { withDate: false });
 * for (const event of events) out.line(history.line(event, 'demo/x'));
 * // 10:00:01.112  demo/x  step 1   step.started          Write the greeting
 */
export class EventHistory {
  readonly #out: Output;
  readonly #withDate: boolean;
  readonly #planWidth: number;
  // one progress per plan, each reading its plan's events as the plan it drives (no header, no indent by depth)
  readonly #progress = new Map<string, Progress>();

  constructor(out: Output, options: { withDate: boolean; planWidth?: number }) {
    this.#out = out;
    this.#withDate = options.withDate;
    this.#planWidth = options.planWidth ?? 0;
  }

  /** The event's line, naming its plan `plan`. */
  line(event: JournalEvent, plan: string): string {
    const step = stepOf(event);
    const columns = [
      this.#out.paint('dim', clock(event.ts, this.#withDate)),
      plan.padEnd(this.#planWidth),
      (step === null ? '' : `step ${step + 1}`).padEnd(STEP_WIDTH),
      event.type.padEnd(TYPE_WIDTH),
      this.#summary(event, plan, step),
    ];
    return columns.join('  ').trimEnd();
  }

  #summary(event: JournalEvent, plan: string, step: number | null): string {
    let progress = this.#progress.get(event.planId);
    if (!progress) {
      this.#progress.set(event.planId, (progress = new Progress(this.#out)));
      progress.show(event.planId, plan);
    }
    const said = progress.line(event);
    // on one line; the step column says which step already
    if (said !== null) return oneLine(step === null ? said : said.trim().replace(/^(\S+ )?step \d+:? /, '$1'));
    if (event.type === 'step.completed') return forTerminal(String(event.data.title ?? ''));
    return forTerminal(eventSummary(event));
  }
}

/**
 * Whether events from `first` to `last` (ISO times) fall on more than one
 * local day: then each line of the history carries its date.
 *
 * @example
 * spansDays('2026-05-01T23:59:00Z', '2026-05-02T00:01:00Z'); // true in UTC
 */
export function spansDays(first: string | undefined, last: string | undefined): boolean {
  if (first === undefined || last === undefined) return false;
  return localDay(new Date(first)) !== localDay(new Date(last));
}

function localDay(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

// HH:MM:SS.mmm in local time, as people read a log on their machine
function clock(ts: string, withDate: boolean): string {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) return forTerminal(ts);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
  return withDate ? `${localDay(date)} ${time}` : time;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

// a progress line that runs over several (an invariant's failures, a message's lines), joined on one
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' · ');
}
