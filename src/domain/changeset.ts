import { z } from 'zod';

/** How a file changed between a sandbox's base and its head. */
export const FILE_ACTIONS = ['added', 'modified', 'deleted'] as const;
export type FileAction = (typeof FILE_ACTIONS)[number];

/**
 * One changed file. Binary files count 0 lines added and removed.
 *
 * @example
 * const changeset = await runtime.changes('demo/x');
 * const files: FileChange[] = changeset?.files ?? [];
 * for (const change of files) console.log(change.action, change.path, `+${change.linesAdded} -${change.linesRemoved}`);
 */
export interface FileChange {
  path: string;
  action: FileAction;
  linesAdded: number;
  linesRemoved: number;
  binary?: boolean;
}

/**
 * What a plan changed in its sandbox, from git (SPEC §7).
 *
 * @example
 * const changeset: Changeset | null = await runtime.changes('demo/x');
 * if (changeset) console.log(changeset.baseCommit, '..', changeset.headCommit, changeset.files.length);
 */
export interface Changeset {
  id: string;
  planId: string;
  baseCommit: string;
  headCommit: string;
  files: FileChange[];
}

/** The stored shape of a changeset, checked when it is read back. */
export const changesetSchema = z.object({
  id: z.string(),
  planId: z.string(),
  baseCommit: z.string(),
  headCommit: z.string(),
  files: z.array(
    z.object({
      path: z.string(),
      action: z.enum(FILE_ACTIONS),
      linesAdded: z.number().int().nonnegative(),
      linesRemoved: z.number().int().nonnegative(),
      binary: z.boolean().optional(),
    }),
  ),
});
