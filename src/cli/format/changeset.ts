import type { Changeset } from '../../domain/index.js';
import type { Output } from '../output.js';

const MARK = { added: 'A', modified: 'M', deleted: 'D' } as const;

/** `troupe plan changes` as text: one line per file with lines added and removed. */
export function formatChangeset(changeset: Changeset | null, out: Output): string {
  if (!changeset || changeset.files.length === 0) return out.paint('dim', 'no changes yet');
  const lines = changeset.files.map((file) => {
    const counts = file.binary ? out.paint('dim', 'binary') : `${out.paint('green', `+${file.linesAdded}`)} ${out.paint('red', `-${file.linesRemoved}`)}`;
    return `  ${MARK[file.action]} ${file.path}  ${counts}`;
  });
  const added = changeset.files.reduce((sum, file) => sum + file.linesAdded, 0);
  const removed = changeset.files.reduce((sum, file) => sum + file.linesRemoved, 0);
  return [
    `${changeset.files.length} file${changeset.files.length === 1 ? '' : 's'} changed, +${added} -${removed} (${changeset.baseCommit.slice(0, 7)}..${changeset.headCommit.slice(0, 7)})`,
    ...lines,
  ].join('\n');
}
