import { JOURNAL_EVENT_TYPES, ValidationError, closestMatch, type JournalEvent } from '../domain/index.js';
import { parseDuration } from './duration.js';
import { stepOf } from './format/event-summary.js';

/** The filters of `troupe events` as typed on the command line. */
export interface EventFilterFlags {
  /** `--type step.started,plan.` — event types, or prefixes that end in a dot. */
  type?: string;
  /** `--step 2` — counted from 1, as `plan status` counts steps. */
  step?: string;
  /** `--since 10m` or `--since 2026-05-02T10:00:00Z`. */
  since?: string;
}

/**
 * The filters of `troupe events` as one test: an event is printed when it
 * passes every flag given (`--type`, `--step`, `--since`). A value that
 * does not parse is a `VALIDATION_ERROR` naming its flag, before anything
 * is read. `now` is when a duration counts back from.
 *
 * @example
 * const keep = eventFilter({ type: 'step.', step: '2' }, Date.now());
 * events.filter(keep); // step.started, step.completed… of step 2 only
 */
export function eventFilter(flags: EventFilterFlags, now: number): (event: JournalEvent) => boolean {
  const types = flags.type === undefined ? null : parseTypes(flags.type);
  const step = flags.step === undefined ? null : parseStep(flags.step);
  const since = flags.since === undefined ? null : parseSince(flags.since, now);
  return (event) =>
    (types === null ||
      types.some((type) => (type.endsWith('.') ? event.type.startsWith(type) : event.type === type))) &&
    (step === null || stepOf(event) === step) &&
    (since === null || Date.parse(event.ts) >= since);
}

// storable types only: model.text is never stored, so never printed by `events`
const TYPES: readonly string[] = JOURNAL_EVENT_TYPES.filter((type) => type !== 'model.text');
const FAMILIES = [...new Set(TYPES.map((type) => `${type.slice(0, type.indexOf('.'))}.`))];

function parseTypes(text: string): string[] {
  const wanted = text.split(',').map((part) => part.trim());
  const unknown = wanted.filter((type) => !(type.endsWith('.') ? FAMILIES.includes(type) : TYPES.includes(type)));
  if (unknown.length === 0 && wanted.length > 0) return wanted;
  const first = unknown[0] ?? '';
  const near = closestMatch(first, [...TYPES, ...FAMILIES]);
  throw new ValidationError(
    [
      {
        path: '--type',
        message: `${first === '' ? 'an empty type' : `"${first}" is no event type`}: give types such as step.started, or a prefix ending in a dot such as step.`,
      },
    ],
    {
      hint: near
        ? `did you mean ${near}? (docs/reference/cli.md#events lists the types)`
        : 'docs/reference/cli.md#events lists the types',
    },
  );
}

function parseStep(text: string): number {
  if (/^\d{1,9}$/.test(text.trim()) && Number(text) >= 1) return Number(text) - 1;
  throw new ValidationError(
    [
      {
        path: '--step',
        message: `must be a step number from 1, as troupe plan status counts them; got ${JSON.stringify(text)}`,
      },
    ],
    {
      hint: 'e.g. --step 2 for the second step',
    },
  );
}

// an ISO time, or a duration back from now (10m, 2h): one flag, two readings told apart by their shape
function parseSince(text: string, now: number): number {
  const trimmed = text.trim();
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const at = Date.parse(trimmed);
    if (Number.isFinite(at)) return at;
    throw new ValidationError(
      [
        {
          path: '--since',
          message: `${JSON.stringify(text)} is not a time: give an ISO time such as 2026-05-02T10:00:00Z, or a duration such as 10m`,
        },
      ],
      {
        hint: 'e.g. --since 10m for the last ten minutes',
      },
    );
  }
  return (
    now -
    parseDuration(trimmed, '--since', 'e.g. --since 10m for the last ten minutes, or --since 2026-05-02T10:00:00Z')
  );
}
