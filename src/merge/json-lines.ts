// Arrays are single values to the key-by-key merge, so two sides adding
// different items to one list conflict, where git's line merge of the file is
// often clean (one word each to a cspell.json list, one per line). This takes
// the line merge in those cases, and only when it is still sound JSON.
import type { JsonConflict } from './json.js';
import { parseJson, sameJson, type JsonNode } from './json-syntax.js';
import { mergeText } from './text.js';

/**
 * The line merge of a JSON file whose key-by-key merge conflicted only where
 * both sides changed an array, when that line merge is clean, parses to an
 * object with an array at each conflicting key path, and agrees with the
 * key-by-key merge everywhere else (`structural`: that merge with its
 * conflicts settled to a side, asked for only when needed). Null when any of that fails: the conflicts
 * stand.
 *
 * @example
 * const base = '{"words": [\n"a",\n"m",\n"z"\n]}', ours = base.replace('"a"', '"a",\n"b"'), theirs = base.replace('"m"', '"m",\n"n"');
 * // key by key: a conflict at words; line by line: clean
 * mergeArraysAsLines(base, ours, theirs, conflicts, () => structural); // '{"words": [\n"a",\n"b",\n"m",\n"n",\n"z"\n]}'
 */
export function mergeArraysAsLines(
  base: string | null,
  ours: string,
  theirs: string,
  conflicts: JsonConflict[],
  structural: () => string,
): string | null {
  if (conflicts.length === 0 || !conflicts.every((conflict) => conflict.arrays)) return null;
  const lines = mergeText(base, ours, theirs, null);
  if (lines.conflicts.length > 0) return null;
  const merged = parseJson(lines.text);
  const expected = parseJson(structural());
  if (merged?.root.kind !== 'object' || expected === null) return null;
  return agreesOutside(
    merged.root,
    expected.root,
    conflicts.map((conflict) => conflict.keyPath),
  )
    ? lines.text
    : null;
}

// whether two values are the same JSON except at the given key paths, where the line merge must still hold an array
function agreesOutside(merged: JsonNode, expected: JsonNode, paths: string[][]): boolean {
  if (paths.some((path) => path.length === 0)) return merged.kind === 'array';
  if (paths.length === 0) return sameJson(merged, expected);
  if (merged.kind !== 'object' || expected.kind !== 'object' || merged.members.length !== expected.members.length)
    return false;
  const values = new Map(expected.members.map((member) => [member.key, member.value]));
  return merged.members.every((member) => {
    const value = values.get(member.key);
    const below = paths.filter((path) => path[0] === member.key).map((path) => path.slice(1));
    return value !== undefined && agreesOutside(member.value, value, below);
  });
}
