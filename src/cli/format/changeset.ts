import type { Changeset, FileChange } from '../../domain/index.js';
import { quotedPath } from '../../domain/terminal-text.js';
import type { Output } from '../output.js';

const MARK = { added: 'A', modified: 'M', deleted: 'D' } as const;

/** `troupe plan changes` as text: one line per file with lines added and removed. */
export function formatChangeset(changeset: Changeset | null, out: Output): string {
  if (!changeset || changeset.files.length === 0) return out.paint('dim', 'no changes yet');
  const added = changeset.files.reduce((sum, file) => sum + file.linesAdded, 0);
  const removed = changeset.files.reduce((sum, file) => sum + file.linesRemoved, 0);
  return [
    `${changeset.files.length} file${changeset.files.length === 1 ? '' : 's'} changed, +${added} -${removed} (${changeset.baseCommit.slice(0, 7)}..${changeset.headCommit.slice(0, 7)})`,
    ...changeset.files.map((file) => fileChangeLine(file, out)),
  ].join('\n');
}

/**
 * One changed file as `plan changes` and `plan apply --dry-run` list it:
 * its action, its name quoted as git quotes it ({@link quotedPath}: a name
 * a plan chose cannot break the line or act on the terminal), lines added
 * and removed.
 *
 * @example
 * fileChangeLine({ path: 'a.txt', action: 'modified', linesAdded: 1, linesRemoved: 1, binary: false }, out); // '  M a.txt  +1 -1'
 */
export function fileChangeLine(file: FileChange, out: Output): string {
  const counts = file.binary
    ? out.paint('dim', 'binary')
    : `${out.paint('green', `+${file.linesAdded}`)} ${out.paint('red', `-${file.linesRemoved}`)}`;
  return `  ${MARK[file.action]} ${quotedPath(file.path)}  ${counts}`;
}
