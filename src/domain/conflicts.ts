import { z } from 'zod';
import { CONFLICT_KINDS, type ConflictKind } from './conflict-kinds.js';
import { quotedPath } from './terminal-text.js';

// the kinds live in a module without zod: plan status reads records with them and loads no schema library
export { CONFLICT_KINDS, type ConflictKind };

/** How a user settles one conflicting file: a side of the merge, or a file of their own. */
export const RESOLUTION_SOURCES = ['ours', 'theirs', 'file', 'content'] as const;
export type ResolutionSource = (typeof RESOLUTION_SOURCES)[number];

/**
 * One conflicting region: the three sides' lines (null where a side has no
 * such file). A hunk of a JSON structural merge names the key path of the
 * value both sides changed (`dependencies.react`, {@link jsonKeyPath}).
 */
export interface ConflictHunk {
  ours: string | null;
  base: string | null;
  theirs: string | null;
  /** For a JSON file merged key by key: where in the document the sides differ. */
  path?: string;
}

/**
 * A JSON key path as people write it: keys joined by dots, a key that is
 * not a plain name quoted in brackets (`scripts["build:prod"]`).
 *
 * @example
 * jsonKeyPath(['dependencies', 'react']); // 'dependencies.react'
 * jsonKeyPath(['files', 'a.txt']); // 'files["a.txt"]'
 */
export function jsonKeyPath(keys: readonly string[]): string {
  return keys
    .map((key, at) => (/^[A-Za-z_$@][\w$@-]*$/.test(key) ? `${at === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`))
    .join('');
}

/**
 * Where each version of a conflicting file lives when a side renamed it:
 * its path in base, ours and theirs (null on a side that deleted it). A
 * conflict without it is at the same path on every side.
 */
export interface ConflictPaths {
  base: string;
  ours: string | null;
  theirs: string | null;
}

/**
 * The path a resolution writes the file to: for `rename-rename` and
 * `rename-delete` the chosen side's path (null: that side deleted it), and
 * the conflict's own path for a file of the user's or any other kind.
 *
 * @example
 * const record = { file: 'b.txt', kind: 'rename-rename', paths: { base: 'a.txt', ours: 'b.txt', theirs: 'c.txt' } } as const;
 * resolutionPath(record, 'theirs'); // 'c.txt'
 * resolutionPath(record, 'file'); // 'b.txt'
 */
export function resolutionPath(
  record: Pick<ConflictRecord, 'file' | 'kind' | 'paths'>,
  source: ResolutionSource,
): string | null {
  const renamed = record.kind === 'rename-rename' || record.kind === 'rename-delete';
  if (!renamed || record.paths === undefined || (source !== 'ours' && source !== 'theirs')) return record.file;
  return record.paths[source];
}

/**
 * Every path a conflict covers: its own and, for a renamed file, where
 * base, ours and theirs have it — what a resolution writes or removes, so
 * the merge commit keeps no old path and no second copy.
 *
 * @example
 * conflictPaths({ file: 'b.txt', paths: { base: 'a.txt', ours: 'b.txt', theirs: 'c.txt' } }); // ['b.txt', 'a.txt', 'c.txt']
 */
export function conflictPaths(record: Pick<ConflictRecord, 'file' | 'paths'>): string[] {
  const { paths } = record;
  const all = paths === undefined ? [record.file] : [record.file, paths.base, paths.ours, paths.theirs];
  return [...new Set(all.filter((path): path is string => path !== null))];
}

/**
 * Where each side has a file a side renamed, for `troupe plan conflicts`
 * and the MCP conflict tool; names quoted as git quotes them ({@link quotedPath}).
 *
 * @example
 * renamedLine({ base: 'a.txt', ours: 'b.txt', theirs: null }); // 'renamed: a.txt → ours b.txt, theirs deleted it'
 */
export function renamedLine(paths: ConflictPaths): string {
  const side = (label: string, path: string | null) =>
    path === null
      ? `${label} deleted it`
      : path === paths.base
        ? `${label} kept ${quotedPath(path)}`
        : `${label} ${quotedPath(path)}`;
  return `renamed: ${quotedPath(paths.base)} → ${side('ours', paths.ours)}, ${side('theirs', paths.theirs)}`;
}

/**
 * What a conflicting file becomes once the user resolved it, kept with the
 * conflict until every file of the merge is resolved and the merge commit
 * is made. `content` is the file's bytes in base64, or null when the
 * resolution deletes the file.
 */
export interface ConflictResolution {
  with: ResolutionSource;
  content: string | null;
  /**
   * The git file mode the file gets (`100644`, `100755`, `120000`), or
   * `160000` for a submodule pointer, whose content is then the commit id;
   * null with no content.
   */
  mode: string | null;
  /** For `file`: the path the user gave, relative to the project. */
  path?: string;
  /**
   * For `file` and `content`: the user said the file may hold conflict
   * markers (`--allow-markers`), so the merge commit takes it as it is.
   */
  allowMarkers?: true;
}

/**
 * A conflict: one file a merge could not settle, kept until the user
 * resolves it (DESIGN §4 `cfl!<planId>!<file>`). `child` names the child plan
 * whose result was merged, or null for apply. It is open while it has no
 * `resolution`.
 *
 * @example
 * const open: ConflictRecord[] = await store.listConflicts(planId);
 * for (const conflict of open) console.log(conflict.file, conflict.kind, conflict.child ?? 'apply');
 */
export interface ConflictRecord {
  planId: string;
  file: string;
  child: string | null;
  kind: ConflictKind;
  hunks: ConflictHunk[];
  /**
   * A copy of the file with conflict markers for the user to edit and pass
   * to `troupe plan resolve … --use`, relative to the project; null where
   * there is nothing to edit line by line (binary, modify/delete).
   */
  edit?: string | null;
  /** For a file a side renamed: where base, ours and theirs have it (`file` is the path the merge gives it). */
  paths?: ConflictPaths;
  resolution?: ConflictResolution | null;
}

/** Whether a conflict still waits for the user. */
export function isOpenConflict(conflict: Pick<ConflictRecord, 'resolution'>): boolean {
  return conflict.resolution === undefined || conflict.resolution === null;
}

const resolutionSchema = z.strictObject({
  with: z.enum(RESOLUTION_SOURCES),
  content: z.string().nullable(),
  mode: z.string().nullable(),
  path: z.string().optional(),
  allowMarkers: z.literal(true).optional(),
});

/** The stored shape of a conflict record, checked when it is read back. */
export const conflictRecordSchema = z.strictObject({
  planId: z.string(),
  file: z.string().min(1),
  child: z.string().nullable(),
  kind: z.enum(CONFLICT_KINDS),
  hunks: z.array(
    z.strictObject({
      ours: z.string().nullable(),
      base: z.string().nullable(),
      theirs: z.string().nullable(),
      path: z.string().optional(),
    }),
  ),
  edit: z.string().nullable().optional(),
  paths: z
    .strictObject({ base: z.string().min(1), ours: z.string().min(1).nullable(), theirs: z.string().min(1).nullable() })
    .optional(),
  resolution: resolutionSchema.nullable().optional(),
});
