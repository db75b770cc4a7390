// The YAML parser recurses once per level of nesting: a few hundred levels
// exhaust the stack, and V8 may then die compiling a regular expression
// instead of throwing (a fatal out-of-memory no catch can hold). So the depth
// of a plan file's text is measured before it is parsed. A plan file needs
// about five levels per level of child plans: 256 leaves room for the 16
// levels a plan may nest and a clear message past them.

/** How deep lists and mappings may nest in a plan file's text. */
export const MAX_TEXT_NESTING = 256;

// where a quoted scalar may start: the start of a line, or after one of these
const SCALAR_STARTS = new Set([':', ',', '[', '{', '-', '?']);

/**
 * Why `text` nests too deeply to be parsed, or null: flow collections
 * (`[`, `{`) open more than `limit` deep, or a line is indented (spaces
 * and compact `- ` markers) more than two columns per level. Quoted
 * scalars and comments are skipped; the measure errs on the deep side.
 *
 * @example
 * yamlNestingProblem('a: [[1]]'); // null
 * yamlNestingProblem('['.repeat(300)); // 'nests lists and mappings more than 256 levels deep'
 */
export function yamlNestingProblem(text: string, limit = MAX_TEXT_NESTING): string | null {
  const tooDeep = `nests lists and mappings more than ${limit} levels deep`;
  let depth = 0;
  let quote: '"' | "'" | null = null;
  let comment = false;
  let indenting = true;
  let column = 0;
  let previous: string | null = null;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (char === '\n') {
      comment = false;
      indenting = true;
      column = 0;
      previous = null;
      continue;
    }
    if (indenting && quote === null) {
      if (char === ' ' || (char === '-' && (text[index + 1] === ' ' || text[index + 1] === '\n'))) {
        column += 1;
        if (column > limit * 2) return tooDeep;
        continue;
      }
      indenting = false;
    }
    if (comment) continue;
    if (quote !== null) {
      if (quote === '"' && char === '\\') index += 1;
      else if (char === quote) {
        // '' inside single quotes is one quote
        if (quote === "'" && text[index + 1] === "'") index += 1;
        else {
          quote = null;
          previous = char;
        }
      }
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\r') {
      if (text[index + 1] === '#') comment = true;
      continue;
    }
    if (char === '#' && previous === null) {
      comment = true;
      continue;
    }
    if ((char === '"' || char === "'") && (previous === null || SCALAR_STARTS.has(previous))) quote = char;
    else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return tooDeep;
    } else if ((char === ']' || char === '}') && depth > 0) depth -= 1;
    previous = char;
  }
  return null;
}
