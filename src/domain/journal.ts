import { z } from 'zod';
import { PHASES, type Phase } from './phases.js';
import { ValidationError } from './errors.js';
import { isUlid } from './ids.js';

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
  'plan.cancelled',
  'plan.invalidated',
  'plan.resumed',
  'sandbox.unconfined',
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

/**
 * What `subscribe` listens to: a plan id (any case, returned upper-case) or
 * `'*'` for every plan. A plan name or id prefix would need a store read, and
 * `subscribe` answers at once: it is a VALIDATION_ERROR that says how to get
 * the id, rather than a listener that never hears anything.
 *
 * @example
 * subscriptionTarget('*'); // '*'
 * subscriptionTarget('01jd4y3v8q6zk4m1t9e2xw0r5n'); // '01JD4Y3V8Q6ZK4M1T9E2XW0R5N'
 */
export function subscriptionTarget(planIdOrAll: string): string {
  if (planIdOrAll === '*') return planIdOrAll;
  const upper = typeof planIdOrAll === 'string' ? planIdOrAll.trim().toUpperCase() : '';
  if (isUlid(upper)) return upper;
  throw new ValidationError([{ path: 'plan', message: `subscribe takes a plan id or '*', got ${JSON.stringify(planIdOrAll)}` }], {
    hint: `for a plan name, subscribe to its id: (await runtime.getPlan(${JSON.stringify(planIdOrAll)})).id`,
  });
}
