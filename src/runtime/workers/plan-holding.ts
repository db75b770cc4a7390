// Who holds a child (docs/how-to/scale-out.md): the worker that takes a job writes
// itself on the plan and refreshes that record by a heartbeat while the job
// runs; status tells a live holder from one that stopped answering by the
// plan's claim, and says when it was last heard from by the heartbeat.
import { hostname } from 'node:os';
import { workerCalled, type PlanHolder } from '../../domain/index.js';
import type { Store } from '../../store/index.js';

/** How often a worker says it still holds a plan (ms): "last heard" is at most this old while it answers. */
export const HOLDER_HEARTBEAT_MS = 5_000;

/** A plan a worker holds: stop the heartbeat and delete its record (if still its own). */
export interface Holding {
  readonly holder: PlanHolder;
  release(): Promise<void>;
}

/**
 * Write `worker` on `planId` and refresh it every {@link HOLDER_HEARTBEAT_MS}
 * until released. A failed heartbeat (the database away) is reported once
 * and the next one tries again: the record is who, not whether it is alive.
 *
 * @example
 * const holding = await hold(store, 'w1', planId, (error) => log(error.message));
 * try { await runJob(); } finally { await holding.release(); }
 */
export async function hold(
  store: Store,
  worker: string,
  planId: string,
  onError: (error: Error) => void,
  now: () => Date = () => new Date(),
): Promise<Holding> {
  const since = now().toISOString();
  const holder: PlanHolder = { planId, worker, host: hostname(), pid: process.pid, since, heardAt: since };
  // said once while it fails (an outage lasts many beats), and again after one landed
  let failing = false;
  const beat = (written: PlanHolder) =>
    store.putHolder(written).then(
      () => void (failing = false),
      (error: unknown) => {
        if (!failing) onError(error as Error);
        failing = true;
      },
    );
  await beat(holder);
  let beating = Promise.resolve();
  const timer = setInterval(() => {
    beating = beat({ ...holder, heardAt: now().toISOString() });
  }, HOLDER_HEARTBEAT_MS);
  timer.unref();
  return {
    holder,
    async release() {
      clearInterval(timer);
      await beating;
      await store.releaseHolder(holder).catch(() => {});
    },
  };
}

/**
 * A plan as a worker's log names it: `<name> (<id>)`, with more inside the
 * parentheses when given (`demo/c01 (01J…, attempt 1)`); its id alone when
 * its record could not be read (`record` null).
 */
export function planLabel(planId: string, record: { name: string } | null): (more?: string) => string {
  return (more) =>
    record ? `${record.name} (${[planId, more].filter(Boolean).join(', ')})` : `${planId}${more ? ` (${more})` : ''}`;
}

/**
 * Who holds a plan, as a worker's line says it when a job finds the plan
 * held: the worker its holder record names while that worker's heartbeat
 * is recent; else another process, with the worker the record still names
 * and how long ago it was heard from. The record cannot tell which: a
 * worker frozen with its connections alive (`SIGSTOP`, a paused VM) keeps
 * the plan's claim and stops beating, and a record left by a worker that
 * died names the wrong one once a troupe command or the parent holds the
 * plan.
 *
 * @example
 * heldBy({ planId, worker: 'w1', host: 'ci-3', pid: 4242, since, heardAt: new Date().toISOString() }); // 'worker w1 on host ci-3 (pid 4242) runs it'
 */
export function heldBy(holder: PlanHolder | null, now: number = Date.now()): string {
  if (holder === null) return 'another process holds it';
  const silentMs = now - Date.parse(holder.heardAt);
  if (silentMs <= 2 * HOLDER_HEARTBEAT_MS) return `worker ${workerCalled(holder)} runs it`;
  return `another process holds it (its holder record names worker ${workerCalled(holder)}, last heard ${Math.round(silentMs / 1000)} s ago)`;
}

/** A worker's name unless `--name` gives one: `<host>-<pid>`. */
export function defaultWorkerName(): string {
  return `${hostname()}-${process.pid}`;
}
