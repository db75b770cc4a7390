// The schemas stored values are checked against when read back. Loaded on
// the first read that needs one: a command that only reads plan records
// (`troupe plan status`) starts without the schema library (docs/explanation/performance.md).
import { z } from 'zod';
import { checkpointSchema, planRecordSchema } from '../domain/index.js';

export {
  changesetSchema,
  commandLogSchema,
  conflictRecordSchema,
  decisionSchema,
  journalEventSchema,
  mcpTaskRecordSchema,
  planHolderSchema,
  planFileSchema,
  projectRecordSchema,
} from '../domain/index.js';

/** The record as stored: without its step list, which has a key of its own. */
export const storedRecordSchema = planRecordSchema.omit({ strategyDecisionIds: true });
/** A list in a plan's step chain: the first `count` ids of node `node`'s list. */
export const stepPointerSchema = z.object({
  node: z.number().int().nonnegative().nullable(),
  count: z.number().int().nonnegative(),
});
/** A node of a plan's step chain: the ids it adds after node `prev`'s list. */
export const stepNodeSchema = z.object({ prev: z.number().int().nonnegative().nullable(), ids: z.array(z.string()) });
/** A checkpoint as stored: its step list is a pointer into the plan's step chain. */
export const storedCheckpointSchema = checkpointSchema.omit({ stepIds: true }).extend({ steps: stepPointerSchema });
/** The plan id a name points at. */
export const planIdSchema = z.string();

/** A plan's persisted machine snapshot and the machine version that wrote it. */
export const storedSnapshotSchema = z.object({
  machineVersion: z.number().int().nonnegative(),
  snapshot: z.custom<unknown>((value) => value !== undefined, { message: 'is required' }),
});
