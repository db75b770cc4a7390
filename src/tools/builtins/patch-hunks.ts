import { patchError, type FilePatch, type PatchHunk } from './unified-diff.js';

// Applying one file's hunks to its text, as `git apply` does without fuzz:
// every context and removed line must be in the file exactly (line ends
// included); a hunk may sit a few lines off the line its header names
// (the nearest place where it matches wins), never overlap the one before.

/**
 * The text of `file` after its hunks: `before` is its text now (null when
 * it does not exist), the result null when the patch deletes it.
 * `VALIDATION_ERROR` at `patch` for a hunk that does not apply — naming the
 * file, the hunk's number and header, and the first line that differs —
 * and for a deletion whose hunks do not remove the whole file.
 *
 * @example
 * const [file] = parseUnifiedDiff('--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n');
 * applyFilePatch('old\n', file); // 'new\n'
 */
export function applyFilePatch(before: string | null, file: FilePatch): string | null {
  const lines = splitLines(before ?? '');
  const out: string[] = [];
  let cursor = 0;
  for (const hunk of file.hunks) {
    const old = hunk.lines.filter((line) => line.kind !== '+').map((line) => line.text);
    // the header counts from 1; an insertion with no old lines names the line it follows
    const expected = hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
    const at =
      old.length === 0
        ? expected >= cursor && expected <= lines.length
          ? expected
          : null
        : nearestMatch(lines, old, expected, cursor);
    if (at === null) throw hunkError(file.path, hunk, lines, old, { expected, cursor });
    out.push(...lines.slice(cursor, at), ...hunk.lines.filter((line) => line.kind !== '-').map((line) => line.text));
    cursor = at + old.length;
  }
  out.push(...lines.slice(cursor));
  const after = out.join('');
  if (file.action !== 'delete') return after;
  if (after !== '')
    throw patchError(
      `deletes ${file.path}, but its hunks leave ${splitLines(after).length} of its lines: the file holds more than the patch removes`,
    );
  return null;
}

/**
 * Text as lines that keep their `\n` (the last may have none), so joining
 * them gives the text back byte for byte.
 *
 * @example
 * splitLines('a\nb'); // ['a\n', 'b']
 */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

// the place nearest `expected` (not before `from`) where `old` is in `lines` as it is
function nearestMatch(lines: readonly string[], old: readonly string[], expected: number, from: number): number | null {
  const fits = (at: number) =>
    at >= from && at + old.length <= lines.length && old.every((line, offset) => lines[at + offset] === line);
  for (let distance = 0; distance <= lines.length; distance += 1) {
    if (fits(expected - distance)) return expected - distance;
    if (distance > 0 && fits(expected + distance)) return expected + distance;
  }
  return null;
}

// which line first differs where the header says the hunk goes: what the user needs to mend it
function hunkError(
  path: string,
  hunk: PatchHunk,
  lines: readonly string[],
  old: readonly string[],
  where: { expected: number; cursor: number },
) {
  const at = Math.max(where.expected, where.cursor);
  const failed = `hunk ${hunk.number} of ${path} (${hunk.header}) does not apply`;
  // an insertion has no lines to find: only its place can be wrong
  if (old.length === 0) {
    return patchError(
      `${failed}: it adds after line ${where.expected}, but ${where.expected > lines.length ? `the file has ${lines.length} lines` : 'the hunk before it ends after that line'}`,
    );
  }
  const offset = old.findIndex((line, index) => lines[at + index] !== line);
  const line = at + offset + 1;
  const found = lines[at + offset];
  const why =
    found === undefined
      ? `the file has ${lines.length} lines, and the hunk expects ${shown(old[offset]!)} at line ${line}`
      : `line ${line} is ${shown(found)} where the hunk expects ${shown(old[offset]!)}`;
  return patchError(`${failed}: ${why}, and its lines are nowhere else after the hunk before it`);
}

// a line as a message shows it: quoted, its line end visible, cut short
function shown(line: string): string {
  const cut = line.length > 60 ? `${line.slice(0, 60)}…` : line;
  return JSON.stringify(cut);
}
