import type { PlanRecord } from './plan-record.js';

/** One line of `plan list --json`. */
export type PlanSummary = Pick<PlanRecord, 'id' | 'name' | 'phase' | 'status' | 'parentId'>;

/** The summary of a record for `plan list`. */
export function summarizePlan(record: PlanRecord): PlanSummary {
  return { id: record.id, name: record.name, phase: record.phase, status: record.status, parentId: record.parentId };
}
