// A child plan that ends because of what happened to its parent: a rollback that goes back past it
// (`invalidated`), or a cancel of the parent it was merged into (`cancelled`). Its record, snapshot and
// journal entry are written in one batch, as any transition is.
import type { JournalEvent, PlanRecord } from '../../domain/index.js';
import { PLAN_MACHINE_VERSION, planIdentityOf, planRecordOf, type PlanContext } from '../../../machines/index.js';
import { storedState, type CheckpointHost } from './checkpoint-host.js';

/** How a child ends, and the reason its journal and `plan status` give. */
export interface ChildEnd {
  as: 'invalidated' | 'cancelled';
  reason: string;
}

/**
 * End `child` as `end.as`: its actor stops, its open conflicts close, and
 * its record, snapshot and `plan.invalidated` / `plan.cancelled` entry are
 * written at once. An invalidated child's worktree goes (its work is gone
 * with the rollback); a cancelled one keeps it until `gc`, as any cancelled
 * plan does.
 *
 * @example
 * await endChild(host, child, { as: 'cancelled', reason: 'its parent demo/x was cancelled' });
 */
export async function endChild(host: CheckpointHost, child: PlanRecord, end: ChildEnd): Promise<void> {
  const { store, services, machine, now } = host;
  await host.stop(child.id);
  host.memory.forget(child.id);
  const current = await storedState(host, child.id);
  const context: PlanContext = { ...current.context, target: null };
  const resolved = machine.resolveState({ value: end.as, context });
  const at = now();
  const record = planRecordOf(planIdentityOf(child), { value: end.as, context }, at, child.strategyDecisionIds);
  const lastSeq = await store.lastEventSeq(child.id);
  const type = end.as === 'invalidated' ? 'plan.invalidated' : 'plan.cancelled';
  const events: JournalEvent[] = [
    { seq: lastSeq + 1, ts: at, planId: child.id, type, phase: record.phase, data: { reason: end.reason } },
  ];
  const open = (await store.listConflicts(child.id)).map((conflict) => conflict.file);
  await store.commit({
    planId: child.id,
    record,
    snapshot: { machineVersion: PLAN_MACHINE_VERSION, snapshot: machine.getPersistedSnapshot(resolved) },
    events,
    ...(open.length > 0 ? { conflicts: { resolved: open } } : {}),
    sync: true,
  });
  if (end.as === 'invalidated' && child.sandbox) await services.sandboxes.remove(child.sandbox);
  host.publish(events, record);
}
