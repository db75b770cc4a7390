import type { JournalEvent } from '../domain/index.js';
import type { CommandContext } from './context.js';
import { watchOutages, type OutageWatch } from './store-outages.js';

/**
 * Follow a plan's journal from after `afterSeq` until `done(event)` says so,
 * Ctrl-C, or `isOver()` is true once caught up. Events come in `seq` order,
 * each once: it subscribes before reading the stored journal, and when the
 * owning process goes away it reconnects (to the next owner, or as the
 * owner) and carries on from the last event seen.
 */
export async function followPlan(
  context: CommandContext,
  planId: string,
  options: {
    afterSeq: number;
    onEvent: (event: JournalEvent) => void | Promise<void>;
    done: (event: JournalEvent) => boolean;
    isOver: () => Promise<boolean>;
    /** Resolves when following is over for a reason no event tells (the plan's process died). */
    until?: Promise<void>;
  },
): Promise<void> {
  try {
    await follow(context, planId, options);
  } catch (error) {
    // Ctrl-C closes the store under a read still in flight: the follower was asked to stop, it did not fail
    if (!context.signal.aborted) throw error;
  }
}

async function follow(
  context: CommandContext,
  planId: string,
  options: Parameters<typeof followPlan>[2],
): Promise<void> {
  let last = options.afterSeq;
  let finished = false;
  const interrupted = new Promise<'interrupted'>((resolve) =>
    context.signal.addEventListener('abort', () => resolve('interrupted')),
  );
  while (!finished) {
    const runtime = await context.runtime();
    let queue = Promise.resolve();
    let ended!: () => void;
    const over = new Promise<'over'>((resolve) => (ended = () => resolve('over')));
    const deliver = (event: JournalEvent) => {
      queue = queue.then(async () => {
        if (event.seq <= last || finished) return;
        last = event.seq;
        watch?.heard();
        await options.onEvent(event);
        if (options.done(event)) ended();
      });
    };
    const buffered: JournalEvent[] = [];
    let replaying = true;
    let watch: OutageWatch | undefined;
    const stop = runtime.subscribe(planId, (event) => (replaying ? buffered.push(event) : deliver(event)));
    try {
      for (const event of await runtime.events(planId, { afterSeq: last })) deliver(event);
      replaying = false;
      for (const event of buffered.splice(0)) deliver(event);
      await queue;
      if (await options.isOver()) ended();
      // through an outage of the store: what came meanwhile is read after the last event shown
      watch = watchOutages(context, async () => {
        for (const event of await runtime.events(planId, { afterSeq: last })) deliver(event);
        await queue;
      });
      const outcome = await Promise.race([
        over,
        interrupted,
        context.lost().then(() => 'lost' as const),
        watch.failed,
        ...(options.until ? [options.until.then(() => 'over' as const)] : []),
      ]);
      if (outcome !== 'lost') finished = true;
      await queue;
    } finally {
      watch?.stop();
      stop();
    }
    if (!finished) await context.reopen();
  }
}
