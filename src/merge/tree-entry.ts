// What a path of a commit holds, as the tree merge sees it: a file with its
// git mode, a submodule pointer, or a directory where the other side has a
// file. Git's modes name the type; the merge tells them apart by it.
import { describeBinary } from './binary.js';
import { decodeText } from './classify.js';

/**
 * A path of a commit: its git mode (`100644`, `100755`, `120000` a symlink,
 * `160000` a submodule, `040000` a directory) and its bytes. A symlink's
 * bytes are its target; a submodule's are the id of the commit it points at
 * (`gitlinkFile`); a directory's are empty — it only says that the path
 * holds other files.
 */
export interface TreeFile {
  mode: string;
  content: Uint8Array;
}

/** The mode of a symlink in a tree. */
export const SYMLINK_MODE = '120000';
/** The mode of a submodule pointer (a gitlink: a commit of another repository) in a tree. */
export const GITLINK_MODE = '160000';
/** The mode of a directory in a tree. */
export const DIRECTORY_MODE = '040000';

/** What a path holds: a regular file (executable or not), a symlink, a submodule pointer, a directory. */
export type EntryType = 'file' | 'symlink' | 'submodule' | 'directory';

/**
 * The type of a path's entry, by its git mode.
 *
 * @example
 * entryType('100755'); // 'file'
 * entryType('160000'); // 'submodule'
 */
export function entryType(mode: string): EntryType {
  if (mode === SYMLINK_MODE) return 'symlink';
  if (mode === GITLINK_MODE) return 'submodule';
  if (mode === DIRECTORY_MODE || mode === '40000') return 'directory';
  return 'file';
}

/**
 * A submodule pointer as a {@link TreeFile}: mode 160000, the commit id as
 * its bytes. Nothing reads the commit: a superproject seldom holds it.
 *
 * @example
 * gitlinkFile('5d1d2fa...'); // { mode: '160000', content: <the id's ASCII bytes> }
 */
export function gitlinkFile(commit: string): TreeFile {
  return { mode: GITLINK_MODE, content: new TextEncoder().encode(commit) };
}

/** The commit a submodule pointer points at (the bytes of {@link gitlinkFile}). */
export function gitlinkCommit(file: TreeFile): string {
  return new TextDecoder().decode(file.content);
}

/**
 * One side of a conflict over a whole entry, as a line a person reads: a
 * file's text (or `binary, <n> bytes, blob <id>`), `symlink to <target>`,
 * `submodule commit <id>`, `directory`; null where the side has nothing.
 * A file's text is given as it is unless `typed`: beside an entry of
 * another type, a symlink is named as one.
 *
 * @example
 * describeEntry(gitlinkFile('5d1d2fa…')); // 'submodule commit 5d1d2fa…'
 */
export function describeEntry(file: TreeFile | null, typed = false): string | null {
  if (file === null) return null;
  const type = entryType(file.mode);
  if (type === 'submodule') return `submodule commit ${gitlinkCommit(file)}`;
  if (type === 'directory') return 'directory';
  const text = decodeText(file.content) ?? describeBinary(file.content);
  return type === 'symlink' && typed ? `symlink to ${text}` : text;
}
