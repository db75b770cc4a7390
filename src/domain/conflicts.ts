import { z } from 'zod';

/** Kinds of merge conflict (SPEC §9, §13). */
export const CONFLICT_KINDS = ['content', 'modify-delete', 'add-add', 'binary'] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

/** One conflicting region: the three sides' lines (null where a side has no such file). */
export interface ConflictHunk {
  ours: string | null;
  base: string | null;
  theirs: string | null;
}

/**
 * An open conflict: one file a merge could not settle, kept until the user
 * resolves it (DESIGN §4 `cfl!<planId>!<file>`). `child` names the child plan
 * whose result was merged, or null for apply.
 */
export interface ConflictRecord {
  planId: string;
  file: string;
  child: string | null;
  kind: ConflictKind;
  hunks: ConflictHunk[];
}

/** The stored shape of a conflict record, checked when it is read back. */
export const conflictRecordSchema = z.strictObject({
  planId: z.string(),
  file: z.string().min(1),
  child: z.string().nullable(),
  kind: z.enum(CONFLICT_KINDS),
  hunks: z.array(z.strictObject({ ours: z.string().nullable(), base: z.string().nullable(), theirs: z.string().nullable() })),
});
