// A plan's journal and its command logs, read from a LevelBackedStore by
// seq: the seq is in the key, and logs are keyed as events are (logKey), so
// a range starts after a seq and the last one is found without reading it.
import type { z } from 'zod';
import type { CommandLog, JournalEvent } from '../domain/index.js';
import { eventKey, isStorableSeq, planRange, seqOfEventKey } from './key-layout.js';
import { iteratorLimit } from './level-iteration.js';
import type { Sublevel, Sublevels } from './store-database.js';
import { AS_TEXT, loadedSchemas, storedSchemas } from './stored-decode.js';
import { decodeStoredValue } from './stored-value.js';

/** Which entries of a plan's journal or logs: those after `afterSeq` (0), `limit` of them at most. */
export interface SeqRange {
  afterSeq?: number;
  limit?: number;
}

/**
 * The journal events of `planId` after `afterSeq`, in order; a damaged one
 * is `STORE_CORRUPT` naming its key.
 *
 * @example
 * const events = await readEvents(parts, planId, { afterSeq: 10, limit: 100 });
 */
export async function readEvents(parts: Sublevels, planId: string, options: SeqRange = {}): Promise<JournalEvent[]> {
  const { journalEventSchema } = loadedSchemas() ?? (await storedSchemas());
  return readAfter(parts.events, journalEventSchema, planId, options, (seq) => `event ${seq} of plan ${planId}`);
}

/**
 * The seq of the last journal event of `planId`, 0 when it has none.
 *
 * @example
 * const seq = await lastEventSeq(parts, planId);
 */
export function lastEventSeq(parts: Sublevels, planId: string): Promise<number> {
  return lastSeq(parts.events, planId);
}

/**
 * The command logs of `planId` after `afterSeq`, in order; a damaged one
 * is `STORE_CORRUPT` naming its key.
 *
 * @example
 * const logs = await readLogs(parts, planId, { afterSeq: 0 });
 */
export async function readLogs(parts: Sublevels, planId: string, options: SeqRange = {}): Promise<CommandLog[]> {
  const { commandLogSchema } = loadedSchemas() ?? (await storedSchemas());
  return readAfter(parts.logs, commandLogSchema, planId, options, (seq) => `command log ${seq} of plan ${planId}`);
}

/**
 * The seq of the last command log of `planId`, 0 when it has none.
 *
 * @example
 * const seq = await lastLogSeq(parts, planId);
 */
export function lastLogSeq(parts: Sublevels, planId: string): Promise<number> {
  return lastSeq(parts.logs, planId);
}

// the values of `planId` in `sublevel` after `afterSeq`, each decoded through `schema`
async function readAfter<S extends z.ZodType>(
  sublevel: Sublevel,
  schema: S,
  planId: string,
  options: SeqRange,
  what: (seq: number) => string,
): Promise<z.output<S>[]> {
  const afterSeq = Math.max(0, Math.floor(options.afterSeq ?? 0));
  // past the largest storable seq nothing can follow (and its key would not sort)
  if (!isStorableSeq(afterSeq) || (options.limit !== undefined && !(options.limit > 0))) return [];
  const range = { gt: eventKey(planId, afterSeq), lt: planRange(planId).lt, limit: iteratorLimit(options.limit) };
  const values: z.output<S>[] = [];
  for await (const [key, text] of sublevel.iterator<string, string>({ ...range, ...AS_TEXT }))
    values.push(
      decodeStoredValue(schema, text, { what: what(seqOfEventKey(key)), key: sublevel.prefix + key, planId }),
    );
  return values;
}

// the seq is in the key, so the last value need not be read
async function lastSeq(sublevel: Sublevel, planId: string): Promise<number> {
  const [last] = await sublevel.keys({ ...planRange(planId), reverse: true, limit: 1 }).all();
  return last === undefined ? 0 : seqOfEventKey(last);
}
