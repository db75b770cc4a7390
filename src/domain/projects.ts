import { z } from 'zod';

/** The name this project goes by among registered projects (SPEC §3): the one troupe runs in. */
export const DEFAULT_PROJECT = 'default';

/** A project registered with `troupe project add` (SPEC §3), for child plans of another repository. */
export interface ProjectRecord {
  name: string;
  /** The root of its git repository, absolute. */
  path: string;
  addedAt: string;
}

/** The stored shape of a project record, checked when it is read back. */
export const projectRecordSchema = z.strictObject({
  name: z.string(),
  path: z.string(),
  addedAt: z.string(),
});
