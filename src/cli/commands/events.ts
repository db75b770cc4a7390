import { isTerminalStatus, type JournalEvent } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { followPlan } from '../follow.js';
import { followTree, treeEvents } from '../tree-events.js';

/**
 * `troupe events <plan> [--tree] [--follow]`: the plan's journal as NDJSON
 * (SPEC §11). `--follow` keeps printing new events until the plan ends or
 * Ctrl-C. `--tree`: the plan's and its descendants' events in time order,
 * each with its plan's name (`plan`); with `--follow`, children spawned
 * later too, until the root ends.
 */
export async function events(context: CommandContext, ref: string, options: { follow?: boolean; tree?: boolean }): Promise<number> {
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  if (options.tree) {
    if (!options.follow) for (const event of await treeEvents(runtime, record.id)) context.out.ndjson(event);
    else await followTree(context, record.id, { onEvent: (event) => context.out.ndjson(event), ends: endsPlan });
    return EXIT.ok;
  }
  const print = (event: JournalEvent) => context.out.event(event);
  if (!options.follow) {
    for (const event of await runtime.events(record.id)) print(event);
    return EXIT.ok;
  }
  await followPlan(context, record.id, {
    afterSeq: 0,
    onEvent: print,
    done: endsPlan,
    isOver: async () => isTerminalStatus((await (await context.runtime()).getPlan(record.id)).status),
  });
  return EXIT.ok;
}

/** Whether an event is the last a plan journals. */
export function endsPlan(event: JournalEvent): boolean {
  return event.type === 'plan.cancelled' || event.type === 'plan.invalidated' || (event.type === 'phase.completed' && event.phase === 'apply');
}
