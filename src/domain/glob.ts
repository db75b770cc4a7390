import { compileGlobNfa } from './glob-compile.js';
import { TroupeError } from './errors.js';

/** A compiled glob: whether a normalized relative path (`src/a.ts`) matches. */
export type GlobMatcher = (path: string) => boolean;

/**
 * Why troupe refuses `pattern` as a glob, or null when it can be matched.
 *
 * troupe's globs are picomatch's with `dot: true`, matched against
 * normalized relative paths (`/`-separated, no `.`, `..` or empty segments),
 * in time linear in the glob and the path — never by a backtracking regular
 * expression, so no glob can freeze the runtime:
 * - `?` is one character but `/`; `*` any run of them, empty too; both
 *   match dotfiles. `**` as a whole segment is any number of segments, none
 *   too (`src/**` matches `src`); elsewhere (`a**b`) it is `*`.
 * - `[abc]`, `[a-z]`, `[!a]`, `[^a]` and the POSIX classes (`[[:digit:]]`…)
 *   match one character, never `/`. `\x` is the character x.
 * - `{a,b}` (nested too), `{1..3}`, `{01..10}`, `{a..e}` are expanded before
 *   matching, to at most 256 alternatives and 4096 characters.
 * - A leading `./` is dropped.
 *
 * Refused, each with a message naming it — what picomatch hands to the
 * regular-expression engine or reads as syntax troupe lacks: extglobs
 * (`@(…)`, `!(…)`, `+(…)`, `*(…)`, `?(…)`), any other unescaped `(`, `)` or
 * `|` outside a class, a leading `!` (negation), `"` (quoting), a `+` right
 * after a class or a brace (`[ab]+`), `\` before a letter or digit (`\d`),
 * a lone trailing `\`, an unclosed `{`, `..` in braces other than a range of
 * two numbers or two letters (`{a..}`, `{1..9..2}`), a reversed class range
 * (`[z-a]`), a range to a POSIX class, an unknown POSIX class, and braces
 * past the caps. docs/reference/plan-file.md (Glob syntax) lists where the answers
 * depart from picomatch's odd ones (`[!b]`, `{1..10}`, `c++`…).
 *
 * @example
 * globProblem('src/**'); // null
 * globProblem('(a+)+b'); // 'parentheses (regular-expression groups) are not supported: …'
 */
export function globProblem(pattern: string): string | null {
  return compileGlobNfa(pattern).problem;
}

/**
 * A matcher for one glob (see {@link globProblem} for the syntax). Throws a
 * `VALIDATION_ERROR` for a refused glob; callers that know the field
 * (`input.glob`, `resourceScopes[0]`) check {@link globProblem} first.
 *
 * @example
 * const isSource = compileGlob('src/*.{ts,tsx}');
 * isSource('src/App.tsx'); // true
 */
export function compileGlob(pattern: string): GlobMatcher {
  const { nfa, problem } = compileGlobNfa(pattern);
  if (nfa === null) {
    throw new TroupeError('VALIDATION_ERROR', `glob ${JSON.stringify(pattern)} is refused: ${problem}`, {
      hint: 'docs/reference/plan-file.md (Resource scopes) lists the glob syntax troupe supports',
      details: { glob: pattern, problem },
    });
  }
  return (path) => nfa.match(path);
}

/**
 * A matcher for a list of globs: a path matches when any glob does; an empty
 * list matches nothing. With `refused: 'match-nothing'` a refused glob
 * matches nothing instead of throwing — for scopes stored before a glob was
 * refused, which must keep failing closed (writes refused) rather than crash.
 *
 * @example
 * const inScope = compileGlobs(['src/**', 'docs/*.md']);
 * inScope('docs/plans.md'); // true
 */
export function compileGlobs(
  patterns: readonly string[],
  options: { refused?: 'throw' | 'match-nothing' } = {},
): GlobMatcher {
  const matchers = patterns.flatMap((pattern) => {
    if (options.refused !== 'match-nothing') return [compileGlob(pattern)];
    const { nfa } = compileGlobNfa(pattern);
    return nfa === null ? [] : [(path: string) => nfa.match(path)];
  });
  return (path) => matchers.some((matches) => matches(path));
}
