import { RE2JS } from 're2js';
import { ValidationError, type TextMatch } from '../../domain/index.js';

// one line that matched, as fs/search answers it and an agent reads it
export type { TextMatch };

/** The longest line a match reports; a longer one is cut (minified files, data). */
export const MAX_MATCH_LINE = 2_000;

/** A compiled search pattern: finds the first match in a line, in time linear in the line's length. */
export interface LinePattern {
  /** The 0-based column of the first match in `line`, or -1. */
  firstMatch(line: string): number;
}

/**
 * Compile a search pattern with RE2's syntax and guarantee: matching is
 * linear in the text whatever the pattern (`(a+)+$` answers at once), at the
 * price of backreferences and lookaround, which RE2 does not have. A pattern
 * RE2 refuses is a VALIDATION_ERROR naming `input.pattern` and why.
 *
 * @example
 * compilePattern('TODO|FIXME', true).firstMatch('// todo: x'); // 3
 */
export function compilePattern(pattern: string, ignoreCase: boolean): LinePattern {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    throw new ValidationError([{ path: 'input.pattern', message: `not a pattern troupe can search with: ${reason}` }], {
      hint: 'patterns use RE2 syntax (no backreferences or lookaround), e.g. "function \\\\w+\\\\(" or "TODO|FIXME"',
    });
  }
  return {
    firstMatch(line) {
      const matcher = compiled.matcher(line);
      return matcher.find() ? matcher.start() : -1;
    },
  };
}

/**
 * The matching lines of one file's text, in order, at most `limit` of them;
 * with `contextLines`, up to that many lines before and after each. Lines
 * are split at `\n` (a `\r` before it is dropped).
 *
 * @example
 * searchLines('src/a.ts', 'a\nTODO b\n', compilePattern('TODO', false), { contextLines: 1, limit: 10 });
 * // [{ path: 'src/a.ts', line: 2, column: 1, text: 'TODO b', before: ['a'], after: [] }]
 */
export function searchLines(
  path: string,
  text: string,
  pattern: LinePattern,
  options: { contextLines: number; limit: number },
): TextMatch[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const shown = (line: string) => {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    return trimmed.length > MAX_MATCH_LINE ? `${trimmed.slice(0, MAX_MATCH_LINE)}…` : trimmed;
  };
  const matches: TextMatch[] = [];
  for (let index = 0; index < lines.length && matches.length < options.limit; index++) {
    const column = pattern.firstMatch(lines[index]!);
    if (column < 0) continue;
    const match: TextMatch = { path, line: index + 1, column: column + 1, text: shown(lines[index]!) };
    if (options.contextLines > 0) {
      match.before = lines.slice(Math.max(0, index - options.contextLines), index).map(shown);
      match.after = lines.slice(index + 1, index + 1 + options.contextLines).map(shown);
    }
    matches.push(match);
  }
  return matches;
}
