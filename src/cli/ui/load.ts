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
 * The detail pane of one plan, read through the Runtime interface (local or
 * over the host socket).
 *
 * @example
 * const details = await readDetails(runtime, 'demo/x');
 * console.log(details.timeline.length, details.checkpoints.length);
 */
export async function readDetails(runtime: Runtime, ref: string): Promise<PlanDetails> {
  const record = await runtime.getPlan(ref);
  const [events, checkpoints, conflicts] = await Promise.all([runtime.events(record.id), runtime.checkpoints(record.id), runtime.conflicts(record.id)]);
  return planDetails(record, events, checkpoints, conflicts.conflicts);
}
