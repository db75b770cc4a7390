import type { PlanRecord, PlanSpec } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { readStoredPlan } from '../persistence/index.js';
import type { RollbackPreview, RollbackResult } from './checkpoint-api.js';
import type { RuntimeCheckpoints } from './plan-checkpoints.js';

/**
 * A rollback's preview as the user sees it: an agent-driven plan put back
 * in execute opens again for its agent (SPEC §16), so it waits rather than
 * queues.
 *
 * @example
 * const preview = reopeningPreview(record, await checkpoints.preview(record, to));
 */
export function reopeningPreview(record: PlanRecord, preview: RollbackPreview): RollbackPreview {
  const reopens = record.agentDriven && preview.restores.phase === 'execute' && preview.restores.status === 'queued';
  return reopens ? { ...preview, restores: { phase: 'execute', status: 'waiting' } } : preview;
}

/**
 * Roll the plan back; back to a moment an agent-driven plan was open, it is
 * open again (SPEC §16) and the result says where it rests.
 *
 * @example
 * const result = await rollbackReopening({ store, checkpoints, reopen }, record, spec, 'ckpt-3');
 */
export async function rollbackReopening(
  parts: { store: Store; checkpoints: RuntimeCheckpoints; reopen(planId: string): Promise<boolean> },
  record: PlanRecord,
  spec: PlanSpec,
  to: string | undefined,
): Promise<RollbackResult> {
  const result = await parts.checkpoints.rollback(record, spec, to);
  if (!(await parts.reopen(record.id))) return result;
  const reopened = await readStoredPlan(parts.store, record.id);
  return { ...result, restored: { phase: reopened.phase, status: reopened.status } };
}
