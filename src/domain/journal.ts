import { z } from 'zod';
import { PHASES, type Phase } from './phases.js';

/** Event types of the journal and of `--stream` (SPEC §11). */
export const JOURNAL_EVENT_TYPES = [
  'plan.created',
  'phase.started',
  'phase.completed',
  'phase.failed',
  'step.started',
  'step.completed',
  'step.failed',
  'tool.called',
  'read.completed',
  'checkpoint.created',
  'invariant.reconciled',
  'invariant.violated',
  'subplan.spawned',
  'subplan.status',
  'merge.completed',
  'merge.conflict',
  'conflict.resolved',
  'plan.rolled_back',
  'plan.corrected',
  'plan.updated',
  'plan.cancelled',
  'plan.invalidated',
  'plan.resumed',
  'sandbox.unconfined',
  'service.started',
  'service.stopped',
  'network.denied',
  'overlap.detected',
  'conflict.predicted',
  'model.called',
  'model.tool_result',
  // stream only, never stored: the model's text as it comes (seq 0)
  'model.text',
] as const;
export type JournalEventType = (typeof JOURNAL_EVENT_TYPES)[number];

/**
 * One journaled event. `seq` increases by one per plan from 1; `ts` is an
 * ISO timestamp taken when the event was persisted.
 *
 * @example
 * const stop = runtime.subscribe(plan.id, (event: JournalEvent) => console.log(event.seq, event.type, event.phase));
 * const history: JournalEvent[] = await runtime.events('demo/x', { afterSeq: 0 });
 */
export interface JournalEvent {
  seq: number;
  ts: string;
  planId: string;
  type: JournalEventType;
  phase?: Phase;
  data: Record<string, unknown>;
}

/** An event before the runtime stamps it with `seq`, `ts` and `planId`. */
export type JournalEntry = Pick<JournalEvent, 'type' | 'data'> & { phase?: Phase };

/** The stored shape of a journal event, checked when it is read back. */
export const journalEventSchema = z.object({
  seq: z.number().int().positive(),
  ts: z.string(),
  planId: z.string(),
  type: z.enum(JOURNAL_EVENT_TYPES),
  phase: z.enum(PHASES).optional(),
  data: z.record(z.string(), z.unknown()),
});
