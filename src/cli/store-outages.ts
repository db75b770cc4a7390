import { TroupeError } from '../domain/index.js';
import type { CommandContext } from './context.js';

// how often a follower reads what it may have missed, and at most how long it waits between tries while the store is away
const CATCH_UP_MS = 1_000;
const MOST_MS = 5_000;

/** A follower's watch over the store: `failed` rejects on an error that is not an outage; `stop` ends the watch. */
export interface OutageWatch {
  failed: Promise<never>;
  /** An event came through (the store's own feed is back before the next try): said to be back, if it was away. */
  heard(): void;
  stop(): void;
}

/**
 * Keep a follower (`events --follow`, `plan status --watch`, `plan tree
 * --follow`) going through an outage of the store: every second it runs
 * `catchUp` — reading what came after the last event it printed, so a
 * notice lost with the database connection loses no event — and when the
 * store does not answer it says so once, tries again with backoff, says
 * when the store is back and carries on. The timer also keeps the process
 * alive while nothing else does (a PostgreSQL store's lost connection), so a
 * follower never exits on its own in the middle.
 *
 * @example
 * const watch = watchOutages(context, async () => { for (const event of await runtime.events(id, { afterSeq: last })) deliver(event); });
 * try { await Promise.race([over, watch.failed]); } finally { watch.stop(); }
 */
export function watchOutages(context: CommandContext, catchUp: () => Promise<void>): OutageWatch {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let fail!: (error: unknown) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  // nobody may be waiting on it when the follow ends another way
  failed.catch(() => {});
  let away = false;
  const back = () => {
    if (away && !stopped) context.out.note('troupe: the store is back; carrying on from the last event shown');
    away = false;
  };
  const tick = async (delay: number) => {
    if (stopped) return;
    let next = CATCH_UP_MS;
    try {
      await catchUp();
      back();
    } catch (error) {
      if (stopped) return;
      if (!isOutage(error)) return fail(error);
      if (!away)
        context.out.note(
          `troupe: the store is unavailable (${(error as Error).message}); waiting for it, Ctrl-C stops`,
        );
      away = true;
      next = Math.min(delay * 2, MOST_MS);
    }
    if (!stopped) timer = setTimeout(() => void tick(next), next);
  };
  timer = setTimeout(() => void tick(CATCH_UP_MS), CATCH_UP_MS);
  return {
    failed,
    heard: back,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** Whether an error is the store (or the owner serving it) being away for now. */
export function isOutage(error: unknown): boolean {
  return error instanceof TroupeError && error.code === 'STORE_UNAVAILABLE';
}
