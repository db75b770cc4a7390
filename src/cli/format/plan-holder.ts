import { workerCalled, type PlanHolder } from '../../domain/index.js';
import { formatElapsed } from './progress.js';

/**
 * The `worker` row of `plan status` for a plan a worker took from the queue
 * (docs/how-to/scale-out.md, "Who holds a child"). A live holder is named with
 * when it was last heard from; one whose claim is gone while the plan is
 * processing stopped answering, and the plan waits for another worker.
 *
 * @example
 * holderText(holder, false, Date.now()); // 'its worker w1 on host h stopped answering 12 s ago; waiting for another'
 */
export function holderText(holder: PlanHolder, live: boolean, now: number): string {
  const ago = agoText(now - Date.parse(holder.heardAt));
  if (!live)
    return `its worker ${holder.worker} on host ${holder.host} stopped answering ${ago} ago; waiting for another`;
  return `${workerCalled(holder)} since ${holder.since} · last heard ${ago} ago`;
}

// whole seconds under a minute: a heartbeat every 5 s makes tenths noise
function agoText(ms: number): string {
  return ms < 60_000 ? `${Math.max(0, Math.round(ms / 1000))} s` : formatElapsed(ms);
}
