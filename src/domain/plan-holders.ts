import { z } from 'zod';

/**
 * Which worker holds a plan it took from the queue (docs/how-to/scale-out.md, "Who
 * holds a child"): written when it takes the job, its `heardAt` refreshed
 * by a heartbeat while the job runs, deleted when the job ends. The claim
 * (an advisory lock) says whether the holder is alive; this record says who
 * it is and when it was last heard from.
 *
 * @example
 * const holder: PlanHolder = { planId, worker: 'w1', host: os.hostname(), pid: process.pid, since: now, heardAt: now };
 */
export interface PlanHolder {
  planId: string;
  /** The worker's name (`troupe worker --name`, default `<host>-<pid>`). */
  worker: string;
  host: string;
  pid: number;
  /** When it took the plan (ISO time). */
  since: string;
  /** Its last heartbeat (ISO time). */
  heardAt: string;
}

/** The stored shape of a plan's holder, checked when it is read back. */
export const planHolderSchema = z.strictObject({
  planId: z.string().min(1),
  worker: z.string().min(1),
  host: z.string(),
  pid: z.number().int(),
  // times a status line subtracts from now: a record without one is damaged, not "NaN s ago"
  since: z.iso.datetime({ offset: true }),
  heardAt: z.iso.datetime({ offset: true }),
});

/** What a worker's name may be: letters, digits, `.`, `_`, `-`, at most 64, starting with a letter or digit (it is shown in status lines and logs). */
export const WORKER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * A worker as status lines and worker logs name it: its name, host and pid.
 *
 * @example
 * workerCalled({ worker: 'w1', host: 'ci-3', pid: 4242 }); // 'w1 on host ci-3 (pid 4242)'
 */
export function workerCalled(holder: Pick<PlanHolder, 'worker' | 'host' | 'pid'>): string {
  return `${holder.worker} on host ${holder.host} (pid ${holder.pid})`;
}
