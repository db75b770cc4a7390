// The schemas stored values are checked against when read back. Loaded on
// the first read that needs one: a command that only reads plan records
// (`troupe plan status`) starts without the schema library (docs/performance.md).
import { z } from 'zod';
import { planRecordSchema } from '../domain/index.js';

export {
  changesetSchema,
  checkpointSchema,
  commandLogSchema,
  conflictRecordSchema,
  decisionSchema,
  journalEventSchema,
  planFileSchema,
  projectRecordSchema,
} from '../domain/index.js';

/** The record as stored: without its step list, which has a key of its own. */
export const storedRecordSchema = planRecordSchema.omit({ strategyDecisionIds: true });
/** A plan's step list. */
export const stepIdsSchema = z.array(z.string());
/** The plan id a name points at. */
export const planIdSchema = z.string();

/** A plan's persisted machine snapshot and the machine version that wrote it. */
export const storedSnapshotSchema = z.object({
  machineVersion: z.number().int().nonnegative(),
  snapshot: z.custom<unknown>((value) => value !== undefined, { message: 'is required' }),
});
