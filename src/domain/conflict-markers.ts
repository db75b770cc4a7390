// Conflict markers as git writes them into a file it could not merge. One
// rule for every place that takes a resolution from a person or an agent —
// `plan resolve --use`, the TUI's editor, MCP's plan_resolve, the embedding
// API — and for the merge commit that would carry it onto a branch.

/**
 * The first conflict marker left in a file: its 1-based line and the line
 * itself (cut to 60 characters), for a message that points at it.
 *
 * @example
 * const marker: ConflictMarker | null = firstConflictMarker(text);
 * if (marker) console.log(`line ${marker.line}: ${marker.text}`);
 */
export interface ConflictMarker {
  line: number;
  text: string;
}

// the marker size git uses unless a conflict-marker-size attribute says otherwise,
// then a space (the side's label) or the end of the line
const OPENING = /^<{7}( |\r?$)/;
const CLOSING = /^>{7}( |\r?$)/;
const MIDDLE = /^(={7}|\|{7})( |\r?$)/;
const SHOWN = 60;

/**
 * The first conflict marker in `text`, or null. `<<<<<<<` and `>>>>>>>` at
 * the start of a line always count; `=======` (and diff3's `|||||||`) count
 * only between them — before a `>>>>>>>` that no `<<<<<<<` precedes, when
 * the opening line was deleted but the rest left — since a line of seven
 * `=` alone underlines a heading in Markdown and reStructuredText. Text
 * with a NUL byte is binary: git writes no markers into it, so none are
 * looked for.
 *
 * @example
 * firstConflictMarker('one\n<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n'); // { line: 2, text: '<<<<<<< ours' }
 * firstConflictMarker('Title\n=======\n'); // null: a heading
 */
export function firstConflictMarker(text: string): ConflictMarker | null {
  if (text.includes('\0')) return null;
  const lines = text.split('\n');
  // a middle line seen before any opening: a marker only if a closing line follows it
  let middle: number | null = null;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (OPENING.test(line)) return markerAt(lines, index);
    if (CLOSING.test(line)) return markerAt(lines, middle ?? index);
    if (middle === null && MIDDLE.test(line)) middle = index;
  }
  return null;
}

/**
 * How a message names a marker: `line 12 (<<<<<<< ours)`.
 *
 * @example
 * markerPlace({ line: 12, text: '<<<<<<< ours' }); // 'line 12 (<<<<<<< ours)'
 */
export function markerPlace(marker: ConflictMarker): string {
  return `line ${marker.line} (${marker.text})`;
}

function markerAt(lines: readonly string[], index: number): ConflictMarker {
  const line = lines[index]!.replace(/\r$/, '');
  return { line: index + 1, text: line.length > SHOWN ? `${line.slice(0, SHOWN)}…` : line };
}
