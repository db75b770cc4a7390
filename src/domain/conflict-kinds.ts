/**
 * Kinds of merge conflict (SPEC §9, §13); docs/explanation/merging.md says when each
 * arises. `rename-rename`: both sides renamed one file to different paths;
 * `rename-delete`: one side renamed a file the other deleted; `submodule`:
 * both sides moved a submodule pointer differently; `distinct-types`: a
 * file, a symlink or a submodule against another of these;
 * `file-directory`: a file where the other side has files under it.
 *
 * @example
 * const kind: ConflictKind = 'content';
 * CONFLICT_KINDS.includes(kind); // true
 */
export const CONFLICT_KINDS = [
  'content',
  'modify-delete',
  'add-add',
  'binary',
  'rename-rename',
  'rename-delete',
  'submodule',
  'distinct-types',
  'file-directory',
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];
