import { ValidationError } from '../../domain/index.js';

// Reading a unified diff (`git diff`, `diff -u`) into what `fs/apply-patch`
// applies: per file, its action and its hunks, each line with its own line
// end so that "\ No newline at end of file" is exact. Renames, copies and
// binary patches are refused: the tool changes text, one path at a time.

/** One line of a hunk: kept (` `), removed (`-`) or added (`+`), with its `\n` unless the file ends without one there. */
export interface PatchLine {
  kind: ' ' | '-' | '+';
  text: string;
}

/**
 * One hunk: `@@ -oldStart,oldCount +newStart,newCount @@` and its lines.
 * `number` counts the file's hunks from 1, as messages name them.
 */
export interface PatchHunk {
  number: number;
  /** The header as written, up to its closing `@@`. */
  header: string;
  oldStart: number;
  oldCount: number;
  lines: PatchLine[];
}

/**
 * What a patch does to one file: `create` (from `/dev/null`), `delete` (to
 * `/dev/null`) or `modify`, with the hunks that say how.
 *
 * @example
 * const [first] = parseUnifiedDiff(patch);
 * console.log(first.action, first.path, first.hunks.length); // modify src/a.ts 2
 */
export interface FilePatch {
  path: string;
  action: 'create' | 'modify' | 'delete';
  hunks: PatchHunk[];
}

const HUNK_HEADER = /^(@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@)/;
// git's extended headers that change more than text: nothing here can apply them
const UNSUPPORTED: [RegExp, string][] = [
  [
    /^(rename|copy) (from|to) /,
    'renames and copies are not applied: give the old path as deleted and the new one as created (git diff --no-renames)',
  ],
  [/^(GIT binary patch|Binary files )/, 'binary patches are not applied: write binary files with a command'],
];

/**
 * The files a unified diff changes, in order. `VALIDATION_ERROR` at
 * `patch` for text that is not one — no `---`/`+++` header, a malformed
 * or cut-short hunk, a path changed twice, a rename or a binary patch.
 * `a/` and `b/` prefixes (git's) are taken off; paths are not checked here.
 *
 * @example
 * parseUnifiedDiff('--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-old\n+new\n');
 * // [{ path: 'x.txt', action: 'modify', hunks: [{ number: 1, header: '@@ -1 +1 @@', oldStart: 1, oldCount: 1, lines: [...] }] }]
 */
export function parseUnifiedDiff(patch: string): FilePatch[] {
  const lines = patch.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const files: FilePatch[] = [];
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (line.startsWith('diff --git ')) index = readGitSection(lines, index, files);
    else if (line.startsWith('--- ') && lines[index + 1]?.startsWith('+++ '))
      index = readFileSection(lines, index, files, null);
    else if (HUNK_HEADER.test(line))
      throw patchError(`line ${index + 1}: a hunk before any "--- a/file" / "+++ b/file" header`);
    else {
      refuseUnsupported(line, index);
      // text around the files (a commit message, `diff -u a b`, "Only in …") is not part of any
      index += 1;
    }
  }
  if (files.length === 0)
    throw patchError(
      'is not a unified diff: it has no "--- a/file" / "+++ b/file" header',
      'git diff and diff -u write one; a patch lists each file so, then its @@ hunks',
    );
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.path))
      throw patchError(`changes ${file.path} twice: give all of a file's hunks under one header`);
    seen.add(file.path);
  }
  return files;
}

// `diff --git a/x b/x`, its extended headers, then its ---/+++ pair and hunks — or none, for an empty file made or deleted
function readGitSection(lines: readonly string[], start: number, files: FilePatch[]): number {
  let action: FilePatch['action'] = 'modify';
  let index = start + 1;
  for (; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (line.startsWith('--- ') || line.startsWith('diff ') || HUNK_HEADER.test(line)) break;
    refuseUnsupported(line, index);
    if (line.startsWith('new file mode ')) action = 'create';
    if (line.startsWith('deleted file mode ')) action = 'delete';
  }
  if (lines[index]?.startsWith('--- ')) return readFileSection(lines, index, files, action);
  // no text to change: an empty file made or deleted (a mode change alone is not applied)
  if (action !== 'modify') files.push({ path: gitHeaderPath(lines[start]!, start), action, hunks: [] });
  return index;
}

function readFileSection(
  lines: readonly string[],
  start: number,
  files: FilePatch[],
  gitAction: FilePatch['action'] | null,
): number {
  if (!lines[start + 1]?.startsWith('+++ '))
    throw patchError(`line ${start + 2}: a "--- " header is followed by "+++ "`);
  const before = headerPath(lines[start]!.slice(4));
  const after = headerPath(lines[start + 1]!.slice(4));
  if (before === null && after === null) throw patchError(`line ${start + 1}: both sides are /dev/null`);
  // git's a/ and b/ prefixes (patch -p1); a plain diff -u names the paths as they are
  const prefixed = (before === null || before.startsWith('a/')) && (after === null || after.startsWith('b/'));
  const strip = (path: string | null) => (path !== null && prefixed ? path.slice(2) : path);
  const [oldPath, newPath] = [strip(before), strip(after)] as const;
  if (oldPath !== null && newPath !== null && oldPath !== newPath)
    throw patchError(`line ${start + 1}: ${oldPath} becomes ${newPath}: ${UNSUPPORTED[0]![1]}`);
  const action: FilePatch['action'] =
    oldPath === null ? 'create' : newPath === null ? 'delete' : (gitAction ?? 'modify');
  const path = (newPath ?? oldPath)!;
  const hunks: PatchHunk[] = [];
  let index = start + 2;
  while (index < lines.length && HUNK_HEADER.test(lines[index]!)) index = readHunk(lines, index, path, hunks);
  if (hunks.length === 0) throw patchError(`${path} has no @@ hunk after its "---" / "+++" header (line ${start + 1})`);
  if (strayLine(lines, index)) {
    const last = hunks.at(-1)!;
    throw patchError(
      `hunk ${last.number} of ${path} (${last.header}) has more lines than its header counts (line ${index + 1})`,
    );
  }
  files.push({ path, action, hunks });
  return index;
}

// one hunk: its lines are read until both counts of its header are met
function readHunk(lines: readonly string[], start: number, path: string, hunks: PatchHunk[]): number {
  const match = HUNK_HEADER.exec(lines[start]!)!;
  const hunk: PatchHunk = {
    number: hunks.length + 1,
    header: match[1]!,
    oldStart: Number(match[2]),
    oldCount: count(match[3]),
    lines: [],
  };
  let [oldLeft, newLeft] = [hunk.oldCount, count(match[5])];
  let index = start + 1;
  while (oldLeft > 0 || newLeft > 0) {
    const line = lines[index];
    if (line === undefined)
      throw patchError(
        `hunk ${hunk.number} of ${path} (${hunk.header}) is cut short: ${oldLeft} old and ${newLeft} new lines missing`,
      );
    // an editor may have trimmed a blank context line to nothing
    const kind = line === '' ? ' ' : line[0]!;
    if (kind !== ' ' && kind !== '-' && kind !== '+') {
      throw patchError(
        `line ${index + 1}, in hunk ${hunk.number} of ${path} (${hunk.header}): a hunk line starts with " ", "-" or "+"; the hunk has ${oldLeft} old and ${newLeft} new lines to go`,
      );
    }
    if (kind !== '+') oldLeft -= 1;
    if (kind !== '-') newLeft -= 1;
    if (oldLeft < 0 || newLeft < 0)
      throw patchError(
        `hunk ${hunk.number} of ${path} (${hunk.header}) has more lines than its header counts (line ${index + 1})`,
      );
    index += 1;
    // "\ No newline at end of file" follows the line it is about
    const last = lines[index]?.startsWith('\\') === true;
    hunk.lines.push({ kind, text: last ? line.slice(1) : `${line.slice(1)}\n` });
    if (last) index += 1;
  }
  hunks.push(hunk);
  return index;
}

// a hunk line past the counts: read as text between files it would be dropped, and the patch applied in part
function strayLine(lines: readonly string[], index: number): boolean {
  const line = lines[index];
  if (line === undefined || !/^[ +-]/.test(line)) return false;
  // the next file's header, or the "-- " that ends a mail (git format-patch)
  return !(line.startsWith('--- ') && lines[index + 1]?.startsWith('+++ ')) && line !== '-- ';
}

function count(text: string | undefined): number {
  return text === undefined ? 1 : Number(text);
}

// a ---/+++ path: the timestamp diff -u adds after a tab goes, git's quoted form is read, /dev/null is none
function headerPath(text: string): string | null {
  const path = text.startsWith('"') ? unquote(text) : text.split('\t')[0]!.replace(/\r$/, '');
  return path === '/dev/null' ? null : path;
}

// `diff --git a/x b/x` names the path once on each side; for an empty file it is the only place it is named
function gitHeaderPath(line: string, index: number): string {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) return unquote(rest).slice(2);
  const length = (rest.length - 5) / 2;
  const path = rest.slice(2, 2 + length);
  if (!Number.isInteger(length) || !rest.startsWith('a/') || rest.slice(2 + length) !== ` b/${path}`)
    throw patchError(`line ${index + 1}: cannot read the path of "${line.slice(0, 80)}"`);
  return path;
}

// git's C-style quoting of a path with special characters: "a/tab\there" or octal bytes "\303\251"
function unquote(text: string): string {
  const bytes: number[] = [];
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let index = 1; index < text.length; index += 1) {
    const char = text[index]!;
    if (char === '"') return Buffer.from(bytes).toString('utf8');
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = text[(index += 1)]!;
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(text.slice(index, index + 3), 8));
      index += 2;
    } else bytes.push(escapes[next] ?? next.charCodeAt(0));
  }
  throw patchError(`a quoted path has no closing quote: ${text.slice(0, 80)}`);
}

function refuseUnsupported(line: string, index: number): void {
  for (const [pattern, why] of UNSUPPORTED) if (pattern.test(line)) throw patchError(`line ${index + 1}: ${why}`);
}

/** A patch that cannot be read or applied: `VALIDATION_ERROR` at `patch`. */
export function patchError(message: string, hint?: string): ValidationError {
  return new ValidationError([{ path: 'patch', message }], {
    hint:
      hint ?? 'read the files first (fs/read-file) and make the patch against what they hold now, e.g. with git diff',
  });
}
