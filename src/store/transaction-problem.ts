import type { CommandLog } from '../domain/index.js';
import type { PlanTransaction } from './store.js';
import { isStorableSeq } from './key-layout.js';

/**
 * Why a transaction cannot be written under the key layout, or null. Ids
 * become key parts joined by `!`, so an id holding `!` could read as
 * another plan's key; a seq outside 1..10^12-1 would not sort by number.
 */
export function transactionProblem(transaction: PlanTransaction): string | null {
  const { planId, record } = transaction;
  if (!isKeyPart(planId)) return `plan id ${JSON.stringify(planId)} must be non-empty and must not contain "!"`;
  if (record.id !== planId) return `record.id ${record.id} is not the plan id`;
  for (const [index, decision] of (transaction.decisions ?? []).entries()) {
    if (decision.planId !== planId) return `decisions[${index}] belongs to plan ${decision.planId}`;
    if (!isKeyPart(decision.id))
      return `decisions[${index}].id ${JSON.stringify(decision.id)} must be non-empty and must not contain "!"`;
  }
  for (const [index, event] of (transaction.events ?? []).entries()) {
    if (event.planId !== planId) return `events[${index}] belongs to plan ${event.planId}`;
    if (!isStorableSeq(event.seq) || event.seq < 1)
      return `events[${index}].seq ${event.seq} must be a whole number from 1 to 999999999999`;
  }
  for (const [index, changeset] of (transaction.changesets ?? []).entries()) {
    if (changeset.id.length === 0) return `changesets[${index}].id must not be empty`;
  }
  for (const [index, conflict] of (transaction.conflicts?.put ?? []).entries()) {
    if (conflict.planId !== planId) return `conflicts.put[${index}] belongs to plan ${conflict.planId}`;
    if (conflict.file.length === 0) return `conflicts.put[${index}].file must not be empty`;
  }
  for (const [index, checkpoint] of (transaction.checkpoints ?? []).entries()) {
    if (checkpoint.planId !== planId) return `checkpoints[${index}] belongs to plan ${checkpoint.planId}`;
    if (!isKeyPart(checkpoint.id))
      return `checkpoints[${index}].id ${JSON.stringify(checkpoint.id)} must be non-empty and must not contain "!"`;
  }
  return logsProblem(planId, transaction.logs ?? []);
}

/** Why command logs cannot be written for `planId`, or null: each belongs to it, with a seq that sorts. */
export function logsProblem(planId: string, logs: readonly CommandLog[]): string | null {
  for (const [index, log] of logs.entries()) {
    if (log.planId !== planId) return `logs[${index}] belongs to plan ${log.planId}`;
    if (!isStorableSeq(log.seq) || log.seq < 1)
      return `logs[${index}].seq ${log.seq} must be a whole number from 1 to 999999999999`;
  }
  return null;
}

function isKeyPart(id: string): boolean {
  return id.length > 0 && !id.includes('!');
}
