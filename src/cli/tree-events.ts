import { isTerminalStatus, type JournalEvent } from '../domain/index.js';
import type { PlanTree, Runtime } from '../runtime/index.js';
import type { CommandContext } from './context.js';
import { watchOutages, type OutageWatch } from './store-outages.js';

/** A journal event with the name of its plan, as `troupe events --tree` prints it. */
export type NamedEvent = JournalEvent & { plan: string };

/** The plans of a tree, parent before children, siblings in spawn order: the order of ties. */
export function treeOrder(tree: PlanTree): { id: string; name: string }[] {
  return [{ id: tree.id, name: tree.name }, ...tree.children.flatMap(treeOrder)];
}

/**
 * Events of several plans in one stream, in time order: by `ts`, then by
 * the plan's place in its tree (parent first), then by `seq` — so each
 * plan's own events stay in seq order.
 */
export function byTime(events: readonly JournalEvent[], order: readonly string[]): JournalEvent[] {
  const place = new Map(order.map((id, index) => [id, index]));
  return [...events].sort((a, b) =>
    a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : (place.get(a.planId) ?? 0) - (place.get(b.planId) ?? 0) || a.seq - b.seq,
  );
}

/** The event with its plan's name, placed after its id. */
export function named(event: JournalEvent, name: string): NamedEvent {
  const { seq, ts, planId, ...rest } = event;
  return { seq, ts, planId, plan: name, ...rest } as NamedEvent;
}

/** A plan's and its descendants' stored events, in time order. */
export async function treeEvents(runtime: Runtime, rootId: string): Promise<NamedEvent[]> {
  const plans = treeOrder(await runtime.tree(rootId));
  const names = new Map(plans.map((plan) => [plan.id, plan.name]));
  const stored = await Promise.all(plans.map((plan) => runtime.events(plan.id)));
  return byTime(
    stored.flat(),
    plans.map((plan) => plan.id),
  ).map((event) => named(event, names.get(event.planId)!));
}

/**
 * Follow a plan and its descendants — children spawned later too — until
 * the root ends or Ctrl-C: first the stored events in time order, then new
 * ones as they are written, each once. It listens to every plan's events
 * before reading the stored ones, adds a child when its `plan.created`
 * names a parent in the tree, and when the owning process goes away
 * reconnects and carries on after the last event seen of each plan.
 */
export async function followTree(
  context: CommandContext,
  rootId: string,
  options: { onEvent: (event: NamedEvent) => void; ends: (event: JournalEvent) => boolean },
): Promise<void> {
  const last = new Map<string, number>();
  const names = new Map<string, string>();
  let finished = false;
  const interrupted = new Promise<'interrupted'>((resolve) =>
    context.signal.addEventListener('abort', () => resolve('interrupted')),
  );
  while (!finished) {
    const runtime = await context.runtime();
    let ended!: () => void;
    // nothing prints after the root ended, even an event already on its way
    const over = new Promise<'over'>((resolve) => (ended = () => ((finished = true), resolve('over'))));
    const deliver = (event: JournalEvent) => {
      if (finished) return;
      if (!names.has(event.planId)) {
        const parentId = event.data.parentId;
        // a child spawned after the tree was read: its first event names its parent
        if (event.type !== 'plan.created' || typeof parentId !== 'string' || !names.has(parentId)) return;
        names.set(event.planId, typeof event.data.name === 'string' ? event.data.name : event.planId);
      }
      if (event.seq <= (last.get(event.planId) ?? 0)) return;
      last.set(event.planId, event.seq);
      watch?.heard();
      options.onEvent(named(event, names.get(event.planId)!));
      if (event.planId === rootId && options.ends(event)) ended();
    };
    const buffered: JournalEvent[] = [];
    let replaying = true;
    let watch: OutageWatch | undefined;
    const stop = runtime.subscribe('*', (event) => (replaying ? buffered.push(event) : deliver(event)));
    try {
      const plans = treeOrder(await runtime.tree(rootId));
      for (const plan of plans) names.set(plan.id, plan.name);
      const stored = await Promise.all(
        plans.map((plan) => runtime.events(plan.id, { afterSeq: last.get(plan.id) ?? 0 })),
      );
      for (const event of byTime(
        stored.flat(),
        plans.map((plan) => plan.id),
      ))
        deliver(event);
      replaying = false;
      for (const event of buffered.splice(0)) deliver(event);
      if (isTerminalStatus((await runtime.getPlan(rootId)).status)) ended();
      // through an outage of the store: every plan of the tree (children spawned meanwhile too) is read after its last event shown
      watch = watchOutages(context, async () => {
        const now = treeOrder(await runtime.tree(rootId));
        for (const plan of now) if (!names.has(plan.id)) names.set(plan.id, plan.name);
        const missed = await Promise.all(
          now.map((plan) => runtime.events(plan.id, { afterSeq: last.get(plan.id) ?? 0 })),
        );
        for (const event of byTime(
          missed.flat(),
          now.map((plan) => plan.id),
        ))
          deliver(event);
      });
      const outcome = await Promise.race([over, interrupted, context.lost().then(() => 'lost' as const), watch.failed]);
      if (outcome === 'interrupted') finished = true;
    } finally {
      watch?.stop();
      stop();
    }
    if (!finished) await context.reopen();
  }
}
