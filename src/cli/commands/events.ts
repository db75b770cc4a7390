import { ValidationError, isTerminalStatus, type JournalEvent, type PlanRecord } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { eventFilter, type EventFilterFlags } from '../event-filter.js';
import { followPlan } from '../follow.js';
import { EventHistory, spansDays } from '../format/event-history.js';
import { followTree, treeEvents, treeOrder } from '../tree-events.js';

/** The flags of `troupe events`. */
export interface EventsOptions extends EventFilterFlags {
  follow?: boolean;
  tree?: boolean;
  /** A line per event even when stdout is no terminal. */
  human?: boolean;
}

/**
 * `troupe events <plan> [--tree] [--follow] [--type T,…] [--step N] [--since S] [--human]`:
 * the plan's journal (SPEC §11). On a terminal (or with `--human`) a line
 * per event — time, plan, step, type, what it says; in a pipe, or with
 * `--json` or `--stream`, NDJSON exactly as stored, for programs. `--follow`
 * keeps printing new events until the plan ends or Ctrl-C. `--tree`: the
 * plan's and its descendants' events in time order, each with its plan's
 * name (`plan`); with `--follow`, children spawned later too, until the
 * root ends. The filters combine: an event is printed when it passes all.
 */
export async function events(context: CommandContext, ref: string, options: EventsOptions): Promise<number> {
  const { out } = context;
  const machine = out.options.json || out.options.stream;
  if (machine && options.human) {
    throw new ValidationError(
      [
        {
          path: '--human',
          message: `cannot be combined with ${out.options.json ? '--json' : '--stream'}, which prints NDJSON for programs`,
        },
      ],
      { hint: 'leave one of them out' },
    );
  }
  // bad filters are refused before anything is read
  const keep = eventFilter(options, Date.now());
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const human = !machine && (options.human === true || out.options.terminal === true);
  const stored: (JournalEvent & { plan?: string })[] = options.follow
    ? []
    : options.tree
      ? await treeEvents(runtime, record.id)
      : await runtime.events(record.id);
  const history = human ? await historyOf(context, record, stored, options) : null;
  const print = (event: JournalEvent, plan: string) => {
    if (!history) {
      if (keep(event)) out.ndjson(event);
      return;
    }
    // every event goes through the history (it learns names and times), the kept ones are printed
    const line = history.line(event, plan);
    if (keep(event)) out.line(line);
  };
  if (options.tree) {
    if (!options.follow) for (const event of stored) print(event, event.plan ?? record.name);
    else await followTree(context, record.id, { onEvent: (event) => print(event, event.plan), ends: endsPlan });
    return EXIT.ok;
  }
  if (!options.follow) {
    for (const event of stored) print(event, record.name);
    return EXIT.ok;
  }
  await followPlan(context, record.id, {
    afterSeq: 0,
    onEvent: (event) => print(event, record.name),
    done: endsPlan,
    isOver: async () => isTerminalStatus((await (await context.runtime()).getPlan(record.id)).status),
  });
  return EXIT.ok;
}

// the history's columns: plan names as wide as the longest of the tree; dates when the events span days (with
// --follow the next ones come today, so a history that began on another day shows its dates)
async function historyOf(
  context: CommandContext,
  root: PlanRecord,
  stored: readonly (JournalEvent & { plan?: string })[],
  options: EventsOptions,
): Promise<EventHistory> {
  const runtime = await context.runtime();
  const names = !options.tree
    ? [root.name]
    : options.follow
      ? treeOrder(await runtime.tree(root.id)).map((plan) => plan.name)
      : stored.map((event) => event.plan ?? root.name);
  const first = options.follow ? (await runtime.events(root.id, { limit: 1 }))[0]?.ts : stored[0]?.ts;
  const last = options.follow ? new Date().toISOString() : stored.at(-1)?.ts;
  return new EventHistory(context.out, {
    withDate: spansDays(first, last),
    planWidth: Math.max(0, ...names.map((name) => name.length)),
  });
}

/** Whether an event is the last a plan journals. */
export function endsPlan(event: JournalEvent): boolean {
  return (
    event.type === 'plan.cancelled' ||
    event.type === 'plan.invalidated' ||
    (event.type === 'phase.completed' && event.phase === 'apply')
  );
}
