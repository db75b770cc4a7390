import type { PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';
import { planDetails, type PlanDetails } from './model.js';

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
 * (their process died) and are shown so.
 *
 * @example
 * const live = await readLive(runtime, records);
 */
export async function readLive(runtime: Runtime, records: readonly PlanRecord[]): Promise<ReadonlySet<string>> {
  const processing = records.filter((record) => record.status === 'processing').map((record) => record.id);
  if (processing.length === 0) return new Set();
  return new Set((await runtime.liveness(processing)).filter((plan) => plan.live).map((plan) => plan.planId));
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
    record.status === 'processing' ? runtime.liveness([record.id]).then(([plan]) => plan) : undefined,
  ]);
  return planDetails(record, events, checkpoints, conflicts.conflicts, liveness);
}
