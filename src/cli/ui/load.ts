import type { PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';
import { UndrivenPlans } from '../undriven-plans.js';
import { planDetails, type PlanDetails } from './model.js';

// how long each plan has been undriven, as the view of one runtime read it (a new runtime: the owner changed, read afresh)
const undrivenOf = new WeakMap<Runtime, UndrivenPlans>();
function undrivenIn(runtime: Runtime): UndrivenPlans {
  let undriven = undrivenOf.get(runtime);
  if (!undriven) undrivenOf.set(runtime, (undriven = new UndrivenPlans()));
  return undriven;
}

// what the view reads of who drives plans: a plan seen driven is shown stopped only once it stays undriven a few
// seconds (src/cli/undriven-plans.ts); a read that fails (the store away) says nothing of how long
async function livenessShown(
  runtime: Runtime,
  planIds: readonly string[],
): Promise<Awaited<ReturnType<Runtime['liveness']>>> {
  const undriven = undrivenIn(runtime);
  const read = await runtime.liveness(planIds).catch((error: unknown) => {
    undriven.unknown();
    throw error;
  });
  return read.map((plan) => ({ ...plan, live: undriven.shown(plan.planId, plan.live) !== false }));
}

/**
 * Every plan of the project, ended ones too: the tree of `troupe ui` keeps a
 * plan that finishes while it is shown.
 *
 * @example
 * const records = await readPlans(await context.runtime());
 */
export async function readPlans(runtime: Runtime): Promise<PlanRecord[]> {
  return runtime.listPlans({ all: true });
}

/**
 * Which of the processing plans a process drives now: the others stopped
 * (their process died) and are shown so — once they stayed undriven a few
 * seconds, if this view saw them driven.
 *
 * @example
 * const live = await readLive(runtime, records);
 */
export async function readLive(runtime: Runtime, records: readonly PlanRecord[]): Promise<ReadonlySet<string>> {
  const processing = records.filter((record) => record.status === 'processing').map((record) => record.id);
  if (processing.length === 0) return new Set();
  return new Set((await livenessShown(runtime, processing)).filter((plan) => plan.live).map((plan) => plan.planId));
}

/**
 * The detail pane of one plan, read through the Runtime interface (local or
 * over the host socket).
 *
 * @example
 * const details = await readDetails(runtime, 'demo/x');
 * console.log(details.timeline.length, details.checkpoints.length);
 */
export async function readDetails(runtime: Runtime, ref: string): Promise<PlanDetails> {
  const record = await runtime.getPlan(ref);
  const [events, checkpoints, conflicts, liveness] = await Promise.all([
    runtime.events(record.id),
    runtime.checkpoints(record.id),
    runtime.conflicts(record.id),
    record.status === 'processing' ? livenessShown(runtime, [record.id]).then(([plan]) => plan) : undefined,
  ]);
  return planDetails(record, events, checkpoints, conflicts.conflicts, liveness);
}
